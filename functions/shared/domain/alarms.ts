import type { ReleasePlan } from './release-plan';
import type { MetricAlarmRequest } from './views';

/**
 * The two SLO alarms every canary variant gets. Both look at the new variant only, so the live
 * variant's health cannot hide (or fake) a problem with the candidate.
 *  - error rate: Invocation5XXErrors is 0/1 per request, so its Average is the 5xx rate.
 *  - latency: ModelLatency is in microseconds; the SLO is in milliseconds.
 * Two of three one-minute periods must breach, so a single slow request cannot fail a release,
 * and missing data is not breaching (too little traffic is judged separately, never silently).
 */
/** The SLO alarms' evaluation: one-minute periods, two of three breaching (see sloAlarms). */
export const SLO_ALARM_PERIOD_SECONDS = 60;
export const SLO_ALARM_DATAPOINTS_TO_ALARM = 2;

/**
 * The earliest an SLO alarm can be in ALARM after the canary's traffic starts: two breaching one-minute
 * datapoints, published at least a minute after their minute ends. Looking before then can find nothing.
 */
export const SLO_ALARM_EARLIEST_SECONDS = SLO_ALARM_DATAPOINTS_TO_ALARM * SLO_ALARM_PERIOD_SECONDS + 60;

export function sloAlarms(plan: ReleasePlan, endpointName: string, variantName: string): MetricAlarmRequest[] {
  const dimensions = [
    { Name: 'EndpointName', Value: endpointName },
    { Name: 'VariantName', Value: variantName },
  ];
  const common = {
    Namespace: 'AWS/SageMaker',
    Dimensions: dimensions,
    Period: SLO_ALARM_PERIOD_SECONDS,
    EvaluationPeriods: 3,
    DatapointsToAlarm: SLO_ALARM_DATAPOINTS_TO_ALARM,
    ComparisonOperator: 'GreaterThanThreshold' as const,
    TreatMissingData: 'notBreaching' as const,
    Tags: [{ Key: 'sagemaker-release-pipeline:release', Value: plan.releaseId }],
  };
  return [
    {
      ...common,
      AlarmName: plan.names.errorRateAlarm,
      AlarmDescription: `5xx error rate of ${variantName} on ${endpointName} above ${plan.settings.slo.errorRatePercent}% (release ${plan.releaseId})`,
      MetricName: 'Invocation5XXErrors',
      Statistic: 'Average' as const,
      Threshold: plan.settings.slo.errorRatePercent / 100,
    },
    {
      ...common,
      AlarmName: plan.names.latencyAlarm,
      AlarmDescription: `p99 model latency of ${variantName} on ${endpointName} above ${plan.settings.slo.latencyP99Ms} ms (release ${plan.releaseId})`,
      MetricName: 'ModelLatency',
      ExtendedStatistic: 'p99',
      Threshold: plan.settings.slo.latencyP99Ms * 1000,
    },
  ];
}

/** Every alarm a canary is judged on: its two SLO alarms, then the user's own (canary.alarmNames). */
export function canaryAlarmNames(plan: ReleasePlan, slo: MetricAlarmRequest[]): string[] {
  return [...slo.map((a) => a.AlarmName), ...plan.settings.canary.alarmNames];
}
