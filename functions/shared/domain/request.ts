import { InvalidInput } from '../errors';
import * as z from '../zod';
import { describeIssues } from '../schema';
import { DATE, previousUtcDay, type BatchJob } from './batch';

export const MODEL_PACKAGE_ARN = /^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:model-package\/[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}(\/\d+)?$/;
const modelPackageArn = z.string().check(z.regex(MODEL_PACKAGE_ARN, 'must be a SageMaker model package ARN (arn:aws:sagemaker:REGION:ACCOUNT:model-package/GROUP/VERSION)'));
const endpointName = z.string().check(z.maxLength(63, 'must be at most 63 characters'), z.regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, 'must be 1-63 letters, digits or hyphens'));
export const EXECUTION_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[a-zA-Z0-9_-]{1,80}:[a-zA-Z0-9_-]{1,80}$/;
const executionArn = z.string().check(z.regex(EXECUTION_ARN, 'must be a Step Functions execution ARN (arn:aws:states:REGION:ACCOUNT:execution:STATE_MACHINE:NAME)'));
const overrides = z.record(z.string(), z.string('override values must be strings, as in CustomerMetadataProperties'));

/** The EventBridge event SageMaker sends; only the fields we rely on are checked. */
const approvalEventSchema = z.object({
  id: z.string().check(z.minLength(1)),
  'detail-type': z.literal('SageMaker Model Package State Change'),
  source: z.literal('aws.sagemaker'),
  time: z.string().check(z.minLength(1)),
  detail: z.object({
    ModelPackageArn: modelPackageArn,
    ModelApprovalStatus: z.enum(['Approved', 'Rejected'], 'must be "Approved" (a release) or "Rejected" (recorded, so a later re-approval releases again)'),
  }),
});

/** The event Step Functions sends when an execution ends: the packaged rule sends the release machine's unfinished ends here. */
const statusChangeEventSchema = z.object({
  'detail-type': z.literal('Step Functions Execution Status Change'),
  source: z.literal('aws.states'),
  time: z.string().check(z.minLength(1)),
  detail: z.object({
    executionArn,
    status: z.enum(['ABORTED', 'TIMED_OUT', 'FAILED'], 'must be ABORTED, TIMED_OUT or FAILED: an execution that ended without finishing'),
    /** The ended execution's own input, as Step Functions puts it in the event. */
    input: z.optional(z.nullable(z.string())),
  }),
});

/**
 * Whether an ended execution was itself a recovery, an abort or a sweep (its input says so). Its end starts
 * no recovery: a recovery that failed (Step Functions or the ledger down) would start another that fails the
 * same way, without end. A release such a run left IN_PROGRESS is the sweep's.
 */
function wasRecoveryRun(executionInput: string | null | undefined): boolean {
  if (!executionInput) return false;
  try {
    const input = JSON.parse(executionInput) as { source?: unknown; action?: unknown } | null;
    return input !== null && typeof input === 'object' && (input.source === 'aws.states' || input.action === 'recover' || input.action === 'abort' || input.action === 'sweep');
  } catch {
    return false;
  }
}

/** Who starts a manual run or rollback (recorded in the ledger and the outcome event). */
const requestedBy = z.string().check(z.minLength(1), z.maxLength(256));

/** A run an operator starts from the console: README, "Start a run by hand". */
const manualDeploySchema = z.strictObject({
  action: z.optional(z.literal('deploy')),
  modelPackageArn,
  endpointName: z.optional(endpointName),
  overrides: z.optional(overrides),
  force: z.optional(z.boolean()),
  dryRun: z.optional(z.boolean()),
  /** Who starts the run (recorded in the ledger and the outcome event). */
  requestedBy: z.optional(requestedBy),
});

export interface DeployRequest {
  action: 'deploy';
  trigger: 'approval-event' | 'manual';
  modelPackageArn: string;
  endpointName: string | null;
  overrides: Record<string, string>;
  force: boolean;
  dryRun: boolean;
  /** EventBridge event id, for tracing duplicates; null for manual runs. */
  eventId: string | null;
  /** When the approval happened (event time) or when the operator asked; orders releases per endpoint. */
  requestedAt: string;
  /** Who started a manual run (its input's requestedBy); null for an approval event or when not said. */
  requestedBy?: string | null;
}

/** Nightly scoring (the schedule) or "score now" (an operator): one entry per batch job to run. */
export interface BatchRequest {
  action: 'batch';
  trigger: 'schedule' | 'manual';
  date: string;
  jobs: BatchJob[];
  requestedAt: string;
}

/** An operator puts an endpoint back on the release before its last promotion. */
export interface RollbackRequest {
  action: 'rollback';
  trigger: 'manual';
  endpointName: string;
  reason: string | null;
  requestedAt: string;
  /** Who asked for it (its input's requestedBy), or null. */
  requestedBy?: string | null;
}

/**
 * `recover`: make a release whole whose own execution stopped, timed out or crashed: the one that execution
 * ran (`executionArn`), or the one in flight on an endpoint (`endpointName`).
 * `abort`: an operator ends a release that is still running: its execution is stopped, the candidate's
 * traffic taken away and the endpoint rolled back, whatever the release had reached (outcome ABORTED).
 */
export interface RecoverRequest {
  action: 'recover' | 'abort';
  trigger: 'execution-status-change' | 'manual';
  executionArn: string | null;
  endpointName: string | null;
  /** Why an operator aborts (null for a recovery). */
  reason: string | null;
  requestedAt: string;
  /** Set when this run is not to recover anything (the ended execution was a recovery itself): why. */
  leftToSweep?: string;
}

/** A package was rejected: recorded so that approving it again is a deliberate redeploy, not a duplicate. */
export interface RevokeRequest {
  action: 'revoke';
  trigger: 'approval-event';
  modelPackageArn: string;
  eventId: string;
  requestedAt: string;
}

/** Find releases left IN_PROGRESS by executions that no longer run, and start their recoveries (the packaged schedule). */
export interface SweepRequest {
  action: 'sweep';
  trigger: 'schedule';
  /** An operator's one-off after upgrading: first index the releases an older version left in progress. */
  backfill: boolean;
  requestedAt: string;
}

/** An operator lets the pipeline manage an endpoint made elsewhere, bound to one model package group. */
export interface AdoptRequest {
  action: 'adopt';
  trigger: 'manual';
  endpointName: string;
  modelPackageGroupName: string;
  /** Who adopts it (recorded on the endpoint's tags and in the ledger). */
  requestedBy: string;
  reason: string | null;
  requestedAt: string;
}

export type ReleaseRequest = DeployRequest | BatchRequest | RollbackRequest | RevokeRequest | RecoverRequest | SweepRequest | AdoptRequest;

const date = z.string().check(
  z.regex(DATE, 'must be a date YYYY-MM-DD'),
  z.refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'must be a real date'),
);

const nightlySchema = z.strictObject({ action: z.literal('nightly-batch'), date: z.optional(date) });
const sweepSchema = z.strictObject({ action: z.literal('sweep'), backfill: z.optional(z.boolean()) });
const scoreSchema = z.strictObject({
  action: z.literal('score'),
  modelPackageGroupName: z.string().check(z.minLength(1)),
  date,
  /** Only this job of the group (a group may have several). */
  jobName: z.optional(z.string().check(z.minLength(1))),
});
/** SageMaker's tag value rule: who adopted an endpoint becomes a tag value. */
const tagValue = z.string().check(z.minLength(1), z.maxLength(256), z.regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, 'must be letters, digits, spaces or _ . : / = + - @ (a tag value)'));
const adoptSchema = z.strictObject({
  action: z.literal('adopt'),
  endpointName,
  modelPackageGroupName: z.string().check(z.minLength(1), z.maxLength(63), z.regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, 'must be a model package group name')),
  requestedBy: tagValue,
  reason: z.optional(z.string().check(z.maxLength(500))),
});
const rollbackSchema = z.strictObject({ action: z.literal('rollback'), endpointName, reason: z.optional(z.string().check(z.maxLength(500))), requestedBy: z.optional(requestedBy) });
const recoverSchema = z.union([z.strictObject({ action: z.literal('recover'), endpointName }), z.strictObject({ action: z.literal('recover'), executionArn })], 'give either "endpointName" (the release in flight there) or "executionArn" (the release that execution ran)');
const abortReason = z.optional(z.string().check(z.maxLength(500)));
const abortSchema = z.union(
  [z.strictObject({ action: z.literal('abort'), endpointName, reason: abortReason }), z.strictObject({ action: z.literal('abort'), executionArn, reason: abortReason })],
  'give either "endpointName" (the release in flight there) or "executionArn" (the release that execution runs), and optionally "reason"',
);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(what: string, error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): never {
  throw new InvalidInput(`${what}: ${describeIssues(error)}`);
}

/**
 * One shape out of the ways a run can start. The kind of input is told by its keys (an EventBridge
 * event has `detail-type`), so a malformed event is reported as a malformed event, not as a
 * malformed manual run.
 */
export function normalizeRequest(input: unknown, now: Date, batchJobs: BatchJob[] = []): ReleaseRequest {
  if (!isRecord(input)) throw new InvalidInput('Execution input must be a JSON object: an approval event or a manual run (see README)');
  if (input.source === 'aws.states' || input['detail-type'] === 'Step Functions Execution Status Change') {
    const parsed = statusChangeEventSchema.safeParse(input);
    if (!parsed.success) fail('Not a usable Step Functions Execution Status Change event', parsed.error);
    const leftToSweep = wasRecoveryRun(parsed.data.detail.input) ? { leftToSweep: 'the execution that ended was itself a recovery, abort or sweep: what it left in progress is the sweep\'s' } : {};
    return { action: 'recover', trigger: 'execution-status-change', executionArn: parsed.data.detail.executionArn, endpointName: null, reason: null, requestedAt: now.toISOString(), ...leftToSweep };
  }
  if ('detail-type' in input || 'source' in input || 'detail' in input) {
    const parsed = approvalEventSchema.safeParse(input);
    if (!parsed.success) fail('Not a usable SageMaker Model Package State Change event', parsed.error);
    if (parsed.data.detail.ModelApprovalStatus === 'Rejected') {
      return { action: 'revoke', trigger: 'approval-event', modelPackageArn: parsed.data.detail.ModelPackageArn, eventId: parsed.data.id, requestedAt: parsed.data.time };
    }
    return {
      action: 'deploy',
      trigger: 'approval-event',
      modelPackageArn: parsed.data.detail.ModelPackageArn,
      endpointName: null,
      overrides: {},
      force: false,
      dryRun: false,
      eventId: parsed.data.id,
      requestedAt: parsed.data.time,
    };
  }
  const action = input.action ?? 'deploy';
  if (action === 'deploy') {
    const parsed = manualDeploySchema.safeParse(input);
    if (!parsed.success) fail('Invalid manual deploy input', parsed.error);
    return {
      action: 'deploy',
      trigger: 'manual',
      modelPackageArn: parsed.data.modelPackageArn,
      endpointName: parsed.data.endpointName ?? null,
      overrides: parsed.data.overrides ?? {},
      force: parsed.data.force ?? false,
      requestedBy: parsed.data.requestedBy ?? null,
      dryRun: parsed.data.dryRun ?? false,
      eventId: null,
      requestedAt: now.toISOString(),
    };
  }
  if (action === 'nightly-batch') {
    const parsed = nightlySchema.safeParse(input);
    if (!parsed.success) fail('Invalid nightly batch input', parsed.error);
    return { action: 'batch', trigger: 'schedule', date: parsed.data.date ?? previousUtcDay(now), jobs: batchJobs, requestedAt: now.toISOString() };
  }
  if (action === 'score') {
    const parsed = scoreSchema.safeParse(input);
    if (!parsed.success) fail('Invalid score input', parsed.error);
    const { modelPackageGroupName, jobName } = parsed.data;
    const jobs = batchJobs.filter((j) => j.modelPackageGroupName === modelPackageGroupName && (jobName === undefined || j.name === jobName));
    if (jobs.length === 0) {
      throw new InvalidInput(`modelPackageGroupName: no batch job${jobName ? ` named ${jobName}` : ''} is configured for group ${modelPackageGroupName} (stage param batchJobs has: ${batchJobs.map((j) => `${j.name} (${j.modelPackageGroupName})`).join(', ') || 'none'})`);
    }
    return { action: 'batch', trigger: 'manual', date: parsed.data.date, jobs, requestedAt: now.toISOString() };
  }
  if (action === 'adopt') {
    const parsed = adoptSchema.safeParse(input);
    if (!parsed.success) fail('Invalid adopt input', parsed.error);
    const { endpointName: name, modelPackageGroupName, requestedBy, reason } = parsed.data;
    return { action: 'adopt', trigger: 'manual', endpointName: name, modelPackageGroupName, requestedBy, reason: reason ?? null, requestedAt: now.toISOString() };
  }
  if (action === 'rollback') {
    const parsed = rollbackSchema.safeParse(input);
    if (!parsed.success) fail('Invalid rollback input', parsed.error);
    return { action: 'rollback', trigger: 'manual', endpointName: parsed.data.endpointName, reason: parsed.data.reason ?? null, requestedAt: now.toISOString(), requestedBy: parsed.data.requestedBy ?? null };
  }
  if (action === 'recover') {
    const parsed = recoverSchema.safeParse(input);
    if (!parsed.success) fail('Invalid recover input', parsed.error);
    const data = parsed.data;
    return { action: 'recover', trigger: 'manual', executionArn: 'executionArn' in data ? data.executionArn : null, endpointName: 'endpointName' in data ? data.endpointName : null, reason: null, requestedAt: now.toISOString() };
  }
  if (action === 'abort') {
    const parsed = abortSchema.safeParse(input);
    if (!parsed.success) fail('Invalid abort input', parsed.error);
    const data = parsed.data;
    return {
      action: 'abort',
      trigger: 'manual',
      executionArn: 'executionArn' in data ? data.executionArn : null,
      endpointName: 'endpointName' in data ? data.endpointName : null,
      reason: data.reason ?? null,
      requestedAt: now.toISOString(),
    };
  }
  if (action === 'sweep') {
    const parsed = sweepSchema.safeParse(input);
    if (!parsed.success) fail('Invalid sweep input', parsed.error);
    return { action: 'sweep', trigger: 'schedule', backfill: parsed.data.backfill ?? false, requestedAt: now.toISOString() };
  }
  throw new InvalidInput(`action: unknown action ${JSON.stringify(action)}; expected "deploy", "score", "rollback", "recover", "abort", "adopt", "sweep" or "nightly-batch"`);
}

/** The two state machines (statemachines/*.asl.yml); each starts with NormalizeInput and takes its own requests. */
export const WORKFLOWS = ['release', 'batch-scoring'] as const;
export type Workflow = (typeof WORKFLOWS)[number];

/**
 * The request, if it is one this workflow runs: releases, rollbacks and rejections go to the release
 * state machine; nightly and "score now" runs to the batch-scoring one. The wrong one is refused by name,
 * so an operator who starts the wrong state machine is told which to start.
 */
export function normalizeRequestFor(workflow: Workflow, input: unknown, now: Date, batchJobs: BatchJob[] = []): ReleaseRequest {
  const request = normalizeRequest(input, now, batchJobs);
  const belongsTo: Workflow = request.action === 'batch' ? 'batch-scoring' : 'release';
  if (belongsTo !== workflow) {
    const what = request.action === 'batch' ? 'a batch scoring run' : request.action === 'deploy' ? 'a release' : `a ${request.action}`;
    throw new InvalidInput(`action: this is ${what}; start the ${belongsTo} state machine with it, not the ${workflow} one`);
  }
  return request;
}
