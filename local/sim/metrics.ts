import { PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { timestampMs } from './json';
import type { MotoApi } from './moto-api';

export const NAMESPACE = 'AWS/SageMaker';
export const METRIC_NAMES = ['Invocations', 'Invocation5XXErrors', 'Invocation4XXErrors', 'ModelLatency'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export interface InvocationRecord {
  endpointName: string;
  variantName: string;
  /** Virtual epoch ms. */
  at: number;
  latencyUs: number;
  status: 'ok' | '4xx' | '5xx';
  /** Async endpoints publish no `Invocations`. */
  countsAsInvocation: boolean;
}

interface Bucket {
  invocations: number;
  /** Requests that produced a 0/1 error sample (all of them, async included). */
  samples: number;
  errors5xx: number;
  errors4xx: number;
  latenciesUs: number[];
  published: boolean;
}

export interface MetricPoint {
  /** Virtual epoch ms of the minute's start. */
  timestamp: number;
  invocations: number;
  errors5xx: number;
  errors4xx: number;
  /** Invocation5XXErrors Average for the minute. */
  errorRate: number;
  latencyP50Us?: number;
  latencyP99Us?: number;
  latencyAvgUs?: number;
}

export interface MetricSeries {
  endpointName: string;
  variantName: string;
  points: MetricPoint[];
}

/** Aggregated statistics for one metric over one period. */
export interface StatValues {
  sampleCount: number;
  sum: number;
  min: number;
  max: number;
  /** Raw samples when the statistic is a percentile. */
  samples?: number[];
}

export const MINUTE = 60_000;
const key = (e: string, v: string): string => `${e}\u0000${v}`;

export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** One CloudWatch statistic (Sum, Average, p99, ...) of the aggregated values; undefined when it cannot be computed. */
export function statistic(values: StatValues, stat: string): number | undefined {
  switch (stat) {
    case 'SampleCount':
      return values.sampleCount;
    case 'Sum':
      return values.sum;
    case 'Average':
      return values.sampleCount ? values.sum / values.sampleCount : undefined;
    case 'Minimum':
      return values.min;
    case 'Maximum':
      return values.max;
    default: {
      const m = /^p(\d+(?:\.\d+)?)$/.exec(stat);
      if (m && values.samples) return percentile(values.samples, Number(m[1]));
      return undefined;
    }
  }
}

/**
 * Per (endpoint, variant, virtual minute) counters, the way SageMaker publishes
 * them. The simulator reads them directly for alarm evaluation (moto cannot do
 * percentiles) and pushes each finished minute to moto CloudWatch.
 */
export class MetricsStore {
  private readonly buckets = new Map<string, Map<number, Bucket>>();
  private readonly dims = new Map<string, { endpointName: string; variantName: string }>();

  record(r: InvocationRecord): void {
    const k = key(r.endpointName, r.variantName);
    let series = this.buckets.get(k);
    if (!series) {
      series = new Map();
      this.buckets.set(k, series);
      this.dims.set(k, { endpointName: r.endpointName, variantName: r.variantName });
    }
    const minute = Math.floor(r.at / MINUTE) * MINUTE;
    let b = series.get(minute);
    if (!b) {
      b = { invocations: 0, samples: 0, errors5xx: 0, errors4xx: 0, latenciesUs: [], published: false };
      series.set(minute, b);
    }
    if (r.countsAsInvocation) b.invocations += 1;
    b.samples += 1;
    if (r.status === '5xx') b.errors5xx += 1;
    if (r.status === '4xx') b.errors4xx += 1;
    b.latenciesUs.push(r.latencyUs);
  }

  /** Statistic inputs for a metric over [start, end) virtual ms; undefined when no data (missing). */
  stats(metric: string, endpointName: string, variantName: string, start: number, end: number): StatValues | undefined {
    const series = this.buckets.get(key(endpointName, variantName));
    if (!series) return undefined;
    let found = false;
    const acc: StatValues = { sampleCount: 0, sum: 0, min: Infinity, max: -Infinity };
    const samples: number[] = [];
    for (const [minute, b] of series) {
      if (minute < start || minute >= end) continue;
      switch (metric) {
        case 'Invocations':
          if (b.invocations === 0) continue;
          acc.sampleCount += 1;
          acc.sum += b.invocations;
          acc.min = Math.min(acc.min, b.invocations);
          acc.max = Math.max(acc.max, b.invocations);
          break;
        case 'Invocation5XXErrors':
        case 'Invocation4XXErrors': {
          if (b.samples === 0) continue;
          const errors = metric === 'Invocation5XXErrors' ? b.errors5xx : b.errors4xx;
          acc.sampleCount += b.samples;
          acc.sum += errors;
          acc.min = Math.min(acc.min, errors === b.samples ? 1 : 0);
          acc.max = Math.max(acc.max, errors > 0 ? 1 : 0);
          break;
        }
        case 'ModelLatency':
          if (b.latenciesUs.length === 0) continue;
          acc.sampleCount += b.latenciesUs.length;
          for (const l of b.latenciesUs) {
            acc.sum += l;
            acc.min = Math.min(acc.min, l);
            acc.max = Math.max(acc.max, l);
            samples.push(l);
          }
          break;
        default:
          return undefined;
      }
      found = true;
    }
    if (!found) return undefined;
    if (metric === 'ModelLatency') acc.samples = samples.sort((a, b) => a - b);
    return acc;
  }

  /** PutMetricData for every minute that ended at or before `until` and was not sent yet. */
  async publish(moto: MotoApi, until: number): Promise<void> {
    const data: MetricDatum[] = [];
    for (const [k, series] of this.buckets) {
      const d = this.dims.get(k);
      if (!d) continue;
      const dimensions = [
        { Name: 'EndpointName', Value: d.endpointName },
        { Name: 'VariantName', Value: d.variantName },
      ];
      for (const [minute, b] of series) {
        if (b.published || minute + MINUTE > until) continue;
        b.published = true;
        const timestamp = new Date(minute);
        if (b.invocations > 0) data.push({ MetricName: 'Invocations', Dimensions: dimensions, Timestamp: timestamp, Value: b.invocations, Unit: 'None' });
        for (const [name, errors] of [['Invocation5XXErrors', b.errors5xx], ['Invocation4XXErrors', b.errors4xx]] as const) {
          data.push({
            MetricName: name,
            Dimensions: dimensions,
            Timestamp: timestamp,
            StatisticValues: { SampleCount: b.samples, Sum: errors, Minimum: errors === b.samples ? 1 : 0, Maximum: errors > 0 ? 1 : 0 },
            Unit: 'None',
          });
        }
        data.push(...latencyData(b.latenciesUs, dimensions, timestamp));
      }
    }
    // PutMetricData takes at most 1000 datums per call.
    for (let i = 0; i < data.length; i += 500) {
      await moto.cloudwatch.send(new PutMetricDataCommand({ Namespace: NAMESPACE, MetricData: data.slice(i, i + 500) }));
    }
  }

  /** Time series for charts: one point per minute with traffic. */
  series(): MetricSeries[] {
    const out: MetricSeries[] = [];
    for (const [k, series] of this.buckets) {
      const d = this.dims.get(k);
      if (!d) continue;
      const points = [...series.entries()]
        .sort(([a], [b]) => a - b)
        .map(([minute, b]): MetricPoint => {
          const sorted = [...b.latenciesUs].sort((x, y) => x - y);
          return {
            timestamp: minute,
            invocations: b.invocations,
            errors5xx: b.errors5xx,
            errors4xx: b.errors4xx,
            errorRate: b.samples ? b.errors5xx / b.samples : 0,
            latencyP50Us: percentile(sorted, 50),
            latencyP99Us: percentile(sorted, 99),
            latencyAvgUs: sorted.length ? sorted.reduce((a, x) => a + x, 0) / sorted.length : undefined,
          };
        });
      out.push({ ...d, points });
    }
    return out;
  }
}

/** Latency as Values/Counts (CloudWatch keeps the distribution), rounded to 100 µs, ≤150 values per datum. */
function latencyData(latenciesUs: number[], dimensions: MetricDatum['Dimensions'], timestamp: Date): MetricDatum[] {
  if (latenciesUs.length === 0) return [];
  const counts = new Map<number, number>();
  for (const l of latenciesUs) {
    const v = Math.max(0, Math.round(l / 100) * 100);
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const entries = [...counts.entries()];
  const out: MetricDatum[] = [];
  for (let i = 0; i < entries.length; i += 150) {
    const chunk = entries.slice(i, i + 150);
    out.push({
      MetricName: 'ModelLatency',
      Dimensions: dimensions,
      Timestamp: timestamp,
      Values: chunk.map(([v]) => v),
      Counts: chunk.map(([, c]) => c),
      Unit: 'Microseconds',
    });
  }
  return out;
}

/** One GetMetricData query the simulator can answer from its own AWS/SageMaker series. */
interface SimulatedQuery {
  id: string;
  label: string;
  metricName: string;
  endpointName: string;
  variantName: string;
  periodMs: number;
  stat: string;
  returnData: boolean;
}

function simulatedQuery(q: unknown): SimulatedQuery | undefined {
  if (typeof q !== 'object' || q === null) return undefined;
  const query = q as { Id?: string; Label?: string; ReturnData?: boolean; Expression?: string; MetricStat?: { Metric?: { Namespace?: string; MetricName?: string; Dimensions?: { Name?: string; Value?: string }[] }; Period?: number; Stat?: string } };
  const stat = query.MetricStat;
  const metric = stat?.Metric;
  if (query.Expression !== undefined || metric?.Namespace !== NAMESPACE || !metric.MetricName || !stat?.Period || !stat.Stat) return undefined;
  const dims = metric.Dimensions ?? [];
  const endpointName = dims.find((d) => d.Name === 'EndpointName')?.Value;
  const variantName = dims.find((d) => d.Name === 'VariantName')?.Value;
  if (dims.length !== 2 || !endpointName || !variantName) return undefined;
  return { id: query.Id ?? '', label: query.Label ?? metric.MetricName, metricName: metric.MetricName, endpointName, variantName, periodMs: stat.Period * 1000, stat: stat.Stat, returnData: query.ReturnData !== false };
}


/**
 * GetMetricData over AWS/SageMaker endpoint metrics, as CloudWatch answers it: one value per period with
 * data, only minutes that have reached CloudWatch (`publishedUntil`), newest first unless ScanBy says
 * otherwise. Undefined when a query is not a plain MetricStat on an endpoint variant (moto answers those).
 */
export function getMetricData(store: MetricsStore, input: Record<string, unknown>, publishedUntil: number): Record<string, unknown> | undefined {
  const queries = Array.isArray(input.MetricDataQueries) ? input.MetricDataQueries.map(simulatedQuery) : [];
  if (queries.length === 0 || queries.some((q) => q === undefined)) return undefined;
  const start = timestampMs(input.StartTime);
  const end = Math.min(timestampMs(input.EndTime), publishedUntil);
  const ascending = input.ScanBy === 'TimestampAscending';
  const results = (queries as SimulatedQuery[])
    .filter((q) => q.returnData)
    .map((q) => {
      const timestamps: number[] = [];
      const values: number[] = [];
      for (let t = Math.floor(start / q.periodMs) * q.periodMs; t + q.periodMs <= end; t += q.periodMs) {
        const stats = store.stats(q.metricName, q.endpointName, q.variantName, t, t + q.periodMs);
        const value = stats ? statistic(stats, q.stat) : undefined;
        if (value === undefined) continue;
        timestamps.push(t / 1000);
        values.push(value);
      }
      if (!ascending) {
        timestamps.reverse();
        values.reverse();
      }
      return { Id: q.id, Label: q.label, Timestamps: timestamps, Values: values, StatusCode: 'Complete' };
    });
  return { MetricDataResults: results, Messages: [] };
}
