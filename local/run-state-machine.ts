/**
 * Runs a state machine definition in-process with aws-local-stepfunctions, every Task state bound to a
 * local handler, Wait states scaled to a virtual clock, and the event log collected for reports.
 */
import './polyfills';
import { setTimeout as delay } from 'node:timers/promises';
import { StateMachine, ExecutionAbortedError, ExecutionError, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { Context } from 'aws-lambda';
import { allStates, type AslDefinition } from './packaged-template';

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface StateVisit {
  name: string;
  type: string;
  enteredAt: number;
  /** The state's input as it was entered (the whole execution state, before the state's paths apply). */
  input?: unknown;
  output?: unknown;
  error?: { Error: string; Cause: unknown };
  retries: number;
  /** Map iteration index, for states inside a Map. */
  iteration?: number;
}

export interface ExecutionReport {
  status: 'SUCCEEDED' | 'FAILED';
  output: unknown;
  error: string | null;
  cause: string | null;
  states: StateVisit[];
  /** Step Functions bills Standard workflows per state transition: one per state entered. */
  stateTransitions: number;
}

export interface RunOptions {
  definition: AslDefinition;
  /** Task state name -> handler. Every Task state must have one: nothing here reaches a real Lambda. */
  handlers: Record<string, LambdaHandler>;
  input: unknown;
  executionId: string;
  startTime?: string;
  /**
   * Lets the run's time pass: every Wait state and every retry's backoff goes through it (the simulation's
   * virtual clock). Without it they take `msPerWaitSecond` milliseconds of real time per second asked.
   */
  sleep?: (seconds: number, signal: AbortSignal) => Promise<void>;
  /** Real milliseconds per second of waiting when no `sleep` is given (0: waits take no time, as in unit tests). */
  msPerWaitSecond?: number;
  /** Runs one handler invocation (the simulation gives each its own turn; by default it just runs). */
  runTask?: <T>(invoke: () => Promise<T>) => Promise<T>;
  /** Clock used for the timeline (virtual in the simulation). */
  now?: () => number;
  onStateEntered?: (visit: StateVisit) => void;
  onStateExited?: (visit: StateVisit) => void;
  /**
   * Awaited as each Task or Wait state starts its work, before its handler runs or its wait begins (the
   * event log reports entries only later): what must happen as a state is entered happens before it.
   */
  beforeWork?: (stateName: string) => Promise<void> | void;
  /**
   * A Lambda timeout after the work (fault tests): asked after each invocation of a Task state returned; a
   * number of seconds means this invocation's Lambda is to time out, its calls made, its answer lost: the
   * state then sees `Sandbox.Timedout` that many (virtual) seconds after the invocation began.
   */
  timesOutAfterWork?: (stateName: string) => number | null;
  /** The execution's TimeoutSeconds instead of the definition's (a scenario's stage param); null: none. */
  timeoutSeconds?: number | null;
  /** Aborts the execution (it then ends FAILED with the error `ExecutionAborted`). */
  signal?: AbortSignal;
}

/** The error of an execution that ran past its TimeoutSeconds (its status is TIMED_OUT). */
export const EXECUTION_TIMED_OUT = 'States.Timeout';

/** A Lambda function that ran past its timeout, as Step Functions reports it. */
export class SandboxTimedout extends Error {
  override readonly name = 'Sandbox.Timedout';
  constructor(seconds: number) {
    super(`RequestId: local Error: Task timed out after ${seconds.toFixed(2)} seconds`);
  }
}

/** One entry of a Task state's `Retry`, as ASL defines it. */
interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}

/** The ARN a Wait state runs as once it is a Task of the local runner's (see `localDefinition`). */
const LOCAL_WAIT_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:local-wait-state';

/**
 * The definition as the local runner executes it, with the things aws-local-stepfunctions would time with
 * real timers taken over: each Wait state becomes a Task of ours that sleeps on the run's clock (its visits
 * are still reported as Wait), each Task's Retry is carried out by our handler wrapper, its backoff slept on
 * the same clock, and the execution's TimeoutSeconds is timed on it. Choices, Catch, paths and Map states
 * stay the library's.
 */
export function localDefinition(definition: AslDefinition): { definition: AslDefinition; waits: Map<string, number | string>; retriers: Map<string, Retrier[]>; timeoutSeconds: number | null } {
  const copy = JSON.parse(JSON.stringify(definition)) as AslDefinition;
  // The execution's own bound is timed on the run's clock too (the library would time it with a real timer).
  const timeoutSeconds = typeof copy.TimeoutSeconds === 'number' ? copy.TimeoutSeconds : null;
  delete copy.TimeoutSeconds;
  // A number of seconds, or the SecondsPath to read them from the state.
  const waits = new Map<string, number | string>();
  const retriers = new Map<string, Retrier[]>();
  for (const [name, state] of allStates(copy)) {
    if (state.Type === 'Wait') {
      const seconds = typeof state.Seconds === 'number' ? state.Seconds : typeof state.SecondsPath === 'string' && /^\$(\.[A-Za-z0-9_]+)+$/.test(state.SecondsPath) ? state.SecondsPath : null;
      if (seconds === null || 'InputPath' in state || 'OutputPath' in state) {
        throw new Error(`Wait state ${name}: the local runner supports Wait states with a number of Seconds, or a SecondsPath of plain field names ($.a.b), and no InputPath or OutputPath`);
      }
      waits.set(name, seconds);
      const { Next, End, Comment } = state;
      for (const key of Object.keys(state)) delete state[key];
      Object.assign(state, { Type: 'Task', Resource: LOCAL_WAIT_ARN, ResultPath: null, ...(Comment !== undefined ? { Comment } : {}), ...(Next !== undefined ? { Next } : {}), ...(End !== undefined ? { End } : {}) });
    } else if (state.Type === 'Task' && Array.isArray(state.Retry)) {
      retriers.set(name, state.Retry as Retrier[]);
      delete state.Retry;
    }
  }
  return { definition: copy, waits, retriers, timeoutSeconds };
}

/** A Wait state's SecondsPath read from its input, as Step Functions does: a missing or negative value fails the state. */
function secondsAt(input: unknown, path: string, stateName: string): number {
  let value: unknown = input;
  for (const key of path.slice(2).split('.')) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw Object.assign(new Error(`Wait state ${stateName}: SecondsPath ${path} is ${JSON.stringify(value)}, not a non-negative whole number of seconds`), { name: 'States.Runtime' });
  }
  return value;
}

/** The retrier that takes `error`, as Step Functions picks it: the first whose ErrorEquals names it. */
function retrierFor(retriers: readonly Retrier[], error: unknown): number {
  const name = typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : 'Error';
  return retriers.findIndex((r) => r.ErrorEquals.some((e) => e === name || e === 'States.ALL' || (e === 'States.TaskFailed' && name !== 'States.Timeout')));
}

/** A number in [0, 1) from a string: the FULL jitter of a retry, the same in every run of the same execution. */
function unitHash(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619) >>> 0;
  return hash / 2 ** 32;
}

/** Real-time sleep for runs without a virtual clock; an abort ends it at once. */
async function realSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms > 0) await delay(ms, undefined, { signal }).catch(() => undefined);
}

/**
 * Runs `act` with `new Date()` (no arguments) answering `startMs`. aws-local-stepfunctions stamps
 * `$$.Execution.StartTime` with `new Date()` as it starts a run, synchronously inside `run()`; this makes that
 * the run's own start on its clock, and puts the real Date back before anything else runs.
 */
function withNewDateAt<T>(startMs: number, act: () => T): T {
  const RealDate = globalThis.Date;
  const AtStart = function (this: unknown, ...args: unknown[]): unknown {
    if (new.target === undefined) return RealDate();
    return Reflect.construct(RealDate, args.length === 0 ? [startMs] : args, new.target as typeof RealDate);
  } as unknown as DateConstructor;
  Object.setPrototypeOf(AtStart, RealDate);
  Object.defineProperty(AtStart, 'prototype', { value: RealDate.prototype });
  globalThis.Date = AtStart;
  try {
    return act();
  } finally {
    globalThis.Date = RealDate;
  }
}

function fakeLambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: `local-${Math.random().toString(16).slice(2)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export async function runStateMachine(options: RunOptions): Promise<ExecutionReport> {
  const { definition, waits, retriers, timeoutSeconds: definedTimeout } = localDefinition(options.definition);
  const timeoutSeconds = options.timeoutSeconds === undefined ? definedTimeout : options.timeoutSeconds;
  const states = allStates(definition);
  const taskStates = states.filter(([name, s]) => s.Type === 'Task' && !waits.has(name));
  const missing = taskStates.filter(([name]) => !options.handlers[name]).map(([name]) => name);
  if (missing.length > 0) throw new Error(`No local handler for Task state(s): ${missing.join(', ')}`);

  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const msPerWaitSecond = options.msPerWaitSecond ?? 0;
  const sleep = options.sleep ?? ((seconds: number, s: AbortSignal) => realSleep(seconds * msPerWaitSecond, s));
  const runTask = options.runTask ?? (<T>(invoke: () => Promise<T>) => invoke());
  const visits: StateVisit[] = [];
  const latestVisit = (name: string) => [...visits].reverse().find((v) => v.name === name);
  let retrySerial = 0;
  // Retries made by our wrapper, per state, until the event log (which runs behind) closes the visit.
  const retriesOf = new Map<string, number>();
  const takeRetries = (visit: StateVisit) => {
    visit.retries += retriesOf.get(visit.name) ?? 0;
    retriesOf.delete(visit.name);
  };

  // Handlers still running when the execution is aborted: a stopped execution's Lambda runs to its end.
  const inFlight = new Set<Promise<unknown>>();
  const invokeOnce = async (name: string, handler: LambdaHandler, input: unknown): Promise<unknown> => {
    const running = runTask(() => handler(input, fakeLambdaContext(name)));
    inFlight.add(running);
    try {
      // JSON round trip: a Lambda's result crosses a wire, so no Date or undefined may leak into the state.
      const result = JSON.parse(JSON.stringify((await running) ?? null)) as unknown;
      const timeoutSeconds = options.timesOutAfterWork?.(name) ?? null;
      if (timeoutSeconds !== null) {
        await sleep(timeoutSeconds, signal);
        throw new SandboxTimedout(timeoutSeconds);
      }
      return result;
    } finally {
      inFlight.delete(running);
    }
  };
  const withRetries = (name: string, handler: LambdaHandler) => async (input: unknown) => {
    await options.beforeWork?.(name);
    // Stopped before its Lambda was invoked: it never is.
    if (signal.aborted) throw new ExecutionAbortedError();
    const policy = retriers.get(name) ?? [];
    const attempts = policy.map(() => 0);
    for (;;) {
      try {
        return (await invokeOnce(name, handler, input)) as never;
      } catch (error) {
        const index = retrierFor(policy, error);
        const retrier = policy[index];
        if (retrier === undefined || signal.aborted) throw error;
        const made = attempts[index] ?? 0;
        if (made >= (retrier.MaxAttempts ?? 3)) throw error;
        attempts[index] = made + 1;
        const backoff = Math.min((retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** made, retrier.MaxDelaySeconds ?? Infinity);
        const seconds = retrier.JitterStrategy === 'FULL' ? backoff * unitHash(`${options.executionId}#${retrySerial++}`) : backoff;
        retriesOf.set(name, (retriesOf.get(name) ?? 0) + 1);
        await sleep(seconds, signal);
        if (signal.aborted) throw error;
      }
    }
  };
  const taskResourceLocalHandlers = Object.fromEntries([
    ...taskStates.map(([name]) => [name, withRetries(name, options.handlers[name] as LambdaHandler)] as const),
    ...[...waits].map(([name, seconds]) => [name, async (input: unknown) => {
      await options.beforeWork?.(name);
      await sleep(typeof seconds === 'number' ? seconds : secondsAt(input, seconds, name), signal);
      return input as never;
    }] as const),
  ]);

  const machine = new StateMachine(definition as unknown as StateMachineDefinition, { validationOptions: { checkArn: true, checkPaths: true } });
  const now = options.now ?? Date.now;
  const startTime = options.startTime ?? new Date(now()).toISOString();
  const execution = withNewDateAt(Date.parse(startTime), () =>
    machine.run(options.input as never, {
      overrides: { taskResourceLocalHandlers },
      context: { Execution: { Id: options.executionId, Name: options.executionId.split(':').pop() ?? 'local', Input: options.input, StartTime: startTime } } as never,
    }),
  );

  const abort = () => {
    execution.abort();
    stop.abort();
  };
  if (options.signal?.aborted) abort();
  else options.signal?.addEventListener('abort', abort, { once: true });
  // TimeoutSeconds: the run is ended where it is, as StopExecution would (no Catch runs), its status TIMED_OUT.
  // Without a clock (waits taking no time, as in the stubbed ASL tests) time does not pass, so nothing times out.
  let timedOut = false;
  if (timeoutSeconds !== null && (options.sleep !== undefined || msPerWaitSecond > 0)) {
    sleep(timeoutSeconds, stop.signal).then(
      () => {
        if (stop.signal.aborted) return;
        timedOut = true;
        abort();
      },
      // Cancelled: the run ended first.
      () => undefined,
    );
  }

  const collect = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered') {
        const type = waits.has(event.state.name) ? 'Wait' : event.state.type;
        const visit: StateVisit = { name: event.state.name, type, enteredAt: now(), input: event.state.input, retries: 0, ...(event.index !== undefined ? { iteration: event.index } : {}) };
        visits.push(visit);
        options.onStateEntered?.(visit);
      } else if (event.type === 'StateExited') {
        // Map iterations interleave: the visit to close is the latest open one of this state.
        const visit = [...visits].reverse().find((v) => v.name === event.state.name && v.output === undefined);
        if (visit) {
          visit.output = event.state.output;
          takeRetries(visit);
          options.onStateExited?.(visit);
        }
      } else if (event.type === 'StateFailed' || event.type === 'StateCaught') {
        const visit = latestVisit(event.state.name);
        if (visit) takeRetries(visit);
        if (visit && 'Error' in event) visit.error = { Error: event.Error, Cause: event.Cause };
      }
    }
  })();

  let report: ExecutionReport;
  try {
    const output = await execution.result;
    report = { status: 'SUCCEEDED', output, error: null, cause: null, states: visits, stateTransitions: 0 };
  } catch (error) {
    const failure = timedOut ? { error: EXECUTION_TIMED_OUT, cause: `the execution ran past its TimeoutSeconds (${String(timeoutSeconds)} s)` } : failureOf(error, options.signal);
    report = { status: 'FAILED', output: null, ...failure, states: visits, stateTransitions: 0 };
  } finally {
    options.signal?.removeEventListener('abort', abort);
    // Nothing of this run sleeps on after it ended (an abort's Wait, a retry's backoff).
    stop.abort();
  }
  await collect;
  // StopExecution does not stop a Lambda already invoked: the report waits for what it still does.
  await Promise.allSettled([...inFlight]);
  report.stateTransitions = visits.length;
  return report;
}

/** Error name and cause of a failed (or aborted) execution. */
function failureOf(error: unknown, signal: AbortSignal | undefined): { error: string; cause: string | null } {
  if (error instanceof ExecutionAbortedError) {
    const reason: unknown = signal?.reason;
    return { error: 'ExecutionAborted', cause: reason instanceof Error ? reason.message : reason === undefined ? 'the execution was aborted' : String(reason) };
  }
  if (!(error instanceof ExecutionError)) throw error;
  const failure = error as ExecutionError & { cause?: unknown };
  const inner = (failure.cause ?? failure) as { name?: string; message?: string; cause?: unknown };
  return { error: inner.name ?? failure.name, cause: typeof inner.cause === 'string' ? inner.cause : (inner.message ?? null) };
}
