import { CloudWatchClient, DeleteAlarmsCommand, DescribeAlarmsCommand, GetMetricStatisticsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import type { AlarmState, MetricAlarmRequest } from '../domain/views';
import type { AwsEnv } from '../runtime/env';
import { traced } from '../runtime/tracing';
import { clientOptions } from './client-options';
import { awsCall } from './translate-error';

/** The CloudWatch calls the canary makes: its alarms, and the traffic its variant served. */
export class CloudWatchAdapter {
  constructor(private readonly client: CloudWatchClient) {}

  /** The alarms of these names that exist, metric and composite, with their state now. */
  async describeAlarms(names: string[]): Promise<AlarmState[]> {
    if (names.length === 0) return [];
    const found: AlarmState[] = [];
    // DescribeAlarms takes at most 100 names per call.
    for (let i = 0; i < names.length; i += 100) {
      const out = await awsCall('DescribeAlarms', () => this.client.send(new DescribeAlarmsCommand({ AlarmNames: names.slice(i, i + 100), AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] })));
      for (const a of [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])]) {
        found.push({ name: a.AlarmName ?? '', state: a.StateValue ?? 'INSUFFICIENT_DATA', reason: a.StateReason ?? null });
      }
    }
    return found;
  }

  async putMetricAlarm(request: MetricAlarmRequest): Promise<void> {
    await awsCall('PutMetricAlarm', () => this.client.send(new PutMetricAlarmCommand(request)));
  }

  /** Deletes alarms by name, 100 a call (CloudWatch's limit); names that do not exist are no error. */
  async deleteAlarms(names: readonly string[]): Promise<void> {
    for (let i = 0; i < names.length; i += 100) {
      const batch = names.slice(i, i + 100);
      await awsCall('DeleteAlarms', () => this.client.send(new DeleteAlarmsCommand({ AlarmNames: batch })));
    }
  }

  /** Sum of a SageMaker variant metric between two instants. */
  async variantMetricSum(metric: string, endpointName: string, variantName: string, start: Date, end: Date): Promise<number> {
    const out = await awsCall('GetMetricStatistics', () =>
      this.client.send(
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
}

export const cloudWatch = (env: AwsEnv): CloudWatchAdapter => new CloudWatchAdapter(traced(new CloudWatchClient(clientOptions(env))));
