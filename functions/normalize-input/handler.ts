import { z } from 'zod';
import { InvalidConfiguration } from '../shared/errors';
import { batchJobsSchema } from '../shared/domain/batch';
import { normalizeRequest } from '../shared/domain/request';
import { describeZodIssues } from '../shared/runtime/validation';
import { stepHandler } from '../shared/runtime/step-handler';

/** The stage's batch jobs (param batchJobs, as JSON); a malformed list is a deployment problem. */
const batchJobsEnv = z.string().transform((raw, ctx) => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a JSON array of batch jobs' });
    return z.NEVER;
  }
  const result = batchJobsSchema.safeParse(parsed);
  if (!result.success) {
    ctx.addIssue({ code: 'custom', message: describeZodIssues(result.error) });
    return z.NEVER;
  }
  return result.data;
});

/**
 * State NormalizeInput: approval event, manual run, schedule or operator action in, one request shape
 * out. The ASL hands in the raw execution input and the execution's id and start time.
 */
export const handler = stepHandler({
  step: 'NormalizeInput',
  // The raw input's shape is checked by normalizeRequest, which knows which kind of input it is looking at.
  input: z.object({ input: z.unknown(), execution: z.object({ id: z.string(), startTime: z.string() }) }),
  env: z.object({ BATCH_JOBS: batchJobsEnv.default([]) }),
  run: async ({ input, execution }, { env }) => {
    if (!Array.isArray(env.BATCH_JOBS)) throw new InvalidConfiguration('BATCH_JOBS is not a list');
    return { request: normalizeRequest(input, new Date(Date.now()), env.BATCH_JOBS), execution };
  },
});
