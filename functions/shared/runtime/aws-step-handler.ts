import type { Schema } from '../schema';
import { stepHandler, type StepDefinition, type StepHandlerOptions } from './step-handler';
import { tracing } from './tracing';

/** A step that calls AWS: `stepHandler` with X-Ray tracing of the invocation and of every SDK call. */
export function awsStepHandler<In extends Schema, Env extends Schema, Aws extends object, Out>(definition: StepDefinition<In, Env, Aws, Out>, options: StepHandlerOptions<Aws> = {}) {
  const traces = tracing();
  return stepHandler(definition, { ...options, middlewares: [...(traces ? [traces] : []), ...(options.middlewares ?? [])] });
}
