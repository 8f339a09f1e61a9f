import type { MiddlewareObj } from '@middy/core';
import { InvalidConfiguration, InvalidInput } from '../../errors';
import * as z from '../../zod';
import { parseOrThrow, type Schema } from '../../schema';

/** What the handler behind `parseRequest` receives instead of the raw event. */
export interface ParsedRequest<Input, Env> {
  input: Input;
  env: Env;
}

const optionsSchema = z.object({
  /** The state name(s) this handler serves, for messages. */
  step: z.string().check(z.minLength(1)),
  inputSchema: z.custom<Schema>(isSchema, 'inputSchema must be a zod schema'),
  envSchema: z.custom<Schema>(isSchema, 'envSchema must be a zod schema'),
  /** Where the environment is read from (process.env in Lambda). */
  environment: z.optional(z.custom<NodeJS.ProcessEnv>((v) => typeof v === 'object' && v !== null, 'environment must be an object')),
});
export type ParseRequestOptions = z.input<typeof optionsSchema>;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && typeof (value as { safeParse?: unknown }).safeParse === 'function';
}

/**
 * Validates the Lambda environment (once per container: a broken deployment fails every call loudly, with
 * InvalidConfiguration) and the step's input (every call: a bad shape is an InvalidInput naming the field,
 * before any AWS call), then hands the handler `{ input, env }`, both parsed.
 */
export function parseRequest<I extends Schema, E extends Schema>(options: ParseRequestOptions & { inputSchema: I; envSchema: E }): MiddlewareObj<unknown, unknown> {
  const { step, inputSchema, envSchema, environment } = parseOrThrow(optionsSchema, options, (m) => new TypeError(m), 'parseRequest options');
  let env: z.output<E> | undefined;
  return {
    name: 'parseRequest',
    before: (request) => {
      env ??= parseOrThrow(envSchema, environment ?? process.env, (m) => new InvalidConfiguration(m), 'Lambda environment') as z.output<E>;
      const input = parseOrThrow(inputSchema, request.event, (m) => new InvalidInput(m), `${step} input`) as z.output<I>;
      request.event = { input, env } satisfies ParsedRequest<z.output<I>, z.output<E>>;
    },
  };
}
