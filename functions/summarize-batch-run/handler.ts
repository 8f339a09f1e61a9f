import { z } from 'zod';
import { DATE, type BatchJobSummary } from '../shared/domain/batch';
import { commonEnv } from '../shared/runtime/env';
import { stepHandler } from '../shared/runtime/step-handler';

const jobSummarySchema = z.object({
  job: z.string(),
  modelPackageGroupName: z.string(),
  date: z.string(),
  status: z.enum(['Succeeded', 'Failed']),
  transformJobName: z.string().nullable(),
  reused: z.boolean(),
  modelPackageArn: z.string().nullable(),
  modelSource: z.enum(['ledger', 'latest-approved']).nullable(),
  outputObjects: z.number().int().min(0),
  durationSeconds: z.number().nullable(),
  reason: z.string().nullable(),
});
// The schema and the contract in batch.ts must not drift apart.
const schemaMatchesContract: (s: z.infer<typeof jobSummarySchema>) => BatchJobSummary = (s) => s;
void schemaMatchesContract;

const input = z.object({
  jobs: z.array(jobSummarySchema),
  date: z.string().regex(DATE, 'must be YYYY-MM-DD'),
});

export interface BatchRunSummary {
  date: string;
  total: number;
  succeeded: number;
  failed: number;
  jobs: BatchJobSummary[];
  failedJobs: string[];
  /** One paragraph for a human, and the Cause of the Fail state when a job failed. */
  text: string;
}

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

/** State SummarizeBatchRun: the night's results in one object; a Choice after it fails the run when `failed` > 0. */
export const handler = stepHandler({
  step: 'SummarizeBatchRun',
  input,
  env: commonEnv,
  run: async ({ jobs, date }): Promise<BatchRunSummary> => summarizeRun(jobs, date),
});
