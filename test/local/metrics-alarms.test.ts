import { DescribeAlarmHistoryCommand, DescribeAlarmsCommand, GetMetricDataCommand, GetMetricStatisticsCommand, PutMetricAlarmCommand, type PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import { CreateEndpointCommand, CreateEndpointConfigCommand, DescribeEndpointCommand } from '@aws-sdk/client-sagemaker';
import { DEFAULT_DURATIONS } from '../../local/sagemaker-simulator';
import { registerModel, startLocalAws, unique, type LocalAws } from './helpers';

jest.setTimeout(30_000);

let env: LocalAws;

beforeAll(async () => {
  env = await startLocalAws({ speed: 600, seed: 11 });
});

afterAll(async () => {
  await env?.stop();
});

async function endpointFor(packageBehaviour: Parameters<LocalAws['sim']['setBehaviour']>[1] | undefined): Promise<string> {
  const { modelName, packageArn } = await registerModel(env.aws.sm, unique('grp'));
  if (packageBehaviour) env.sim.setBehaviour(packageArn, packageBehaviour);
  const cfg = unique('cfg');
  await env.aws.sm.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: cfg,
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: modelName, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }],
    }),
  );
  const name = unique('ep');
  await env.aws.sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: cfg }));
  await env.sim.advance(600);
  expect((await env.aws.sm.send(new DescribeEndpointCommand({ EndpointName: name }))).EndpointStatus).toBe('InService');
  return name;
}

function alarm(name: string, endpoint: string, extra: Partial<PutMetricAlarmCommandInput>): PutMetricAlarmCommandInput {
  return {
    AlarmName: name,
    Namespace: 'AWS/SageMaker',
    Dimensions: [
      { Name: 'EndpointName', Value: endpoint },
      { Name: 'VariantName', Value: 'AllTraffic' },
    ],
    Period: 60,
    EvaluationPeriods: 3,
    DatapointsToAlarm: 2,
    ComparisonOperator: 'GreaterThanThreshold',
    ...extra,
  };
}

async function stateOf(alarmName: string): Promise<string | undefined> {
  const out = await env.aws.cw.send(new DescribeAlarmsCommand({ AlarmNames: [alarmName] }));
  return out.MetricAlarms?.[0]?.StateValue;
}

test('a bad model trips error-rate and p99 latency alarms; a good one stays OK', async () => {
  const good = await endpointFor({ latencyMs: { p50: 20, p99: 50 }, errorRate: 0.001, response: { contentType: 'application/json', body: '{}' } });
  const bad = await endpointFor({ latencyMs: { p50: 400, p99: 2500 }, errorRate: 0.3, response: { contentType: 'application/json', body: '{}' } });
  const alarms: Record<string, string> = {};
  for (const [label, ep] of [['good', good], ['bad', bad]] as const) {
    alarms[`${label}-errors`] = unique(`${label}-errors`);
    alarms[`${label}-p99`] = unique(`${label}-p99`);
    await env.aws.cw.send(new PutMetricAlarmCommand(alarm(alarms[`${label}-errors`] ?? '', ep, { MetricName: 'Invocation5XXErrors', Statistic: 'Average', Threshold: 0.05, TreatMissingData: 'notBreaching' })));
    // ModelLatency is in microseconds: 1 s.
    await env.aws.cw.send(new PutMetricAlarmCommand(alarm(alarms[`${label}-p99`] ?? '', ep, { MetricName: 'ModelLatency', ExtendedStatistic: 'p99', Threshold: 1_000_000 })));
  }
  const start = env.clock.now();
  env.sim.startTraffic({ endpointName: good, requestsPerMinute: 300 });
  env.sim.startTraffic({ endpointName: bad, requestsPerMinute: 300 });
  await env.sim.advance(600);

  expect(await stateOf(alarms['bad-errors'] ?? '')).toBe('ALARM');
  expect(await stateOf(alarms['bad-p99'] ?? '')).toBe('ALARM');
  expect(await stateOf(alarms['good-errors'] ?? '')).toBe('OK');
  expect(await stateOf(alarms['good-p99'] ?? '')).toBe('OK');
  env.sim.stopTraffic();
  // Let the last partial minute finish and reach CloudWatch (the publishing delay), and the 3-period
  // alarms see enough empty minutes to settle.
  await env.sim.advance(240 + DEFAULT_DURATIONS.metricDelaySeconds);

  const history = env.sim.alarmHistory().filter((h) => h.alarmName === alarms['bad-errors']);
  const tripped = history.find((h) => h.newState === 'ALARM');
  expect(tripped?.reason).toMatch(/^Threshold Crossed: \d out of the last 3 datapoints .* were greater than the threshold \(0\.05\)/);
  expect(tripped?.timestamp).toBeGreaterThan(start);
  // Once traffic stopped, notBreaching missing data brought it back to OK.
  expect(history.at(-1)?.newState).toBe('OK');

  // In-memory series for charts.
  const series = env.sim.metrics().find((s) => s.endpointName === bad);
  const full = series?.points.filter((p) => p.invocations >= 290) ?? [];
  expect(full.length).toBeGreaterThanOrEqual(8);
  for (const p of full) {
    expect(p.errorRate).toBeGreaterThan(0.15);
    expect(p.errorRate).toBeLessThan(0.45);
    expect(p.latencyP99Us ?? 0).toBeGreaterThan(p.latencyP50Us ?? 0);
  }
  // The same minutes were written to moto CloudWatch, at virtual timestamps.
  const stats = await env.aws.cw.send(
    new GetMetricStatisticsCommand({
      Namespace: 'AWS/SageMaker',
      MetricName: 'Invocations',
      Dimensions: [
        { Name: 'EndpointName', Value: bad },
        { Name: 'VariantName', Value: 'AllTraffic' },
      ],
      StartTime: new Date(start - 60_000),
      EndTime: new Date(env.clock.now()),
      Period: 60,
      Statistics: ['Sum'],
    }),
  );
  const total = (stats.Datapoints ?? []).reduce((a, d) => a + (d.Sum ?? 0), 0);
  expect(total).toBe(series?.points.reduce((a, p) => a + p.invocations, 0));
  const errors = await env.aws.cw.send(
    new GetMetricStatisticsCommand({
      Namespace: 'AWS/SageMaker',
      MetricName: 'Invocation5XXErrors',
      Dimensions: [
        { Name: 'EndpointName', Value: bad },
        { Name: 'VariantName', Value: 'AllTraffic' },
      ],
      StartTime: new Date(start - 60_000),
      EndTime: new Date(env.clock.now()),
      Period: 3600,
      Statistics: ['Average'],
    }),
  );
  expect(errors.Datapoints?.[0]?.Average).toBeGreaterThan(0.2);
});

test('no traffic: missing data gives INSUFFICIENT_DATA, notBreaching gives OK', async () => {
  const idle = await endpointFor(undefined);
  const missing = unique('missing');
  const notBreaching = unique('not-breaching');
  await env.aws.cw.send(new PutMetricAlarmCommand(alarm(missing, idle, { MetricName: 'Invocation5XXErrors', Statistic: 'Sum', Threshold: 0 })));
  await env.aws.cw.send(new PutMetricAlarmCommand(alarm(notBreaching, idle, { MetricName: 'Invocation5XXErrors', Statistic: 'Sum', Threshold: 0, TreatMissingData: 'notBreaching' })));
  await env.sim.advance(300);
  expect(await stateOf(missing)).toBe('INSUFFICIENT_DATA');
  expect(await stateOf(notBreaching)).toBe('OK');
});

test('same seed, same latencies: runs are reproducible (on the discrete clock, under any load)', async () => {
  const { DiscreteClock } = await import('../../local/clock');
  const { startSimulator } = await import('../../local/sagemaker-simulator');
  const p99s: number[][] = [];
  for (let run = 0; run < 2; run++) {
    const clock = new DiscreteClock({ startMs: Date.UTC(2030, 0, 1) });
    const sim = await startSimulator({ motoEndpoint: env.moto.endpoint, clock, seed: 99 });
    try {
      const { clients } = await import('./helpers');
      const aws = clients(sim.endpoint);
      const { modelName } = await registerModel(aws.sm, unique('grp'));
      const cfg = unique('cfg');
      await aws.sm.send(new CreateEndpointConfigCommand({ EndpointConfigName: cfg, ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: modelName, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }] }));
      const name = `repro-${run}`;
      await aws.sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: cfg }));
      await sim.advance(600);
      sim.startTraffic({ endpointName: name, requestsPerMinute: 100 });
      await sim.advance(300);
      p99s.push(sim.metrics().find((s) => s.endpointName === name)?.points.map((p) => p.latencyP99Us ?? 0) ?? []);
      aws.destroy();
    } finally {
      await sim.stop();
    }
  }
  expect(p99s[0]?.length).toBeGreaterThan(3);
  expect(p99s[0]).toEqual(p99s[1]);
});

describe('CloudWatch timing', () => {
  const DELAY_MS = DEFAULT_DURATIONS.metricDelaySeconds * 1000;
  // Virtual time moves only when the test advances it (at real time in between), so "just after" stays just after.
  beforeAll(() => env.clock.setRate(1));
  afterAll(() => env.clock.setRate(env.clock.speed));
  const latency = (endpoint: string) => ({
    Id: 'p99',
    MetricStat: {
      Metric: { Namespace: 'AWS/SageMaker', MetricName: 'ModelLatency', Dimensions: [{ Name: 'EndpointName', Value: endpoint }, { Name: 'VariantName', Value: 'AllTraffic' }] },
      Period: 60,
      Stat: 'p99',
    },
  });

  test('a minute reaches GetMetricData only the publishing delay after it ends, with percentiles', async () => {
    // Prepare: one minute of traffic, aligned to the minute.
    const ep = await endpointFor({ latencyMs: { p50: 100, p99: 300 }, errorRate: 0, response: { contentType: 'application/json', body: '{}' } });
    await env.sim.advance(60 - (env.clock.now() / 1000) % 60);
    const minuteStart = env.clock.now();
    env.sim.startTraffic({ endpointName: ep, requestsPerMinute: 600 });
    await env.sim.advance(60);
    env.sim.stopTraffic(ep);
    const query = () => env.aws.cw.send(new GetMetricDataCommand({ MetricDataQueries: [latency(ep)], StartTime: new Date(minuteStart - 60_000), EndTime: new Date(minuteStart + 10 * 60_000) }));

    // Act
    const justAfter = await query();
    await env.sim.advance(DEFAULT_DURATIONS.metricDelaySeconds + 5);
    const later = await query();

    // Assess
    expect(justAfter.MetricDataResults?.[0]?.Values).toEqual([]);
    const result = later.MetricDataResults?.[0];
    expect(result?.Timestamps?.map((t) => t.getTime())).toEqual([Math.floor(minuteStart / 60_000) * 60_000]);
    // ModelLatency is in microseconds; the p99 of a 100/300 ms profile.
    expect(result?.Values?.[0]).toBeGreaterThan(150_000);
    expect(result?.StatusCode).toBe('Complete');
  });

  test('an alarm fires on published data only, and DescribeAlarmHistory answers its transitions', async () => {
    // Prepare
    const ep = await endpointFor({ latencyMs: { p50: 20, p99: 50 }, errorRate: 0.5, response: { contentType: 'application/json', body: '{}' } });
    const name = unique('late-errors');
    await env.aws.cw.send(new PutMetricAlarmCommand(alarm(name, ep, { MetricName: 'Invocation5XXErrors', Statistic: 'Average', Threshold: 0.05, EvaluationPeriods: 1, DatapointsToAlarm: 1, TreatMissingData: 'notBreaching' })));
    await env.sim.advance(60 - (env.clock.now() / 1000) % 60 + 1);
    const trafficStart = env.clock.now();
    env.sim.startTraffic({ endpointName: ep, requestsPerMinute: 300 });

    // Act: the first bad minute ends at +1 min; it is visible to the alarm only after the delay.
    await env.sim.advance(60);
    const beforeDelay = await stateOf(name);
    await env.sim.advance(DEFAULT_DURATIONS.metricDelaySeconds);
    const afterDelay = await stateOf(name);
    env.sim.stopTraffic(ep);
    const history = await env.aws.cw.send(new DescribeAlarmHistoryCommand({ AlarmName: name, HistoryItemType: 'StateUpdate' }));

    // Assess
    expect(beforeDelay).not.toBe('ALARM');
    expect(afterDelay).toBe('ALARM');
    const items = history.AlarmHistoryItems ?? [];
    expect(items[0]).toMatchObject({ AlarmName: name, AlarmType: 'MetricAlarm', HistoryItemType: 'StateUpdate', HistorySummary: expect.stringMatching(/ to ALARM$/) });
    expect(items[0]?.Timestamp?.getTime()).toBeGreaterThanOrEqual(trafficStart + 60_000 + DELAY_MS - 60_000);
    expect(JSON.parse(items[0]?.HistoryData ?? '{}')).toMatchObject({ newState: { stateValue: 'ALARM' } });
  });
});
