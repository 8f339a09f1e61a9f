import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DescribeTransformJobCommand, SageMakerClient, type TransformJobStatus } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../functions/check-transform-job/handler';
import { freezeNow, lambdaContext, sdkError, throttled } from '../helpers';
import { DATE, batchJob } from '../fixtures/batch';

const sageMaker = mockClient(SageMakerClient);
const s3 = mockClient(S3Client);
const JOB_NAME = 'churn-scores-20261122';
const STARTED = '2026-11-23T02:00:00.000Z';
const OUTPUT = 's3://sagemaker-ml-batch/churn/output/2026-11-22/';

beforeAll(() => {
  process.env.BATCH_WAIT_SECONDS = '3600';
});
afterEach(() => {
  sageMaker.reset();
  s3.reset();
  jest.restoreAllMocks();
});

const state = () => ({ job: batchJob(), date: DATE, transform: { jobName: JOB_NAME, reused: false, status: 'InProgress', startedAt: STARTED } });

function jobIs(status: TransformJobStatus, extra: { FailureReason?: string; TransformEndTime?: Date; S3OutputPath?: string } = {}): void {
  sageMaker.on(DescribeTransformJobCommand).resolves({
    TransformJobName: JOB_NAME,
    TransformJobStatus: status,
    ModelName: 'churn-model-v7-batch',
    CreationTime: new Date(STARTED),
    TransformStartTime: new Date('2026-11-23T02:04:00.000Z'),
    ...(extra.TransformEndTime ? { TransformEndTime: extra.TransformEndTime } : {}),
    ...(extra.FailureReason ? { FailureReason: extra.FailureReason } : {}),
    TransformOutput: { S3OutputPath: extra.S3OutputPath ?? OUTPUT },
    TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://sagemaker-ml-batch/churn/input/2026-11-22/' } } },
    TransformResources: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1 },
  });
}

describe('CheckTransformJob handler', () => {
  it('says InProgress within the bound, without looking at S3', async () => {
    // Prepare
    freezeNow('2026-11-23T02:30:00.000Z');
    jobIs('InProgress');

    // Act
    const out = await handler(state(), lambdaContext());

    // Assess
    expect(out).toEqual({
      check: 'InProgress',
      jobStatus: 'InProgress',
      reason: null,
      outputPath: OUTPUT,
      outputObjects: 0,
      durationSeconds: 1800,
      checkedAt: '2026-11-23T02:30:00.000Z',
    });
    expect(s3.calls()).toHaveLength(0);
  });

  it.each(['InProgress', 'Stopping'] as const)('says TimedOut when the job is still %s past BATCH_WAIT_SECONDS', async (status) => {
    // Prepare
    freezeNow('2026-11-23T03:00:01.000Z');
    jobIs(status);

    // Act
    const out = await handler(state(), lambdaContext());

    // Assess
    expect(out).toMatchObject({ check: 'TimedOut', jobStatus: status, reason: `transform job still ${status} after 3601 s (bound 3600 s)`, durationSeconds: 3601 });
  });

  it('says Completed when the job wrote output, counting objects across pages under the output prefix', async () => {
    // Prepare
    freezeNow('2026-11-23T05:00:00.000Z');
    jobIs('Completed', { TransformEndTime: new Date('2026-11-23T02:45:30.000Z') });
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ KeyCount: 1000, IsTruncated: true, NextContinuationToken: 'page-2' })
      .resolvesOnce({ KeyCount: 3, IsTruncated: false });

    // Act
    const out = await handler(state(), lambdaContext());

    // Assess
    expect(out).toMatchObject({ check: 'Completed', jobStatus: 'Completed', reason: null, outputObjects: 1003, durationSeconds: 2730 });
    const calls = s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input);
    expect(calls).toEqual([
      { Bucket: 'sagemaker-ml-batch', Prefix: 'churn/output/2026-11-22/', ContinuationToken: undefined },
      { Bucket: 'sagemaker-ml-batch', Prefix: 'churn/output/2026-11-22/', ContinuationToken: 'page-2' },
    ]);
  });

  it('completes a job that finished after the bound (the result is in, the bound no longer matters)', async () => {
    freezeNow('2026-11-23T09:00:00.000Z');
    jobIs('Completed', { TransformEndTime: new Date('2026-11-23T08:00:00.000Z') });
    s3.on(ListObjectsV2Command).resolves({ KeyCount: 1, Contents: [{ Key: 'churn/output/2026-11-22/part-0.csv.out' }] });
    await expect(handler(state(), lambdaContext())).resolves.toMatchObject({ check: 'Completed', outputObjects: 1 });
  });

  it('fails a Completed job that wrote nothing: an empty night must not pass as scored', async () => {
    // Prepare
    freezeNow('2026-11-23T02:50:00.000Z');
    jobIs('Completed', { TransformEndTime: new Date('2026-11-23T02:45:00.000Z') });
    s3.on(ListObjectsV2Command).resolves({ KeyCount: 0, IsTruncated: false });

    // Act
    const out = await handler(state(), lambdaContext());

    // Assess
    expect(out).toMatchObject({ check: 'Failed', jobStatus: 'Completed', reason: `transform job Completed but wrote no output under ${OUTPUT}`, outputObjects: 0 });
  });

  it('lists under the job’s own output path with a trailing slash, so a sibling prefix is not counted', async () => {
    freezeNow('2026-11-23T02:50:00.000Z');
    jobIs('Completed', { S3OutputPath: 's3://other-bucket/scores/2026-11-22' });
    s3.on(ListObjectsV2Command).resolves({ KeyCount: 2 });
    await handler(state(), lambdaContext());
    expect(s3.commandCalls(ListObjectsV2Command)[0]?.args[0].input).toMatchObject({ Bucket: 'other-bucket', Prefix: 'scores/2026-11-22/' });
  });

  it('fails with SageMaker’s own reason when the job Failed', async () => {
    // Prepare
    freezeNow('2026-11-23T02:20:00.000Z');
    jobIs('Failed', { FailureReason: 'ClientError: See job logs for more information', TransformEndTime: new Date('2026-11-23T02:15:00.000Z') });

    // Act
    const out = await handler(state(), lambdaContext());

    // Assess
    expect(out).toMatchObject({ check: 'Failed', jobStatus: 'Failed', reason: 'transform job Failed: ClientError: See job logs for more information', durationSeconds: 900 });
    expect(s3.calls()).toHaveLength(0);
  });

  it('fails a Stopped job', async () => {
    freezeNow('2026-11-23T02:20:00.000Z');
    jobIs('Stopped');
    await expect(handler(state(), lambdaContext())).resolves.toMatchObject({ check: 'Failed', reason: 'transform job was Stopped before it completed' });
  });

  it('fails when the job is gone', async () => {
    freezeNow('2026-11-23T02:20:00.000Z');
    sageMaker.on(DescribeTransformJobCommand).rejects(sdkError('ValidationException', 400, `Could not find requested job with name ${JOB_NAME}`));
    await expect(handler(state(), lambdaContext())).resolves.toMatchObject({ check: 'Failed', jobStatus: null, reason: 'the transform job does not exist', outputPath: OUTPUT });
  });

  it('lets a throttled describe through for the state machine to retry', async () => {
    sageMaker.on(DescribeTransformJobCommand).rejects(throttled());
    await expect(handler(state(), lambdaContext())).rejects.toMatchObject({ name: 'AwsThrottled' });
  });

  it('refuses to judge output it cannot list: AccessDenied is AwsRequestRejected, not "no output"', async () => {
    freezeNow('2026-11-23T02:50:00.000Z');
    jobIs('Completed');
    s3.on(ListObjectsV2Command).rejects(sdkError('AccessDenied', 403, 'Access Denied'));
    await expect(handler(state(), lambdaContext())).rejects.toMatchObject({ name: 'AwsRequestRejected', message: expect.stringContaining('ListObjectsV2') });
  });

  it.each([
    ['no $.transform', { job: batchJob(), date: DATE }, 'transform'],
    ['a startedAt that is not a time', { ...state(), transform: { jobName: JOB_NAME, startedAt: 'soon' } }, 'transform.startedAt'],
  ])('refuses %s as InvalidInput before any AWS call', async (_what, input, field) => {
    await expect(handler(input, lambdaContext())).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining(field) });
    expect(sageMaker.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });
});
