import * as z from '../zod';
import { isoInstant } from '../schema';
import { batchJobSchema, DATE } from './batch';

/**
 * The batch-scoring state machine's slices (see state.ts for the release one's): each written by one step
 * of a ScoreBatches iteration and read by the later ones, or by the run's summary.
 */

export const executionSlice = z.object({ id: z.string(), startTime: z.string() });

/** ResolveBatchModel. */
export const batchModelSlice = z.object({
  modelName: z.string(),
  modelPackageArn: z.string(),
  version: z.int(),
  /** Where the choice came from: a batch-only release (ledger) or, failing that, the group's newest Approved package. */
  source: z.enum(['ledger', 'latest-approved']),
});
export type ResolvedBatchModel = z.infer<typeof batchModelSlice>;

/** StartTransformJob. */
export const transformSlice = z.object({
  jobName: z.string().check(z.minLength(1)),
  /** True when a job of this name already existed (a re-run of the same night, or a concurrent run): nothing new was started. */
  reused: z.boolean(),
  status: z.string(),
  /** When the job was created; CheckTransformJob measures its wait bound from here. */
  startedAt: isoInstant,
  /** The model the job scores with; for a reused job, the one it was started with, which may predate this run's choice. */
  modelName: z.string(),
});
export type StartedTransform = z.infer<typeof transformSlice>;

export const TRANSFORM_CHECKS = ['InProgress', 'Completed', 'Failed', 'TimedOut'] as const;
export type TransformCheck = (typeof TRANSFORM_CHECKS)[number];

/** CheckTransformJob. */
export const transformCheckSlice = z.object({
  check: z.enum(TRANSFORM_CHECKS),
  jobStatus: z.nullable(z.string()),
  reason: z.nullable(z.string()),
  outputPath: z.string(),
  outputObjects: z.int().check(z.gte(0)),
  durationSeconds: z.number(),
  checkedAt: z.string(),
});
export type TransformCheckResult = z.infer<typeof transformCheckSlice>;

/** One batch job of one night: what every ScoreBatches iteration starts with. */
export const batchItemState = z.object({
  job: batchJobSchema,
  date: z.string().check(z.regex(DATE, 'must be YYYY-MM-DD')),
  execution: executionSlice,
});

/** RecordBatchOutcome: one line of the night's summary. */
export const batchJobSummarySchema = z.object({
  job: z.string(),
  modelPackageGroupName: z.string(),
  date: z.string(),
  status: z.enum(['Succeeded', 'Failed']),
  transformJobName: z.nullable(z.string()),
  reused: z.boolean(),
  modelPackageArn: z.nullable(z.string()),
  modelSource: z.nullable(z.enum(['ledger', 'latest-approved'])),
  outputObjects: z.int().check(z.gte(0)),
  durationSeconds: z.nullable(z.number()),
  reason: z.nullable(z.string()),
});
export type BatchJobSummary = z.infer<typeof batchJobSummarySchema>;

/** SummarizeBatchRun. */
export const batchRunSummarySchema = z.object({
  date: z.string(),
  total: z.int(),
  succeeded: z.int(),
  failed: z.int(),
  jobs: z.array(batchJobSummarySchema),
  failedJobs: z.array(z.string()),
  /** One paragraph for a human, and the Cause of the Fail state when a job failed. */
  text: z.string(),
});
export type BatchRunSummary = z.infer<typeof batchRunSummarySchema>;

