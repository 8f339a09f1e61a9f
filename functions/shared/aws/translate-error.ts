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

/** The SDK error's name (its AWS error code). */
export function errorCode(error: unknown): string {
  const sdk = asSdkError(error);
  return sdk.name ?? sdk.code ?? 'UnknownError';
}

/**
 * Turns whatever an AWS SDK call threw into one of our three named errors, so the state machine can
 * retry exactly the transient ones. `operation` goes into the message because "ValidationException"
 * alone does not tell an operator which call failed.
 */
export function translateAwsError(operation: string, error: unknown): Error {
  const sdk = asSdkError(error);
  const code = errorCode(error);
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

/**
 * Whether the error means "no such resource". S3 and most services have a code for it; SageMaker answers
 * Describe* on a missing name with a ValidationException whose message says "Could not find ..." (endpoints,
 * configs, models, jobs) or "... does not exist" (model packages).
 */
export function isNotFound(error: unknown): boolean {
  const code = errorCode(error);
  if (code === 'ResourceNotFound' || code === 'ResourceNotFoundException' || code === 'NoSuchKey' || code === 'NotFound') return true;
  return code === 'ValidationException' && /could not find|does not exist/i.test(asSdkError(error).message ?? '');
}

/**
 * Whether a create failed because the resource is already there (a retried step's own earlier attempt).
 * The message decides, not the code alone: SageMaker answers ResourceInUse for other conflicts too (a
 * resource being deleted, an endpoint mid-update), and those are not our earlier success.
 */
export function isAlreadyExists(error: unknown): boolean {
  const code = errorCode(error);
  return (code === 'ResourceInUse' || code === 'ValidationException') && /already exist/i.test(asSdkError(error).message ?? '');
}

/** Whether IAM refused the call (AccessDenied / AccessDeniedException). */
export function isAccessDenied(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'AccessDenied' || code === 'AccessDeniedException';
}

/** Whether SageMaker refused a change because the endpoint is being created or updated ("Cannot update in-progress endpoint"). */
export function isRefusedMidUpdate(error: unknown): boolean {
  return errorCode(error) === 'ValidationException' && /in-progress endpoint|cannot update .*(updating|creating)/i.test(asSdkError(error).message ?? '');
}

/** Runs one AWS call and translates its failure. */
export async function awsCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw translateAwsError(operation, error);
  }
}

/** Runs one AWS call; "no such resource" is `null`, any other failure is translated. */
export async function awsCallIfPresent<T>(operation: string, call: () => Promise<T>): Promise<T | null> {
  try {
    return await call();
  } catch (error) {
    if (isNotFound(error)) return null;
    throw translateAwsError(operation, error);
  }
}
