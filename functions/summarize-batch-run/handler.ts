import { DATE, summarizeRun } from '../shared/domain/batch';
import { batchJobSummarySchema, type BatchRunSummary } from '../shared/domain/batch-state';
import { defineStep, noAdapters, stepHandler } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';

/** State SummarizeBatchRun: the night's results in one object; a Choice after it fails the run when `failed` > 0. */
export const summarizeBatchRunStep = defineStep({
  step: 'SummarizeBatchRun',
  input: z.object({ jobs: z.array(batchJobSummarySchema), date: z.string().check(z.regex(DATE, 'must be YYYY-MM-DD')) }),
  env: z.object({}),
  aws: noAdapters,
  run: async ({ jobs, date }): Promise<BatchRunSummary> => summarizeRun(jobs, date),
});

export const handler = stepHandler(summarizeBatchRunStep);
