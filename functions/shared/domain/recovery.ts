import type { ReleasePlan } from './release-plan';
import { BUSY_STATUSES } from './rollback';
import type { Deployment } from './state';
import type { EndpointView } from './views';


/** What a dead release had done, as its execution's last state says (everything is optional: it may have died anywhere). */
export interface DeadReleaseState {
  plan?: Pick<ReleasePlan, 'style' | 'names'>;
  deployment?: Deployment | null;
  smoke?: { passed: boolean } | null;
  canaryCheck?: { verdict: string } | null;
  promotion?: { finalConfigName: string } | null;
  batchModel?: unknown;
}

/**
 * How a recovery makes the endpoint whole:
 * - `roll-back`: the undo loop (drain the candidate, restore the old config, delete a first deployment's
 *   endpoint, or nothing to undo when nothing was changed);
 * - `finish-promotion`: the new model passed its verdict and already takes all traffic on the canary config:
 *   Promote moves the endpoint to the new model's own config;
 * - `record-promoted`: the new model passed and the endpoint already serves only it on its final config;
 * - `restore-artifact`: a multi-model release that had not promoted: the group's live artifact is restored;
 * - `wait`: SageMaker is mid-change; look again after a pause (bounded by the caller).
 */
export type RecoveryAction = 'roll-back' | 'finish-promotion' | 'record-promoted' | 'restore-artifact' | 'wait' | 'record-drifted';

export interface RecoveryDecision {
  action: RecoveryAction;
  /** What the recovery found, in words for the record and the event. */
  found: string;
}

/** Whether the new model passed the gate its style has (a healthy bake; a passed smoke test where SageMaker bakes, or on a first deployment). */
export function newModelPassed(state: DeadReleaseState): boolean {
  const style = state.deployment?.style ?? state.plan?.style;
  if (state.canaryCheck?.verdict === 'healthy') return true;
  const smokePassed = state.smoke?.passed === true;
  if (style === 'native-guardrails' || style === 'async-guardrails' || style === 'multi-model-artifact') return smokePassed;
  return smokePassed && state.deployment?.firstDeployment === true;
}

/** The endpoint in words: status, config and where the traffic goes. */
export function describeEndpoint(view: Pick<EndpointView, 'name' | 'status' | 'configName' | 'variants'> | null, endpointName: string): string {
  if (view === null) return `endpoint ${endpointName} does not exist`;
  // Weights are relative (SageMaker sends each variant weight / total of the traffic).
  const total = view.variants.reduce((sum, v) => sum + v.weight, 0);
  const share = (weight: number) => (total > 0 ? Math.round((weight / total) * 100) : 0);
  const traffic = view.variants.length > 0 ? `: ${view.variants.map((v) => `${v.name} ${share(v.weight)}%`).join(', ')}` : '';
  return `endpoint ${view.name} ${view.status} on ${view.configName ?? 'no config'}${traffic}`;
}

/**
 * The rule (`abort`: an operator's abort, which always goes back): a release that died is finished only when its new model had passed its gate AND the endpoint
 * already serves nothing else (all traffic on the new variant); in every other case it goes back to the
 * previous model. Nothing half-judged is promoted, and nothing already wholly on a passed model is undone.
 */
export function decideRecovery(state: DeadReleaseState, view: Pick<EndpointView, 'name' | 'status' | 'configName' | 'variants'> | null, options: { abort?: boolean } = {}): RecoveryDecision {
  // The release had found someone else's change on the endpoint: it is theirs; no recovery (nor abort) undoes it.
  if (state.canaryCheck?.verdict === 'drifted') return { action: 'record-drifted', found: `the release had found the endpoint changed by someone else, and it is left as it is; ${describeEndpoint(view, state.deployment?.endpointName ?? '')}` };
  const decision = decideConvergence(state, view);
  // An operator's abort always goes back to the previous model, however far the release got.
  if (options.abort !== true) return decision;
  if (decision.action === 'finish-promotion' || decision.action === 'record-promoted') {
    return { action: state.deployment?.style === 'multi-model-artifact' ? 'restore-artifact' : 'roll-back', found: `${decision.found}; aborted, so it goes back to the previous model` };
  }
  return decision;
}

function decideConvergence(state: DeadReleaseState, view: Pick<EndpointView, 'name' | 'status' | 'configName' | 'variants'> | null): RecoveryDecision {
  const deployment = state.deployment ?? null;
  if (deployment === null) return { action: 'roll-back', found: 'the release had changed nothing yet' };
  const found = describeEndpoint(view, deployment.endpointName);
  if (deployment.style === 'multi-model-artifact') {
    return state.promotion !== undefined && state.promotion !== null && newModelPassed(state)
      ? { action: 'record-promoted', found: `the staged artifact had passed and was promoted; ${found}` }
      : { action: 'restore-artifact', found: `the staged artifact had not been promoted; ${found}` };
  }
  // Deleting too: what the endpoint serves is only known once SageMaker is done.
  if (view !== null && (BUSY_STATUSES.has(view.status) || view.status === 'Deleting')) return { action: 'wait', found };
  if (!newModelPassed(state) || view === null || view.status !== 'InService') return { action: 'roll-back', found };
  const taking = view.variants.filter((v) => v.weight > 0).map((v) => v.name);
  const onlyNew = taking.length > 0 && taking.every((name) => name === deployment.newVariantName);
  if (!onlyNew) return { action: 'roll-back', found };
  const finalConfig = state.promotion?.finalConfigName ?? state.plan?.names?.finalConfig;
  if (deployment.style === 'variant-canary' && !deployment.firstDeployment && view.configName === deployment.newConfigName) {
    return { action: 'finish-promotion', found: `the new model had passed and takes all traffic; ${found}` };
  }
  if (view.configName === finalConfig || view.configName === deployment.newConfigName) return { action: 'record-promoted', found: `the new model had passed and serves alone; ${found}` };
  return { action: 'roll-back', found };
}

/**
 * StopExecution (and a timeout) does not stop a Lambda already invoked: one may still be making its calls
 * for up to its timeout after the execution ended. A recovery of an execution that ended inside a Task
 * waits that long (plus a margin) before it reads the endpoint, so that a late call cannot undo its work.
 * Null when it need not wait; else the seconds left to wait.
 */
export function lateStepWaitSeconds(input: { openTask: boolean; endedAt: number; now: number; lambdaTimeoutSeconds: number }): number | null {
  if (!input.openTask) return null;
  const left = Math.ceil((input.endedAt + (input.lambdaTimeoutSeconds + LATE_STEP_MARGIN_SECONDS) * 1000 - input.now) / 1000);
  return left > 0 ? left : null;
}

/** Added to a Lambda's timeout before a recovery trusts that no step of the dead execution still runs. */
export const LATE_STEP_MARGIN_SECONDS = 10;
