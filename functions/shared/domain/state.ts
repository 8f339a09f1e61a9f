import * as z from '../zod';
import { isoInstant } from '../schema';
import { modelArtifactSlice } from './model-artifact';
import { modelPackageSchema } from './model-package';
import { releasePlanSchema } from './release-plan';

/**
 * The execution state's slices: each written by one step (its ResultPath) and read by later ones. Steps
 * validate what they read, so a wiring mistake in the ASL is an InvalidInput naming the field. Anything
 * else that reads a step's output reads it through the same schema.
 */

export const requestSlice = z.object({
  action: z.literal('deploy'),
  trigger: z.enum(['approval-event', 'manual']),
  modelPackageArn: z.string(),
  endpointName: z.nullable(z.string()),
  overrides: z.record(z.string(), z.string()),
  force: z.boolean(),
  dryRun: z.boolean(),
  eventId: z.nullable(z.string()),
  requestedAt: z.string(),
  requestedBy: z.optional(z.nullable(z.string())),
});

export const executionSlice = z.object({ id: z.string(), startTime: z.string() });

/** The styles a deployment slice can have: the endpoint styles and the multi-model artifact. */
export const DEPLOYMENT_STYLES = ['variant-canary', 'native-guardrails', 'async-guardrails', 'all-at-once', 'multi-model-artifact'] as const;

/** A release a manual rollback took over from a dead execution (Deployment.supersedes). */
export const supersededRelease = z.object({
  releaseId: z.string(),
  modelPackageArn: z.string(),
  requestedAt: z.string(),
  executionArn: z.nullable(z.string()),
  executionStatus: z.string(),
  /** What its record said, carried into its final record. */
  mode: z.optional(z.string()),
  trigger: z.optional(z.string()),
  redeploy: z.optional(z.boolean()),
  startedAt: z.optional(z.string()),
});

/** What PrepareDeployment (or StageModelArtifact, or PrepareManualRollback) found and created. */
export const deploymentSlice = z.object({
  endpointName: z.string(),
  style: z.enum(DEPLOYMENT_STYLES),
  /** The variant the smoke test must reach: the new one beside the live one, or null when it is the only one. */
  targetVariant: z.nullable(z.string()),
  /** Multi-model only: the model the smoke test must reach (InvokeEndpoint TargetModel), relative to the endpoint's prefix. */
  targetModel: z.optional(z.nullable(z.string())),
  /** Multi-model only: the artifacts under the shared endpoint's prefix (StageModelArtifact). */
  artifact: z.optional(modelArtifactSlice),
  firstDeployment: z.boolean(),
  previousConfigName: z.nullable(z.string()),
  liveVariantName: z.nullable(z.string()),
  newVariantName: z.string(),
  newConfigName: z.string(),
  modelName: z.string(),
  startedAt: z.string(),
  /** A manual rollback: the promotion it undoes (RecordOutcome records the rollback against it). */
  rollbackOf: z.optional(z.object({ releaseId: z.string(), modelPackageArn: z.string() })),
  /**
   * A manual rollback: the model package the config it goes back to serves (from its model's container), or
   * null when that model names none. Nightly scoring follows it when it scored with the undone promotion.
   */
  restores: z.optional(z.nullable(z.string())),
  /**
   * A manual rollback that found a release left IN_PROGRESS by an execution no longer running: it took that
   * release over, and RecordOutcome ends its record too (RECOVERED, its lease, ticket and claim freed).
   */
  supersedes: z.optional(supersededRelease),
});
export type Deployment = z.infer<typeof deploymentSlice>;

/** Everything every release step after PlanRelease reads. */
export const releaseState = z.object({
  request: requestSlice,
  package: modelPackageSchema,
  plan: releasePlanSchema,
  execution: executionSlice,
});

/** ClaimRelease: the endpoint's lease, a duplicate of an earlier release, a stale approval, or a place in the endpoint's queue. */
export const claimSlice = z.discriminatedUnion('status', [
  z.object({ status: z.literal('acquired'), redeploy: z.boolean(), leaseExpiresAt: z.string(), target: z.string() }),
  z.object({ status: z.literal('duplicate'), existingReleaseId: z.string(), existingStatus: z.string(), target: z.string() }),
  z.object({ status: z.literal('queued'), queuePosition: z.number(), holder: z.nullable(z.string()), target: z.string(), waitingSince: z.string() }),
  /** A newer version of the group was promoted on the target, or is in flight for it: this approval is stale. */
  z.object({ status: z.literal('stale'), newerReleaseId: z.string(), newerVersion: z.int(), newerStatus: z.string(), target: z.string() }),
]);
export type ClaimOutcome = z.infer<typeof claimSlice>;

/** StartDeployment. */
export const deploymentStartedSlice = z.object({ requestedAt: isoInstant, waitBoundSeconds: z.int(), guarded: z.boolean(), expectedSeconds: z.optional(z.int()) });

export const ENDPOINT_CHECKS = ['InService', 'Pending', 'Deleted', 'RolledBack', 'Failed', 'TimedOut'] as const;
export type EndpointCheck = (typeof ENDPOINT_CHECKS)[number];

/** CheckDeployment, CheckTrafficShift, CheckPromotion, CheckRollback: one poll of a bounded wait loop. */
export const endpointCheckSlice = z.object({
  check: z.enum(ENDPOINT_CHECKS),
  endpointStatus: z.nullable(z.string()),
  configName: z.nullable(z.string()),
  reason: z.nullable(z.string()),
  checkedAt: z.string(),
  /** While Pending: when to look again (the Wait before the next check). */
  nextCheckSeconds: z.optional(z.int()),
});
export type EndpointCheckResult = z.infer<typeof endpointCheckSlice>;

/** SmokeTest. */
export const smokeSlice = z.object({
  passed: z.boolean(),
  reason: z.string(),
  results: z.array(z.object({ index: z.int(), passed: z.boolean(), problems: z.array(z.string()), latencyMs: z.number() })),
  warmUpLatencyMs: z.optional(z.number()),
});

const weights = z.array(z.object({ name: z.string(), weight: z.number() }));

/**
 * StartCanary, ShiftTraffic or Promote, stopped right before changing traffic (README, "Ownership"): the
 * package was rejected meanwhile (revoked: the release rolls back) or someone else changed the endpoint
 * (drifted: hands off). Otherwise their verdict is `proceed`.
 */
export const changeStoppedSlice = z.object({ verdict: z.enum(['revoked', 'drifted']), reason: z.string() });
const proceeded = z.optional(z.literal('proceed'));

/** StartCanary (also the start of an all-at-once bake). */
export const canarySlice = z.object({ verdict: proceeded, alarmNames: z.array(z.string()), weights, startedAt: z.string(), bakeUntil: z.string() });

export const CANARY_VERDICTS = ['baking', 'healthy', 'alarm', 'insufficient-traffic', 'revoked', 'drifted'] as const;

/** CheckCanary: one look at the alarms. */
export const canaryCheckSlice = z.object({
  verdict: z.enum(CANARY_VERDICTS),
  reason: z.string(),
  alarms: z.array(z.object({ name: z.string(), state: z.string(), reason: z.nullable(z.string()) })),
  invocations: z.nullable(z.number()),
  checkedAt: z.string(),
  /** While baking: when to look again. */
  nextCheckSeconds: z.optional(z.int()),
});

/** ShiftTraffic. */
export const shiftSlice = z.object({ verdict: proceeded, weights, requestedAt: z.string(), expectedSeconds: z.optional(z.int()) });

/** ConfirmApproval (after SageMaker's guardrail bake): still Approved, or revoked (changeStoppedSlice). */
export const approvalCheckSlice = z.object({ verdict: z.literal('proceed'), approvalStatus: z.string() });

/** CleanUp: what it deleted, and what it kept that was due (still needed, or not this deployment's to delete). */
export const cleanupSlice = z.union([
  z.object({ skipped: z.string() }),
  z.object({
    target: z.string(),
    keptReleases: z.array(z.string()),
    deleted: z.object({ configs: z.array(z.string()), models: z.array(z.string()), alarms: z.array(z.string()) }),
    stillNeeded: z.array(z.string()),
    notOurs: z.array(z.string()),
    releasesLookedAt: z.int(),
  }),
]);

/** Promote. */
export const promotionSlice = z.object({ verdict: proceeded, finalConfigName: z.string(), requestedAt: z.string() });

export const ROLLBACK_ACTIONS = ['nothing-to-undo', 'draining', 'restoring', 'deleting', 'wait'] as const;
export type RollbackAction = (typeof ROLLBACK_ACTIONS)[number];

/**
 * RollBack: what it started, and the config CheckRollback must find (null: the endpoint must be gone).
 * `startedAt` is the first RollBack of the run: the waits before the undo are bounded from it.
 */
export const rollbackSlice = z.object({
  action: z.enum(ROLLBACK_ACTIONS),
  expectedConfigName: z.nullable(z.string()),
  endpointName: z.nullable(z.string()),
  requestedAt: z.string(),
  startedAt: z.optional(z.string()),
});

/** PromoteModelArtifact. */
export const artifactPromotionSlice = z.object({ targetModel: z.string(), liveTargetModel: z.string(), liveKey: z.string(), promotedAt: z.string() });

export const RESTORE_ACTIONS = ['nothing-to-undo', 'restored-previous', 'removed-new'] as const;

/** RestoreModelArtifact. */
export const artifactRestoreSlice = z.object({
  action: z.enum(RESTORE_ACTIONS),
  liveKey: z.string(),
  restoredFrom: z.nullable(z.string()),
  candidateDeleted: z.nullable(z.string()),
  /** What the group's live TargetModel holds now: the artifact from before this release, or none. */
  serving: z.enum(['previous', 'none']),
  requestedAt: z.string(),
});

/** RegisterBatchModel: the group's active batch model. */
export const activeBatchModelSlice = z.object({ groupName: z.string(), modelPackageArn: z.string(), modelName: z.string(), releaseId: z.string(), registeredAt: z.string() });

/** RecordRevocation. */
export const revocationSlice = z.object({ modelPackageArn: z.string(), revoked: z.boolean(), note: z.string() });

export const SERVING = ['new', 'previous', 'none', 'mixed', 'unknown'] as const;
export type Serving = (typeof SERVING)[number];

export const servingReportSchema = z.object({
  endpointName: z.string(),
  status: z.string(),
  configName: z.nullable(z.string()),
  variants: z.array(z.object({ name: z.string(), model: z.nullable(z.string()), weight: z.number() })),
  serving: z.enum(SERVING),
});

export const RELEASE_OUTCOMES = ['PROMOTED', 'ROLLED_BACK', 'FAILED', 'ROLLBACK_FAILED', 'SKIPPED', 'REGISTERED', 'RECOVERED', 'ABORTED', 'REVOKED', 'DRIFTED'] as const;

/** RecordPromotion, RecordRollback, RecordFailure...: the outcome the run recorded and announced. */
export const outcomeSlice = z.object({
  outcome: z.enum(RELEASE_OUTCOMES),
  error: z.nullable(z.string()),
  cause: z.string(),
  detailType: z.string(),
  endpoint: z.nullable(servingReportSchema),
  onRequest: z.boolean(),
});

/** PreviewRelease: read loosely (its shape depends on the style). */
export const previewSlice = z.looseObject({
  dryRun: z.literal(true),
  wouldCreate: z.array(z.looseObject({ type: z.string(), name: z.optional(z.string()) })),
  problems: z.array(z.string()),
});

export { modelPackageSchema, releasePlanSchema };
