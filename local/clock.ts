import { performance } from 'node:perf_hooks';

export interface VirtualClockOptions {
  /** Virtual seconds per wall second: 600 => 10 virtual minutes per wall second. */
  speed?: number;
  /** Virtual epoch ms at construction; defaults to the real time. */
  startMs?: number;
}

/**
 * A clock that runs `speed` times faster than the wall clock.
 *
 * Reads `performance.now()` (monotonic, never patched) so that installing it as
 * `Date.now` cannot recurse. `advance()` lets tests jump ahead without waiting.
 */
export class VirtualClock {
  readonly speed: number;
  /** Virtual ms per wall ms right now: `speed`, unless slowed with setRate(). */
  private rate: number;
  private wallOrigin: number;
  private virtualOrigin: number;
  private skippedMs = 0;
  private originalDateNow: (() => number) | undefined;

  constructor(options: VirtualClockOptions = {}) {
    const speed = options.speed ?? 600;
    if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be a positive number, got ${speed}`);
    this.speed = speed;
    this.rate = speed;
    this.wallOrigin = performance.now();
    this.virtualOrigin = options.startMs ?? Date.now();
  }

  /** Virtual epoch milliseconds. */
  now(): number {
    return Math.floor(this.virtualOrigin + (performance.now() - this.wallOrigin) * this.rate + this.skippedMs);
  }

  /**
   * Changes how fast virtual time runs from now on, without a jump. The simulation runs at `speed`
   * while the state machine waits and at 1x while handlers work, so a handler's few real
   * milliseconds are not stretched into virtual minutes.
   */
  setRate(rate: number): void {
    if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`rate must be a positive number, got ${rate}`);
    const now = performance.now();
    this.virtualOrigin += (now - this.wallOrigin) * this.rate;
    this.wallOrigin = now;
    this.rate = rate;
  }

  /** Jump ahead by `virtualSeconds` at once (timers already waiting still fire on wall time). */
  advance(virtualSeconds: number): void {
    if (virtualSeconds < 0) throw new RangeError('a clock cannot go backwards');
    this.skippedMs += virtualSeconds * 1000;
  }

  /** Wall milliseconds that `virtualSeconds` take at this speed. */
  wallMsFor(virtualSeconds: number): number {
    return (virtualSeconds * 1000) / this.speed;
  }

  /** Resolves after `seconds` of virtual time (or earlier if `advance()` is called meanwhile). */
  sleepVirtual(seconds: number): Promise<void> {
    const until = this.now() + seconds * 1000;
    return new Promise((resolve) => {
      const check = (): void => {
        const left = until - this.now();
        if (left <= 0) resolve();
        // Re-check rather than trust one timeout: advance() may shorten the wait.
        else setTimeout(check, Math.max(1, Math.min(this.wallMsFor(left / 1000), 50)));
      };
      check();
    });
  }

  /** Replace `Date.now` (only it: `new Date()` keeps real time) so in-process handlers see virtual time. */
  install(): void {
    if (this.originalDateNow) return;
    this.originalDateNow = Date.now;
    Date.now = () => this.now();
  }

  uninstall(): void {
    if (!this.originalDateNow) return;
    Date.now = this.originalDateNow;
    this.originalDateNow = undefined;
  }

  get installed(): boolean {
    return this.originalDateNow !== undefined;
  }
}
