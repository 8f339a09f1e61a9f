import { awsCall, isNotFound, translateAwsError } from '../../../../functions/shared/aws/translate-error';
import { AwsRequestRejected, AwsThrottled, AwsUnavailable } from '../../../../functions/shared/errors';
import { sdkError } from '../../helpers';

describe('translateAwsError', () => {
  it.each([
    ['ThrottlingException', sdkError('ThrottlingException', 400)],
    ['ProvisionedThroughputExceededException', sdkError('ProvisionedThroughputExceededException', 400)],
    ['an HTTP 429', sdkError('SomethingElse', 429)],
    ['an error the SDK marks as throttling', Object.assign(sdkError('Odd', 400), { $retryable: { throttling: true } })],
  ])('makes %s AwsThrottled', (_what, error) => {
    expect(translateAwsError('Op', error)).toBeInstanceOf(AwsThrottled);
  });

  it.each([
    ['a 500', sdkError('InternalFailure', 500)],
    ['a 503', sdkError('ServiceUnavailable', 503)],
    ['a reset connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['an SDK timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
  ])('makes %s AwsUnavailable', (_what, error) => {
    expect(translateAwsError('Op', error)).toBeInstanceOf(AwsUnavailable);
  });

  it.each([
    ['a validation error', sdkError('ValidationException', 400)],
    ['an access denial', sdkError('AccessDeniedException', 403)],
    ['a limit', sdkError('ResourceLimitExceeded', 400)],
    ['something that is not an error', 'boom'],
  ])('makes %s AwsRequestRejected (not retried)', (_what, error) => {
    expect(translateAwsError('Op', error)).toBeInstanceOf(AwsRequestRejected);
  });

  it('names the operation and the SDK error, and keeps the original as cause', () => {
    // Prepare
    const original = sdkError('ValidationException', 400, 'Endpoint config x does not exist');

    // Act
    const translated = translateAwsError('UpdateEndpoint', original);

    // Assess
    expect(translated.message).toBe('UpdateEndpoint failed: ValidationException: Endpoint config x does not exist');
    expect(translated.cause).toBe(original);
  });

  it('awsCall passes results through and translates failures', async () => {
    await expect(awsCall('Op', async () => 42)).resolves.toBe(42);
    await expect(awsCall('Op', async () => Promise.reject(sdkError('ThrottlingException', 400)))).rejects.toBeInstanceOf(AwsThrottled);
  });
});

describe('isNotFound', () => {
  it.each([
    [sdkError('ResourceNotFoundException', 400), true],
    [sdkError('ValidationException', 400, 'Could not find endpoint "x".'), true],
    [sdkError('ValidationException', 400, 'ModelPackage arn:... does not exist.'), true],
    [sdkError('ValidationException', 400, 'Value at instanceType failed to satisfy constraint'), false],
    [sdkError('ThrottlingException', 400, 'Could not find capacity'), false],
    [null, false],
  ])('%p → %p', (error, expected) => {
    expect(isNotFound(error)).toBe(expected);
  });
});
