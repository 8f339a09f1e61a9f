import { sloAlarms } from '../../../../functions/shared/domain/alarms';
import { releasePlan } from '../../helpers';

describe('sloAlarms', () => {
  const plan = releasePlan({ 'slo.latencyP99Ms': '250', 'slo.errorRatePercent': '2.5' });
  const [errorRate, latency] = sloAlarms(plan, 'churn-prod', 'v7-new');

  it('watches only the new variant of the endpoint', () => {
    for (const alarm of [errorRate, latency]) {
      expect(alarm?.Dimensions).toEqual([
        { Name: 'EndpointName', Value: 'churn-prod' },
        { Name: 'VariantName', Value: 'v7-new' },
      ]);
    }
  });

  it('turns the error-rate SLO percent into the Average of Invocation5XXErrors', () => {
    expect(errorRate).toMatchObject({ AlarmName: plan.names.errorRateAlarm, MetricName: 'Invocation5XXErrors', Statistic: 'Average', Threshold: 0.025 });
  });

  it('turns the latency SLO in milliseconds into microseconds of ModelLatency p99', () => {
    expect(latency).toMatchObject({ AlarmName: plan.names.latencyAlarm, MetricName: 'ModelLatency', ExtendedStatistic: 'p99', Threshold: 250_000 });
    expect(latency?.Statistic).toBeUndefined();
  });

  it('needs 2 of 3 breaching minutes and treats missing data as not breaching', () => {
    expect(latency).toMatchObject({ Period: 60, EvaluationPeriods: 3, DatapointsToAlarm: 2, TreatMissingData: 'notBreaching', ComparisonOperator: 'GreaterThanThreshold' });
  });
});
