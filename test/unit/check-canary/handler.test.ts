import { CloudWatchClient, DescribeAlarmsCommand, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeEndpointCommand, DescribeModelPackageCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../functions/check-canary/handler';
import { ENDPOINT, existingDeployment, freezeNow, lambdaContext, releaseState, serviceDown, throttled, packageWithApproval } from '../helpers';

const cloudWatch = mockClient(CloudWatchClient);
const sageMaker = mockClient(SageMakerClient);
/** The package as the registry has it now. */
const registryHas = (ModelApprovalStatus: 'Approved' | 'Rejected' | 'PendingManualApproval') =>
  sageMaker.on(DescribeModelPackageCommand).resolves(packageWithApproval(ModelApprovalStatus));
/** The endpoint as the release set it: its canary config, 90/10. */
const endpointHas = (split: [number, number], EndpointConfigName = deployment.newConfigName) =>
  sageMaker.on(DescribeEndpointCommand).resolves({ EndpointName: ENDPOINT, EndpointStatus: 'InService', EndpointConfigName, ProductionVariants: [{ VariantName: 'v6-old', CurrentWeight: split[0], DesiredWeight: split[0] }, { VariantName: deployment.newVariantName, CurrentWeight: split[1], DesiredWeight: split[1] }] });
beforeEach(() => {
  registryHas('Approved');
  endpointHas([0.9, 0.1]);
});
afterEach(() => {
  cloudWatch.reset();
  sageMaker.reset();
  jest.restoreAllMocks();
});

const deployment = existingDeployment();
const ALARMS = ['churn-error-rate', 'churn-latency-p99'];
const canary = { alarmNames: ALARMS, weights: [{ name: 'v6-old', weight: 90 }, { name: existingDeployment().newVariantName, weight: 10 }], startedAt: '2024-05-01T12:20:00.000Z', bakeUntil: '2024-05-01T12:50:00.000Z' };
const state = (settings: Record<string, string> = { 'canary.minInvocations': '100' }) => ({ ...releaseState(settings), deployment, canary });
const alarmsIn = (...states: string[]) => ({ MetricAlarms: ALARMS.map((AlarmName, i) => ({ AlarmName, StateValue: (states[i] ?? 'OK') as 'OK' | 'ALARM', StateReason: `reason ${i}` })) });

describe('CheckCanary handler', () => {
  it('keeps baking before bakeUntil, without counting invocations', async () => {
    // Prepare
    freezeNow('2024-05-01T12:30:00.000Z');
    cloudWatch.on(DescribeAlarmsCommand).resolves(alarmsIn('OK', 'OK'));

    // Act
    const out = await handler(state(), lambdaContext());

    // Assess
    expect(out).toMatchObject({ verdict: 'baking', invocations: null, checkedAt: '2024-05-01T12:30:00.000Z' });
    expect(cloudWatch.commandCalls(GetMetricStatisticsCommand)).toHaveLength(0);
  });

  it.each(['Rejected', 'PendingManualApproval'] as const)('rolls back a healthy canary whose package is %s in the registry now (the registry has the last word)', async (status) => {
    freezeNow('2024-05-01T12:30:00.000Z');
    cloudWatch.on(DescribeAlarmsCommand).resolves(alarmsIn('OK', 'OK'));
    registryHas(status);
    await expect(handler(state(), lambdaContext())).resolves.toMatchObject({ verdict: 'revoked', reason: expect.stringContaining(`the package is ${status} in the model registry now`) });
  });

  it.each([
    ['drained the canary', () => endpointHas([1, 0]), /the traffic split is v6-old 100%, .* 0%, not v6-old 90%, .* 10% that this release set/],
    ['put a hotfix config on it', () => endpointHas([0.9, 0.1], 'hotfix'), /the endpoint runs config hotfix, not .* that this release set/],
  ])('stops changing an endpoint an operator %s, even with an alarm firing (drifted)', async (_what, change, found) => {
    freezeNow('2024-05-01T12:30:00.000Z');
    cloudWatch.on(DescribeAlarmsCommand).resolves(alarmsIn('ALARM', 'OK'));
    change();
    await expect(handler(state(), lambdaContext())).resolves.toMatchObject({ verdict: 'drifted', reason: expect.stringMatching(found) });
  });

  it('stops at once on an alarm in ALARM', async () => {
    freezeNow('2024-05-01T12:30:00.000Z');
    cloudWatch.on(DescribeAlarmsCommand).resolves(alarmsIn('OK', 'ALARM'));
    await expect(handler(state(), lambdaContext())).resolves.toMatchObject({ verdict: 'alarm', reason: 'alarm churn-latency-p99 is in ALARM (reason 1)' });
  });

  it('treats an alarm deleted during the bake as firing', async () => {
    freezeNow('2024-05-01T12:30:00.000Z');
    cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'churn-error-rate', StateValue: 'OK' }] });
    await expect(handler(state(), lambdaContext())).resolves.toMatchObject({ verdict: 'alarm', reason: 'alarm churn-latency-p99 no longer exists' });
  });

  it('finds a composite alarm among the watched ones', async () => {
    freezeNow('2024-05-01T12:30:00.000Z');
    cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'churn-error-rate', StateValue: 'OK' }], CompositeAlarms: [{ AlarmName: 'churn-latency-p99', StateValue: 'ALARM' }] });
    await expect(handler(state(), lambdaContext())).resolves.toMatchObject({ verdict: 'alarm' });
  });

  it('after the bake, counts the new variant’s invocations since the canary started and judges healthy', async () => {
    // Prepare
    const now = freezeNow('2024-05-01T12:50:00.000Z');
    cloudWatch.on(DescribeAlarmsCommand).resolves(alarmsIn('OK', 'OK'));
    cloudWatch.on(GetMetricStatisticsCommand).resolves({ Datapoints: [{ Sum: 60 }, { Sum: 45 }, {}] });

    // Act
    const out = await handler(state(), lambdaContext());

    // Assess
    expect(out).toMatchObject({ verdict: 'healthy', invocations: 105 });
    const query = cloudWatch.commandCalls(GetMetricStatisticsCommand)[0]?.args[0].input;
    expect(query).toMatchObject({
      Namespace: 'AWS/SageMaker',
      MetricName: 'Invocations',
      Dimensions: [
        { Name: 'EndpointName', Value: ENDPOINT },
        { Name: 'VariantName', Value: deployment.newVariantName },
      ],
      Statistics: ['Sum'],
    });
    expect(query?.StartTime).toEqual(new Date(Date.parse(canary.startedAt)));
    expect(query?.EndTime).toEqual(new Date(now));
  });

  it('after the bake with too little traffic, asks for a rollback', async () => {
    freezeNow('2024-05-01T12:51:00.000Z');
    cloudWatch.on(DescribeAlarmsCommand).resolves(alarmsIn('OK', 'OK'));
    cloudWatch.on(GetMetricStatisticsCommand).resolves({ Datapoints: [] });
    await expect(handler(state(), lambdaContext())).resolves.toMatchObject({ verdict: 'insufficient-traffic', invocations: 0 });
  });

  it('after the bake with too little traffic and insufficientTraffic=promote, promotes', async () => {
    freezeNow('2024-05-01T12:51:00.000Z');
    cloudWatch.on(DescribeAlarmsCommand).resolves(alarmsIn('OK', 'OK'));
    cloudWatch.on(GetMetricStatisticsCommand).resolves({ Datapoints: [{ Sum: 3 }] });
    await expect(handler(state({ 'canary.minInvocations': '100', 'canary.insufficientTraffic': 'promote' }), lambdaContext())).resolves.toMatchObject({ verdict: 'healthy' });
  });

  it('throws throttling for the state machine to retry', async () => {
    freezeNow('2024-05-01T12:30:00.000Z');
    cloudWatch.on(DescribeAlarmsCommand).rejects(throttled());
    await expect(handler(state(), lambdaContext())).rejects.toMatchObject({ name: 'AwsThrottled', message: expect.stringContaining('DescribeAlarms failed') });
  });

  it('throws a 5xx from the invocation count as AwsUnavailable', async () => {
    freezeNow('2024-05-01T12:51:00.000Z');
    cloudWatch.on(DescribeAlarmsCommand).resolves(alarmsIn('OK', 'OK'));
    cloudWatch.on(GetMetricStatisticsCommand).rejects(serviceDown());
    await expect(handler(state(), lambdaContext())).rejects.toMatchObject({ name: 'AwsUnavailable', message: expect.stringContaining('GetMetricStatistics failed') });
  });

  it('refuses input without the canary slice and calls nothing', async () => {
    await expect(handler({ ...releaseState(), deployment }, lambdaContext())).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('canary') });
    expect(cloudWatch.calls()).toHaveLength(0);
  });
});
