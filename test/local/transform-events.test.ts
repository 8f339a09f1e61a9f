import { PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateTransformJobCommand,
  DescribeTransformJobCommand,
  ListTransformJobsCommand,
  StopTransformJobCommand,
  UpdateModelPackageCommand,
  type CreateTransformJobCommandInput,
} from '@aws-sdk/client-sagemaker';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { awsSampleApprovalEvent } from '../fixtures/aws-sample';
import { startSimulator } from '../../local/sagemaker-simulator';
import { clients, registerModel, startLocalAws, unique, until, type LocalAws } from './helpers';

jest.setTimeout(30_000);

let env: LocalAws;

beforeAll(async () => {
  env = await startLocalAws({ speed: 600, approvalEvents: { onCreate: false, onMetadataUpdate: false } });
});

afterAll(async () => {
  await env?.stop();
});

describe('transform jobs', () => {
  let bucket: string;

  beforeAll(async () => {
    bucket = unique('batch');
    await env.aws.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await env.aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'input/a.csv', Body: '1,2\n3,4\n\n5,6\n' }));
    await env.aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'input/sub/b.csv', Body: '7,8\n' }));
  });

  const job = (name: string, modelName: string): CreateTransformJobCommandInput => ({
    TransformJobName: name,
    ModelName: modelName,
    TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${bucket}/input/` } }, ContentType: 'text/csv', SplitType: 'Line' },
    TransformOutput: { S3OutputPath: `s3://${bucket}/output`, AssembleWith: 'Line' },
    TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
  });

  test('runs the model over every record and writes <key>.out', async () => {
    const { modelName, packageArn } = await registerModel(env.aws.sm, unique('grp'));
    env.sim.setBehaviour(packageArn, { latencyMs: { p50: 5, p99: 10 }, errorRate: 0, response: { contentType: 'text/csv', body: '0.7' } });
    const name = unique('job');
    const created = await env.aws.sm.send(new CreateTransformJobCommand(job(name, modelName)));
    expect(created.TransformJobArn).toBe(`arn:aws:sagemaker:us-east-1:123456789012:transform-job/${name}`);
    expect((await env.aws.sm.send(new DescribeTransformJobCommand({ TransformJobName: name }))).TransformJobStatus).toBe('InProgress');

    await expect(env.aws.sm.send(new CreateTransformJobCommand(job(name, modelName)))).rejects.toMatchObject({
      name: 'ResourceInUse',
      message: expect.stringContaining('a job with this name already exists'),
    });

    await env.sim.advance(900);
    const done = await env.aws.sm.send(new DescribeTransformJobCommand({ TransformJobName: name }));
    expect(done.TransformJobStatus).toBe('Completed');
    expect((done.TransformEndTime?.getTime() ?? 0) - (done.TransformStartTime?.getTime() ?? 0)).toBe(420_000);
    const read = async (key: string) => (await env.aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToString();
    expect(await read('output/a.csv.out')).toBe('0.7\n0.7\n0.7\n');
    expect(await read('output/sub/b.csv.out')).toBe('0.7\n');

    const listed = await env.aws.sm.send(new ListTransformJobsCommand({ NameContains: name }));
    expect(listed.TransformJobSummaries?.map((s) => [s.TransformJobName, s.TransformJobStatus])).toEqual([[name, 'Completed']]);
  });

  test('fails with a FailureReason when the model always errors; stop works', async () => {
    const { modelName, packageArn } = await registerModel(env.aws.sm, unique('grp'));
    env.sim.setBehaviour(packageArn, { latencyMs: { p50: 5, p99: 10 }, errorRate: 1, response: { contentType: 'text/csv', body: '' } });
    const failing = unique('job');
    await env.aws.sm.send(new CreateTransformJobCommand(job(failing, modelName)));
    const stopped = unique('job');
    await env.aws.sm.send(new CreateTransformJobCommand(job(stopped, modelName)));
    await env.aws.sm.send(new StopTransformJobCommand({ TransformJobName: stopped }));
    expect((await env.aws.sm.send(new DescribeTransformJobCommand({ TransformJobName: stopped }))).TransformJobStatus).toBe('Stopping');
    await env.sim.advance(900);
    const f = await env.aws.sm.send(new DescribeTransformJobCommand({ TransformJobName: failing }));
    expect(f).toMatchObject({ TransformJobStatus: 'Failed', FailureReason: expect.stringContaining('ClientError') });
    expect((await env.aws.sm.send(new DescribeTransformJobCommand({ TransformJobName: stopped }))).TransformJobStatus).toBe('Stopped');
    await expect(env.aws.sm.send(new DescribeTransformJobCommand({ TransformJobName: 'missing-job' }))).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

describe('model package approval events', () => {
  async function queueWithRule(pattern: object): Promise<string> {
    const q = await env.aws.sqs.send(new CreateQueueCommand({ QueueName: unique('approvals') }));
    const arn = (await env.aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
    const rule = unique('rule');
    await env.aws.events.send(new PutRuleCommand({ Name: rule, EventPattern: JSON.stringify(pattern) }));
    await env.aws.events.send(new PutTargetsCommand({ Rule: rule, Targets: [{ Id: 'q', Arn: arn }] }));
    return q.QueueUrl ?? '';
  }

  async function drain(queueUrl: string, expected: number): Promise<string[]> {
    const bodies: string[] = [];
    await until(async () => {
      const r = await env.aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      bodies.push(...(r.Messages ?? []).map((m) => m.Body ?? ''));
      return bodies.length >= expected;
    }, 5000);
    return bodies;
  }

  const approvedPattern = {
    source: ['aws.sagemaker'],
    'detail-type': ['SageMaker Model Package State Change'],
    detail: { ModelApprovalStatus: ['Approved'] },
  };

  test('an approval reaches SQS through an EventBridge rule on detail.ModelApprovalStatus, shaped like SageMaker sends it', async () => {
    const queueUrl = await queueWithRule(approvedPattern);
    const group = unique('grp');
    const { packageArn } = await registerModel(env.aws.sm, group, { approval: 'PendingManualApproval' });
    await env.aws.sm.send(new UpdateModelPackageCommand({ ModelPackageArn: packageArn, ModelApprovalStatus: 'Rejected' }));
    await env.aws.sm.send(new UpdateModelPackageCommand({ ModelPackageArn: packageArn, ModelApprovalStatus: 'Approved' }));
    const [body] = await drain(queueUrl, 1);
    const event = JSON.parse(body ?? '{}');
    expect(event).toMatchObject({ source: 'aws.sagemaker', 'detail-type': 'SageMaker Model Package State Change', resources: [packageArn] });
    expect(event.detail).toMatchObject({ ModelPackageGroupName: group, ModelPackageVersion: 1, ModelPackageArn: packageArn, ModelApprovalStatus: 'Approved', ModelPackageStatus: 'Completed' });
    // Same keys and timestamp format as the sample in the SageMaker guide.
    const sample = awsSampleApprovalEvent();
    for (const key of ['ModelPackageGroupName', 'ModelPackageVersion', 'ModelPackageArn', 'CreationTime', 'InferenceSpecification', 'ModelPackageStatus', 'ModelPackageStatusDetails', 'CertifyForMarketplace', 'ModelApprovalStatus', 'LastModifiedTime']) {
      expect(sample.detail).toHaveProperty(key);
      expect(event.detail).toHaveProperty(key);
    }
    expect(event.detail.CreationTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // Only the approval matched the rule.
    const more = await env.aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 }));
    expect(more.Messages ?? []).toHaveLength(0);
  });

  test('duplicateEvents sends the same change several times', async () => {
    const clock = env.clock;
    const dup = await startSimulator({ motoEndpoint: env.moto.endpoint, clock, duplicateEvents: 3, approvalEvents: { onCreate: false } });
    const aws = clients(dup.endpoint);
    try {
      const queueUrl = await queueWithRule(approvedPattern);
      const { packageArn } = await registerModel(aws.sm, unique('grp'), { approval: 'PendingManualApproval' });
      await aws.sm.send(new UpdateModelPackageCommand({ ModelPackageArn: packageArn, ModelApprovalStatus: 'Approved' }));
      const bodies = await drain(queueUrl, 3);
      expect(bodies).toHaveLength(3);
      expect(new Set(bodies.map((b) => JSON.parse(b).id)).size).toBe(3);
      // Metadata-only updates of an approved package are sent too (matching the same rule).
      await aws.sm.send(new UpdateModelPackageCommand({ ModelPackageArn: packageArn, CustomerMetadataProperties: { note: 'x' } }));
      expect(await drain(queueUrl, 3)).toHaveLength(3);
    } finally {
      aws.destroy();
      await dup.stop();
    }
  });
});
