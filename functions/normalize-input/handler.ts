import { z } from 'zod';
import { InvalidConfiguration } from '../shared/errors';
import { batchJobsSchema } from '../shared/domain/batch';
import { normalizeRequest } from '../shared/domain/request';
import { jsonString } from '../shared/runtime/validation';
import { stepHandler } from '../shared/runtime/step-handler';

/** The stage's batch jobs (param batchJobs, as JSON); a malformed list is a deployment problem. */
const batchJobsEnv = jsonString(batchJobsSchema, 'a JSON array of batch jobs');

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
