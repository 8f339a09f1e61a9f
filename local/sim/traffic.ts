import type { Runtime } from './runtime';

export interface TrafficSpec {
  endpointName: string;
  requestsPerMinute: number;
  /** Carried for realism of the call; behaviour profiles decide the answer. */
  body?: string;
  contentType?: string;
  /** Pin all generated traffic to one variant (X-Amzn-SageMaker-Target-Variant). */
  targetVariant?: string;
}

export interface TrafficStats {
  endpointName: string;
  sent: number;
  succeeded: number;
  failed: number;
  byVariant: Record<string, number>;
}

interface Stream {
  spec: TrafficSpec;
  /** Virtual ms from which requests are still owed. */
  cursor: number;
  carry: number;
  stats: TrafficStats;
}

/**
 * Steady synthetic load on the virtual clock. Calls the runtime in-process (no
 * HTTP), so thousands of requests per virtual minute cost almost nothing.
 */
export class TrafficGenerator {
  private readonly streams = new Map<string, Stream>();
  /** Kept after a stream stops so totals stay readable. */
  private readonly totals = new Map<string, TrafficStats>();

  start(spec: TrafficSpec, now: number): void {
    if (!(spec.requestsPerMinute > 0)) throw new RangeError('requestsPerMinute must be positive');
    let stats = this.totals.get(spec.endpointName);
    if (!stats) {
      stats = { endpointName: spec.endpointName, sent: 0, succeeded: 0, failed: 0, byVariant: {} };
      this.totals.set(spec.endpointName, stats);
    }
    this.streams.set(spec.endpointName, { spec, cursor: now, carry: 0, stats });
  }

  stop(endpointName?: string): void {
    if (endpointName === undefined) this.streams.clear();
    else this.streams.delete(endpointName);
  }

  /** Sends the requests due in [from, to), spread evenly, each at its own virtual time. */
  generate(runtime: Runtime, to: number): void {
    for (const stream of this.streams.values()) {
      if (to <= stream.cursor) continue;
      const span = to - stream.cursor;
      const exact = (stream.spec.requestsPerMinute * span) / 60_000 + stream.carry;
      const count = Math.floor(exact);
      stream.carry = exact - count;
      for (let i = 0; i < count; i++) {
        const at = stream.cursor + Math.floor(((i + 0.5) * span) / count);
        const outcome = runtime.invoke(stream.spec.endpointName, { targetVariant: stream.spec.targetVariant }, at);
        stream.stats.sent += 1;
        if (outcome.ok) stream.stats.succeeded += 1;
        else stream.stats.failed += 1;
        const variant = outcome.variantName;
        if (variant) stream.stats.byVariant[variant] = (stream.stats.byVariant[variant] ?? 0) + 1;
      }
      stream.cursor = to;
    }
  }

  stats(): TrafficStats[] {
    return [...this.totals.values()].map((s) => ({ ...s, byVariant: { ...s.byVariant } }));
  }
}
