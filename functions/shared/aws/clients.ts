import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';

/**
 * One client of each kind per Lambda container, created on first use; each getter is separate so a
 * handler's bundle holds only the clients it calls. Endpoints come only from the SDK's standard
 * AWS_ENDPOINT_URL* variables, which is how the local simulation is reached.
 *
 * The SDK's own retries are kept short: the state machine retries throttling and 5xx with backoff
 * and jitter, and a long in-Lambda retry loop would only burn the task's timeout.
 */
// A hung connection must fail fast as a retryable timeout, not hold the Lambda until it times out.
// Without throwOnRequestTimeout the SDK only logs a warning when requestTimeout passes and keeps waiting.
const requestTimeout = Number(process.env.AWS_REQUEST_TIMEOUT_MS ?? '10000');
const common = { maxAttempts: 2, requestHandler: { requestTimeout, connectionTimeout: Math.min(requestTimeout, 3000), throwOnRequestTimeout: true } };
const created = new Map<string, unknown>();

function once<T>(key: string, make: () => T): T {
  if (!created.has(key)) created.set(key, make());
  return created.get(key) as T;
}

export const sageMakerClient = () => once('sageMaker', () => new SageMakerClient(common));
export const sageMakerRuntimeClient = () => once('sageMakerRuntime', () => new SageMakerRuntimeClient(common));
export const cloudWatchClient = () => once('cloudWatch', () => new CloudWatchClient(common));
export const eventBridgeClient = () => once('eventBridge', () => new EventBridgeClient(common));
export const dynamoDbClient = () =>
  once('dynamoDb', () => DynamoDBDocumentClient.from(new DynamoDBClient(common), { marshallOptions: { removeUndefinedValues: true } }));
// Path-style addressing is needed by S3 emulators on localhost; real S3 keeps virtual-hosted style.
export const s3Client = () => once('s3', () => new S3Client({ ...common, forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true' }));

/** Forgets every client, so the next call builds one from the current environment (tests, simulation). */
export function resetAwsClients(): void {
  created.clear();
}
