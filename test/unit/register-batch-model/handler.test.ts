import type { Context } from 'aws-lambda';
import { CreateModelCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { registerBatchModelStep } from '../../../functions/register-batch-model/handler';
import { MANAGED_BY, PACKAGE_ARN, RELEASE_ID, ROLE_ARN, freezeNow, lambdaContext, releaseState, sdkError, throttled, handlerWith } from '../helpers';
import { InMemoryReleaseLedger } from '../fixtures/recording-ledger';

const sageMaker = mockClient(SageMakerClient);
let ledger: InMemoryReleaseLedger;
/** The step with this test's ledger; its other adapters are built as in Lambda. */
const handler = (event: unknown, context: Context) => handlerWith(registerBatchModelStep, { ledger })(event, context);

beforeAll(() => {
  process.env.LEDGER_TABLE = 'release-ledger';
  process.env.SAGEMAKER_EXECUTION_ROLE_ARN = ROLE_ARN;
});
beforeEach(() => {
  ledger = new InMemoryReleaseLedger();
  freezeNow('2024-05-01T12:03:00.000Z');
});
afterEach(() => {
  sageMaker.reset();
  jest.restoreAllMocks();
});

const BATCH = { 'workload.online': 'false' };

describe('RegisterBatchModel handler', () => {
  it('creates the SageMaker model from the package, tagged with the release', async () => {
    // Prepare
    const state = releaseState(BATCH, null);

    // Act
    await handler(state, lambdaContext());

    // Assess
    const model = sageMaker.commandCalls(CreateModelCommand)[0]?.args[0].input;
    expect(model).toEqual({
      ModelName: state.plan.names.model,
      ExecutionRoleArn: ROLE_ARN,
      Containers: [{ ModelPackageName: PACKAGE_ARN }],
      Tags: [
        { Key: 'sagemaker-release-pipeline:release', Value: RELEASE_ID },
        // This deployment's, so CleanUp may delete it once it is neither active nor kept.
        { Key: 'sagemaker-release-pipeline:managed-by', Value: MANAGED_BY },
        { Key: 'sagemaker-release-pipeline:model-package-group', Value: 'churn-model' },
        { Key: 'sagemaker-release-pipeline:model-package', Value: PACKAGE_ARN },
      ],
    });
  });

  it('makes it the active batch model of its group and returns what it recorded', async () => {
    // Prepare
    const state = releaseState(BATCH, null);

    // Act
    const out = await handler(state, lambdaContext());

    // Assess
    const expected = { groupName: 'churn-model', modelPackageArn: PACKAGE_ARN, modelName: state.plan.names.model, releaseId: RELEASE_ID, registeredAt: '2024-05-01T12:03:00.000Z' };
    expect(out).toEqual(expected);
    await expect(ledger.activeBatchModel('churn-model')).resolves.toEqual(expected);
  });

  it('replaces the group’s earlier active batch model', async () => {
    // Prepare
    await ledger.setActiveBatchModel({ groupName: 'churn-model', modelPackageArn: 'arn:old', modelName: 'churn-model-v6-0000', releaseId: '00000000', registeredAt: '2024-04-01T00:00:00.000Z' });

    // Act
    await handler(releaseState(BATCH, null), lambdaContext());

    // Assess
    await expect(ledger.activeBatchModel('churn-model')).resolves.toMatchObject({ modelPackageArn: PACKAGE_ARN, releaseId: RELEASE_ID });
  });

  it('takes "already exists" from a retried create as success and still sets the active model', async () => {
    sageMaker.on(CreateModelCommand).rejects(sdkError('ValidationException', 400, 'Cannot create already existing model "churn-model-v7-a1b2c3d4".'));
    await handler(releaseState(BATCH, null), lambdaContext());
    await expect(ledger.activeBatchModel('churn-model')).resolves.toMatchObject({ releaseId: RELEASE_ID });
  });

  it.each([
    ['a model SageMaker refuses', 'AwsRequestRejected', () => sdkError('ValidationException', 400, 'Could not access model data at s3://models/churn/7')],
    ['throttling', 'AwsThrottled', throttled],
  ])('leaves the active batch model alone on %s (%s)', async (_what, name, error) => {
    // Prepare
    sageMaker.on(CreateModelCommand).rejects(error());

    // Act
    const result = handler(releaseState(BATCH, null), lambdaContext());

    // Assess
    await expect(result).rejects.toMatchObject({ name, message: expect.stringContaining('CreateModel failed') });
    await expect(ledger.activeBatchModel('churn-model')).resolves.toBeNull();
  });

  it('refuses bad input with InvalidInput, creating no model and setting nothing', async () => {
    // Prepare
    const state = releaseState(BATCH, null);
    const broken = { ...state, package: { ...state.package, arn: undefined } };

    // Act
    const result = handler(broken, lambdaContext());

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('package.arn') });
    expect(sageMaker.calls()).toHaveLength(0);
    expect(ledger.batchModels.size).toBe(0);
  });
});
