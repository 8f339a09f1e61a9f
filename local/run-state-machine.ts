/**
 * Runs a state machine definition in-process with aws-local-stepfunctions, every Task state bound to a
 * local handler, Wait states scaled to a virtual clock, and the event log collected for reports.
 */
import './polyfills';
import { StateMachine, ExecutionAbortedError, ExecutionError, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { Context } from 'aws-lambda';
import { allStates, type AslDefinition } from './packaged-template';

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface StateVisit {
  name: string;
  type: string;
  enteredAt: number;
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
  /** Milliseconds of real time per second a Wait state asks for (0 in tests; 1000/speed in the simulation). */
  msPerWaitSecond: number;
  /** Clock used for the timeline (virtual in the simulation). */
  now?: () => number;
  /** Called as a Wait state starts, with the seconds it asks for: lets a virtual clock jump ahead. */
  onWait?: (seconds: number) => void;
  onStateEntered?: (visit: StateVisit) => void;
  onStateExited?: (visit: StateVisit) => void;
  /** Aborts the execution (it then ends FAILED with the error `ExecutionAborted`). */
  signal?: AbortSignal;
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
  const { definition } = options;
  const states = allStates(definition);
  const stateByName = new Map(states);
  const taskStates = states.filter(([, s]) => s.Type === 'Task');
  const missing = taskStates.filter(([name]) => !options.handlers[name]).map(([name]) => name);
  if (missing.length > 0) throw new Error(`No local handler for Task state(s): ${missing.join(', ')}`);

  // Handlers still running when the execution is aborted: a stopped execution's Lambda runs to its end.
  const inFlight = new Set<Promise<unknown>>();
  const taskResourceLocalHandlers = Object.fromEntries(
    taskStates.map(([name]) => {
      const handler = options.handlers[name] as LambdaHandler;
      // JSON round trip: a Lambda's result crosses a wire, so no Date or undefined may leak into the state.
      return [
        name,
        async (input: unknown) => {
          const running = handler(input, fakeLambdaContext(name));
          inFlight.add(running);
          try {
            return JSON.parse(JSON.stringify((await running) ?? null)) as never;
          } finally {
            inFlight.delete(running);
          }
        },
      ];
    }),
  );
  const waitTimeOverrides = Object.fromEntries(
    states
      .filter(([, s]) => s.Type === 'Wait')
      .map(([name, s]) => [name, Math.round((typeof s.Seconds === 'number' ? s.Seconds : 0) * options.msPerWaitSecond)]),
  );
  // Retry backoff follows the same clock (1 s, 2 s, 4 s... of virtual time).
  const retryIntervalOverrides = Object.fromEntries(
    states
      .filter(([, s]) => Array.isArray(s.Retry))
      .map(([name]) => [name, [1, 2, 4, 8, 16, 32].map((seconds) => Math.round(seconds * options.msPerWaitSecond))]),
  );

  const machine = new StateMachine(definition as unknown as StateMachineDefinition, { validationOptions: { checkArn: true, checkPaths: true } });
  const now = options.now ?? Date.now;
  const startTime = options.startTime ?? new Date(now()).toISOString();
  const execution = machine.run(options.input as never, {
    overrides: { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides },
    context: { Execution: { Id: options.executionId, Name: options.executionId.split(':').pop() ?? 'local', Input: options.input, StartTime: startTime } } as never,
  });

  const abort = () => execution.abort();
  if (options.signal?.aborted) abort();
  else options.signal?.addEventListener('abort', abort, { once: true });

  const visits: StateVisit[] = [];
  const collect = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered') {
        const visit: StateVisit = { name: event.state.name, type: event.state.type, enteredAt: now(), retries: 0, ...(event.index !== undefined ? { iteration: event.index } : {}) };
        visits.push(visit);
        const waitSeconds = stateByName.get(visit.name)?.Seconds;
        if (visit.type === 'Wait' && typeof waitSeconds === 'number') options.onWait?.(waitSeconds);
        options.onStateEntered?.(visit);
      } else if (event.type === 'StateExited') {
        // Map iterations interleave: the visit to close is the latest open one of this state.
        const visit = [...visits].reverse().find((v) => v.name === event.state.name && v.output === undefined);
        if (visit) {
          visit.output = event.state.output;
          options.onStateExited?.(visit);
        }
      } else if (event.type === 'StateRetried') {
        const visit = [...visits].reverse().find((v) => v.name === event.state.name);
        if (visit) visit.retries += 1;
      } else if (event.type === 'StateFailed' || event.type === 'StateCaught') {
        const visit = [...visits].reverse().find((v) => v.name === event.state.name);
        if (visit && 'Error' in event) visit.error = { Error: event.Error, Cause: event.Cause };
      }
    }
  })();

  let report: ExecutionReport;
  try {
    const output = await execution.result;
    report = { status: 'SUCCEEDED', output, error: null, cause: null, states: visits, stateTransitions: 0 };
  } catch (error) {
    report = { status: 'FAILED', output: null, ...failureOf(error, options.signal), states: visits, stateTransitions: 0 };
  } finally {
    options.signal?.removeEventListener('abort', abort);
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
