import * as z from '../zod';
import { sageMakerName } from './names';
import { errorMessageOf } from './error-cause';
import type { BatchJobSummary, BatchRunSummary, TransformCheck } from './batch-state';
import type { TransformJobRequest } from './views';

const s3Template = z
  .string()
  .check(z.regex(/^s3:\/\/[a-z0-9.-]{3,63}\/.*\{date\}.*$/, 'must be an s3:// prefix containing {date}, e.g. s3://bucket/churn/input/{date}/'));
const whole = (min: number, max: number) => z.int().check(z.gte(min), z.lte(max));

/**
 * One nightly scoring job (stage param batchJobs). Every field SageMaker's documented defaults
 * disagree on is explicit: the model client's timeout and retries in particular.
 */
export const batchJobSchema = z.strictObject({
  name: z.string().check(z.regex(/^[a-z0-9](-*[a-z0-9]){0,30}$/, 'must be 1-31 lowercase letters, digits or hyphens')),
  modelPackageGroupName: z.string().check(z.regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/)),
  inputPrefix: s3Template,
  outputPrefix: s3Template,
  contentType: z._default(z.string().check(z.minLength(1)), 'text/csv'),
  accept: z.optional(z.string().check(z.minLength(1))),
  splitType: z._default(z.enum(['None', 'Line', 'RecordIO', 'TFRecord']), 'Line'),
  batchStrategy: z._default(z.enum(['MultiRecord', 'SingleRecord']), 'MultiRecord'),
  assembleWith: z._default(z.enum(['None', 'Line']), 'Line'),
  instanceType: z._default(z.string().check(z.regex(/^ml\.[a-z0-9]+\.[a-z0-9]+$/)), 'ml.m5.xlarge'),
  instanceCount: z._default(whole(1, 100), 1),
  maxPayloadMB: z._default(whole(0, 100), 6),
  maxConcurrentTransforms: z._default(whole(0, 1000), 1),
  modelClientTimeoutSeconds: z._default(whole(1, 3600), 600),
  modelClientMaxRetries: z._default(whole(0, 3), 1),
});
export type BatchJob = z.infer<typeof batchJobSchema>;

export const batchJobsSchema = z.array(batchJobSchema).check(
  z.maxLength(100),
  z.refine((jobs) => new Set(jobs.map((j) => j.name)).size === jobs.length, 'job names must be unique'),
);

export const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** `s3://b/x/{date}/` for 2026-11-22 -> `s3://b/x/2026-11-22/`. */
export function partition(template: string, date: string): string {
  return template.replaceAll('{date}', date);
}

/**
 * Derived from job and date, so a second run the same night finds the job the first one started
 * instead of failing on a duplicate name or scoring twice. A retry of a failed night adds -r2, -r3...
 */
export function transformJobName(job: BatchJob, date: string, attempt = 1): string {
  return attempt === 1 ? sageMakerName(job.name, date.replaceAll('-', '')) : sageMakerName(job.name, date.replaceAll('-', ''), `r${attempt}`);
}

/** The model a group is scored with: one per package version, shared by every night that uses it. */
export function batchModelName(groupName: string, version: number): string {
  return sageMakerName(groupName, `v${version}`, 'batch');
}

/** The day a nightly run scores: the UTC day before the run started (the day that just ended). */
export function previousUtcDay(instant: Date): string {
  return new Date(Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), instant.getUTCDate() - 1)).toISOString().slice(0, 10);
}

export type { BatchJobSummary, BatchRunSummary, TransformCheck };

// ---------------------------------------------------------------------------------------------------
// One night of one job: start, check, summarize
// ---------------------------------------------------------------------------------------------------

/** Attempts of one job for one night: the first and this many retries in all, so a broken model cannot loop. */
export const MAX_TRANSFORM_ATTEMPTS = 5;

/**
 * What to do about the transform job that already carries this night's name. SageMaker never frees a job
 * name, so a night whose job Failed or was Stopped is scored again under the next attempt's name; a job
 * InProgress or Completed is followed, never started twice; after the last attempt the last one is reported.
 */
export function nextTransformStep(existingStatus: string, attempt: number): 'follow' | 'retry-under-next-name' | 'report-last' {
  if (existingStatus !== 'Failed' && existingStatus !== 'Stopped') return 'follow';
  return attempt >= MAX_TRANSFORM_ATTEMPTS ? 'report-last' : 'retry-under-next-name';
}

/** CreateTransformJob for one job and night: every client setting explicit, tagged with what it scores. */
export function transformJobRequest(job: BatchJob, date: string, jobName: string, model: { modelName: string; modelPackageArn: string }, executionId: string): TransformJobRequest {
  return {
    TransformJobName: jobName,
    ModelName: model.modelName,
    MaxConcurrentTransforms: job.maxConcurrentTransforms,
    MaxPayloadInMB: job.maxPayloadMB,
    BatchStrategy: job.batchStrategy,
    // Explicit, because SageMaker's defaults (600 s, 3 retries) would score a slow record four times.
    ModelClientConfig: { InvocationsTimeoutInSeconds: job.modelClientTimeoutSeconds, InvocationsMaxRetries: job.modelClientMaxRetries },
    TransformInput: {
      DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: partition(job.inputPrefix, date) } },
      ContentType: job.contentType,
      SplitType: job.splitType,
    },
    TransformOutput: {
      S3OutputPath: partition(job.outputPrefix, date),
      ...(job.accept !== undefined ? { Accept: job.accept } : {}),
      AssembleWith: job.assembleWith,
    },
    // The schema checks the ml.<family>.<size> shape; SageMaker's enum is the authority on which exist.
    TransformResources: { InstanceType: job.instanceType, InstanceCount: job.instanceCount },
    Tags: [
      { Key: 'sagemaker-release-pipeline:batch-job', Value: job.name },
      { Key: 'sagemaker-release-pipeline:batch-date', Value: date },
      { Key: 'sagemaker-release-pipeline:model-package', Value: model.modelPackageArn },
      { Key: 'sagemaker-release-pipeline:execution', Value: executionId },
    ],
  };
}

/**
 * The verdict on one poll, from SageMaker's view of the job and, when it says Completed, the output
 * actually found.
 */
export function judgeTransform(
  view: { status: string; failureReason: string | null } | null,
  outputObjects: number | null,
  outputPath: string,
  elapsedSeconds: number,
  boundSeconds: number,
): { check: TransformCheck; reason: string | null } {
  if (view === null) return { check: 'Failed', reason: 'the transform job does not exist' };
  const why = view.failureReason ? `: ${view.failureReason}` : '';
  switch (view.status) {
    case 'Completed':
      // A job over an empty input partition "completes" too; an empty output must not pass as a scored night.
      return (outputObjects ?? 0) === 0
        ? { check: 'Failed', reason: `transform job Completed but wrote no output under ${outputPath}` }
        : { check: 'Completed', reason: null };
    case 'Failed':
      return { check: 'Failed', reason: `transform job Failed${why || ': no failure reason given'}` };
    case 'Stopped':
      return { check: 'Failed', reason: `transform job was Stopped before it completed${why}` };
    default:
      break;
  }
  if (elapsedSeconds > boundSeconds) {
    return { check: 'TimedOut', reason: `transform job still ${view.status} after ${Math.round(elapsedSeconds)} s (bound ${boundSeconds} s)` };
  }
  return { check: 'InProgress', reason: null };
}

/** The output prefix as S3 lists it: SageMaker writes <S3OutputPath>/<input file>.out. */
export function outputListing(uri: string): { Bucket: string; Prefix: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  const key = match?.[2] ?? '';
  // Without the slash `.../2026-11-22` would also count `.../2026-11-22-old/`.
  return { Bucket: match?.[1] ?? '', Prefix: key === '' || key.endsWith('/') ? key : `${key}/` };
}

/** What one ScoreBatches iteration reached, read loosely: a Catch sends it to RecordBatchOutcome from any step. */
export interface BatchIterationState {
  job: { name: string; modelPackageGroupName: string };
  date: string;
  model?: { modelName: string; modelPackageArn: string; version?: number; source: 'ledger' | 'latest-approved' } | undefined;
  transform?: { jobName: string; reused: boolean } | undefined;
  transformCheck?: { check: string; reason: string | null; outputPath?: string | undefined; outputObjects: number; durationSeconds: number | null } | undefined;
  error?: { Error?: string | undefined; Cause?: string | undefined } | undefined;
}

/** Why the iteration did not score its night; the first cause found wins, as for releases. */
function failureReason(state: BatchIterationState): string | null {
  if (state.error !== undefined) return `${state.error.Error ?? 'Error'}: ${errorMessageOf(state.error.Cause)}`;
  const check = state.transformCheck;
  if (check === undefined) return 'the iteration ended before the transform job was checked';
  if (check.check === 'Completed') return null;
  return `${check.check}: ${check.reason ?? 'no reason given'}`;
}

export function summarizeJob(state: BatchIterationState): BatchJobSummary {
  const reason = failureReason(state);
  return {
    job: state.job.name,
    modelPackageGroupName: state.job.modelPackageGroupName,
    date: state.date,
    status: reason === null ? 'Succeeded' : 'Failed',
    transformJobName: state.transform?.jobName ?? null,
    reused: state.transform?.reused ?? false,
    modelPackageArn: state.model?.modelPackageArn ?? null,
    modelSource: state.model?.source ?? null,
    outputObjects: state.transformCheck?.outputObjects ?? 0,
    durationSeconds: state.transformCheck?.durationSeconds ?? null,
    reason,
  };
}

/**
 * The job's outcome event id (`detail.eventId`): the same on every attempt to send it, so a consumer drops the
 * copy a retry sends after PutEvents' answer was lost. It names the night, the job, the transform job (or,
 * for a job that never started one, the run) and the status: a rerun of the night that reuses the same
 * transform job reports the same outcome under the same id.
 */
export function batchEventId(summary: Pick<BatchJobSummary, 'date' | 'job' | 'transformJobName' | 'status'>, executionArn: string | undefined): string {
  const attempt = summary.transformJobName ?? executionArn?.split(':').pop() ?? 'unstarted';
  return ['batch', summary.date, summary.job, attempt, summary.status.toLowerCase()].join('.');
}

export const BATCH_DETAIL_TYPES = { Succeeded: 'Batch Scoring Succeeded', Failed: 'Batch Scoring Failed' } as const;

/** A Fail state's Cause is capped (32 KB): 100 jobs x (31-character name + 250-character reason) still fit. */
const MAX_REASON_CHARS = 250;

function shorten(reason: string): string {
  return reason.length <= MAX_REASON_CHARS ? reason : `${reason.slice(0, MAX_REASON_CHARS - 1)}…`;
}

export function summarizeRun(jobs: BatchJobSummary[], date: string): BatchRunSummary {
  const failedSummaries = jobs.filter((j) => j.status === 'Failed');
  const total = jobs.length;
  const failed = failedSummaries.length;
  const noun = total === 1 ? 'batch job' : 'batch jobs';
  let text: string;
  if (total === 0) {
    text = `No batch jobs are configured; nothing was scored for ${date}.`;
  } else if (failed === 0) {
    const outputs = jobs.reduce((sum, j) => sum + j.outputObjects, 0);
    text = `${total === 1 ? 'The batch job' : `All ${total} batch jobs`} succeeded for ${date} (${outputs} output objects).`;
  } else {
    const details = failedSummaries.map((j) => `${j.job} (${shorten(j.reason ?? 'no reason recorded')})`).join('; ');
    text = `${failed} of ${total} ${noun} failed for ${date}: ${details}.`;
  }
  return { date, total, succeeded: total - failed, failed, jobs, failedJobs: failedSummaries.map((j) => j.job), text };
}
