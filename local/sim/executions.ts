/**
 * Step Functions, as far as the local account runs it: the executions the runner starts in-process
 * (aws-local-stepfunctions) are registered here as they go, so a handler or an outside client can ask about
 * them the way it would ask AWS (DescribeExecution, GetExecutionHistory, ListExecutions, StopExecution), and
 * each execution's end goes to EventBridge as "Step Functions Execution Status Change", as AWS sends it.
 * moto's own Step Functions is not used: it cannot run the packaged machines.
 */
import { AwsError } from './http';
import type { JsonObject } from './json';
import { num, str } from './json';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** One history event, in GetExecutionHistory's shape (timestamps as epoch seconds, as the JSON protocol sends them). */
export interface HistoryEvent {
  timestamp: number;
  type: string;
  id: number;
  previousEventId: number;
  [details: string]: unknown;
}

interface Execution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  events: HistoryEvent[];
  /** StopExecution's effect on the run (the runner's abort); absent once the run has ended. */
  stop?: (error: string | undefined, cause: string | undefined) => void;
}

/** What the local account is told as an execution runs, and what it answers about it. */
export class ExecutionRegistry {
  private readonly executions = new Map<string, Execution>();
  /** Starts a run for StartExecution (the runner's); none: the local account cannot start executions. */
  private starter: ((stateMachineArn: string, name: string, input: unknown) => string) | undefined;
  /** Executions whose end is not announced (a lost status-change event). */
  private readonly unannounced = new Set<string>();

  /**
   * @param now virtual epoch ms
   * @param announce sends an event to the account's default bus (the status change of an execution that ended)
   */
  constructor(
    private readonly now: () => number,
    private readonly announce: (detailType: string, detail: JsonObject, resources: string[]) => Promise<void>,
  ) {}

  started(executionArn: string, input: unknown, stop: Execution['stop']): void {
    const stateMachineArn = executionArn.replace(':execution:', ':stateMachine:').replace(/:[^:]+$/, '');
    const execution: Execution = {
      executionArn,
      stateMachineArn,
      name: executionArn.split(':').pop() ?? '',
      status: 'RUNNING',
      startDate: this.now(),
      input: JSON.stringify(input ?? null),
      events: [],
      ...(stop ? { stop } : {}),
    };
    this.executions.set(executionArn, execution);
    this.event(execution, 'ExecutionStarted', { executionStartedEventDetails: { input: execution.input, inputDetails: { truncated: false } } });
  }

  /** Who starts the run a StartExecution asks for; returns its execution ARN. */
  onStart(starter: (stateMachineArn: string, name: string, input: unknown) => string): void {
    this.starter = starter;
  }

  /** This execution's end will not be announced on the bus: its status-change event is lost. */
  loseEndEvent(executionArn: string): void {
    this.unannounced.add(executionArn);
  }

  entered(executionArn: string, stateName: string, stateType: string, input: unknown): void {
    const execution = this.executions.get(executionArn);
    if (execution) this.event(execution, `${stateType}StateEntered`, { stateEnteredEventDetails: { name: stateName, input: JSON.stringify(input ?? null), inputDetails: { truncated: false } } });
  }

  exited(executionArn: string, stateName: string, stateType: string, output: unknown): void {
    const execution = this.executions.get(executionArn);
    if (execution) this.event(execution, `${stateType}StateExited`, { stateExitedEventDetails: { name: stateName, output: JSON.stringify(output ?? null), outputDetails: { truncated: false } } });
  }

  /** The run ended: recorded, and announced on the bus as AWS does. */
  async ended(executionArn: string, status: Exclude<ExecutionStatus, 'RUNNING'>, result: { output?: unknown; error?: string | null; cause?: string | null }): Promise<void> {
    const execution = this.executions.get(executionArn);
    if (!execution || execution.status !== 'RUNNING') return;
    execution.status = status;
    execution.stopDate = this.now();
    delete execution.stop;
    if (status === 'SUCCEEDED') execution.output = JSON.stringify(result.output ?? null);
    if (result.error) execution.error = result.error;
    if (result.cause) execution.cause = result.cause;
    const details = { ...(execution.error ? { error: execution.error } : {}), ...(execution.cause ? { cause: execution.cause } : {}) };
    if (status === 'SUCCEEDED') this.event(execution, 'ExecutionSucceeded', { executionSucceededEventDetails: { output: execution.output, outputDetails: { truncated: false } } });
    else if (status === 'ABORTED') this.event(execution, 'ExecutionAborted', { executionAbortedEventDetails: details });
    else if (status === 'TIMED_OUT') this.event(execution, 'ExecutionTimedOut', { executionTimedOutEventDetails: details });
    else this.event(execution, 'ExecutionFailed', { executionFailedEventDetails: details });
    if (this.unannounced.has(executionArn)) return;
    await this.announce('Step Functions Execution Status Change', this.statusDetail(execution), [executionArn]);
  }

  /** Answers the Step Functions operations the pipeline and its operators use. */
  handle(operation: string, input: JsonObject): JsonObject {
    switch (operation) {
      case 'DescribeExecution':
        return this.describe(this.find(input));
      case 'GetExecutionHistory':
        return this.history(this.find(input), input);
      case 'ListExecutions':
        return this.list(input);
      case 'StartExecution': {
        const stateMachineArn = str(input, 'stateMachineArn') ?? '';
        const name = str(input, 'name') ?? `local-${this.executions.size + 1}`;
        const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
        // Names are unique per state machine (for 90 days): a second start of one is refused.
        if (this.executions.has(executionArn)) throw new AwsError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`, 400);
        if (this.starter === undefined) throw new AwsError('UnknownOperationException', 'The local account starts no executions here', 400);
        const started = this.starter(stateMachineArn, name, JSON.parse(str(input, 'input') ?? '{}') as unknown);
        return { executionArn: started, startDate: this.now() / 1000 };
      }
      case 'StopExecution': {
        const execution = this.find(input);
        if (execution.status === 'RUNNING') execution.stop?.(str(input, 'error'), str(input, 'cause'));
        return { stopDate: this.now() / 1000 };
      }
      default:
        throw new AwsError('UnknownOperationException', `The local account does not serve Step Functions ${operation}`, 400);
    }
  }

  private find(input: JsonObject): Execution {
    const arn = str(input, 'executionArn') ?? '';
    const execution = this.executions.get(arn);
    if (execution === undefined) throw new AwsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`, 400);
    return execution;
  }

  /** What ListExecutions shows of an execution (DescribeExecution adds to it), times in epoch seconds. */
  private summary(e: Execution): JsonObject {
    return {
      executionArn: e.executionArn,
      stateMachineArn: e.stateMachineArn,
      name: e.name,
      status: e.status,
      startDate: e.startDate / 1000,
      ...(e.stopDate !== undefined ? { stopDate: e.stopDate / 1000 } : {}),
    };
  }

  private describe(e: Execution): JsonObject {
    return {
      ...this.summary(e),
      input: e.input,
      inputDetails: { included: true },
      ...(e.output !== undefined ? { output: e.output, outputDetails: { included: true } } : {}),
      ...(e.error !== undefined ? { error: e.error } : {}),
      ...(e.cause !== undefined ? { cause: e.cause } : {}),
    };
  }

  private history(e: Execution, input: JsonObject): JsonObject {
    const ordered = input.reverseOrder === true ? [...e.events].reverse() : e.events;
    const start = Number(str(input, 'nextToken') ?? '0') || 0;
    const max = Math.min(num(input, 'maxResults') ?? 100, 1000) || 100;
    const page = ordered.slice(start, start + max);
    const next = start + max < ordered.length ? String(start + max) : undefined;
    return { events: page as unknown as JsonObject[], ...(next !== undefined ? { nextToken: next } : {}) } as JsonObject;
  }

  private list(input: JsonObject): JsonObject {
    const machine = str(input, 'stateMachineArn');
    const status = str(input, 'statusFilter');
    const matching = [...this.executions.values()]
      .filter((e) => (machine === undefined || e.stateMachineArn === machine) && (status === undefined || e.status === status))
      .sort((a, b) => b.startDate - a.startDate);
    return {
      executions: matching.map((e) => this.summary(e)),
    } as JsonObject;
  }

  /** The status change event's detail: times in epoch ms, as Step Functions sends them there. */
  private statusDetail(e: Execution): JsonObject {
    const { executionArn, stateMachineArn, name, status } = e;
    return {
      executionArn,
      stateMachineArn,
      name,
      status,
      startDate: e.startDate,
      stopDate: e.stopDate ?? null,
      input: e.input,
      output: e.output ?? null,
      error: e.error ?? null,
      cause: e.cause ?? null,
    };
  }

  private event(e: Execution, type: string, details: Record<string, unknown>): void {
    const id = e.events.length + 1;
    e.events.push({ timestamp: this.now() / 1000, type, id, previousEventId: id - 1, ...details });
  }
}
