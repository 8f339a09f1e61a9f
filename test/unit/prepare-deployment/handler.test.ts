import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  ListTagsCommand,
  SageMakerClient,
  type DescribeEndpointCommandOutput,
} from '@aws-sdk/client-sagemaker';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../functions/prepare-deployment/handler';
import { ENDPOINT, ENDPOINT_ARN, MANAGED_TAGS, PACKAGE_ARN, RELEASE_ID, ROLE_ARN, freezeNow, lambdaContext, releaseState, sdkError, serviceDown, throttled } from '../helpers';

const sageMaker = mockClient(SageMakerClient);
const cloudWatch = mockClient(CloudWatchClient);
const s3 = mockClient(S3Client);

beforeAll(() => {
  process.env.SAGEMAKER_EXECUTION_ROLE_ARN = ROLE_ARN;
});
beforeEach(() => {
  freezeNow('2024-05-01T12:01:00.000Z');
  sageMaker.on(ListTagsCommand).resolves({ Tags: MANAGED_TAGS });
});
afterEach(() => {
  sageMaker.reset();
  cloudWatch.reset();
  s3.reset();
  jest.restoreAllMocks();
});

const NOT_FOUND = () => sdkError('ValidationException', 400, `Could not find endpoint "${ENDPOINT}".`);

function liveEndpoint(overrides: Partial<DescribeEndpointCommandOutput> = {}): Partial<DescribeEndpointCommandOutput> {
  return {
    EndpointName: ENDPOINT,
    EndpointArn: ENDPOINT_ARN,
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
      style: 'variant-canary',
      targetVariant: null,
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
      style: 'variant-canary',
      targetVariant: state.plan.names.variant,
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

  it('refuses a smoke.payloadsUrl that names no object with InvalidSettings and creates nothing', async () => {
    // Prepare
    sageMaker.on(DescribeEndpointCommand).rejects(NOT_FOUND());
    s3.on(GetObjectCommand).rejects(sdkError('NoSuchKey', 404, 'The specified key does not exist.'));

    // Act
    const result = handler(releaseState({ 'smoke.payloadsUrl': 's3://sagemaker-bucket/smoke/churn.jsonl' }), lambdaContext());

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'InvalidSettings', message: 'smoke.payloadsUrl s3://sagemaker-bucket/smoke/churn.jsonl: no such object' });
    expect(s3.commandCalls(GetObjectCommand)[0]?.args[0].input).toEqual({ Bucket: 'sagemaker-bucket', Key: 'smoke/churn.jsonl' });
    expect(writes()).toHaveLength(0);
  });

  it('refuses a smoke.payloadsUrl its role may not read with InvalidSettings naming the bucket param, and creates nothing', async () => {
    // Prepare
    sageMaker.on(DescribeEndpointCommand).rejects(NOT_FOUND());
    s3.on(GetObjectCommand).rejects(sdkError('AccessDenied', 403, 'Access Denied'));

    // Act
    const result = handler(releaseState({ 'smoke.payloadsUrl': 's3://team-bucket/smoke/churn.jsonl' }), lambdaContext());

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'InvalidSettings', message: expect.stringMatching(/^smoke\.payloadsUrl s3:\/\/team-bucket\/smoke\/churn\.jsonl: access denied; .*smokePayloadLocations/) });
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

  it.each([
    { what: 'made by hand (no pipeline tags)', tags: [], name: 'EndpointNotManaged', message: /was neither created by this pipeline nor adopted .*"action": "adopt"/ },
    { what: 'bound to another group', tags: [{ Key: 'sagemaker-release-pipeline:managed-by', Value: 'sagemaker-release-pipeline-test' }, { Key: 'sagemaker-release-pipeline:model-package-group', Value: 'payments-fraud' }], name: 'EndpointBoundToAnotherGroup', message: /bound to model package group payments-fraud: group churn-model cannot release to it; nothing was changed$/ },
  ])('refuses an endpoint $what with $name and creates nothing', async ({ tags, name, message }) => {
    // Prepare
    sageMaker.on(DescribeEndpointCommand).resolves(liveEndpoint());
    sageMaker.on(DescribeEndpointConfigCommand).resolves(LIVE_CONFIG);
    sageMaker.on(ListTagsCommand).resolves({ Tags: tags });

    // Act
    const result = handler(releaseState(), lambdaContext());

    // Assess
    await expect(result).rejects.toMatchObject({ name, message: expect.stringMatching(message) });
    expect(writes()).toHaveLength(0);
  });

  it('refuses a plan without an endpoint (batch) with InvalidInput and makes no AWS call', async () => {
    await expect(handler(releaseState({ 'workload.online': 'false' }, null), lambdaContext())).rejects.toMatchObject({
      name: 'InvalidInput',
      message: 'PrepareDeployment needs an endpoint; mode batch has none',
    });
    expect(sageMaker.calls()).toHaveLength(0);
    expect(cloudWatch.calls()).toHaveLength(0);
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

  describe('modes that replace the model in one update', () => {
    const SERVERLESS_LIVE = {
      EndpointConfigName: 'live-config',
      ProductionVariants: [{ VariantName: 'v6-old', ModelName: 'churn-model-v6-0000', ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 } }],
    };
    const ASYNC = { 'deploy.mode': 'async', 'async.outputPath': 's3://churn-async/out', 'async.failurePath': 's3://churn-async/failed' };

    it('serverless on a serverless endpoint: one ServerlessConfig variant at full weight, all at once', async () => {
      // Prepare
      sageMaker.on(DescribeEndpointCommand).resolves(liveEndpoint());
      sageMaker.on(DescribeEndpointConfigCommand, { EndpointConfigName: 'live-config' }).resolves(SERVERLESS_LIVE);
      const state = releaseState({ 'deploy.mode': 'serverless', 'serverless.memoryMB': '4096', 'serverless.maxConcurrency': '10' });

      // Act
      const deployment = await handler(state, lambdaContext());

      // Assess
      expect(deployment).toEqual({
        endpointName: ENDPOINT,
        style: 'all-at-once',
        targetVariant: null,
        firstDeployment: false,
        previousConfigName: 'live-config',
        liveVariantName: null,
        newVariantName: state.plan.names.variant,
        newConfigName: state.plan.names.finalConfig,
        modelName: state.plan.names.model,
        startedAt: '2024-05-01T12:01:00.000Z',
      });
      const config = sageMaker.commandCalls(CreateEndpointConfigCommand)[0]?.args[0].input;
      expect(config?.EndpointConfigName).toBe(state.plan.names.finalConfig);
      expect(config?.ProductionVariants).toEqual([
        { VariantName: state.plan.names.variant, ModelName: state.plan.names.model, InitialVariantWeight: 1, ServerlessConfig: { MemorySizeInMB: 4096, MaxConcurrency: 10 } },
      ]);
      expect(config).not.toHaveProperty('AsyncInferenceConfig');
      expect(config).not.toHaveProperty('DataCaptureConfig');
    });

    it('async on an existing endpoint: native guardrails, one variant, AsyncInferenceConfig and the live data capture', async () => {
      // Prepare
      sageMaker.on(DescribeEndpointCommand).resolves(liveEndpoint());
      sageMaker.on(DescribeEndpointConfigCommand, { EndpointConfigName: 'live-config' }).resolves(LIVE_CONFIG);
      const state = releaseState(ASYNC);

      // Act
      const deployment = await handler(state, lambdaContext());

      // Assess
      expect(deployment).toMatchObject({ style: 'async-guardrails', targetVariant: null, firstDeployment: false, previousConfigName: 'live-config', newConfigName: state.plan.names.finalConfig });
      const config = sageMaker.commandCalls(CreateEndpointConfigCommand)[0]?.args[0].input;
      expect(config?.ProductionVariants).toHaveLength(1);
      // Blue/green guardrails replace the live variant in place: same variant name.
      expect(config?.ProductionVariants?.[0]).toMatchObject({ VariantName: 'v6-old', ModelName: state.plan.names.model, InitialVariantWeight: 1, InstanceType: 'ml.m5.large' });
      expect(deployment.newVariantName).toBe('v6-old');
      expect(config?.AsyncInferenceConfig).toEqual({
        ClientConfig: { MaxConcurrentInvocationsPerInstance: 4 },
        OutputConfig: { S3OutputPath: 's3://churn-async/out', S3FailurePath: 's3://churn-async/failed' },
      });
      expect(config?.DataCaptureConfig).toEqual(LIVE_CONFIG.DataCaptureConfig);
    });

    it('refuses guardrails on an endpoint with two live variants, creating nothing', async () => {
      sageMaker.on(DescribeEndpointCommand).resolves(liveEndpoint());
      sageMaker.on(DescribeEndpointConfigCommand, { EndpointConfigName: 'live-config' }).resolves({
        ...LIVE_CONFIG,
        ProductionVariants: [...(LIVE_CONFIG.ProductionVariants ?? []), { VariantName: 'shadow', ModelName: 'm2', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }],
      });

      await expect(handler(releaseState({ 'deploy.strategy': 'native' }), lambdaContext())).rejects.toMatchObject({ name: 'ModeNotSupported', message: expect.stringMatching(/guardrails replace exactly one/) });

      expect(sageMaker.commandCalls(CreateModelCommand)).toHaveLength(0);
      expect(sageMaker.commandCalls(CreateEndpointConfigCommand)).toHaveLength(0);
    });

    it('a first async deployment also gets its AsyncInferenceConfig', async () => {
      sageMaker.on(DescribeEndpointCommand).rejects(NOT_FOUND());
      const deployment = await handler(releaseState(ASYNC), lambdaContext());
      expect(deployment).toMatchObject({ style: 'async-guardrails', firstDeployment: true, previousConfigName: null, targetVariant: null });
      expect(sageMaker.commandCalls(CreateEndpointConfigCommand)[0]?.args[0].input.AsyncInferenceConfig?.OutputConfig?.S3OutputPath).toBe('s3://churn-async/out');
    });

    it('native real-time on an existing endpoint: one variant for SageMaker’s blue/green, no target variant', async () => {
      // Prepare
      sageMaker.on(DescribeEndpointCommand).resolves(liveEndpoint());
      sageMaker.on(DescribeEndpointConfigCommand, { EndpointConfigName: 'live-config' }).resolves(LIVE_CONFIG);
      const state = releaseState({ 'deploy.strategy': 'native' });

      // Act
      const deployment = await handler(state, lambdaContext());

      // Assess
      expect(deployment).toMatchObject({ style: 'native-guardrails', targetVariant: null, liveVariantName: null, previousConfigName: 'live-config', newConfigName: state.plan.names.finalConfig });
      const config = sageMaker.commandCalls(CreateEndpointConfigCommand)[0]?.args[0].input;
      expect(config?.EndpointConfigName).toBe(state.plan.names.finalConfig);
      expect(config?.ProductionVariants?.map((v) => [v.VariantName, v.ModelName, v.InitialVariantWeight])).toEqual([['v6-old', state.plan.names.model, 1]]);
      expect(config).not.toHaveProperty('AsyncInferenceConfig');
      expect(config?.DataCaptureConfig).toEqual(LIVE_CONFIG.DataCaptureConfig);
    });
  });

  describe('hosting-type switch', () => {
    it('refuses a serverless release onto an instance-based endpoint with ModeNotSupported and creates nothing', async () => {
      // Prepare
      sageMaker.on(DescribeEndpointCommand).resolves(liveEndpoint());
      sageMaker.on(DescribeEndpointConfigCommand, { EndpointConfigName: 'live-config' }).resolves(LIVE_CONFIG);

      // Act
      const result = handler(releaseState({ 'deploy.mode': 'serverless' }), lambdaContext());

      // Assess
      await expect(result).rejects.toMatchObject({
        name: 'ModeNotSupported',
        message: expect.stringMatching(new RegExp(`^Cannot release to ${ENDPOINT}: endpoint ${ENDPOINT} is instance-based and this release is serverless .*; nothing was changed$`)),
      });
      expect(writes()).toHaveLength(0);
    });

    it('refuses a real-time release onto a serverless endpoint with ModeNotSupported and creates nothing', async () => {
      // Prepare
      sageMaker.on(DescribeEndpointCommand).resolves(liveEndpoint());
      sageMaker.on(DescribeEndpointConfigCommand, { EndpointConfigName: 'live-config' }).resolves({
        EndpointConfigName: 'live-config',
        ProductionVariants: [{ VariantName: 'v6-old', ModelName: 'churn-model-v6-0000', ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 } }],
      });

      // Act
      const result = handler(releaseState(), lambdaContext());

      // Assess
      await expect(result).rejects.toMatchObject({ name: 'ModeNotSupported', message: expect.stringContaining('is serverless and this release is instance-based (mode realtime)') });
      expect(writes()).toHaveLength(0);
    });
  });

  it('refuses a multi-model plan (routed elsewhere) with InvalidInput and makes no AWS call', async () => {
    await expect(handler(releaseState({ 'deploy.multiModelGroup': 'shared-mme' }, 'shared-mme'), lambdaContext())).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('cannot release style multi-model-artifact') });
    expect(sageMaker.calls()).toHaveLength(0);
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
