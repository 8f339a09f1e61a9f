import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  SageMakerClient,
  type DescribeEndpointCommandOutput,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../functions/prepare-deployment/handler';
import { ENDPOINT, PACKAGE_ARN, RELEASE_ID, ROLE_ARN, freezeNow, lambdaContext, releaseState, sdkError, serviceDown, throttled } from '../helpers';

const sageMaker = mockClient(SageMakerClient);
const cloudWatch = mockClient(CloudWatchClient);

beforeAll(() => {
  process.env.SAGEMAKER_EXECUTION_ROLE_ARN = ROLE_ARN;
});
beforeEach(() => freezeNow('2024-05-01T12:01:00.000Z'));
afterEach(() => {
  sageMaker.reset();
  cloudWatch.reset();
  jest.restoreAllMocks();
});

const NOT_FOUND = () => sdkError('ValidationException', 400, `Could not find endpoint "${ENDPOINT}".`);

function liveEndpoint(overrides: Partial<DescribeEndpointCommandOutput> = {}): Partial<DescribeEndpointCommandOutput> {
  return {
    EndpointName: ENDPOINT,
    EndpointStatus: 'InService',
    EndpointConfigName: 'live-config',
    ProductionVariants: [{ VariantName: 'v6-old', CurrentWeight: 1, DesiredWeight: 1 }],
    ...overrides,
  };
}
const LIVE_CONFIG = {
  EndpointConfigName: 'live-config',
  ProductionVariants: [{ VariantName: 'v6-old', ModelName: 'churn-model-v6-0000', InstanceType: 'ml.c5.xlarge' as const, InitialInstanceCount: 2, InitialVariantWeight: 1 }],
  DataCaptureConfig: { InitialSamplingPercentage: 10, DestinationS3Uri: 's3://capture/churn', CaptureOptions: [{ CaptureMode: 'Input' as const }] },
};

const writes = () => [...sageMaker.commandCalls(CreateModelCommand), ...sageMaker.commandCalls(CreateEndpointConfigCommand)];

describe('PrepareDeployment handler', () => {
  it('first deployment: creates the model and a config with only the new variant', async () => {
    // Prepare
    sageMaker.on(DescribeEndpointCommand).rejects(NOT_FOUND());
    const state = releaseState();

    // Act
    const deployment = await handler(state, lambdaContext());

    // Assess
    expect(deployment).toEqual({
      endpointName: ENDPOINT,
      firstDeployment: true,
      previousConfigName: null,
      liveVariantName: null,
      newVariantName: state.plan.names.variant,
      newConfigName: state.plan.names.finalConfig,
      modelName: state.plan.names.model,
      startedAt: '2024-05-01T12:01:00.000Z',
    });
    const model = sageMaker.commandCalls(CreateModelCommand)[0]?.args[0].input;
    expect(model).toMatchObject({ ModelName: state.plan.names.model, ExecutionRoleArn: ROLE_ARN, Containers: [{ ModelPackageName: PACKAGE_ARN }] });
    expect(model?.Tags).toContainEqual({ Key: 'sagemaker-release-pipeline:release', Value: RELEASE_ID });
    const config = sageMaker.commandCalls(CreateEndpointConfigCommand)[0]?.args[0].input;
    expect(config?.EndpointConfigName).toBe(state.plan.names.finalConfig);
    expect(config?.ProductionVariants).toEqual([
      { VariantName: state.plan.names.variant, ModelName: state.plan.names.model, InitialVariantWeight: 1, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 },
    ]);
    expect(sageMaker.commandCalls(DescribeEndpointConfigCommand)).toHaveLength(0);
  });

  it('first serverless deployment: the variant is serverless', async () => {
    sageMaker.on(DescribeEndpointCommand).rejects(NOT_FOUND());
    await handler(releaseState({ 'deploy.mode': 'serverless', 'serverless.memoryMB': '4096' }), lambdaContext());
    const variant = sageMaker.commandCalls(CreateEndpointConfigCommand)[0]?.args[0].input.ProductionVariants?.[0];
    expect(variant?.ServerlessConfig).toMatchObject({ MemorySizeInMB: 4096 });
  });

  it('existing endpoint: the canary config holds the live variant as it runs plus the new one at weight 0', async () => {
    // Prepare
    sageMaker.on(DescribeEndpointCommand).resolves(liveEndpoint());
    sageMaker.on(DescribeEndpointConfigCommand, { EndpointConfigName: 'live-config' }).resolves(LIVE_CONFIG);
    const state = releaseState();

    // Act
    const deployment = await handler(state, lambdaContext());

    // Assess
    expect(deployment).toMatchObject({
      firstDeployment: false,
      previousConfigName: 'live-config',
      liveVariantName: 'v6-old',
      newConfigName: state.plan.names.canaryConfig,
    });
    const config = sageMaker.commandCalls(CreateEndpointConfigCommand)[0]?.args[0].input;
    expect(config?.EndpointConfigName).toBe(state.plan.names.canaryConfig);
    expect(config?.ProductionVariants).toEqual([
      { VariantName: 'v6-old', ModelName: 'churn-model-v6-0000', InstanceType: 'ml.c5.xlarge', InitialInstanceCount: 2, InitialVariantWeight: 1 },
      expect.objectContaining({ VariantName: state.plan.names.variant, ModelName: state.plan.names.model, InitialVariantWeight: 0 }),
    ]);
    expect(config?.DataCaptureConfig).toEqual(LIVE_CONFIG.DataCaptureConfig);
  });

  it('existing endpoint split over two variants: no single live variant', async () => {
    // Prepare
    sageMaker.on(DescribeEndpointCommand).resolves(
      liveEndpoint({ ProductionVariants: [{ VariantName: 'v6-old', CurrentWeight: 0.7 }, { VariantName: 'v5-older', CurrentWeight: 0.3 }] }),
    );
    sageMaker.on(DescribeEndpointConfigCommand).resolves({
      ProductionVariants: [...LIVE_CONFIG.ProductionVariants, { VariantName: 'v5-older', ModelName: 'churn-v5', InstanceType: 'ml.c5.xlarge', InitialInstanceCount: 1 }],
    });

    // Act
    const deployment = await handler(releaseState(), lambdaContext());

    // Assess
    expect(deployment.liveVariantName).toBeNull();
    const variants = sageMaker.commandCalls(CreateEndpointConfigCommand)[0]?.args[0].input.ProductionVariants ?? [];
    expect(variants.map((v) => [v.VariantName, v.InitialVariantWeight])).toEqual([
      ['v6-old', 0.7],
      ['v5-older', 0.3],
      [expect.any(String), 0],
    ]);
  });

  it('checks the extra canary.alarmNames exist before creating anything', async () => {
    // Prepare
    cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'churn-business-kpi', StateValue: 'OK' }] });
    sageMaker.on(DescribeEndpointCommand).rejects(NOT_FOUND());

    // Act
    await handler(releaseState({ 'canary.alarmNames': 'churn-business-kpi' }), lambdaContext());

    // Assess
    expect(cloudWatch.commandCalls(DescribeAlarmsCommand)[0]?.args[0].input.AlarmNames).toEqual(['churn-business-kpi']);
    expect(writes()).toHaveLength(2);
  });

  it('refuses a missing canary.alarmNames alarm with InvalidSettings and creates nothing', async () => {
    // Prepare
    cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'churn-business-kpi', StateValue: 'OK' }] });
    sageMaker.on(DescribeEndpointCommand).rejects(NOT_FOUND());

    // Act
    const result = handler(releaseState({ 'canary.alarmNames': 'churn-business-kpi,churn-typo' }), lambdaContext());

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'InvalidSettings', message: 'canary.alarmNames: no CloudWatch alarm named churn-typo' });
    expect(writes()).toHaveLength(0);
  });

  it.each(['Updating', 'Creating', 'RollingBack', 'Failed'])('refuses an endpoint that is %s with EndpointStateConflict and creates nothing', async (status) => {
    // Prepare
    sageMaker.on(DescribeEndpointCommand).resolves(liveEndpoint({ EndpointStatus: status as DescribeEndpointCommandOutput['EndpointStatus'] }));

    // Act
    const result = handler(releaseState(), lambdaContext());

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'EndpointStateConflict', message: expect.stringContaining(`is ${status}, not InService`) });
    expect(writes()).toHaveLength(0);
  });

  it('refuses a plan without an endpoint (batch) and creates nothing', async () => {
    await expect(handler(releaseState({ 'workload.online': 'false' }, null), lambdaContext())).rejects.toMatchObject({ name: 'EndpointStateConflict' });
    expect(sageMaker.calls()).toHaveLength(0);
  });

  it('takes "already exists" from a retried create as success', async () => {
    // Prepare
    sageMaker.on(DescribeEndpointCommand).rejects(NOT_FOUND());
    sageMaker.on(CreateModelCommand).rejects(sdkError('ValidationException', 400, 'Cannot create already existing model "churn-model-v7-a1b2c3d4".'));

    // Act
    const deployment = await handler(releaseState(), lambdaContext());

    // Assess
    expect(deployment.firstDeployment).toBe(true);
    expect(sageMaker.commandCalls(CreateEndpointConfigCommand)).toHaveLength(1);
  });

  it('refuses a create SageMaker rejects for another reason with AwsRequestRejected', async () => {
    sageMaker.on(DescribeEndpointCommand).rejects(NOT_FOUND());
    sageMaker.on(CreateModelCommand).rejects(sdkError('ValidationException', 400, 'Could not access model data at s3://models/churn/7'));
    await expect(handler(releaseState(), lambdaContext())).rejects.toMatchObject({ name: 'AwsRequestRejected', message: expect.stringContaining('CreateModel failed') });
    expect(sageMaker.commandCalls(CreateEndpointConfigCommand)).toHaveLength(0);
  });

  it.each([
    ['throttled', 'AwsThrottled', throttled],
    ['down', 'AwsUnavailable', serviceDown],
  ])('reports SageMaker %s as %s and creates no endpoint config', async (_what, name, error) => {
    sageMaker.on(DescribeEndpointCommand).rejects(NOT_FOUND());
    sageMaker.on(CreateModelCommand).rejects(error());
    await expect(handler(releaseState(), lambdaContext())).rejects.toMatchObject({ name });
    expect(sageMaker.commandCalls(CreateEndpointConfigCommand)).toHaveLength(0);
  });

  it('reports a throttled DescribeEndpoint as AwsThrottled, not as "no endpoint"', async () => {
    sageMaker.on(DescribeEndpointCommand).rejects(throttled());
    await expect(handler(releaseState(), lambdaContext())).rejects.toMatchObject({ name: 'AwsThrottled' });
    expect(writes()).toHaveLength(0);
  });

  it('refuses bad input with InvalidInput and makes no AWS call', async () => {
    // Prepare
    const state = releaseState();
    const broken = { ...state, plan: { ...state.plan, names: { ...state.plan.names, model: 42 } } };

    // Act
    const result = handler(broken, lambdaContext());

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('plan.names.model') });
    expect(sageMaker.calls()).toHaveLength(0);
    expect(cloudWatch.calls()).toHaveLength(0);
  });
});
