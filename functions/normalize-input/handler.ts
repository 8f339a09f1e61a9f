import { batchJobsSchema } from '../shared/domain/batch';
import { normalizeRequestFor, WORKFLOWS } from '../shared/domain/request';
import * as z from '../shared/zod';
import { jsonString } from '../shared/schema';
import { defineStep, noAdapters, stepHandler } from '../shared/runtime/step-handler';

/**
 * State NormalizeInput (first state of both state machines): approval event, manual run, schedule or
 * operator action in, one request shape out. The ASL hands in the raw execution input, the execution's id
 * and start time, and which state machine it is.
 */
export const normalizeInputStep = defineStep({
  step: 'NormalizeInput',
  // The raw input's shape is checked by normalizeRequest, which knows which kind of input it is looking at.
  input: z.object({ input: z.unknown(), workflow: z.enum(WORKFLOWS), execution: z.object({ id: z.string(), startTime: z.string() }) }),
  // The stage's batch jobs (param batchJobs, as JSON); a malformed list is a deployment problem.
  env: z.object({ BATCH_JOBS: z._default(jsonString(batchJobsSchema, 'a JSON array of batch jobs'), []) }),
  aws: noAdapters,
  run: async ({ input, workflow, execution }, { env }) => ({ request: normalizeRequestFor(workflow, input, new Date(Date.now()), env.BATCH_JOBS), execution }),
});

export const handler = stepHandler(normalizeInputStep);
