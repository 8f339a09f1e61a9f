import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeEndpointCommand, DescribeModelPackageCommand, SageMakerClient, UpdateEndpointWeightsAndCapacitiesCommand, type DescribeEndpointCommandOutput, type ModelApprovalStatus } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../functions/start-canary/handler';
import { ENDPOINT, existingDeployment, freezeNow, lambdaContext, releaseState, serviceDown, throttled, packageWithApproval } from '../helpers';

const sageMaker = mockClient(SageMakerClient);
const cloudWatch = mockClient(CloudWatchClient);
/** The package's approval status in the registry now. */
const registryHas = (ModelApprovalStatus: ModelApprovalStatus) =>
  sageMaker.on(DescribeModelPackageCommand).resolves(packageWithApproval(ModelApprovalStatus));
beforeEach(() => {
  freezeNow('2024-05-01T12:20:00.000Z');
  registryHas('Approved');
});
afterEach(() => {
  sageMaker.reset();
  cloudWatch.reset();
  jest.restoreAllMocks();
});

const deployment = existingDeployment();
const SETTINGS = { 'canary.percent': '10', 'canary.bakeMinutes': '30', 'slo.latencyP99Ms': '250', 'slo.errorRatePercent': '1' };

function endpointOnCanaryConfig(overrides: Partial<DescribeEndpointCommandOutput> = {}): Partial<DescribeEndpointCommandOutput> {
  return {
    EndpointName: ENDPOINT,
    EndpointStatus: 'InService',
    EndpointConfigName: deployment.newConfigName,
    ProductionVariants: [
      { VariantName: 'v6-old', CurrentWeight: 1 },
      { VariantName: deployment.newVariantName, CurrentWeight: 0 },
    ],
    ...overrides,
  };
}
const weightChanges = () => sageMaker.commandCalls(UpdateEndpointWeightsAndCapacitiesCommand);

describe('StartCanary handler', () => {
  it('creates both SLO alarms before it moves any traffic', async () => {
    // Prepare
    const order: string[] = [];
    cloudWatch.on(PutMetricAlarmCommand).callsFake((input: { AlarmName?: string }) => {
      order.push(`alarm ${input.AlarmName}`);
      return {};
    });
    sageMaker.on(DescribeEndpointCommand).resolves(endpointOnCanaryConfig());
    sageMaker.on(UpdateEndpointWeightsAndCapacitiesCommand).callsFake(() => {
      order.push('weights');
      return {};
    });
    const state = releaseState(SETTINGS);

    // Act
    await handler({ ...state, deployment }, lambdaContext());

    // Assess
    expect(order).toEqual([`alarm ${state.plan.names.errorRateAlarm}`, `alarm ${state.plan.names.latencyAlarm}`, 'weights']);
  });

  it('sets the alarm thresholds from the SLOs, latency in microseconds, on the new variant', async () => {
    // Prepare
    sageMaker.on(DescribeEndpointCommand).resolves(endpointOnCanaryConfig());
    const state = releaseState(SETTINGS);

    // Act
    await handler({ ...state, deployment }, lambdaContext());

    // Assess
    const alarms = cloudWatch.commandCalls(PutMetricAlarmCommand).map((c) => c.args[0].input);
    expect(alarms.map((a) => [a.MetricName, a.Threshold])).toEqual([
      ['Invocation5XXErrors', 0.01],
      ['ModelLatency', 250_000],
    ]);
    for (const alarm of alarms) expect(alarm.Dimensions).toContainEqual({ Name: 'VariantName', Value: deployment.newVariantName });
  });

  it('gives the new variant canary.percent of the traffic and the live variant the rest', async () => {
    // Prepare
    sageMaker.on(DescribeEndpointCommand).resolves(endpointOnCanaryConfig());

    // Act
    const out = await handler({ ...releaseState(SETTINGS), deployment }, lambdaContext());

    // Assess
    expect(weightChanges()[0]?.args[0].input).toEqual({
      EndpointName: ENDPOINT,
      DesiredWeightsAndCapacities: [
        { VariantName: 'v6-old', DesiredWeight: 90 },
        { VariantName: deployment.newVariantName, DesiredWeight: 10 },
      ],
    });
    expect(out).toMatchObject({
      verdict: 'proceed',
      weights: [
        { name: 'v6-old', weight: 90 },
        { name: deployment.newVariantName, weight: 10 },
      ],
    });
  });

  it('run again after its Lambda timed out, finds its own weight change being applied and sends none', async () => {
    // Prepare: the first attempt's weights are being applied.
    sageMaker.on(DescribeEndpointCommand).resolves(
      endpointOnCanaryConfig({
        EndpointStatus: 'Updating',
        ProductionVariants: [
          { VariantName: 'v6-old', CurrentWeight: 1, DesiredWeight: 90 },
          { VariantName: deployment.newVariantName, CurrentWeight: 0, DesiredWeight: 10 },
        ],
      }),
    );

    // Act
    const out = await handler({ ...releaseState(SETTINGS), deployment }, lambdaContext());

    // Assess
    expect(weightChanges()).toHaveLength(0);
    expect(out).toMatchObject({
      verdict: 'proceed',
      weights: [
        { name: 'v6-old', weight: 90 },
        { name: deployment.newVariantName, weight: 10 },
      ],
    });
  });

  it('returns the alarms to watch (its own and canary.alarmNames) and when the bake ends', async () => {
    // Prepare
    sageMaker.on(DescribeEndpointCommand).resolves(endpointOnCanaryConfig());
    const state = releaseState({ ...SETTINGS, 'canary.alarmNames': 'churn-business-kpi' });

    // Act
    const out = await handler({ ...state, deployment }, lambdaContext());

    // Assess
    expect(out).toMatchObject({
      alarmNames: [state.plan.names.errorRateAlarm, state.plan.names.latencyAlarm, 'churn-business-kpi'],
      startedAt: '2024-05-01T12:20:00.000Z',
      bakeUntil: '2024-05-01T12:50:00.000Z',
    });
  });

  it.each([
    ['throttled', 'AwsThrottled', throttled],
    ['down', 'AwsUnavailable', serviceDown],
  ])('moves no traffic when CloudWatch is %s (%s)', async (_what, name, error) => {
    // Prepare
    cloudWatch.on(PutMetricAlarmCommand).rejects(error());
    sageMaker.on(DescribeEndpointCommand).resolves(endpointOnCanaryConfig());

    // Act
    const result = handler({ ...releaseState(SETTINGS), deployment }, lambdaContext());

    // Assess
    await expect(result).rejects.toMatchObject({ name, message: expect.stringContaining('PutMetricAlarm failed') });
    expect(weightChanges()).toHaveLength(0);
  });

  it('refuses an endpoint still Updating with EndpointStateConflict and moves no traffic', async () => {
    sageMaker.on(DescribeEndpointCommand).resolves(endpointOnCanaryConfig({ EndpointStatus: 'Updating' }));
    await expect(handler({ ...releaseState(SETTINGS), deployment }, lambdaContext())).rejects.toMatchObject({ name: 'EndpointStateConflict' });
    expect(weightChanges()).toHaveLength(0);
  });

  it('sends no canary traffic to an endpoint someone put back on another config since the smoke test: verdict drifted', async () => {
    sageMaker.on(DescribeEndpointCommand).resolves(endpointOnCanaryConfig({ EndpointConfigName: 'live-config' }));
    await expect(handler({ ...releaseState(SETTINGS), deployment }, lambdaContext())).resolves.toEqual({
      verdict: 'drifted',
      reason: expect.stringMatching(/^someone else changed the endpoint before sending canary traffic to the new variant: the endpoint runs config live-config, not .* that this release set; the release stops changing it$/),
    });
    expect(weightChanges()).toHaveLength(0);
  });

  it('sends no canary traffic when the package was rejected during the deploy or smoke test: verdict revoked', async () => {
    sageMaker.on(DescribeEndpointCommand).resolves(endpointOnCanaryConfig());
    registryHas('Rejected');
    await expect(handler({ ...releaseState(SETTINGS), deployment }, lambdaContext())).resolves.toEqual({ verdict: 'revoked', reason: expect.stringContaining('the package is Rejected in the model registry now') });
    expect(weightChanges()).toHaveLength(0);
  });

  describe('all at once (serverless bake)', () => {
    const state = releaseState({ ...SETTINGS, 'deploy.mode': 'serverless' });
    const alone = existingDeployment({ style: 'all-at-once', targetVariant: null, liveVariantName: null, newConfigName: state.plan.names.finalConfig });
    const onFinalConfig = () =>
      endpointOnCanaryConfig({ EndpointConfigName: alone.newConfigName, ProductionVariants: [{ VariantName: alone.newVariantName, CurrentWeight: 1 }] });

    it('creates the SLO alarms on the new variant but changes no weight', async () => {
      // Prepare
      sageMaker.on(DescribeEndpointCommand).resolves(onFinalConfig());

      // Act
      const out = await handler({ ...state, deployment: alone }, lambdaContext());

      // Assess
      expect(weightChanges()).toHaveLength(0);
      const alarms = cloudWatch.commandCalls(PutMetricAlarmCommand).map((c) => c.args[0].input);
      expect(alarms.map((a) => a.AlarmName)).toEqual([state.plan.names.errorRateAlarm, state.plan.names.latencyAlarm]);
      for (const alarm of alarms) expect(alarm.Dimensions).toContainEqual({ Name: 'VariantName', Value: alone.newVariantName });
      expect(out).toEqual({
        verdict: 'proceed',
        alarmNames: [state.plan.names.errorRateAlarm, state.plan.names.latencyAlarm],
        weights: [{ name: alone.newVariantName, weight: 100 }],
        startedAt: '2024-05-01T12:20:00.000Z',
        bakeUntil: '2024-05-01T12:50:00.000Z',
      });
    });

    it('still refuses an endpoint that is not InService on the new config', async () => {
      sageMaker.on(DescribeEndpointCommand).resolves(endpointOnCanaryConfig({ EndpointConfigName: 'live-config' }));
      await expect(handler({ ...state, deployment: alone }, lambdaContext())).rejects.toMatchObject({ name: 'EndpointStateConflict' });
      expect(weightChanges()).toHaveLength(0);
    });
  });

  it('refuses bad input and creates no alarm', async () => {
    await expect(handler({ ...releaseState(SETTINGS), deployment: { ...deployment, newVariantName: undefined } }, lambdaContext())).rejects.toMatchObject({
      name: 'InvalidInput',
      message: expect.stringContaining('deployment.newVariantName'),
    });
    expect(cloudWatch.calls()).toHaveLength(0);
  });
});
