import { z } from 'zod';
import { sageMakerName } from './release-plan';

const s3Template = z
  .string()
  .regex(/^s3:\/\/[a-z0-9.-]{3,63}\/.*\{date\}.*$/, 'must be an s3:// prefix containing {date}, e.g. s3://bucket/churn/input/{date}/');

/**
 * One nightly scoring job (stage param batchJobs). Every field SageMaker's documented defaults
 * disagree on is explicit: the model client's timeout and retries in particular.
 */
export const batchJobSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9](-*[a-z0-9]){0,30}$/, 'must be 1-31 lowercase letters, digits or hyphens'),
    modelPackageGroupName: z.string().regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/),
    inputPrefix: s3Template,
    outputPrefix: s3Template,
    contentType: z.string().min(1).default('text/csv'),
    accept: z.string().min(1).optional(),
    splitType: z.enum(['None', 'Line', 'RecordIO', 'TFRecord']).default('Line'),
    batchStrategy: z.enum(['MultiRecord', 'SingleRecord']).default('MultiRecord'),
    assembleWith: z.enum(['None', 'Line']).default('Line'),
    instanceType: z.string().regex(/^ml\.[a-z0-9]+\.[a-z0-9]+$/).default('ml.m5.xlarge'),
    instanceCount: z.number().int().min(1).max(100).default(1),
    maxPayloadMB: z.number().int().min(0).max(100).default(6),
    maxConcurrentTransforms: z.number().int().min(0).max(1000).default(1),
    modelClientTimeoutSeconds: z.number().int().min(1).max(3600).default(600),
    modelClientMaxRetries: z.number().int().min(0).max(3).default(1),
  })
  .strict();
export type BatchJob = z.infer<typeof batchJobSchema>;

export const batchJobsSchema = z.array(batchJobSchema).max(100).refine((jobs) => new Set(jobs.map((j) => j.name)).size === jobs.length, 'job names must be unique');

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

/** What one Map iteration returns: one line of the run's summary. */
export interface BatchJobSummary {
  job: string;
  modelPackageGroupName: string;
  date: string;
  status: 'Succeeded' | 'Failed';
  transformJobName: string | null;
  reused: boolean;
  modelPackageArn: string | null;
  modelSource: 'ledger' | 'latest-approved' | null;
  outputObjects: number;
  durationSeconds: number | null;
  reason: string | null;
}
