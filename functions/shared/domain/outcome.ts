import * as z from '../zod';
import { packageVersionOf } from './version-order';
import { batchModelName } from './batch';
import { ledgerTarget, type ActiveBatchModel, type ReleaseOutcome, type ReleaseRecord } from './ledger';
import { supersededRelease, type Serving } from './state';
import type { EndpointConfigView, EndpointView } from './views';
import { errorMessageOf } from './error-cause';

export { errorMessageOf };

export interface OutcomeInputs {
  outcome: ReleaseOutcome;
  error?: { Error?: string; Cause?: string } | null;
  deployCheck?: { check: string; reason: string | null } | null;
  smoke?: { passed: boolean; reason: string } | null;
  canaryCheck?: { verdict: string; reason: string } | null;
  rollbackCheck?: { check: string; reason: string | null } | null;
  /** The error that stopped the rollback itself (RollBack or RestoreModelArtifact caught). */
  rollbackError?: { Error?: string; Cause?: string } | null;
  claim?: { status: string; existingReleaseId?: string; existingStatus?: string; newerReleaseId?: string; newerVersion?: number; newerStatus?: string; target?: string } | null;
  /** The package released (its version names the stale approval). */
  packageVersion?: number | null;
}

export interface Explanation {
  /** What made the release end this way, in a word: error, endpoint, smoke-test, canary, duplicate, promoted. */
  trigger: string;
  reason: string;
  /** Error name for the failed execution (Fail state ErrorPath); null when the run succeeds. */
  errorName: string | null;
}

/** Why a release ended as it did, from the state the run accumulated. The first cause found wins. */
export function explainOutcome(inputs: OutcomeInputs): Explanation {
  const errorName = (fallback: string) => inputs.error?.Error ?? fallback;
  if (inputs.outcome === 'SKIPPED' && inputs.claim?.status === 'stale') {
    const c = inputs.claim;
    const newer = c.newerStatus === 'IN_PROGRESS' ? `is in flight for ${c.target ?? 'the endpoint'}` : `was promoted on ${c.target ?? 'the endpoint'}`;
    return {
      trigger: 'stale-approval',
      reason: `StaleApproval: version ${inputs.packageVersion ?? 'unknown'} is not newer than version ${c.newerVersion ?? 'unknown'} of the group, which ${newer} (release ${c.newerReleaseId ?? 'unknown'}); an older version never replaces a newer one: use a manual run with "force": true to release it anyway`,
      errorName: null,
    };
  }
  if (inputs.outcome === 'SKIPPED') {
    const c = inputs.claim;
    return { trigger: 'duplicate', reason: `package already released by release ${c?.existingReleaseId ?? 'unknown'} (${c?.existingStatus ?? 'unknown'}); use a manual run with "force": true to release it again`, errorName: null };
  }
  if (inputs.outcome === 'REGISTERED') return { trigger: 'registered', reason: 'registered as the active batch model of its group; scored by the nightly batch branch', errorName: null };
  if (inputs.outcome === 'PROMOTED') return { trigger: 'promoted', reason: inputs.canaryCheck?.reason ?? inputs.smoke?.reason ?? 'deployed', errorName: null };

  let trigger = 'unknown';
  let reason = 'no reason recorded';
  if (inputs.error?.Error !== undefined) {
    trigger = 'error';
    reason = `${inputs.error.Error}: ${errorMessageOf(inputs.error.Cause)}`;
  } else if (inputs.deployCheck?.check === 'RolledBack') {
    trigger = 'sagemaker-rollback';
    reason = `SageMaker rolled the deployment back: ${inputs.deployCheck.reason ?? ''}`;
  } else if (inputs.deployCheck && inputs.deployCheck.check !== 'InService') {
    trigger = 'endpoint';
    reason = `deployment ${inputs.deployCheck.check}: ${inputs.deployCheck.reason ?? ''}`;
  } else if (inputs.smoke && !inputs.smoke.passed) {
    trigger = 'smoke-test';
    reason = `smoke test failed: ${inputs.smoke.reason}`;
  } else if (inputs.canaryCheck?.verdict === 'drifted') {
    trigger = 'drift';
    reason = inputs.canaryCheck.reason;
  } else if (inputs.canaryCheck?.verdict === 'revoked') {
    trigger = 'registry';
    reason = inputs.canaryCheck.reason;
  } else if (inputs.canaryCheck && inputs.canaryCheck.verdict !== 'healthy') {
    trigger = 'canary';
    reason = `canary ${inputs.canaryCheck.verdict}: ${inputs.canaryCheck.reason}`;
  }
  if (inputs.outcome === 'ROLLBACK_FAILED') {
    return { trigger, reason: `${reason}; then the rollback failed: ${inputs.rollbackCheck?.reason ?? (inputs.rollbackError?.Error !== undefined ? `${inputs.rollbackError.Error}: ${errorMessageOf(inputs.rollbackError.Cause)}` : 'see execution history')}`, errorName: 'RollbackFailed' };
  }
  if (inputs.outcome === 'ROLLED_BACK') return { trigger, reason, errorName: 'ReleaseRolledBack' };
  if (inputs.outcome === 'DRIFTED') return { trigger, reason, errorName: 'ReleaseDrifted' };
  // The registry took the approval back mid-release and the release rolled back on it: done as asked.
  if (inputs.outcome === 'REVOKED') return { trigger, reason, errorName: null };
  return { trigger, reason, errorName: errorName('ReleaseFailed') };
}

export const DETAIL_TYPES: Record<ReleaseOutcome, string> = {
  PROMOTED: 'Model Deployment Succeeded',
  REGISTERED: 'Model Deployment Succeeded',
  ROLLED_BACK: 'Model Deployment Rolled Back',
  FAILED: 'Model Deployment Failed',
  ROLLBACK_FAILED: 'Model Deployment Rollback Failed',
  SKIPPED: 'Model Deployment Skipped',
  RECOVERED: 'Model Deployment Recovered',
  ABORTED: 'Model Deployment Aborted',
  REVOKED: 'Model Deployment Revoked',
  DRIFTED: 'Model Deployment Drifted',
};

// ---------------------------------------------------------------------------------------------------
// What serves now: the promise every release keeps
// ---------------------------------------------------------------------------------------------------

export interface ServingReport {
  endpointName: string;
  status: string;
  configName: string | null;
  variants: { name: string; model: string | null; weight: number }[];
  /**
   * Which model the endpoint serves, wholly: the release's, the one before it, none (no endpoint; on a
   * multi-model endpoint: no artifact of the group), or mixed (on a multi-model endpoint: either may be).
   */
  serving: Serving;
}

/** What the endpoint serves, from its variants' weights and models, judged against the release's model. */
export function servingOf(endpointName: string, live: EndpointView | null, config: EndpointConfigView | null, newModelName: string): ServingReport {
  if (live === null) return { endpointName, status: 'absent', configName: null, variants: [], serving: 'none' };
  const models = new Map((config?.variants ?? []).map((v) => [v.VariantName, v.ModelName]));
  const variants = live.variants.map((v) => ({ name: v.name, model: models.get(v.name) ?? null, weight: v.weight }));
  const withTraffic = variants.filter((v) => v.weight > 0);
  const onNew = withTraffic.filter((v) => v.model === newModelName).length;
  const serving = onNew === 0 ? 'previous' : onNew === withTraffic.length ? 'new' : 'mixed';
  return { endpointName, status: live.status, configName: live.configName, variants, serving };
}

/**
 * A multi-model release never changes the endpoint's variants, so they say nothing about which model
 * serves: what the group's live artifact holds follows from the outcome (RestoreModelArtifact puts back
 * what was there, or removes what this release added; a failed restore leaves either).
 */
export function multiModelServingOf(endpointName: string, live: EndpointView | null, outcome: ReleaseOutcome, hadLiveArtifact: boolean): ServingReport {
  const serving: Serving = outcome === 'PROMOTED' ? 'new' : outcome === 'ROLLBACK_FAILED' ? 'mixed' : hadLiveArtifact ? 'previous' : 'none';
  return {
    endpointName,
    status: live?.status ?? 'absent',
    configName: live?.configName ?? null,
    variants: (live?.variants ?? []).map((v) => ({ name: v.name, model: null, weight: v.weight })),
    serving,
  };
}

/**
 * What the endpoint serves according to the last check this run made of it, for when the final read
 * fails: each of these checks saw the endpoint InService on a known config moments before.
 */
export function servingFromChecks(
  outcome: ReleaseOutcome,
  state: { deployCheck?: { check: string }; promotionCheck?: { check: string }; rollbackCheck?: { check: string }; deployment?: { style?: string; firstDeployment: boolean } },
): Serving {
  if (state.rollbackCheck?.check === 'Deleted') return 'none';
  if (state.rollbackCheck?.check === 'InService' || state.deployCheck?.check === 'RolledBack') return 'previous';
  if (outcome === 'PROMOTED') {
    if (state.promotionCheck?.check === 'InService') return 'new';
    // A first deployment, all at once or under guardrails: CheckDeployment saw the new config InService.
    if (state.deployCheck?.check === 'InService' && (state.deployment?.firstDeployment || state.deployment?.style !== 'variant-canary')) return 'new';
  }
  return 'unknown';
}

/**
 * The promise of every release: afterwards the endpoint serves wholly the new model (promoted) or
 * wholly the old one (rolled back, or failed before any change). When the endpoint says otherwise,
 * the outcome is escalated so that an operator is alerted, never reported as done.
 */
export function brokenServingPromise(outcome: ReleaseOutcome, serving: Serving | null): { outcome: ReleaseOutcome; errorName: string; reason: string } | null {
  if (serving === null || serving === 'unknown') return null;
  // Someone else changed the endpoint; what it serves is theirs to say now (the record says what it is).
  if (outcome === 'DRIFTED') return null;
  if (outcome === 'PROMOTED' && serving !== 'new') {
    return { outcome: 'FAILED', errorName: 'EndpointStateConflict', reason: `after promotion the endpoint serves ${serving === 'mixed' ? 'both models' : `the ${serving} model`}` };
  }
  if (outcome !== 'PROMOTED' && (serving === 'mixed' || serving === 'new')) {
    return { outcome: 'ROLLBACK_FAILED', errorName: 'RollbackFailed', reason: `the endpoint still serves ${serving === 'mixed' ? 'both models' : 'the new model'}` };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------
// The outcome of a run: its ledger records, its event, what the state machine routes on
// ---------------------------------------------------------------------------------------------------

const loose = z.looseObject({});
const errorSlice = z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) });

/**
 * What a Record* state hands RecordOutcome: the whole execution state, read loosely. A Catch can send a
 * run here from any step, before the later slices exist, and the record of a failure must not itself
 * fail on a field it does not need.
 */
export const outcomeStateSchema = z.looseObject({
  request: z.optional(
    z.looseObject({
      action: z.optional(z.string()),
      modelPackageArn: z.optional(z.string()),
      endpointName: z.optional(z.nullable(z.string())),
      reason: z.optional(z.nullable(z.string())),
      trigger: z.string(),
      requestedAt: z.string(),
      eventId: z.optional(z.nullable(z.string())),
      dryRun: z.optional(z.boolean()),
      requestedBy: z.optional(z.nullable(z.string())),
    }),
  ),
  package: z.optional(z.looseObject({ arn: z.string(), groupName: z.string(), version: z.number(), approvedBy: z.optional(z.nullable(z.string())) })),
  plan: z.optional(z.looseObject({ releaseId: z.string(), endpointName: z.nullable(z.string()), mode: z.string(), style: z.optional(z.string()), names: z.optional(z.looseObject({ model: z.string() })), decision: loose })),
  execution: z.optional(z.object({ id: z.string(), startTime: z.string() })),
  claim: z.optional(
    z.looseObject({
      status: z.string(),
      target: z.string(),
      redeploy: z.optional(z.boolean()),
      existingReleaseId: z.optional(z.string()),
      existingStatus: z.optional(z.string()),
      newerReleaseId: z.optional(z.string()),
      newerVersion: z.optional(z.number()),
      newerStatus: z.optional(z.string()),
    }),
  ),
  deployment: z.optional(
    z.object({
      endpointName: z.string(),
      previousConfigName: z.nullable(z.string()),
      newConfigName: z.string(),
      newVariantName: z.string(),
      modelName: z.string(),
      startedAt: z.string(),
      firstDeployment: z.boolean(),
      style: z.optional(z.string()),
      targetModel: z.optional(z.nullable(z.string())),
      artifact: z.optional(z.object({ backupKey: z.nullable(z.string()), targetModel: z.string(), liveTargetModel: z.string() })),
      rollbackOf: z.optional(z.object({ releaseId: z.string(), modelPackageArn: z.string() })),
      restores: z.optional(z.nullable(z.string())),
      supersedes: z.optional(supersededRelease),
    }),
  ),
  deployCheck: z.optional(z.looseObject({ check: z.string(), reason: z.nullable(z.string()) })),
  smoke: z.optional(z.looseObject({ passed: z.boolean(), reason: z.string() })),
  canaryCheck: z.optional(z.looseObject({ verdict: z.string(), reason: z.string() })),
  rollbackCheck: z.optional(z.looseObject({ check: z.string(), reason: z.nullable(z.string()) })),
  promotionCheck: z.optional(z.looseObject({ check: z.string() })),
  rollbackError: z.optional(errorSlice),
  error: z.optional(errorSlice),
  /** PrepareRecovery: this run finishes a release whose own execution ended without an outcome. */
  recovery: z.optional(
    z.looseObject({
      deadExecutionArn: z.string(),
      deadStatus: z.string(),
      lastState: z.nullable(z.string()),
      found: z.string(),
      action: z.string(),
      executionArn: z.string(),
      /** An operator's abort: the outcome is ABORTED, not RECOVERED. */
      aborted: z.optional(z.boolean()),
      request: z.optional(z.looseObject({ reason: z.optional(z.nullable(z.string())) })),
    }),
  ),
});
export type OutcomeState = z.infer<typeof outcomeStateSchema>;

/** What the run read of the endpoint at the end: a report, or why it could not read one. */
export type FinalRead = { report: ServingReport } | { unreadable: string };

export interface OutcomeDecision {
  /** The outcome recorded: the one asked for, or an escalation when the endpoint breaks the serving promise. */
  outcome: ReleaseOutcome;
  /** The Fail state's Error when the run does not succeed. */
  errorName: string | null;
  reason: string;
  detailType: string;
  serving: ServingReport | null;
  /** Ledger writes, in order (the release; an operator's rollback also gets a record of its own). */
  records: { record: ReleaseRecord; requestedAt: string }[];
  /** The outcome event, or null when nothing is announced (a dry run). */
  event: { detailType: string; detail: Record<string, unknown>; resources: string[] } | null;
  /**
   * The group's model for nightly scoring, when this release made it serve (promoted, or recovered onto the
   * new model): batch scores with what the ledger blessed, never a rolled-back or in-flight candidate.
   */
  blessedModel: ActiveBatchModel | null;
  /** Bless only if the group's active batch model is this package's (a manual rollback's undone promotion). */
  blessOnlyInPlaceOf: string | null;
  /** An operator asked for this rollback (the run then succeeds). */
  onRequest: boolean;
}

/** Everything RecordOutcome writes and announces, decided from the run's state and the endpoint's final read. */
export function decideOutcome(input: { outcome: ReleaseOutcome; state: OutcomeState; finalRead: FinalRead | null; now: number }): OutcomeDecision {
  const { outcome, state, now } = input;
  const explanation =
    state.request?.action === 'rollback' && outcome === 'ROLLED_BACK'
      ? { trigger: 'manual-rollback', reason: `rolled back on request${state.request.reason ? `: ${state.request.reason}` : ''}`, errorName: null }
      : explainOutcome({
          outcome,
          error: state.error,
          deployCheck: state.deployCheck,
          smoke: state.smoke,
          canaryCheck: state.canaryCheck,
          rollbackCheck: state.rollbackCheck,
          rollbackError: state.rollbackError,
          claim: state.claim,
          packageVersion: state.package?.version ?? null,
        });
  const artifact = state.deployment?.style === 'multi-model-artifact' ? state.deployment.artifact : undefined;
  const read = input.finalRead;
  // The outcome must still be recorded and announced when the endpoint cannot be read; it then says it
  // could not verify what serves, rather than guessing or staying silent.
  const serving: ServingReport | null =
    read === null
      ? null
      : 'report' in read
        ? read.report
        : { endpointName: state.deployment?.endpointName ?? '', status: `unknown (${read.unreadable})`, configName: null, variants: [], serving: servingFromChecks(outcome, state) };
  // Multi-model: the variants never change, so there is nothing to judge them by (README, "How each mode is released").
  const broken = artifact ? null : brokenServingPromise(outcome, serving?.serving ?? null);
  // The versioned TargetModel is how clients reach this release's model on the shared endpoint (only once promoted).
  const multiModel = artifact ? { targetModel: outcome === 'PROMOTED' ? artifact.targetModel : null, liveTargetModel: artifact.liveTargetModel } : undefined;
  const recovery = state.recovery;
  // A recovery that made the endpoint whole (back to the previous model, or the passed one finished) is RECOVERED;
  // an operator's abort that put the previous model back is ABORTED.
  // A rollback made because the registry no longer approves the package is the registry's decision carried out,
  // by the release or by the recovery that finished it, and a re-approval releases it again.
  const revoked = broken === null && outcome === 'ROLLED_BACK' && state.canaryCheck?.verdict === 'revoked' && recovery?.aborted !== true;
  const converged = !revoked && recovery !== undefined && broken === null && (outcome === 'PROMOTED' || outcome === 'ROLLED_BACK');
  const finalOutcome: ReleaseOutcome = converged ? (recovery.aborted === true ? 'ABORTED' : 'RECOVERED') : revoked ? 'REVOKED' : (broken?.outcome ?? outcome);
  const errorName = converged || revoked ? null : (broken?.errorName ?? explanation.errorName);
  const unverified = serving?.status.startsWith('unknown') ? `; the final read of the endpoint failed (${serving.status}), so what it serves is taken from the run's last endpoint check: ${serving.serving}` : '';
  const told = recovery ? recoveryReason(recovery, outcome, serving?.serving ?? null) : explanation.reason;
  const reason = (broken ? `${told}; ${broken.reason}` : multiModel?.targetModel ? `${told}; call it with TargetModel ${multiModel.targetModel}` : told) + unverified;
  const startedAt = state.execution?.startTime ?? state.request?.requestedAt ?? new Date(now).toISOString();
  const finishedAt = new Date(now).toISOString();
  const timings = {
    totalSeconds: Math.max(0, Math.round((now - Date.parse(startedAt)) / 1000)),
    ...(state.deployment ? { sinceDeploymentSeconds: Math.max(0, Math.round((now - Date.parse(state.deployment.startedAt)) / 1000)) } : {}),
  };
  const dryRun = state.request?.dryRun === true;
  const failedBeforeTakeover = (state.request?.action === 'recover' || state.request?.action === 'abort') && recovery === undefined && !state.plan;
  // The same on every attempt to announce this outcome, so a consumer can drop a copy sent again after a lost answer.
  const runName = (arn: string | undefined) => arn?.split(':').pop() ?? null;
  const eventId = [state.plan?.releaseId ?? runName(state.execution?.id) ?? String(now), recovery ? runName(recovery.executionArn) : null, finalOutcome.toLowerCase()].filter((part) => part !== null).join('.');

  const records: OutcomeDecision['records'] = [];
  // A run that failed inside ClaimRelease has no $.claim, yet may have claimed the package and queued a
  // ticket: finishing is safe anyway (it only closes a claim that is this release's, and deleting an absent
  // ticket or someone else's lease does nothing), so only a known duplicate skips it.
  const ownsClaim = state.claim?.status !== 'duplicate' && state.claim?.status !== 'stale';
  const target = state.claim?.target ?? (state.plan && state.package ? ledgerTarget(state.plan.endpointName, state.package.groupName) : null);
  if (ownsClaim && state.plan && state.request?.modelPackageArn && target !== null && !dryRun) {
    records.push({
      record: {
        releaseId: state.plan.releaseId,
        modelPackageArn: state.request.modelPackageArn,
        target,
        mode: state.plan.mode,
        trigger: state.request.trigger,
        requestedAt: state.request.requestedAt,
        status: finalOutcome,
        redeploy: state.claim?.redeploy === true,
        executionArn: state.execution?.id ?? null,
        decision: state.plan.decision,
        previousConfigName: state.deployment?.previousConfigName ?? null,
        newConfigName: serving?.configName ?? null,
        servingModel: serving?.serving ?? null,
        ...(multiModel ? { targetModel: multiModel.targetModel } : {}),
        reason,
        startedAt,
        finishedAt,
        timings,
        ...(recovery ? { recoveredBy: recovery.executionArn } : {}),
        ...(dryRun ? {} : { eventId }),
        approvedBy: state.package?.approvedBy ?? null,
        requestedBy: state.request?.requestedBy ?? null,
      },
      requestedAt: state.request.requestedAt,
    });
  }
  // An operator's rollback is a release of its own in the ledger, so the next rollback (or a person) sees it.
  const rollbackOf = state.deployment?.rollbackOf;
  if (state.request?.action === 'rollback' && state.deployment && rollbackOf) {
    records.push({
      record: {
        releaseId: `rollback-${(state.execution?.id ?? String(now)).split(':').pop() ?? String(now)}`,
        modelPackageArn: rollbackOf.modelPackageArn,
        target: state.deployment.endpointName,
        mode: 'manual-rollback',
        trigger: 'manual',
        requestedAt: state.request.requestedAt,
        status: finalOutcome,
        redeploy: false,
        executionArn: state.execution?.id ?? null,
        previousConfigName: state.deployment.newConfigName,
        newConfigName: serving?.configName ?? null,
        servingModel: serving?.serving ?? null,
        reason: `${reason} (undoes release ${rollbackOf.releaseId})`,
        startedAt,
        finishedAt,
        timings,
        eventId,
        requestedBy: state.request.requestedBy ?? null,
      },
      requestedAt: state.request.requestedAt,
    });
  }
  // A release stranded by a dead execution that this manual rollback took over ends with it (its lease, ticket and claim freed).
  const stranded = state.deployment?.supersedes;
  if (state.request?.action === 'rollback' && state.deployment && stranded) {
    records.push({
      record: {
        releaseId: stranded.releaseId,
        modelPackageArn: stranded.modelPackageArn,
        target: state.deployment.endpointName,
        mode: stranded.mode ?? 'realtime',
        trigger: stranded.trigger ?? 'approval-event',
        requestedAt: stranded.requestedAt,
        status: finalOutcome === 'ROLLED_BACK' ? 'RECOVERED' : finalOutcome,
        redeploy: stranded.redeploy ?? false,
        executionArn: stranded.executionArn,
        newConfigName: serving?.configName ?? null,
        // Its model is not what serves: the endpoint went back past the promotion it was built on.
        servingModel: serving?.serving === 'none' ? 'none' : 'previous',
        reason: `its execution ${stranded.executionArn ?? 'unknown'} ended ${stranded.executionStatus} without an outcome; the manual rollback ${state.execution?.id ?? ''} took the endpoint over: ${reason}`,
        startedAt: stranded.startedAt ?? stranded.requestedAt,
        finishedAt,
        recoveredBy: state.execution?.id ?? null,
      },
      requestedAt: stranded.requestedAt,
    });
  }
  const detail = {
    eventId,
    outcome: finalOutcome,
    reason,
    trigger: recovery ? (recovery.aborted === true ? 'abort' : 'recovery') : explanation.trigger,
    ...(recovery
      ? { recovery: { deadExecutionArn: recovery.deadExecutionArn, deadStatus: recovery.deadStatus, lastState: recovery.lastState, found: recovery.found, executionArn: recovery.executionArn, aborted: recovery.aborted === true } }
      : {}),
    modelPackageArn: state.request?.modelPackageArn ?? null,
    modelPackageGroup: state.package?.groupName ?? null,
    modelPackageVersion: state.package?.version ?? null,
    approvedBy: state.package?.approvedBy ?? null,
    requestedBy: state.request?.requestedBy ?? null,
    endpointName: state.plan?.endpointName ?? state.deployment?.endpointName ?? state.request?.endpointName ?? null,
    mode: state.plan?.mode ?? null,
    decision: state.plan?.decision ?? null,
    releaseId: state.plan?.releaseId ?? null,
    executionArn: state.execution?.id ?? null,
    endpoint: serving,
    ...(multiModel ?? {}),
    timings: { startedAt, finishedAt, ...timings },
  };
  const resources = [state.request?.modelPackageArn, state.execution?.id].filter((r): r is string => typeof r === 'string');
  const release = records[0]?.record;
  const servesNew = release !== undefined && state.request?.action !== 'rollback' && (release.status === 'PROMOTED' || (release.status === 'RECOVERED' && release.servingModel === 'new'));
  // An operator's rollback puts back the model it restored, if nightly scoring followed the undone promotion.
  const restored = state.request?.action === 'rollback' && finalOutcome === 'ROLLED_BACK' && release !== undefined ? restoredBatchModel(state.deployment, release.releaseId, finishedAt) : null;
  const blessedModel =
    servesNew && state.package
      ? { groupName: state.package.groupName, modelPackageArn: release.modelPackageArn, modelName: batchModelName(state.package.groupName, state.package.version), releaseId: release.releaseId, registeredAt: finishedAt }
      : (restored?.model ?? null);
  return {
    outcome: finalOutcome,
    blessedModel,
    blessOnlyInPlaceOf: restored?.inPlaceOf ?? null,
    errorName,
    reason,
    detailType: DETAIL_TYPES[finalOutcome],
    serving,
    records,
    // A dry run that fails before its preview (package not deployable, invalid settings) announces nothing:
    // it is a question an operator asked, not a release, and alerting must not see it as one.
    // Nor does a recovery (or an abort) that failed before it took a release over: the release's own outcome
    // stands, and the failed run shows as a failed execution (a sweep tries again).
    event: dryRun || failedBeforeTakeover ? null : { detailType: DETAIL_TYPES[finalOutcome], detail, resources },
    onRequest: state.request?.action === 'rollback',
  };
}

/** The batch model a manual rollback restores, and the undone package it may replace; null when the restored model names no package. */
function restoredBatchModel(deployment: OutcomeState['deployment'], releaseId: string, at: string): { model: ActiveBatchModel; inPlaceOf: string } | null {
  const restores = deployment?.restores;
  const undone = deployment?.rollbackOf;
  const pkg = restores ? packageVersionOf(restores) : null;
  if (!restores || !undone || pkg === null) return null;
  return { model: { groupName: pkg.group, modelPackageArn: restores, modelName: batchModelName(pkg.group, pkg.version), releaseId, registeredAt: at }, inPlaceOf: undone.modelPackageArn };
}

/** What a recovery found and did, in one sentence for the record and the event. */
function recoveryReason(recovery: NonNullable<OutcomeState['recovery']>, outcome: ReleaseOutcome, serving: Serving | null): string {
  const where = recovery.lastState ? ` in ${recovery.lastState}` : '';
  const did =
    outcome === 'PROMOTED'
      ? 'kept the new model, which had passed (the promotion finished)'
      : serving === 'previous'
        ? 'put the endpoint back on the previous model'
        : serving === 'none'
          ? 'removed what the release had created'
          : 'had nothing to undo';
  if (recovery.aborted === true) {
    const why = recovery.request?.reason ? ` (${recovery.request.reason})` : '';
    return `aborted by an operator${why}: release execution ${recovery.deadExecutionArn} stopped${where}; found ${recovery.found}; ${did}`;
  }
  return `recovered release execution ${recovery.deadExecutionArn} (${recovery.deadStatus}${where}): found ${recovery.found}; ${did}`;
}

/** The event as sent when the ledger could not be written: it says so, so nobody trusts a missing record. */
export function unrecordedDetail(detail: Record<string, unknown>, ledgerProblem: string | null): Record<string, unknown> {
  return ledgerProblem === null ? detail : { ...detail, recorded: false, ledgerError: ledgerProblem };
}
