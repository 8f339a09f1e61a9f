import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Schema } from '../schema';
import type * as z from '../zod';
import { logContext } from './middleware/log-context';
import { logErrors } from './middleware/log-errors';
import { parseRequest, type ParsedRequest } from './middleware/parse-request';

/** One logger per Lambda container; each invocation appends its own keys (see logContext). */
export const logger = new Logger({ serviceName: 'sagemaker-release-pipeline' });

/** Builds one adapter from the step's parsed environment (its client is created here, once per container). */
export type AdapterFactory<Env, Adapter> = (env: Env) => Adapter;

export interface StepContext<Env, Aws> {
  env: Env;
  /** The step's adapters, each built on first use and kept for the container's life. */
  aws: Aws;
  logger: Logger;
  lambdaContext: Context;
}

export interface StepDefinition<In extends Schema, Env extends Schema, Aws extends object, Out> {
  /** The state name(s) that run this handler, for logs and messages. */
  step: string;
  input: In;
  env: Env;
  /** Adapter factories, by the name the step uses them under. */
  aws: { [K in keyof Aws]: AdapterFactory<z.output<Env>, Aws[K]> };
  run: (input: z.output<In>, context: StepContext<z.output<Env>, Aws>) => Promise<Out>;
}

export interface StepHandlerOptions<Aws> {
  /** Adapters to use instead of building them (tests). */
  aws?: Partial<Aws>;
  /** More middleware, innermost last (tracing). */
  middlewares?: MiddlewareObj[];
  /** Environment to validate instead of process.env (tests). */
  environment?: NodeJS.ProcessEnv;
}

/** An object whose properties build their adapter on first read, so a step never constructs a client it does not call. */
function lazyAdapters<Env, Aws extends object>(factories: { [K in keyof Aws]: AdapterFactory<Env, Aws[K]> }, env: Env, given: Partial<Aws>): Aws {
  const built: Partial<Aws> = { ...given };
  const adapters = {} as Aws;
  for (const key of Object.keys(factories) as (keyof Aws)[]) {
    Object.defineProperty(adapters, key, {
      enumerable: true,
      get: () => {
        built[key] ??= factories[key](env);
        return built[key];
      },
    });
  }
  return adapters;
}

/**
 * The one way a step handler is built: log keys per invocation, environment validated once per container,
 * input validated with the step's schema (a bad shape is an InvalidInput naming the field, before any AWS
 * call), adapters built lazily, and every error logged and rethrown unchanged for the state machine's Retry/Catch.
 */
export function stepHandler<In extends Schema, Env extends Schema, Aws extends object, Out>(definition: StepDefinition<In, Env, Aws, Out>, options: StepHandlerOptions<Aws> = {}) {
  let adapters: Aws | undefined;
  const core = async (event: ParsedRequest<z.output<In>, z.output<Env>>, lambdaContext: Context): Promise<Out> => {
    adapters ??= lazyAdapters(definition.aws, event.env, options.aws ?? {});
    return definition.run(event.input, { env: event.env, aws: adapters, logger, lambdaContext });
  };
  let handler = middy(core as (event: unknown, context: Context) => Promise<Out>)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logContext({ logger, step: definition.step }))
    .use(logErrors({ logger, step: definition.step }));
  for (const middleware of options.middlewares ?? []) handler = handler.use(middleware);
  return handler.use(parseRequest({ step: definition.step, inputSchema: definition.input, envSchema: definition.env, environment: options.environment }));
}

/** A step that calls no AWS service. */
export const noAdapters = {} as const;

/** A step's definition, with its input, environment and adapter types inferred for `run`. */
export function defineStep<In extends Schema, Env extends Schema, Aws extends object, Out>(definition: StepDefinition<In, Env, Aws, Out>): StepDefinition<In, Env, Aws, Out> {
  return definition;
}
