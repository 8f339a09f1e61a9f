import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { InvalidConfiguration, InvalidInput } from '../errors';
import { parseOrThrow } from './validation';

export const logger = new Logger({ serviceName: 'sagemaker-release-pipeline' });

export interface StepContext<Env> {
  env: Env;
  logger: Logger;
  lambdaContext: Context;
}

export interface StepDefinition<InputSchema extends z.ZodType, EnvSchema extends z.ZodType, Output> {
  /** The state name(s) that run this handler, for logs. */
  step: string;
  input: InputSchema;
  env: EnvSchema;
  run: (input: z.infer<InputSchema>, context: StepContext<z.infer<EnvSchema>>) => Promise<Output>;
}

/** Validates the Lambda environment once per container; a broken deployment fails every call loudly. */
function envLoader<EnvSchema extends z.ZodType>(schema: EnvSchema): () => z.infer<EnvSchema> {
  let env: z.infer<EnvSchema> | undefined;
  return () => {
    env ??= parseOrThrow(schema, process.env, (m) => new InvalidConfiguration(m), 'Lambda environment');
    return env;
  };
}

/**
 * The one way a step handler is built: logger context, env validated once, input validated with the
 * step's zod schema (a bad shape is an InvalidInput naming the field, before any AWS call), and the
 * step's named errors logged and re-thrown unchanged for the state machine's Retry/Catch.
 */
export function stepHandler<InputSchema extends z.ZodType, EnvSchema extends z.ZodType, Output>(
  definition: StepDefinition<InputSchema, EnvSchema, Output>,
) {
  const loadEnv = envLoader(definition.env);
  const core = async (event: unknown, lambdaContext: Context): Promise<Output> => {
    const env = loadEnv();
    const input = parseOrThrow(definition.input, event, (m) => new InvalidInput(m), `${definition.step} input`);
    try {
      return await definition.run(input, { env, logger, lambdaContext });
    } catch (error) {
      logger.error(`${definition.step} failed`, error as Error);
      throw error;
    }
  };
  return middy(core).use(injectLambdaContext(logger, { resetKeys: true }));
}
