import { DescribeAlarmsCommand, PutMetricAlarmCommand, GetMetricStatisticsCommand, type PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import { cloudWatchClient } from './clients';
import { awsCall } from './translate-error';

export interface AlarmState {
  name: string;
  state: string;
  reason: string | null;
}

export async function describeAlarms(names: string[]): Promise<AlarmState[]> {
  if (names.length === 0) return [];
  const found: AlarmState[] = [];
  // DescribeAlarms takes at most 100 names per call.
  for (let i = 0; i < names.length; i += 100) {
    const out = await awsCall('DescribeAlarms', () =>
      cloudWatchClient().send(new DescribeAlarmsCommand({ AlarmNames: names.slice(i, i + 100), AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] })),
    );
    for (const a of [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])]) {
      found.push({ name: a.AlarmName ?? '', state: a.StateValue ?? 'INSUFFICIENT_DATA', reason: a.StateReason ?? null });
    }
  }
  return found;
}

export async function putMetricAlarm(input: PutMetricAlarmCommandInput): Promise<void> {
  await awsCall('PutMetricAlarm', () => cloudWatchClient().send(new PutMetricAlarmCommand(input)));
}

/** Sum of a SageMaker variant metric between two instants. */
export async function variantMetricSum(metric: string, endpointName: string, variantName: string, start: Date, end: Date): Promise<number> {
  const out = await awsCall('GetMetricStatistics', () =>
    cloudWatchClient().send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/SageMaker',
        MetricName: metric,
        Dimensions: [
          { Name: 'EndpointName', Value: endpointName },
          { Name: 'VariantName', Value: variantName },
        ],
        StartTime: start,
        EndTime: end,
        Period: 60,
        Statistics: ['Sum'],
      }),
    ),
  );
  return (out.Datapoints ?? []).reduce((sum, d) => sum + (d.Sum ?? 0), 0);
}
