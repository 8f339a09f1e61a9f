import { CloudWatchClient, GetMetricStatisticsCommand, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { CreateTableCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeEndpointConfigCommand, ListModelPackagesCommand } from '@aws-sdk/client-sagemaker';
import { CreateQueueCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { clientConfig, clients, startLocalAws, unique, type LocalAws } from './helpers';

jest.setTimeout(30_000);

let env: LocalAws;

beforeAll(async () => {
  env = await startLocalAws();
});

afterAll(async () => {
  await env?.stop();
});

afterEach(() => env.sim.clearFaults());

test('everything the simulator does not own is proxied to moto unchanged', async () => {
  const table = unique('tbl');
  await env.aws.ddb.send(
    new CreateTableCommand({ TableName: table, AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }),
  );
  await env.aws.ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'a' } }, ConditionExpression: 'attribute_not_exists(pk)' }));
  await expect(env.aws.ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'a' } }, ConditionExpression: 'attribute_not_exists(pk)' }))).rejects.toMatchObject({
    name: 'ConditionalCheckFailedException',
  });
  const bucket = unique('bkt');
  await env.aws.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const big = 'x'.repeat(3 * 1024 * 1024);
  await env.aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'big.txt', Body: big }));
  expect((await (await env.aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'big.txt' }))).Body?.transformToString())?.length).toBe(big.length);
  await expect(env.aws.sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'missing' }))).rejects.toMatchObject({ name: 'ValidationException' });
  expect((await env.aws.sm.send(new ListModelPackagesCommand({}))).ModelPackageSummaryList).toBeDefined();
});

test('large PutMetricData (gzip-compressed by the SDK) goes through the simulator; moto alone rejects it', async () => {
  const at = new Date(env.clock.now());
  const data: MetricDatum[] = Array.from({ length: 300 }, (_, i) => ({ MetricName: 'Big', Dimensions: [{ Name: 'I', Value: String(i % 3) }], Timestamp: at, Value: 1 }));
  await env.aws.cw.send(new PutMetricDataCommand({ Namespace: 'Custom/Big', MetricData: data }));
  const stats = await env.aws.cw.send(
    new GetMetricStatisticsCommand({ Namespace: 'Custom/Big', MetricName: 'Big', Dimensions: [{ Name: 'I', Value: '0' }], StartTime: new Date(at.getTime() - 60_000), EndTime: new Date(at.getTime() + 60_000), Period: 120, Statistics: ['Sum'] }),
  );
  expect(stats.Datapoints?.[0]?.Sum).toBe(100);
  const direct = new CloudWatchClient({ ...clientConfig(env.moto.endpoint), maxAttempts: 1 });
  await expect(direct.send(new PutMetricDataCommand({ Namespace: 'Custom/Big', MetricData: data }))).rejects.toBeDefined();
  direct.destroy();
});

test('throttling once is retried away by the SDK; "always" surfaces ThrottlingException', async () => {
  const handle = env.sim.injectFault({ service: 'sqs', operation: 'ListQueues', kind: 'throttle', times: 1 });
  await env.aws.sqs.send(new ListQueuesCommand({}));
  expect(handle.hits).toBe(1);

  const oneShot = clients(env.sim.endpoint, { maxAttempts: 1 });
  try {
    env.sim.injectFault({ service: 'dynamodb', operation: 'GetItem', kind: 'throttle', times: 'always' });
    await expect(oneShot.ddb.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' } } }))).rejects.toMatchObject({
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
    });
    env.sim.injectFault({ service: 'sagemaker', operation: 'DescribeEndpoint', kind: 'throttle', times: 'always' });
    await expect(oneShot.sm.send(new (await import('@aws-sdk/client-sagemaker')).DescribeEndpointCommand({ EndpointName: 'x' }))).rejects.toMatchObject({ name: 'ThrottlingException' });
    env.sim.injectFault({ service: 'cloudwatch', operation: '*', kind: 'throttle', times: 1 });
    await expect(oneShot.cw.send(new (await import('@aws-sdk/client-cloudwatch')).DescribeAlarmsCommand({}))).rejects.toMatchObject({ name: 'Throttling' });
  } finally {
    oneShot.destroy();
  }
});

test('5xx faults use each service\'s error shape; timeouts hang until the client gives up', async () => {
  const oneShot = clients(env.sim.endpoint, { maxAttempts: 1, requestTimeoutMs: 300 });
  try {
    env.sim.injectFault({ service: 's3', operation: 'GetObject', kind: '5xx', times: 1 });
    await expect(oneShot.s3.send(new GetObjectCommand({ Bucket: 'b', Key: 'k' }))).rejects.toMatchObject({ name: 'InternalError', $metadata: { httpStatusCode: 500 } });
    env.sim.injectFault({ service: 'sagemaker-runtime', operation: 'InvokeEndpoint', kind: '5xx', times: 1 });
    const { InvokeEndpointCommand } = await import('@aws-sdk/client-sagemaker-runtime');
    await expect(oneShot.runtime.send(new InvokeEndpointCommand({ EndpointName: 'e', Body: Buffer.from('x') }))).rejects.toMatchObject({ name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });
    env.sim.injectFault({ service: 'dynamodb', operation: 'PutItem', kind: '5xx', times: 1 });
    await expect(oneShot.ddb.send(new PutItemCommand({ TableName: 't', Item: { pk: { S: 'a' } } }))).rejects.toMatchObject({ name: 'InternalServerError', $metadata: { httpStatusCode: 500 } });

    env.sim.injectFault({ service: 'sqs', operation: 'CreateQueue', kind: 'timeout', times: 1 });
    await expect(oneShot.sqs.send(new CreateQueueCommand({ QueueName: 'q' }))).rejects.toMatchObject({ name: 'TimeoutError' });
  } finally {
    oneShot.destroy();
  }
});
