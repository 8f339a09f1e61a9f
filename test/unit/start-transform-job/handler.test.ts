import { CreateTransformJobCommand, DescribeTransformJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../functions/start-transform-job/handler';
import { freezeNow, lambdaContext, sdkError, serviceDown, throttled } from '../helpers';
import { DATE, EXECUTION, batchJob, packageArn, resolvedModel } from '../fixtures/batch';

const sageMaker = mockClient(SageMakerClient);
const NOW = '2026-11-23T02:00:05.000Z';
const JOB_NAME = 'churn-scores-20261122';

beforeEach(() => freezeNow(NOW));
afterEach(() => {
  sageMaker.reset();
  jest.restoreAllMocks();
});

const NOT_FOUND = () => sdkError('ValidationException', 400, `Could not find requested job with name ${JOB_NAME}`);
const state = (jobOverrides = {}) => ({ job: batchJob(jobOverrides), date: DATE, execution: EXECUTION, model: resolvedModel(7) });
const existingJob = (status: 'InProgress' | 'Completed' | 'Failed', created = '2026-11-23T01:10:00.000Z') => ({
  TransformJobName: JOB_NAME,
  TransformJobArn: `arn:aws:sagemaker:us-east-1:123456789012:transform-job/${JOB_NAME}`,
  TransformJobStatus: status,
  ModelName: 'churn-model-v6-batch',
  CreationTime: new Date(created),
  TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix' as const, S3Uri: 's3://sagemaker-ml-batch/churn/input/2026-11-22/' } } },
  TransformResources: { InstanceType: 'ml.m5.xlarge' as const, InstanceCount: 1 },
});

describe('StartTransformJob handler', () => {
  it('starts the night’s job with every setting explicit, partitioned by date and tagged', async () => {
    // Prepare
    sageMaker.on(DescribeTransformJobCommand).rejects(NOT_FOUND());
    sageMaker.on(CreateTransformJobCommand).resolves({ TransformJobArn: 'arn:transform' });

    // Act
    const out = await handler(state({ accept: 'text/csv', instanceCount: 2, maxConcurrentTransforms: 4 }), lambdaContext());

    // Assess
    expect(out).toEqual({ jobName: JOB_NAME, reused: false, status: 'InProgress', startedAt: NOW, modelName: 'churn-model-v7-batch' });
    expect(sageMaker.commandCalls(DescribeTransformJobCommand)[0]?.args[0].input).toEqual({ TransformJobName: JOB_NAME });
    expect(sageMaker.commandCalls(CreateTransformJobCommand)[0]?.args[0].input).toEqual({
      TransformJobName: JOB_NAME,
      ModelName: 'churn-model-v7-batch',
      MaxConcurrentTransforms: 4,
      MaxPayloadInMB: 6,
      BatchStrategy: 'MultiRecord',
      ModelClientConfig: { InvocationsTimeoutInSeconds: 600, InvocationsMaxRetries: 1 },
      TransformInput: {
        DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://sagemaker-ml-batch/churn/input/2026-11-22/' } },
        ContentType: 'text/csv',
        SplitType: 'Line',
      },
      TransformOutput: { S3OutputPath: 's3://sagemaker-ml-batch/churn/output/2026-11-22/', Accept: 'text/csv', AssembleWith: 'Line' },
      TransformResources: { InstanceType: 'ml.m5.xlarge', InstanceCount: 2 },
      Tags: [
        { Key: 'sagemaker-release-pipeline:batch-job', Value: 'churn-scores' },
        { Key: 'sagemaker-release-pipeline:batch-date', Value: DATE },
        { Key: 'sagemaker-release-pipeline:model-package', Value: packageArn(7) },
        { Key: 'sagemaker-release-pipeline:execution', Value: EXECUTION.id },
      ],
    });
  });

  it('leaves Accept out when the job does not set it, so SageMaker keeps the model’s default', async () => {
    sageMaker.on(DescribeTransformJobCommand).rejects(NOT_FOUND());
    await handler(state(), lambdaContext());
    expect(sageMaker.commandCalls(CreateTransformJobCommand)[0]?.args[0].input.TransformOutput).toEqual({ S3OutputPath: 's3://sagemaker-ml-batch/churn/output/2026-11-22/', AssembleWith: 'Line' });
  });

  it('passes the job’s model client settings through unchanged', async () => {
    sageMaker.on(DescribeTransformJobCommand).rejects(NOT_FOUND());
    await handler(state({ modelClientTimeoutSeconds: 120, modelClientMaxRetries: 0, batchStrategy: 'SingleRecord', splitType: 'None', assembleWith: 'None' }), lambdaContext());
    const sent = sageMaker.commandCalls(CreateTransformJobCommand)[0]?.args[0].input;
    expect(sent?.ModelClientConfig).toEqual({ InvocationsTimeoutInSeconds: 120, InvocationsMaxRetries: 0 });
    expect(sent).toMatchObject({ BatchStrategy: 'SingleRecord', TransformInput: { SplitType: 'None' }, TransformOutput: { AssembleWith: 'None' } });
  });

  it.each(['InProgress', 'Completed'] as const)('follows the job a re-run of the same night finds (%s), starting nothing', async (status) => {
    // Prepare
    sageMaker.on(DescribeTransformJobCommand).resolves(existingJob(status));

    // Act
    const out = await handler(state(), lambdaContext());

    // Assess
    expect(out).toEqual({ jobName: JOB_NAME, reused: true, status, startedAt: '2026-11-23T01:10:00.000Z', modelName: 'churn-model-v6-batch' });
    expect(sageMaker.commandCalls(CreateTransformJobCommand)).toHaveLength(0);
  });

  it('scores a night whose job Failed again under the next attempt name (-r2)', async () => {
    sageMaker.on(DescribeTransformJobCommand, { TransformJobName: JOB_NAME }).resolves(existingJob('Failed'));
    sageMaker.on(DescribeTransformJobCommand, { TransformJobName: `${JOB_NAME}-r2` }).rejects(NOT_FOUND());
    sageMaker.on(CreateTransformJobCommand).resolves({});

    const out = await handler(state(), lambdaContext());

    expect(out).toMatchObject({ jobName: `${JOB_NAME}-r2`, reused: false, status: 'InProgress' });
    expect(sageMaker.commandCalls(CreateTransformJobCommand)[0]?.args[0].input.TransformJobName).toBe(`${JOB_NAME}-r2`);
  });

  it('stops retrying a night after five failed attempts and reports the last', async () => {
    sageMaker.on(DescribeTransformJobCommand).resolves(existingJob('Failed'));

    const out = await handler(state(), lambdaContext());

    expect(out).toMatchObject({ jobName: `${JOB_NAME}-r5`, reused: true, status: 'Failed' });
    expect(sageMaker.commandCalls(CreateTransformJobCommand)).toHaveLength(0);
  });

  it.each([
    ['ResourceInUse', sdkError('ResourceInUse', 400, `Transform job ${JOB_NAME} is in use`)],
    ['ValidationException "already exists"', sdkError('ValidationException', 400, 'Job name must be unique within an AWS account and region, and a job with this name already exists')],
  ])('treats a concurrent run creating the job first (%s) as reuse', async (_what, raceError) => {
    // Prepare
    sageMaker.on(DescribeTransformJobCommand).rejectsOnce(NOT_FOUND()).resolves(existingJob('InProgress', '2026-11-23T02:00:04.000Z'));
    sageMaker.on(CreateTransformJobCommand).rejects(raceError);

    // Act
    const out = await handler(state(), lambdaContext());

    // Assess
    expect(out).toEqual({ jobName: JOB_NAME, reused: true, status: 'InProgress', startedAt: '2026-11-23T02:00:04.000Z', modelName: 'churn-model-v6-batch' });
    expect(sageMaker.commandCalls(DescribeTransformJobCommand)).toHaveLength(2);
  });

  it('reports the create failure when the "existing" job still cannot be found', async () => {
    sageMaker.on(DescribeTransformJobCommand).rejects(NOT_FOUND());
    sageMaker.on(CreateTransformJobCommand).rejects(sdkError('ResourceInUse', 400, 'in use'));
    await expect(handler(state(), lambdaContext())).rejects.toMatchObject({ name: 'AwsRequestRejected', message: expect.stringContaining('CreateTransformJob failed: ResourceInUse') });
  });

  it('refuses a rejected create (e.g. a missing model) as AwsRequestRejected', async () => {
    sageMaker.on(DescribeTransformJobCommand).rejects(NOT_FOUND());
    sageMaker.on(CreateTransformJobCommand).rejects(sdkError('ValidationException', 400, 'Could not find model "churn-model-v7-batch".'));
    await expect(handler(state(), lambdaContext())).rejects.toMatchObject({ name: 'AwsRequestRejected', message: expect.stringContaining('CreateTransformJob') });
  });

  it.each([
    ['throttled', throttled(), 'AwsThrottled'],
    ['unavailable', serviceDown(), 'AwsUnavailable'],
  ])('lets a %s DescribeTransformJob through for the state machine to retry, starting nothing', async (_what, error, name) => {
    sageMaker.on(DescribeTransformJobCommand).rejects(error);
    await expect(handler(state(), lambdaContext())).rejects.toMatchObject({ name, message: expect.stringContaining('DescribeTransformJob') });
    expect(sageMaker.commandCalls(CreateTransformJobCommand)).toHaveLength(0);
  });

  it.each([
    ['no $.model', { job: batchJob(), date: DATE, execution: EXECUTION }, 'model'],
    ['a date that is not YYYY-MM-DD', { ...state(), date: '22/11/2026' }, 'date'],
    ['a job with an unknown key', { ...state(), job: { ...batchJob(), instances: 3 } }, 'job'],
  ])('refuses %s as InvalidInput before any AWS call', async (_what, input, field) => {
    await expect(handler(input, lambdaContext())).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining(field) });
    expect(sageMaker.calls()).toHaveLength(0);
  });
});
