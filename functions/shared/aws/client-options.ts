import type { AwsEnv } from '../runtime/env';

/**
 * Options every SDK client is built with. Endpoints come only from the SDK's standard AWS_ENDPOINT_URL*
 * variables (the way to point every client at another endpoint), credentials and region from the Lambda environment.
 *
 * The SDK's own retries are kept short: the state machine retries throttling and 5xx with backoff and
 * jitter, and a long in-Lambda retry loop would only burn the task's timeout. A hung connection must fail
 * fast as a retryable timeout, not hold the Lambda until it times out: without throwOnRequestTimeout the SDK
 * only logs a warning when requestTimeout passes and keeps waiting.
 */
export function clientOptions(env: AwsEnv) {
  const requestTimeout = env.AWS_REQUEST_TIMEOUT_MS;
  return {
    region: env.AWS_REGION,
    maxAttempts: 2,
    requestHandler: { requestTimeout, connectionTimeout: Math.min(requestTimeout, 3000), throwOnRequestTimeout: true },
  };
}
