import { AwsRequestRejected, AwsThrottled, AwsUnavailable } from '../errors';

const THROTTLING_CODES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'RequestThrottled',
  'SlowDown',
]);
const TRANSIENT_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

function asSdkError(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? (error as SdkErrorShape) : { message: String(error) };
}

/**
 * Turns whatever an AWS SDK call threw into one of our three named errors, so the state machine can
 * retry exactly the transient ones. `operation` goes into the message because "ValidationException"
 * alone does not tell an operator which call failed.
 */
export function translateAwsError(operation: string, error: unknown): Error {
  const sdk = asSdkError(error);
  const code = sdk.name ?? sdk.code ?? 'UnknownError';
  const status = sdk.$metadata?.httpStatusCode;
  const message = `${operation} failed: ${code}: ${sdk.message ?? 'no message'}`;
  if (THROTTLING_CODES.has(code) || sdk.$retryable?.throttling === true || status === 429) {
    return new AwsThrottled(message, { cause: error });
  }
  if (TRANSIENT_NETWORK_CODES.has(code) || TRANSIENT_NETWORK_CODES.has(sdk.code ?? '') || (status !== undefined && status >= 500)) {
    return new AwsUnavailable(message, { cause: error });
  }
  return new AwsRequestRejected(message, { cause: error });
}

/** Names of the SDK errors that mean "no such resource", per service. */
export function isNotFound(error: unknown): boolean {
  const sdk = asSdkError(error);
  const code = sdk.name ?? sdk.code ?? '';
  if (code === 'ResourceNotFound' || code === 'ResourceNotFoundException' || code === 'NoSuchKey' || code === 'NotFound') return true;
  // SageMaker answers DescribeEndpoint / DescribeEndpointConfig / DescribeModelPackage on a missing name with a
  // ValidationException whose message says "Could not find ..." / "... does not exist" (moto: "... not found").
  return code === 'ValidationException' && /could not find|does not exist|not found/i.test(sdk.message ?? '');
}

/** Runs one AWS call and translates its failure. */
export async function awsCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw translateAwsError(operation, error);
  }
}
