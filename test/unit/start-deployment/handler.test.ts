import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateEndpointCommand, DescribeEndpointCommand, SageMakerClient, UpdateEndpointCommand } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../functions/start-deployment/handler';
import { ENDPOINT, RELEASE_ID, existingDeployment, firstDeployment, freezeNow, lambdaContext, releaseState, sdkError, serviceDown, throttled, MANAGED_TAGS } from '../helpers';

const sageMaker = mockClient(SageMakerClient);
const cloudWatch = mockClient(CloudWatchClient);
beforeAll(() => {
  process.env.ENDPOINT_WAIT_SECONDS = '3600';
});
beforeEach(() => freezeNow('2024-05-01T12:02:00.000Z'));
afterEach(() => {
  sageMaker.reset();
  cloudWatch.reset();
  jest.restoreAllMocks();
});

const NOT_FOUND = () => sdkError('ValidationException', 400, `Could not find endpoint "${ENDPOINT}".`);
const onConfig = (config: string) => ({ EndpointName: ENDPOINT, EndpointStatus: 'InService' as const, EndpointConfigName: config, ProductionVariants: [] });
const changes = () => [...sageMaker.commandCalls(CreateEndpointCommand), ...sageMaker.commandCalls(UpdateEndpointCommand)];

describe('StartDeployment handler, first deployment', () => {
  const deployment = firstDeployment();

  it('creates the endpoint on the new config, tagged with the release and as this pipeline\'s, bound to the group', async () => {
    // Prepare
    sageMaker.on(DescribeEndpointCommand).rejects(NOT_FOUND());

    // Act
    const out = await handler({ ...releaseState(), deployment }, lambdaContext());

    // Assess
    // Expected: a fleet is provisioned in about six minutes, so the first look is then.
    expect(out).toEqual({ requestedAt: '2024-05-01T12:02:00.000Z', waitBoundSeconds: 3600, guarded: false, expectedSeconds: 360 });
    expect(sageMaker.commandCalls(CreateEndpointCommand)[0]?.args[0].input).toEqual({
      EndpointName: ENDPOINT,
      EndpointConfigName: deployment.newConfigName,
      Tags: [{ Key: 'sagemaker-release-pipeline:release', Value: RELEASE_ID }, ...MANAGED_TAGS],
    });
  });

  it('does nothing when a retried step finds its own endpoint already there', async () => {
    sageMaker.on(DescribeEndpointCommand).resolves({ ...onConfig(deployment.newConfigName), EndpointStatus: 'Creating' });
    await handler({ ...releaseState(), deployment }, lambdaContext());
    expect(changes()).toHaveLength(0);
  });

  it('refuses an endpoint someone else created meanwhile, changing nothing', async () => {
    // Prepare
    sageMaker.on(DescribeEndpointCommand).resolves(onConfig('someone-elses-config'));

    // Act
    const result = handler({ ...releaseState(), deployment }, lambdaContext());

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'EndpointStateConflict', message: expect.stringContaining('appeared while this release was preparing (config someone-elses-config)') });
    expect(changes()).toHaveLength(0);
  });
});

describe('StartDeployment handler, existing endpoint', () => {
  const deployment = existingDeployment();

  it('moves the endpoint from the previous config to the canary config', async () => {
    // Prepare
    sageMaker.on(DescribeEndpointCommand).resolves(onConfig('live-config'));

    // Act
    const out = await handler({ ...releaseState(), deployment }, lambdaContext());

    // Assess
    expect(sageMaker.commandCalls(UpdateEndpointCommand)[0]?.args[0].input).toEqual({
      EndpointName: ENDPOINT,
      EndpointConfigName: deployment.newConfigName,
      RetainAllVariantProperties: false,
    });
    expect(sageMaker.commandCalls(CreateEndpointCommand)).toHaveLength(0);
    expect(cloudWatch.calls()).toHaveLength(0);
    expect(out).toMatchObject({ waitBoundSeconds: 3600, guarded: false });
  });

  it('does nothing when a retried step finds its own update applied', async () => {
    sageMaker.on(DescribeEndpointCommand).resolves({ ...onConfig(deployment.newConfigName), EndpointStatus: 'Updating' });
    await handler({ ...releaseState(), deployment }, lambdaContext());
    expect(changes()).toHaveLength(0);
  });

  it('refuses an endpoint changed outside the pipeline, changing nothing', async () => {
    // Prepare
    sageMaker.on(DescribeEndpointCommand).resolves(onConfig('hotfix-config'));

    // Act
    const result = handler({ ...releaseState(), deployment }, lambdaContext());

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'EndpointStateConflict', message: expect.stringContaining('is InService on hotfix-config, not InService on live-config') });
    expect(changes()).toHaveLength(0);
  });

  it('refuses an endpoint deleted meanwhile, changing nothing', async () => {
    sageMaker.on(DescribeEndpointCommand).rejects(NOT_FOUND());
    await expect(handler({ ...releaseState(), deployment }, lambdaContext())).rejects.toMatchObject({ name: 'EndpointStateConflict', message: expect.stringContaining('was deleted') });
    expect(changes()).toHaveLength(0);
  });

  it.each([
    ['throttled', 'AwsThrottled', throttled],
    ['down', 'AwsUnavailable', serviceDown],
  ])('reports an UpdateEndpoint that is %s as %s', async (_what, name, error) => {
    sageMaker.on(DescribeEndpointCommand).resolves(onConfig('live-config'));
    sageMaker.on(UpdateEndpointCommand).rejects(error());
    await expect(handler({ ...releaseState(), deployment }, lambdaContext())).rejects.toMatchObject({ name, message: expect.stringContaining('UpdateEndpoint failed') });
  });
});

describe('StartDeployment handler, busy endpoint', () => {
  it.each(['Updating', 'RollingBack', 'SystemUpdating'])('refuses an endpoint %s on the previous config with EndpointStateConflict, changing nothing', async (status) => {
    // Prepare
    sageMaker.on(DescribeEndpointCommand).resolves({ ...onConfig('live-config'), EndpointStatus: status as 'Updating' });

    // Act
    const result = handler({ ...releaseState(), deployment: existingDeployment() }, lambdaContext());

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'EndpointStateConflict', message: expect.stringContaining(`is ${status} on live-config, not InService on live-config`) });
    expect(changes()).toHaveLength(0);
  });
});

describe('StartDeployment handler, native guardrails', () => {
  const NATIVE = { 'deploy.strategy': 'native', 'canary.percent': '20', 'canary.bakeMinutes': '15', 'canary.alarmNames': 'churn-business-kpi' };
  const names = releaseState(NATIVE).plan.names;
  const deployment = existingDeployment({ style: 'native-guardrails', targetVariant: null, liveVariantName: null, newConfigName: names.finalConfig });

  it('creates the SLO alarms on the new variant before it starts the guarded update', async () => {
    // Prepare
    const order: string[] = [];
    sageMaker.on(DescribeEndpointCommand).resolves(onConfig('live-config'));
    cloudWatch.on(PutMetricAlarmCommand).callsFake((input: { AlarmName?: string }) => {
      order.push(`alarm ${input.AlarmName}`);
      return {};
    });
    sageMaker.on(UpdateEndpointCommand).callsFake(() => {
      order.push('update');
      return {};
    });

    // Act
    await handler({ ...releaseState(NATIVE), deployment }, lambdaContext());

    // Assess
    expect(order).toEqual([`alarm ${names.errorRateAlarm}`, `alarm ${names.latencyAlarm}`, 'update']);
    for (const call of cloudWatch.commandCalls(PutMetricAlarmCommand)) {
      expect(call.args[0].input.Dimensions).toEqual([
        { Name: 'EndpointName', Value: ENDPOINT },
        { Name: 'VariantName', Value: deployment.newVariantName },
      ]);
    }
  });

  it('updates with a DeploymentConfig that rolls back on its alarms and canary.alarmNames', async () => {
    // Prepare
    sageMaker.on(DescribeEndpointCommand).resolves(onConfig('live-config'));

    // Act
    const out = await handler({ ...releaseState(NATIVE), deployment }, lambdaContext());

    // Assess
    const update = sageMaker.commandCalls(UpdateEndpointCommand)[0]?.args[0].input;
    expect(update).toMatchObject({ EndpointName: ENDPOINT, EndpointConfigName: names.finalConfig });
    expect(update).not.toHaveProperty('RetainAllVariantProperties');
    expect(update?.DeploymentConfig?.BlueGreenUpdatePolicy?.TrafficRoutingConfiguration).toEqual({
      Type: 'CANARY',
      CanarySize: { Type: 'CAPACITY_PERCENT', Value: 20 },
      WaitIntervalInSeconds: 900,
    });
    expect(update?.DeploymentConfig?.AutoRollbackConfiguration?.Alarms).toEqual([
      { AlarmName: names.errorRateAlarm },
      { AlarmName: names.latencyAlarm },
      { AlarmName: 'churn-business-kpi' },
    ]);
    // Expected: provisioning, then SageMaker's own bake and the wait before it terminates the old fleet.
    expect(out).toEqual({ requestedAt: '2024-05-01T12:02:00.000Z', waitBoundSeconds: 3600 + 900 + 300, guarded: true, expectedSeconds: 360 + 900 + 300 });
  });

  it('starts no update when an alarm cannot be created', async () => {
    sageMaker.on(DescribeEndpointCommand).resolves(onConfig('live-config'));
    cloudWatch.on(PutMetricAlarmCommand).rejects(throttled());
    await expect(handler({ ...releaseState(NATIVE), deployment }, lambdaContext())).rejects.toMatchObject({ name: 'AwsThrottled', message: expect.stringContaining('PutMetricAlarm failed') });
    expect(changes()).toHaveLength(0);
  });

  it('creates no alarm and no second update when a retried step finds its update applied', async () => {
    sageMaker.on(DescribeEndpointCommand).resolves({ ...onConfig(names.finalConfig), EndpointStatus: 'Updating' });
    const out = await handler({ ...releaseState(NATIVE), deployment }, lambdaContext());
    expect(changes()).toHaveLength(0);
    expect(cloudWatch.calls()).toHaveLength(0);
    expect(out.guarded).toBe(true);
  });

  it('a first deployment has nothing to guard: creates the endpoint, no alarms, plain bound', async () => {
    // Prepare
    sageMaker.on(DescribeEndpointCommand).rejects(NOT_FOUND());
    const first = firstDeployment({ style: 'native-guardrails', newConfigName: names.finalConfig });

    // Act
    const out = await handler({ ...releaseState(NATIVE), deployment: first }, lambdaContext());

    // Assess
    expect(out).toEqual({ requestedAt: '2024-05-01T12:02:00.000Z', waitBoundSeconds: 3600, guarded: false, expectedSeconds: 360 });
    expect(sageMaker.commandCalls(CreateEndpointCommand)).toHaveLength(1);
    expect(cloudWatch.calls()).toHaveLength(0);
  });
});

describe('StartDeployment handler, all at once (serverless)', () => {
  it('moves the endpoint to the new config in one plain update, with no alarms and the plain bound', async () => {
    // Prepare
    const state = releaseState({ 'deploy.mode': 'serverless' });
    const deployment = existingDeployment({ style: 'all-at-once', targetVariant: null, liveVariantName: null, newConfigName: state.plan.names.finalConfig });
    sageMaker.on(DescribeEndpointCommand).resolves(onConfig('live-config'));

    // Act
    const out = await handler({ ...state, deployment }, lambdaContext());

    // Assess
    expect(sageMaker.commandCalls(UpdateEndpointCommand)[0]?.args[0].input).toEqual({
      EndpointName: ENDPOINT,
      EndpointConfigName: state.plan.names.finalConfig,
      RetainAllVariantProperties: false,
    });
    expect(cloudWatch.calls()).toHaveLength(0);
    expect(out).toEqual({ requestedAt: '2024-05-01T12:02:00.000Z', waitBoundSeconds: 3600, guarded: false, expectedSeconds: 150 });
  });
});

describe('StartDeployment handler, bad input', () => {
  it('refuses a state without the deployment slice and makes no AWS call', async () => {
    await expect(handler(releaseState(), lambdaContext())).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('deployment') });
    expect(sageMaker.calls()).toHaveLength(0);
  });
});

describe('StartDeployment handler, environment', () => {
  it('fails with InvalidConfiguration, changing nothing, when ENDPOINT_WAIT_SECONDS is missing', async () => {
    // Prepare: a fresh copy of the module, whose env is validated on its first call
    const saved = process.env.ENDPOINT_WAIT_SECONDS;
    delete process.env.ENDPOINT_WAIT_SECONDS;
    let isolated: typeof handler | undefined;
    jest.isolateModules(() => {
      isolated = (require('../../../functions/start-deployment/handler') as { handler: typeof handler }).handler;
    });

    try {
      // Act
      const result = isolated?.({ ...releaseState(), deployment: existingDeployment() }, lambdaContext());

      // Assess
      await expect(result).rejects.toMatchObject({ name: 'InvalidConfiguration', message: expect.stringContaining('ENDPOINT_WAIT_SECONDS') });
      expect(sageMaker.calls()).toHaveLength(0);
    } finally {
      process.env.ENDPOINT_WAIT_SECONDS = saved;
    }
  });
});
