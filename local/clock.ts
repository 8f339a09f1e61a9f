import { performance } from 'node:perf_hooks';
import { AsyncLocalStorage } from 'node:async_hooks';

/** What both clocks share: virtual epoch ms, and `Date.now` answering them while installed. */
abstract class InstallableClock {
  private originalDateNow: (() => number) | undefined;

  /** Virtual epoch milliseconds. */
  abstract now(): number;

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
export class VirtualClock extends InstallableClock {
  readonly speed: number;
  /** Virtual ms per wall ms right now: `speed`, unless slowed with setRate(). */
  private rate: number;
  private wallOrigin: number;
  private virtualOrigin: number;
  private skippedMs = 0;

  constructor(options: VirtualClockOptions = {}) {
    super();
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
}

interface Timer {
  due: number;
  seq: number;
  wake: () => void;
}

/**
 * Discrete-event virtual time: it stands still while anything runs and jumps to the next event when nothing
 * does, so a run does the same thing, at the same virtual instants, on an idle machine or a loaded one.
 *
 * Who runs is decided by turns. Everything that changes the local account while the simulation runs (a
 * handler's invocation, an operator's intervention, the simulator's own background work) does so inside
 * `exclusive`, one at a time, in the order they asked; everything that lets time pass (a Wait state, a retry's
 * backoff, a model's latency) does so through `sleep`, giving its turn up meanwhile. When no one holds a turn
 * or waits for one, and the JavaScript that ran last has settled (checked from `setImmediate`, after every
 * promise continuation already queued), the clock moves to the earliest sleeper's wake-up time, lets the
 * `onAdvance` hooks simulate everything up to it (traffic, metric minutes, alarm evaluations, lifecycles),
 * then wakes the sleepers due, earliest first and in the order they went to sleep.
 *
 * Real time still passes inside a turn (an SDK's retry backoff, a request the simulation never answers until
 * the caller's timeout), but none of it reaches the virtual clock.
 */
export class DiscreteClock extends InstallableClock {
  private nowMs: number;
  private readonly timers: Timer[] = [];
  private sequence = 0;
  private holder: object | null = null;
  private readonly waiting: (() => void)[] = [];
  private readonly turns = new AsyncLocalStorage<object>();
  private readonly hooks: ((to: number) => Promise<void>)[] = [];
  private advancing = false;
  private checkQueued = false;

  constructor(options: { startMs?: number } = {}) {
    super();
    this.nowMs = Math.floor(options.startMs ?? Date.now());
  }

  /** Virtual epoch milliseconds. */
  now(): number {
    return this.nowMs;
  }

  /** Runs before sleepers wake each time the clock moves, with the new now: the simulator catches up to it. */
  onAdvance(hook: (to: number) => Promise<void>): void {
    this.hooks.push(hook);
  }

  /** Runs `act` in a turn of its own: no other turn runs meanwhile, and time stands still unless it sleeps. */
  async exclusive<T>(act: () => Promise<T>): Promise<T> {
    // Already in a turn (an intervention that starts another): it goes on in that one.
    const current = this.turns.getStore();
    if (current !== undefined && current === this.holder) return act();
    const turn = {};
    await this.acquire(turn);
    try {
      return await this.turns.run(turn, act);
    } finally {
      this.release(turn);
    }
  }

  /**
   * Runs `act` outside any turn its caller holds: work it starts (an execution an intervention starts) takes
   * turns of its own instead of believing it holds the caller's.
   */
  detached<T>(act: () => T): T {
    return this.turns.exit(act);
  }

  /**
   * Lets `seconds` of virtual time pass for the caller. A caller inside `exclusive` gives its turn up while it
   * sleeps and takes it back (after the turns already waiting) when it wakes. An abort wakes it at once.
   */
  async sleep(seconds: number, signal?: AbortSignal): Promise<void> {
    const turn = this.turns.getStore();
    await this.sleepHolding(turn !== undefined && turn === this.holder ? turn : undefined, seconds, signal);
  }

  /**
   * A delay inside a request the local account is serving (a model's latency): the request comes from
   * whoever holds the turn (only a turn's holder calls the account while the simulation runs), so that turn is
   * given up for the delay, as if its holder slept.
   */
  async sleepForTurnHolder(seconds: number): Promise<void> {
    await this.sleepHolding(this.holder ?? undefined, seconds);
  }

  /** Jumps ahead as the only actor would: the same as sleeping `virtualSeconds` (the hooks simulate the gap). */
  advance(virtualSeconds: number): Promise<void> {
    if (virtualSeconds < 0) throw new RangeError('a clock cannot go backwards');
    return this.sleep(virtualSeconds);
  }

  /** Whether anything holds or waits for a turn, or sleeps (a test's check that a run left nothing behind). */
  get quiet(): boolean {
    return this.holder === null && this.waiting.length === 0 && this.timers.length === 0 && !this.advancing;
  }

  private async sleepHolding(turn: object | undefined, seconds: number, signal?: AbortSignal): Promise<void> {
    if (!(seconds >= 0) || !Number.isFinite(seconds)) throw new RangeError(`cannot sleep ${seconds} seconds`);
    if (turn !== undefined) this.release(turn);
    try {
      await this.timer(Math.round(seconds * 1000), signal);
    } finally {
      if (turn !== undefined) await this.acquire(turn);
    }
  }

  private timer(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer: Timer = { due: this.nowMs + ms, seq: this.sequence++, wake: () => resolve() };
      const onAbort = () => {
        const at = this.timers.indexOf(timer);
        if (at >= 0) this.timers.splice(at, 1);
        resolve();
        this.queueCheck();
      };
      timer.wake = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      // Sorted by due time, then by when they went to sleep.
      let at = this.timers.length;
      while (at > 0 && (this.timers[at - 1] as Timer).due > timer.due) at--;
      this.timers.splice(at, 0, timer);
      this.queueCheck();
    });
  }

  private acquire(turn: object): Promise<void> {
    if (this.holder === null && this.waiting.length === 0 && !this.advancing) {
      this.holder = turn;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.waiting.push(() => {
        this.holder = turn;
        resolve();
      });
    });
  }

  private release(turn: object): void {
    if (this.holder !== turn) throw new Error('a turn was given up by something that did not hold it');
    this.holder = null;
    this.grantNext();
  }

  private grantNext(): void {
    if (this.holder !== null || this.advancing) return;
    const next = this.waiting.shift();
    if (next) next();
    else this.queueCheck();
  }

  private queueCheck(): void {
    if (this.checkQueued) return;
    this.checkQueued = true;
    // setImmediate runs after every promise continuation already queued: a handler that just returned has
    // reached its next state (asking for a turn, or sleeping) by then, so "nothing runs" is not a guess.
    setImmediate(() => {
      this.checkQueued = false;
      void this.advanceIfIdle();
    });
  }

  private async advanceIfIdle(): Promise<void> {
    if (this.holder !== null || this.waiting.length > 0 || this.advancing) return;
    const first = this.timers[0];
    if (first === undefined) return;
    this.advancing = true;
    try {
      if (first.due > this.nowMs) this.nowMs = first.due;
      for (const hook of this.hooks) await hook(this.nowMs);
    } finally {
      this.advancing = false;
    }
    let due = 0;
    while (due < this.timers.length && (this.timers[due] as Timer).due <= this.nowMs) due++;
    for (const timer of this.timers.splice(0, due)) timer.wake();
    this.grantNext();
  }
}

/** The clock a simulation runs on: discrete (scenarios, tests) or continuous (`--serve`, where outside clients act in real time). */
export type SimulationClock = VirtualClock | DiscreteClock;
