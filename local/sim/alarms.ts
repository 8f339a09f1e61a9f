import { DescribeAlarmsCommand, SetAlarmStateCommand, type MetricAlarm, type StateValue } from '@aws-sdk/client-cloudwatch';
import { timestampMs } from './json';
import { NAMESPACE, statistic, type MetricsStore } from './metrics';
import type { MotoApi } from './moto-api';

export interface AlarmStateChange {
  alarmName: string;
  /** Virtual epoch ms. */
  timestamp: number;
  oldState: StateValue | undefined;
  newState: StateValue;
  reason: string;
}

interface Target {
  namespace: string;
  metricName: string;
  endpointName: string;
  variantName: string;
  period: number;
  statistic: string;
}

/** The single metric an alarm watches, if it is one we can compute: AWS/SageMaker, EndpointName+VariantName. */
function targetOf(alarm: MetricAlarm): Target | undefined {
  let namespace = alarm.Namespace;
  let metricName = alarm.MetricName;
  let dimensions = alarm.Dimensions ?? [];
  let period = alarm.Period;
  let statistic = alarm.ExtendedStatistic ?? alarm.Statistic;
  if (!metricName && alarm.Metrics?.length) {
    // Metric-math alarms: only the trivial single-MetricStat form is simulated.
    const stats = alarm.Metrics.filter((m) => m.MetricStat);
    if (stats.length !== 1 || alarm.Metrics.some((m) => m.Expression)) return undefined;
    const ms = stats[0]?.MetricStat;
    namespace = ms?.Metric?.Namespace;
    metricName = ms?.Metric?.MetricName;
    dimensions = ms?.Metric?.Dimensions ?? [];
    period = ms?.Period;
    statistic = ms?.Stat;
  }
  if (namespace !== NAMESPACE || !metricName || !period || !statistic) return undefined;
  // CloudWatch matches the exact dimension set; SageMaker publishes exactly these two.
  if (dimensions.length !== 2) return undefined;
  const endpointName = dimensions.find((d) => d.Name === 'EndpointName')?.Value;
  const variantName = dimensions.find((d) => d.Name === 'VariantName')?.Value;
  if (!endpointName || !variantName) return undefined;
  return { namespace, metricName, endpointName, variantName, period, statistic };
}


function breaches(value: number, threshold: number, op: string | undefined): boolean {
  switch (op) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
    default:
      return false;
  }
}

const OP_WORDS: Record<string, string> = {
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  GreaterThanThreshold: 'greater than',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

function stamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${String(d.getUTCFullYear()).slice(2)} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:00`;
}

/**
 * CloudWatch alarm evaluation over the simulator's own metrics, once per virtual
 * minute: M out of N periods, TreatMissingData, percentiles. States live in moto
 * (SetAlarmState) so anything reading alarms there sees them.
 */
export class AlarmEvaluator {
  private readonly history: AlarmStateChange[] = [];
  private states = new Map<string, StateValue>();

  constructor(
    private readonly moto: MotoApi,
    private readonly metrics: MetricsStore,
    /** Metrics reach CloudWatch this long after their minute ends; alarms see only what has arrived. */
    private readonly metricDelayMs = 0,
  ) {}

  private definitions: MetricAlarm[] = [];

  /**
   * Re-reads alarm definitions and states from moto. Done once per simulation run
   * rather than per minute, so a jump of hours costs one call; it also picks up
   * states set by hand with SetAlarmState.
   */
  async refresh(now: number): Promise<void> {
    const alarms: MetricAlarm[] = [];
    let token: string | undefined;
    do {
      const page = await this.moto.cloudwatch.send(new DescribeAlarmsCommand({ AlarmTypes: ['MetricAlarm'], NextToken: token }));
      alarms.push(...(page.MetricAlarms ?? []));
      token = page.NextToken;
    } while (token);
    const states = new Map<string, StateValue>();
    for (const alarm of alarms) {
      if (!alarm.AlarmName || !alarm.StateValue) continue;
      const before = this.states.get(alarm.AlarmName);
      if (before !== undefined && before !== alarm.StateValue) {
        // Someone set it by hand (SetAlarmState); keep it on the timeline too.
        this.history.push({ alarmName: alarm.AlarmName, timestamp: now, oldState: before, newState: alarm.StateValue, reason: alarm.StateReason ?? '' });
      }
      states.set(alarm.AlarmName, alarm.StateValue);
    }
    this.definitions = alarms;
    this.states = states;
  }

  /** Evaluates every simulated alarm at the minute boundary `now`; state changes go to moto. */
  async evaluate(now: number): Promise<void> {
    for (const alarm of this.definitions) {
      const name = alarm.AlarmName;
      if (!name) continue;
      const target = targetOf(alarm);
      if (!target) continue;
      const current = this.states.get(name);
      const verdict = this.judge(alarm, target, now);
      if (!verdict || verdict.state === current) continue;
      await this.moto.cloudwatch.send(
        new SetAlarmStateCommand({ AlarmName: name, StateValue: verdict.state, StateReason: verdict.reason, StateReasonData: verdict.reasonData }),
      );
      this.history.push({ alarmName: name, timestamp: now, oldState: current, newState: verdict.state, reason: verdict.reason });
      this.states.set(name, verdict.state);
    }
  }

  private judge(alarm: MetricAlarm, t: Target, now: number): { state: StateValue; reason: string; reasonData: string } | undefined {
    const periodMs = t.period * 1000;
    const n = Math.max(1, alarm.EvaluationPeriods ?? 1);
    const m = Math.max(1, Math.min(n, alarm.DatapointsToAlarm ?? n));
    const threshold = alarm.Threshold ?? 0;
    const treat = alarm.TreatMissingData ?? 'missing';
    // Only whole periods that have ended and whose data has arrived: the newest ends at the last period
    // boundary at or before now minus the publishing delay.
    const lastEnd = Math.floor((now - this.metricDelayMs) / periodMs) * periodMs;
    const points: { start: number; value: number | undefined }[] = [];
    for (let i = 0; i < n; i++) {
      const end = lastEnd - i * periodMs;
      const start = end - periodMs;
      const values = this.metrics.stats(t.metricName, t.endpointName, t.variantName, start, end);
      points.push({ start, value: values ? statistic(values, t.statistic) : undefined });
    }
    const present = points.filter((p): p is { start: number; value: number } => p.value !== undefined);
    const missing = n - present.length;
    let breaching = present.filter((p) => breaches(p.value, threshold, alarm.ComparisonOperator)).length;

    let state: StateValue;
    if (present.length === 0 && (treat === 'missing' || treat === 'ignore')) {
      if (treat === 'ignore') return undefined; // keep the current state
      state = 'INSUFFICIENT_DATA';
    } else {
      if (treat === 'breaching') breaching += missing;
      state = breaching >= m ? 'ALARM' : 'OK';
    }

    const shown = present.map((p) => `${Number(p.value.toFixed(6))} (${stamp(p.start)})`).join(', ');
    const word = OP_WORDS[alarm.ComparisonOperator ?? ''] ?? alarm.ComparisonOperator ?? '';
    const from = this.states.get(alarm.AlarmName ?? '') ?? alarm.StateValue ?? 'INSUFFICIENT_DATA';
    const reason =
      state === 'INSUFFICIENT_DATA'
        ? `Insufficient Data: ${n} datapoint${n > 1 ? 's were' : ' was'} unknown.`
        : `Threshold Crossed: ${breaching} out of the last ${n} datapoints [${shown}] ${breaching === 1 ? 'was' : 'were'} ${state === 'ALARM' ? '' : 'not '}${word} the threshold (${threshold}) (minimum ${m} datapoint${m > 1 ? 's' : ''} for ${from} -> ${state} transition).`;
    const reasonData = JSON.stringify({
      version: '1.0',
      queryDate: new Date(now).toISOString(),
      startDate: new Date(lastEnd - n * periodMs).toISOString(),
      statistic: t.statistic,
      period: t.period,
      recentDatapoints: present.map((p) => p.value),
      threshold,
      evaluatedDatapoints: present.map((p) => ({ timestamp: new Date(p.start).toISOString(), value: p.value })),
    });
    return { state, reason, reasonData };
  }

  /** Latest known state of an alarm (as of the last evaluation). */
  state(alarmName: string): StateValue | undefined {
    return this.states.get(alarmName);
  }

  historyList(): AlarmStateChange[] {
    return [...this.history];
  }

  /**
   * DescribeAlarmHistory over the state changes the simulation made (and those it saw set by hand), as
   * CloudWatch answers it: StateUpdate items, newest first unless ScanBy says otherwise.
   */
  describeHistory(input: Record<string, unknown>): { AlarmHistoryItems: Record<string, unknown>[]; NextToken?: string } {
    const name = typeof input.AlarmName === 'string' ? input.AlarmName : undefined;
    const type = typeof input.HistoryItemType === 'string' ? input.HistoryItemType : undefined;
    const start = input.StartDate !== undefined ? timestampMs(input.StartDate) : -Infinity;
    const end = input.EndDate !== undefined ? timestampMs(input.EndDate) : Infinity;
    const types = Array.isArray(input.AlarmTypes) ? (input.AlarmTypes as string[]) : ['MetricAlarm'];
    const max = typeof input.MaxRecords === 'number' ? input.MaxRecords : 100;
    const offset = typeof input.NextToken === 'string' ? Number(input.NextToken) || 0 : 0;
    const items = this.history
      .filter((h) => (name === undefined || h.alarmName === name) && (type === undefined || type === 'StateUpdate') && types.includes('MetricAlarm') && h.timestamp >= start && h.timestamp <= end)
      .map((h) => ({
        AlarmName: h.alarmName,
        AlarmType: 'MetricAlarm',
        Timestamp: h.timestamp / 1000,
        HistoryItemType: 'StateUpdate',
        HistorySummary: `Alarm updated from ${h.oldState ?? 'INSUFFICIENT_DATA'} to ${h.newState}`,
        HistoryData: JSON.stringify({ version: '1.0', oldState: { stateValue: h.oldState ?? 'INSUFFICIENT_DATA' }, newState: { stateValue: h.newState, stateReason: h.reason } }),
      }));
    if (input.ScanBy !== 'TimestampAscending') items.reverse();
    const page = items.slice(offset, offset + max);
    return { AlarmHistoryItems: page, ...(offset + max < items.length ? { NextToken: String(offset + max) } : {}) };
  }
}

