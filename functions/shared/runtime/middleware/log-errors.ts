import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import { RETRYABLE_ERROR_NAMES } from '../../errors';

export interface LogErrorsOptions {
  logger: Logger;
  step: string;
  /** Errors the state machine retries are logged at this level (default warn: they usually pass). */
  retryableLevel?: 'warn' | 'error';
}

const RETRYABLE = new Set<string>(RETRYABLE_ERROR_NAMES);

/**
 * Logs every error the step ends with, including those thrown before the handler runs (InvalidInput,
 * InvalidConfiguration), and rethrows it unchanged for the state machine's Retry and Catch.
 */
export function logErrors({ logger, step, retryableLevel = 'warn' }: LogErrorsOptions): MiddlewareObj {
  return {
    name: 'logErrors',
    onError: (request) => {
      const error = request.error;
      if (error === null) return;
      const level = RETRYABLE.has(error.name) ? retryableLevel : 'error';
      logger[level](`${step} failed: ${error.name}`, error);
    },
  };
}
