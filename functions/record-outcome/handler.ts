import { z } from 'zod';
import { describeEndpoint, describeEndpointConfig } from '../shared/aws/endpoints';
import { publishEvent } from '../shared/aws/events';
import { releaseLedger } from '../shared/aws/ledger';
import type { ReleaseOutcome, ReleaseRecord } from '../shared/domain/ledger';
import { DETAIL_TYPES, explainOutcome } from '../shared/domain/outcome';
import { LedgerWriteFailed } from '../shared/errors';
import { eventsEnv, ledgerEnv } from '../shared/runtime/env';
import { stepHandler } from '../shared/runtime/step-handler';

const loose = z.object({}).passthrough();
const input = z.object({
  outcome: z.enum(['PROMOTED', 'ROLLED_BACK', 'FAILED', 'ROLLBACK_FAILED', 'SKIPPED', 'REGISTERED']),
  state: z
    .object({
      request: z
        .object({ action: z.string().optional(), modelPackageArn: z.string().optional(), endpointName: z.string().nullable().optional(), reason: z.string().nullable().optional(), trigger: z.string(), requestedAt: z.string(), eventId: z.string().nullable().optional(), dryRun: z.boolean().optional() })
        .passthrough()
        .optional(),
      package: z.object({ arn: z.string(), groupName: z.string(), version: z.number() }).passthrough().optional(),
      plan: z.object({ releaseId: z.string(), endpointName: z.string().nullable(), mode: z.string(), decision: loose }).passthrough().optional(),
      execution: z.object({ id: z.string(), startTime: z.string() }).optional(),
      claim: z.object({ status: z.string(), target: z.string(), existingReleaseId: z.string().optional(), existingStatus: z.string().optional() }).passthrough().optional(),
      deployment: z
        .object({
          endpointName: z.string(),
          previousConfigName: z.string().nullable(),
          newConfigName: z.string(),
          newVariantName: z.string(),
          modelName: z.string(),
          startedAt: z.string(),
          firstDeployment: z.boolean(),
          style: z.string().optional(),
          targetModel: z.string().nullable().optional(),
          artifact: z.object({ backupKey: z.string().nullable(), targetModel: z.string(), liveTargetModel: z.string() }).optional(),
          rollbackOf: z.object({ releaseId: z.string(), modelPackageArn: z.string() }).optional(),
        })
        .optional(),
      deployCheck: z.object({ check: z.string(), reason: z.string().nullable() }).passthrough().optional(),
      smoke: z.object({ passed: z.boolean(), reason: z.string() }).passthrough().optional(),
      canaryCheck: z.object({ verdict: z.string(), reason: z.string() }).passthrough().optional(),
      rollbackCheck: z.object({ check: z.string(), reason: z.string().nullable() }).passthrough().optional(),
      promotionCheck: z.object({ check: z.string() }).passthrough().optional(),
      rollbackError: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
      error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
    })
    .passthrough(),
});

export interface ServingReport {
  endpointName: string;
  status: string;
  configName: string | null;
  variants: { name: string; model: string | null; weight: number }[];
  /**
   * Which model the endpoint serves, wholly: the release's, the one before it, none (no endpoint; on a
   * multi-model endpoint: no artifact of the group), or mixed (on a multi-model endpoint: either may be).
   */
  serving: 'new' | 'previous' | 'none' | 'mixed' | 'unknown';
}

async function servingReport(endpointName: string, newModelName: string): Promise<ServingReport> {
  const live = await describeEndpoint(endpointName);
  if (live === null) return { endpointName, status: 'absent', configName: null, variants: [], serving: 'none' };
  const config = live.configName ? await describeEndpointConfig(live.configName) : undefined;
  const models = new Map((config?.ProductionVariants ?? []).map((v) => [v.VariantName ?? '', v.ModelName ?? null]));
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
async function multiModelServingReport(endpointName: string, outcome: ReleaseOutcome, hadLiveArtifact: boolean): Promise<ServingReport> {
  const live = await describeEndpoint(endpointName);
  const serving: ServingReport['serving'] = outcome === 'PROMOTED' ? 'new' : outcome === 'ROLLBACK_FAILED' ? 'mixed' : hadLiveArtifact ? 'previous' : 'none';
  return {
    endpointName,
    status: live?.status ?? 'absent',
    configName: live?.configName ?? null,
    variants: (live?.variants ?? []).map((v) => ({ name: v.name, model: null, weight: v.weight })),
    serving,
  };
}

/** Transient ledger failures are retried here, so that the outcome event is sent once, after the write settled. */
async function recordWithRetry(write: () => Promise<void>): Promise<string | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      await write();
      return null;
    } catch (error) {
      const name = (error as { name?: string }).name ?? '';
      if (attempt >= 3 || (name !== 'AwsThrottled' && name !== 'AwsUnavailable')) return error instanceof Error ? error.message : String(error);
      await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt * Math.random()));
    }
  }
}

/**
 * What the endpoint serves according to the last check this run made of it, for when the final read
 * fails: each of these checks saw the endpoint InService on a known config moments before.
 */
export function servingFromChecks(
  outcome: ReleaseOutcome,
  state: { deployCheck?: { check: string }; promotionCheck?: { check: string }; rollbackCheck?: { check: string }; deployment?: { style?: string; firstDeployment: boolean } },
): ServingReport['serving'] {
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
export function brokenServingPromise(
  outcome: ReleaseOutcome,
  serving: ServingReport['serving'] | null,
): { outcome: ReleaseOutcome; errorName: string; reason: string } | null {
  if (serving === null || serving === 'unknown') return null;
  if (outcome === 'PROMOTED' && serving !== 'new') {
    return { outcome: 'FAILED', errorName: 'EndpointStateConflict', reason: `after promotion the endpoint serves ${serving === 'mixed' ? 'both models' : `the ${serving} model`}` };
  }
  if (outcome !== 'PROMOTED' && (serving === 'mixed' || serving === 'new')) {
    return { outcome: 'ROLLBACK_FAILED', errorName: 'RollbackFailed', reason: `the endpoint still serves ${serving === 'mixed' ? 'both models' : 'the new model'}` };
  }
  return null;
}

/**
 * States RecordPromotion, RecordRollback, RecordFailure, RecordRollbackFailure, RecordDuplicate: the
 * ledger record, the lease released, the outcome event. It reads the endpoint one last time so the
 * record says what the endpoint really serves, not what the run hoped.
 */
export const handler = stepHandler({
  step: 'RecordOutcome',
  input,
  env: ledgerEnv.merge(eventsEnv),
  run: async ({ outcome, state }, { env }) => {
    const now = Date.now();
    const explanation =
      state.request?.action === 'rollback' && outcome === 'ROLLED_BACK'
        ? { trigger: 'manual-rollback', reason: `rolled back on request${state.request.reason ? `: ${state.request.reason}` : ''}`, errorName: null }
        : explainOutcome({ outcome, ...state });
    const artifact = state.deployment?.style === 'multi-model-artifact' ? state.deployment.artifact : undefined;
    const serving = !state.deployment
      ? null
      : artifact
        ? await multiModelServingReport(state.deployment.endpointName, outcome, artifact.backupKey !== null)
        : await servingReport(state.deployment.endpointName, state.deployment.modelName).catch(
            // The outcome must still be recorded and announced when the endpoint cannot be read; it then says
            // it could not verify what serves, rather than guessing or staying silent.
            (error: unknown): ServingReport => ({
              endpointName: state.deployment?.endpointName ?? '',
              status: `unknown (${error instanceof Error ? error.message : String(error)})`,
              configName: null,
              variants: [],
              serving: servingFromChecks(outcome, state),
            }),
          );
    // Multi-model: the variants never change, so there is nothing to judge them by (README, "How each mode is released").
    const broken = artifact ? null : brokenServingPromise(outcome, serving?.serving ?? null);
    // The versioned TargetModel is how clients reach this release's model on the shared endpoint (only once promoted).
    const multiModel = artifact ? { targetModel: outcome === 'PROMOTED' ? artifact.targetModel : null, liveTargetModel: artifact.liveTargetModel } : undefined;
    const finalOutcome: ReleaseOutcome = broken?.outcome ?? outcome;
    const errorName = broken?.errorName ?? explanation.errorName;
    const unverified = serving?.status.startsWith('unknown') ? `; the final read of the endpoint failed (${serving.status}), so what it serves is taken from the run's last endpoint check: ${serving.serving}` : '';
    const reason =
      (broken
        ? `${explanation.reason}; ${broken.reason}`
        : multiModel?.targetModel
          ? `${explanation.reason}; call it with TargetModel ${multiModel.targetModel}`
          : explanation.reason) + unverified;
    const startedAt = state.execution?.startTime ?? state.request?.requestedAt ?? new Date(now).toISOString();
    const timings = {
      totalSeconds: Math.max(0, Math.round((now - Date.parse(startedAt)) / 1000)),
      ...(state.deployment ? { sinceDeploymentSeconds: Math.max(0, Math.round((now - Date.parse(state.deployment.startedAt)) / 1000)) } : {}),
    };
    // A run that failed inside ClaimRelease has no $.claim, yet may have claimed the package and queued a
    // ticket: finish() is safe to call anyway (it only closes a claim that is this release's, and deleting an
    // absent ticket or someone else's lease does nothing), so only a known duplicate skips it.
    let ledgerProblem: string | null = null;
    const ownsClaim = state.claim?.status !== 'duplicate';
    const target = state.claim?.target ?? (state.plan && state.package ? (state.plan.endpointName ?? `batch:${state.package.groupName}`) : null);
    if (ownsClaim && state.plan && state.request?.modelPackageArn && target !== null && state.request.dryRun !== true) {
      const record: ReleaseRecord = {
        releaseId: state.plan.releaseId,
        modelPackageArn: state.request.modelPackageArn,
        target,
        mode: state.plan.mode,
        trigger: state.request.trigger,
        requestedAt: state.request.requestedAt,
        status: finalOutcome,
        redeploy: Boolean((state.claim as { redeploy?: boolean } | undefined)?.redeploy),
        executionArn: state.execution?.id ?? null,
        decision: state.plan.decision,
        previousConfigName: state.deployment?.previousConfigName ?? null,
        newConfigName: serving?.configName ?? null,
        servingModel: serving?.serving ?? null,
        ...(multiModel ? { targetModel: multiModel.targetModel } : {}),
        reason,
        startedAt,
        finishedAt: new Date(now).toISOString(),
        timings,
      };
      ledgerProblem ??= await recordWithRetry(() => releaseLedger(env.LEDGER_TABLE).finish({ record, requestedAt: state.request?.requestedAt ?? record.requestedAt }));
    }
    // An operator's rollback is a release of its own in the ledger, so the next rollback (or a person) sees it.
    const rollbackOf = state.deployment?.rollbackOf;
    if (state.request?.action === 'rollback' && state.deployment && rollbackOf) {
      const rollbackRecord = {
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
          finishedAt: new Date(now).toISOString(),
          timings,
        },
        requestedAt: state.request.requestedAt,
      };
      ledgerProblem ??= await recordWithRetry(() => releaseLedger(env.LEDGER_TABLE).finish(rollbackRecord));
    }
    const detail = {
      outcome: finalOutcome,
      reason,
      trigger: explanation.trigger,
      modelPackageArn: state.request?.modelPackageArn ?? null,
      modelPackageGroup: state.package?.groupName ?? null,
      modelPackageVersion: state.package?.version ?? null,
      endpointName: state.plan?.endpointName ?? state.deployment?.endpointName ?? state.request?.endpointName ?? null,
      mode: state.plan?.mode ?? null,
      decision: state.plan?.decision ?? null,
      releaseId: state.plan?.releaseId ?? null,
      executionArn: state.execution?.id ?? null,
      endpoint: serving,
      ...(multiModel ?? {}),
      timings: { startedAt, finishedAt: new Date(now).toISOString(), ...timings },
    };
    const resources = [state.request?.modelPackageArn, state.execution?.id].filter((r): r is string => typeof r === 'string');
    // A dry run that fails before its preview (package not deployable, invalid settings) announces nothing:
    // it is a question an operator asked, not a release, and alerting must not see it as one.
    const announced = ledgerProblem === null ? detail : { ...detail, recorded: false, ledgerError: ledgerProblem };
    if (state.request?.dryRun !== true) await publishEvent(env.EVENT_BUS_NAME, env.EVENT_SOURCE, DETAIL_TYPES[finalOutcome], announced, resources);
    // The event went out once; failing now (with a name the state machine does not retry) ends the run in
    // OutcomeNotRecorded instead of re-sending the event on every retry.
    if (ledgerProblem !== null) throw new LedgerWriteFailed(`The outcome (${finalOutcome}) was announced but not recorded in the ledger: ${ledgerProblem}`);
    return { outcome: finalOutcome, error: errorName, cause: reason, detailType: DETAIL_TYPES[finalOutcome], endpoint: serving, onRequest: state.request?.action === 'rollback' };
  },
});
