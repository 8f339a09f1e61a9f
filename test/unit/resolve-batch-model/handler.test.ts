import type { Context } from 'aws-lambda';
import { CreateModelCommand, DescribeModelPackageCommand, ListModelPackagesCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { resolveBatchModelStep } from '../../../functions/resolve-batch-model/handler';
import { MemoryLedger } from '../../support/memory-ledger';
import { ROLE_ARN, lambdaContext, sdkError, throttled, handlerWith } from '../helpers';
import { DATE, EXECUTION, GROUP, batchJob, packageArn } from '../fixtures/batch';

const sageMaker = mockClient(SageMakerClient);
let ledger: MemoryLedger;
/** The step with this test's ledger; its other adapters are built as in Lambda. */
const handler = (event: unknown, context: Context) => handlerWith(resolveBatchModelStep, { ledger })(event, context);

beforeAll(() => {
  process.env.LEDGER_TABLE = 'release-ledger';
  process.env.SAGEMAKER_EXECUTION_ROLE_ARN = ROLE_ARN;
});
beforeEach(() => {
  ledger = new MemoryLedger();
  sageMaker.on(CreateModelCommand).resolves({ ModelArn: 'arn:model' });
});
afterEach(() => {
  sageMaker.reset();
});

const state = () => ({ job: batchJob(), date: DATE, execution: EXECUTION });
const LEDGER_MODEL = 'churn-model-v5-a1b2c3d4';

function approvedPackages(...versions: number[]): void {
  sageMaker.on(ListModelPackagesCommand).resolves({ ModelPackageSummaryList: versions.map((v) => ({ ModelPackageArn: packageArn(v), ModelPackageGroupName: GROUP, ModelPackageVersion: v, CreationTime: new Date(), ModelPackageStatus: 'Completed' as const })) });
  for (const v of versions) {
    sageMaker.on(DescribeModelPackageCommand, { ModelPackageName: packageArn(v) }).resolves({
      ModelPackageArn: packageArn(v),
      ModelPackageGroupName: GROUP,
      ModelPackageVersion: v,
      ModelApprovalStatus: 'Approved',
      ModelPackageStatus: 'Completed',
      ModelPackageName: GROUP,
      CreationTime: new Date(),
    });
  }
}

describe('ResolveBatchModel handler', () => {
  it('scores with the group’s active batch model from the ledger, reusing its model name', async () => {
    // Prepare
    await ledger.setActiveBatchModel({ groupName: GROUP, modelPackageArn: packageArn(5), modelName: LEDGER_MODEL, releaseId: 'a1b2c3d4', registeredAt: '2026-11-01T10:00:00.000Z' });
    approvedPackages(9);

    // Act
    const out = await handler(state(), lambdaContext());

    // Assess
    expect(out).toEqual({ modelName: LEDGER_MODEL, modelPackageArn: packageArn(5), version: 5, source: 'ledger' });
    expect(sageMaker.commandCalls(ListModelPackagesCommand)).toHaveLength(0);
    expect(sageMaker.commandCalls(CreateModelCommand)[0]?.args[0].input).toMatchObject({
      ModelName: LEDGER_MODEL,
      ExecutionRoleArn: ROLE_ARN,
      Containers: [{ ModelPackageName: packageArn(5) }],
    });
  });

  it('accepts the ledger’s model already existing (the usual case)', async () => {
    // Prepare
    await ledger.setActiveBatchModel({ groupName: GROUP, modelPackageArn: packageArn(5), modelName: LEDGER_MODEL, releaseId: 'a1b2c3d4', registeredAt: '2026-11-01T10:00:00.000Z' });
    sageMaker.on(CreateModelCommand).rejects(sdkError('ValidationException', 400, `Cannot create already existing model "${LEDGER_MODEL}".`));

    // Act
    const out = await handler(state(), lambdaContext());

    // Assess
    expect(out).toMatchObject({ modelName: LEDGER_MODEL, source: 'ledger' });
  });

  it('falls back to the newest Approved package of the group, creating its batch model', async () => {
    // Prepare
    approvedPackages(9);

    // Act
    const out = await handler(state(), lambdaContext());

    // Assess
    expect(out).toEqual({ modelName: 'churn-model-v9-batch', modelPackageArn: packageArn(9), version: 9, source: 'latest-approved' });
    expect(sageMaker.commandCalls(ListModelPackagesCommand)[0]?.args[0].input).toEqual({
      ModelPackageGroupName: GROUP,
      ModelApprovalStatus: 'Approved',
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 10,
    });
    expect(sageMaker.commandCalls(DescribeModelPackageCommand)[0]?.args[0].input).toEqual({ ModelPackageName: packageArn(9) });
    expect(sageMaker.commandCalls(CreateModelCommand)[0]?.args[0].input).toEqual({
      ModelName: 'churn-model-v9-batch',
      ExecutionRoleArn: ROLE_ARN,
      Containers: [{ ModelPackageName: packageArn(9) }],
      Tags: [
        { Key: 'sagemaker-release-pipeline:model-package', Value: packageArn(9) },
        { Key: 'sagemaker-release-pipeline:batch-group', Value: GROUP },
      ],
    });
  });

  it('never scores with a newest Approved package the ledger says was rolled back, or is still in flight: the next one it does not', async () => {
    // Prepare: v9 was rolled back by its canary, v10 is being released now; v8 serves.
    approvedPackages(10, 9, 8);
    ledger.claims.set(packageArn(10), { releaseId: 'r10', status: 'IN_PROGRESS' });
    ledger.claims.set(packageArn(9), { releaseId: 'r9', status: 'ROLLED_BACK' });
    ledger.claims.set(packageArn(8), { releaseId: 'r8', status: 'PROMOTED' });

    // Act
    const out = await handler(state(), lambdaContext());

    // Assess
    expect(out).toMatchObject({ modelPackageArn: packageArn(8), version: 8, source: 'latest-approved' });
  });

  it('uses the batch model a previous night created for the same version (create is idempotent)', async () => {
    // Prepare
    approvedPackages(9);
    sageMaker.on(CreateModelCommand).rejects(sdkError('ValidationException', 400, 'Cannot create already existing model "churn-model-v9-batch".'));

    // Act
    const out = await handler(state(), lambdaContext());

    // Assess
    expect(out.modelName).toBe('churn-model-v9-batch');
  });

  it('fails with NoApprovedModel when the group has neither a ledger model nor an Approved package', async () => {
    // Prepare
    approvedPackages();

    // Act
    const result = handler(state(), lambdaContext());

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'NoApprovedModel', message: expect.stringContaining(`model package group ${GROUP} has no model in the ledger`) });
    expect(sageMaker.commandCalls(CreateModelCommand)).toHaveLength(0);
  });

  it('treats a group that does not exist as one without an Approved package', async () => {
    sageMaker.on(ListModelPackagesCommand).rejects(sdkError('ValidationException', 400, `Model Package Group ${GROUP} does not exist.`));
    await expect(handler(state(), lambdaContext())).rejects.toMatchObject({ name: 'NoApprovedModel' });
  });

  it('lets throttling through as AwsThrottled for the state machine to retry', async () => {
    sageMaker.on(ListModelPackagesCommand).rejects(throttled());
    await expect(handler(state(), lambdaContext())).rejects.toMatchObject({ name: 'AwsThrottled', message: expect.stringContaining('ListModelPackages') });
  });

  it('fails loudly when the model cannot be created', async () => {
    approvedPackages(9);
    sageMaker.on(CreateModelCommand).rejects(sdkError('ValidationException', 400, 'Could not access model data at s3://models/churn/9/model.tar.gz'));
    await expect(handler(state(), lambdaContext())).rejects.toMatchObject({ name: 'AwsRequestRejected', message: expect.stringContaining('CreateModel') });
  });

  it('refuses a malformed job as InvalidInput before any AWS call', async () => {
    // Act
    const result = handler({ job: { ...batchJob(), modelPackageGroupName: 'bad group!' }, date: DATE }, lambdaContext());

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('job.modelPackageGroupName') });
    expect(sageMaker.calls()).toHaveLength(0);
  });
});
