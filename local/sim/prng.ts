/** Seeded PRNG (mulberry32): same seed, same sequence, so simulated runs replay exactly. */
export class Prng {
  private state: number;
  private spare: number | undefined;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal (Box–Muller, keeping the second value). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    const u = Math.max(this.next(), Number.EPSILON);
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Index picked with probability proportional to its weight; -1 when all weights are 0. */
  weighted(weights: readonly number[]): number {
    const total = weights.reduce((a, w) => a + Math.max(0, w), 0);
    if (total <= 0) return -1;
    let x = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= Math.max(0, weights[i] ?? 0);
      if (x < 0) return i;
    }
    return weights.length - 1;
  }
}

const Z99 = 2.3263478740408408;

/** Log-normal latency whose median is p50 and 99th percentile is p99. */
export function sampleLatencyMs(prng: Prng, p50: number, p99: number): number {
  if (p50 <= 0) return 0;
  if (p99 <= p50) return p50;
  const sigma = Math.log(p99 / p50) / Z99;
  return p50 * Math.exp(sigma * prng.normal());
}
