import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import type { AwsEnv } from '../runtime/env';
import { traced } from '../runtime/tracing';
import { clientOptions } from './client-options';
import { awsCall, errorCode, translateAwsError } from './translate-error';

/** An execution, reduced to what a recovery decides by. */
export interface ExecutionView {
  executionArn: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';
  error: string | null;
  cause: string | null;
  /** When it ended (ISO), or null while it runs. */
  stoppedAt: string | null;
}

/** The state an execution entered last, with the input it entered it with (the whole execution state). */
export interface LastState {
  name: string;
  input: unknown;
  /** A Task state the execution had not left: its Lambda may still be running after the execution ended. */
  openTask: boolean;
}

/** The Step Functions calls a recovery makes: how an execution ended, and where. */
export class StepFunctionsAdapter {
  constructor(private readonly client: SFNClient) {}

  /** The execution, or null when Step Functions does not know it (wrong ARN, or past its 90-day retention). */
  async describeExecution(executionArn: string): Promise<ExecutionView | null> {
    try {
      const out = await this.client.send(new DescribeExecutionCommand({ executionArn }));
      return { executionArn, status: out.status ?? 'FAILED', error: out.error ?? null, cause: out.cause ?? null, stoppedAt: out.stopDate ? new Date(out.stopDate).toISOString() : null };
    } catch (error) {
      if (errorCode(error) === 'ExecutionDoesNotExist') return null;
      throw translateAwsError('DescribeExecution', error);
    }
  }

  /**
   * Starts an execution named `name`. Names are unique per state machine: `exists` when one of that name was
   * started before (this sweep's own earlier start, retried), which is what the caller wanted.
   */
  async startExecution(stateMachineArn: string, name: string, input: unknown): Promise<{ status: 'started'; executionArn: string } | { status: 'exists' }> {
    try {
      const out = await this.client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
      return { status: 'started', executionArn: out.executionArn ?? '' };
    } catch (error) {
      if (errorCode(error) === 'ExecutionAlreadyExists') return { status: 'exists' };
      throw translateAwsError('StartExecution', error);
    }
  }

  /** Stops a running execution (no Catch of it runs); one that has ended already is left as it is. */
  async stopExecution(executionArn: string, error: string, cause: string): Promise<void> {
    try {
      await this.client.send(new StopExecutionCommand({ executionArn, error, cause: cause.slice(0, 32_768) }));
    } catch (err) {
      // Stopping an execution that is no longer running changes nothing: an abort racing the release's own end.
      if (errorCode(err) === 'ExecutionDoesNotExist') return;
      throw translateAwsError('StopExecution', err);
    }
  }

  /**
   * The last state the execution entered, read from the newest end of its history (a page at a time, so a
   * long run's 25,000 events are not all read); null when it never entered one.
   */
  async lastEnteredState(executionArn: string): Promise<LastState | null> {
    let nextToken: string | undefined;
    // Newest first: a state's exit is read before its entry.
    const exited = new Set<string>();
    do {
      const out = await awsCall('GetExecutionHistory', () =>
        this.client.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 50, includeExecutionData: true, ...(nextToken ? { nextToken } : {}) })),
      );
      for (const event of out.events ?? []) {
        if (event.stateExitedEventDetails?.name !== undefined) exited.add(event.stateExitedEventDetails.name);
        const entered = event.stateEnteredEventDetails;
        if (entered?.name !== undefined) {
          return { name: entered.name, input: entered.input === undefined ? null : (JSON.parse(entered.input) as unknown), openTask: event.type === 'TaskStateEntered' && !exited.has(entered.name) };
        }
      }
      nextToken = out.nextToken;
    } while (nextToken);
    return null;
  }
}

export const stepFunctions = (env: AwsEnv): StepFunctionsAdapter => new StepFunctionsAdapter(traced(new SFNClient(clientOptions(env))));
