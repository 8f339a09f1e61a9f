import { z } from 'zod';
import { normalizeRequest } from '../shared/domain/request';
import { stepHandler } from '../shared/runtime/step-handler';

/**
 * State NormalizeInput: approval event or manual run in, one request shape out. The ASL hands in the
 * raw execution input and the execution's id and start time (from the context object).
 */
export const handler = stepHandler({
  step: 'NormalizeInput',
  // The raw input's shape is checked by normalizeRequest, which knows which kind of input it is looking at.
  input: z.object({ input: z.unknown(), execution: z.object({ id: z.string(), startTime: z.string() }) }),
  env: z.object({}),
  run: async ({ input, execution }) => ({ request: normalizeRequest(input, new Date(Date.now())), execution }),
});
