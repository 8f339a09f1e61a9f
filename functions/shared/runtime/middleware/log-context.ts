import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';

export interface LogContextOptions {
  logger: Logger;
  step: string;
}

function field(value: unknown, ...path: string[]): string | undefined {
  let at: unknown = value;
  for (const key of path) at = typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[key] : undefined;
  return typeof at === 'string' && at !== '' ? at : undefined;
}

/**
 * Every log line of the invocation carries the step and, where the state has them, the release id, the
 * endpoint and the execution ARN, so one release can be followed across its steps' log groups. Read from the
 * raw event, so even a refused input is logged with what it said.
 */
export function logContext({ logger, step }: LogContextOptions): MiddlewareObj {
  return {
    name: 'logContext',
    before: (request) => {
      const event = request.event;
      const keys = {
        step,
        releaseId: field(event, 'plan', 'releaseId') ?? field(event, 'state', 'plan', 'releaseId'),
        endpointName: field(event, 'deployment', 'endpointName') ?? field(event, 'plan', 'endpointName') ?? field(event, 'endpointName') ?? field(event, 'state', 'plan', 'endpointName'),
        executionArn: field(event, 'execution', 'id') ?? field(event, 'state', 'execution', 'id'),
        batchJob: field(event, 'job', 'name'),
      };
      logger.appendKeys(Object.fromEntries(Object.entries(keys).filter(([, v]) => v !== undefined)));
    },
  };
}
