/**
 * The local AWS account a simulation runs in: moto and our SageMaker simulator on one virtual clock, the
 * packaged state machines run by aws-local-stepfunctions with their Task states bound to the bundled
 * handlers in dist/, the ledger table created from the packaged template, the data bucket, and queues
 * standing in for the EventBridge targets.
 */
import './polyfills';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { DynamoDBClient, CreateTableCommand, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';
import { SQSClient, CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, DeleteMessageCommand } from '@aws-sdk/client-sqs';
import { DiscreteClock, VirtualClock, type SimulationClock } from './clock';
import { startMoto, type MotoServer } from './moto';
import {
  handlerEnvironment,
  loadPackagedStateMachines,
  machineForInput,
  PACKAGED_TEMPLATE,
  PROJECT_ROOT,
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  type PackagedStateMachine,
  type PackagedStateMachines,
} from './packaged-template';
import { functionRoles, type FunctionRole } from './sim/iam-roles';
import { IamEvaluator } from './sim/iam';
import { installPrincipalHeader, runAsFunction } from './sim/principal';
import type { Json } from './sim/json';
import { EXECUTION_TIMED_OUT, runStateMachine, type ExecutionReport, type LambdaHandler, type StateVisit } from './run-state-machine';

import { startSimulator, type Simulator } from './sagemaker-simulator';
import { stepHandler, type StepDefinition } from '../functions/shared/runtime/step-handler';
import type { Schema } from '../functions/shared/schema';

export const LEDGER_TABLE = 'sagemaker-release-pipeline-local-ledger';
/** A bucket for async results and batch data; scenarios refer to it as s3://sagemaker-local-data/... */
export const DATA_BUCKET = 'sagemaker-local-data';
/** Where packages' model archives are, named as SageMaker names its default bucket (the dev stage's modelArtifactLocations). */
export const MODEL_BUCKET = `sagemaker-${LOCAL_REGION}-${LOCAL_ACCOUNT}`;
export const ROLE_ARN = `arn:aws:iam::${LOCAL_ACCOUNT}:role/sagemaker-release-pipeline-local`;
const credentials = { accessKeyId: 'simulation', secretAccessKey: 'simulation' };

function freshRequire(file: string): unknown {
  const resolved = require.resolve(file);
  delete require.cache[resolved];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded: unknown = require(resolved);
  // Node also lists the module among this one's children and keeps it cached: forget both, or every
  // scenario's bundles (and the SDK clients they hold) stay in memory for as long as the process runs.
  module.children = module.children.filter((child) => child.id !== resolved);
  delete require.cache[resolved];
  return loaded;
}

/** A step's handler built afresh from its source (its adapters, and so its clients, new too). */
function sourceStep(file: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exports = require(file) as Record<string, unknown>;
  const step = Object.values(exports).find((v): v is StepDefinition<Schema, Schema, object, unknown> => typeof v === 'object' && v !== null && 'step' in v && 'run' in v);
  if (!step) throw new Error(`${file} exports no step definition`);
  return { handler: stepHandler(step) };
}

function loadBundledHandlers(machine: PackagedStateMachine, load: (file: string) => unknown, byDir: Map<string, LambdaHandler>, from: 'bundles' | 'source'): Record<string, LambdaHandler> {
  const handlers: Record<string, LambdaHandler> = {};
  for (const [state, fn] of Object.entries(machine.functionsByState)) {
    const file = from === 'source' ? join(PROJECT_ROOT, 'functions', fn.handlerDir, 'handler') : join(PROJECT_ROOT, 'dist', 'functions', fn.handlerDir, 'index.js');
    // One module per function, as in Lambda: states served by the same function share its container.
    let handler = byDir.get(fn.handlerDir);
    if (!handler) {
      handler = (load(file) as { handler: LambdaHandler }).handler;
      byDir.set(fn.handlerDir, handler);
    }
    // Every request the handler makes is its function's, evaluated against that function's role.
    const own = handler;
    handlers[state] = (event, context) => runAsFunction(fn.functionName, () => own(event, context));
  }
  return handlers;
}

/** Each function's role from the packaged template, its references resolved to the local account's resources. */
export function localFunctionRoles(machines: PackagedStateMachines): Map<string, FunctionRole> {
  const template = JSON.parse(readFileSync(PACKAGED_TEMPLATE, 'utf8')) as Parameters<typeof functionRoles>[0];
  return functionRoles(template, {
    account: LOCAL_ACCOUNT,
    region: LOCAL_REGION,
    stackName: machines.release.name.replace(/-release$/, ''),
    arns: { ReleaseLedgerTable: `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${LEDGER_TABLE}`, SageMakerExecutionRole: ROLE_ARN },
    // The simulation passes its own execution role, as a stack with sagemakerExecutionRoleArn set does.
    parameters: { SageMakerExecutionRoleArn: ROLE_ARN },
  });
}

/** The ledger table exactly as resources/ledger-table.yml declares it (from the packaged template). */
export function ledgerTableInput(): CreateTableCommandInput {
  const template = JSON.parse(readFileSync(PACKAGED_TEMPLATE, 'utf8')) as { Resources: Record<string, { Properties: Record<string, unknown> }> };
  const props = template.Resources.ReleaseLedgerTable?.Properties ?? {};
  return {
    TableName: LEDGER_TABLE,
    BillingMode: props.BillingMode as 'PAY_PER_REQUEST',
    AttributeDefinitions: props.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
    KeySchema: props.KeySchema as CreateTableCommandInput['KeySchema'],
    GlobalSecondaryIndexes: props.GlobalSecondaryIndexes as CreateTableCommandInput['GlobalSecondaryIndexes'],
  };
}

async function drainQueue(sqs: SQSClient, queueUrl: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    const messages = out.Messages ?? [];
    if (messages.length === 0) return bodies;
    for (const m of messages) {
      bodies.push(m.Body ?? '');
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
  }
}

async function createQueueWithRule(events: EventBridgeClient, sqs: SQSClient, name: string, pattern: unknown): Promise<string> {
  const queue = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const queueUrl = queue.QueueUrl ?? '';
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  await events.send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify(pattern), State: 'ENABLED' }));
  await events.send(new PutTargetsCommand({ Rule: name, Targets: [{ Id: 'queue', Arn: attrs.Attributes?.QueueArn ?? '' }] }));
  return queueUrl;
}

export interface LocalAccountOptions {
  /**
   * Virtual time that flows on its own at `speed` virtual seconds per wall second, for outside clients acting
   * in real time (`--serve`). Without it the clock is discrete: it stands still while anything runs and jumps
   * to the next event when nothing does (see DiscreteClock), so runs are reproducible.
   */
  flowing?: { speed: number };
  /** Reuse a running moto (reset first) instead of starting one. */
  moto?: MotoServer;
  /** Seed of the simulator's PRNG. */
  seed?: number;
  /** Copies SageMaker sends of each model package event. */
  duplicateEvents?: number;
  /** Virtual epoch ms the clock starts at (default: now). */
  startMs?: number;
  /**
   * Evaluate every AWS call a handler makes against its function's role from the packaged template
   * (default true): what the role would deny in a real account fails here as AccessDenied.
   */
  iam?: boolean;
  /** Fixed port for the local account's endpoint (default: a free one). */
  port?: number;
}

export interface HandlerOptions {
  /**
   * Which handlers run: the bundles in dist/ (what ships; the default), or each step built from its source
   * (functions/<step>/handler.ts) afresh, for tests that run many executions in one process.
   */
  from?: 'bundles' | 'source';
  /** Show the handlers' own logs. */
  verbose?: boolean;
  /** See SimulationOptions.loadModule. */
  loadModule?: (file: string) => unknown;
  /** Handlers' SDK request timeout (AWS_REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
  /** More environment for every handler, set after the packaged one (e.g. BATCH_JOBS). */
  env?: Record<string, string>;
}

export interface ExecutionHooks {
  /** Aborts the execution (as StopExecution does). */
  signal?: AbortSignal;
  /** Awaited as each Task or Wait state starts its work (see RunOptions.beforeWork). */
  beforeWork?: (stateName: string) => Promise<void> | void;
  onStateEntered?: (visit: StateVisit) => void;
  onStateExited?: (visit: StateVisit) => void;
  /** The execution's TimeoutSeconds instead of the packaged one (a scenario's stage param). */
  timeoutSeconds?: number;
  /** The execution's name (StartExecution's `name`); default `sim-<index>`. */
  name?: string;
  /** Whether this invocation of a Task state's Lambda times out after its work (fault tests; see RunOptions.timesOutAfterWork). */
  timesOutAfterWork?: (stateName: string) => boolean;
}

/**
 * The local AWS account a simulation runs in: moto and our SageMaker simulator on one virtual clock,
 * the ledger table created from the packaged template, the data bucket, a queue receiving the outcome
 * events, and (once the registry is seeded) a queue receiving what the packaged approval rule matches.
 * `installHandlers` gives the bundled handlers the packaged environment; `execute` runs the packaged
 * state machine with them, each handler invocation in a turn of its own and every wait on the virtual
 * clock. `close` puts the process back as it was.
 */
export interface LocalAccount {
  /** Both packaged state machines; `execute` picks the one an input is for. */
  readonly machines: PackagedStateMachines;
  readonly moto: MotoServer;
  readonly clock: SimulationClock;
  readonly sim: Simulator;
  readonly clientConfig: { region: string; endpoint: string; credentials: typeof credentials };
  readonly sageMaker: SageMakerClient;
  readonly dynamo: DynamoDBClient;
  readonly events: EventBridgeClient;
  readonly sqs: SQSClient;
  readonly s3: S3Client;
  readonly outcomeQueue: string;
  /** Virtual epoch ms when the account was set up. */
  readonly virtualStart: number;
  /** Virtual seconds since the account was set up. */
  since(): number;
  /** The packaged approval rule, delivering to a queue the runner reads (standing in for the Step Functions target). */
  createApprovalQueue(): Promise<string>;
  /** The packaged recovery rule (release executions that ended unfinished), delivering to a queue the runner reads. */
  createRecoveryQueue(): Promise<string>;
  /** Everything on a queue, deleted as read. */
  drainQueue(queueUrl: string): Promise<string[]>;
  /** Packaged environment with local resources, bundled handlers loaded fresh, the clock installed as Date.now. */
  installHandlers(options?: HandlerOptions): void;
  /** Lets `seconds` of virtual time pass for the caller (what else is due meanwhile happens meanwhile); an abort ends it. */
  waitVirtual(seconds: number, signal?: AbortSignal): Promise<void>;
  /**
   * Runs `act` in a turn of its own while executions run (an operator's action, a runner's step): nothing else
   * changes the account meanwhile, and virtual time stands still unless `act` waits.
   */
  exclusive<T>(act: () => Promise<T>): Promise<T>;
  /** Runs `act` outside the caller's turn: what it starts (an execution) takes turns of its own. */
  detached<T>(act: () => T): T;
  /**
   * One execution (installHandlers first) of the state machine the input is for: nightly and "score now"
   * runs go to batch scoring, everything else to releases, as an operator or the packaged rules start them.
   */
  execute(input: unknown, index: number, hooks?: ExecutionHooks): Promise<ExecutionReport & { machine: PackagedStateMachine }>;
  /** Date.now back to real time (after the executions); a flowing clock runs at full speed again. */
  uninstallClock(): void;
  close(): Promise<void>;
}

/**
 * The packaged rule of the release machine whose events come from `source`, its references to the stack's
 * state machines replaced by their local ARNs (the recovery rule matches the release machine's own ARN).
 */
function triggerPattern(machines: PackagedStateMachines, source: string): Record<string, Json> {
  const pattern = machines.release.triggerPatterns.find((p) => JSON.stringify(p.source ?? null).includes(`"${source}"`));
  if (pattern === undefined) throw new Error(`the packaged template has no rule starting the release machine on ${source} events`);
  const arns: Record<string, string> = { [machines.release.id]: machines.release.arn, [machines.batchScoring.id]: machines.batchScoring.arn };
  const resolve = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value !== null && typeof value === 'object') {
      const ref = value.Ref;
      if (typeof ref === 'string' && Object.keys(value).length === 1 && arns[ref] !== undefined) return arns[ref];
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
    }
    return value;
  };
  return resolve(pattern) as Record<string, Json>;
}

/** A wait on a flowing clock (it runs on by itself); an abort ends it at once. */
function flowingSleep(clock: VirtualClock, seconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => resolve();
    signal?.addEventListener('abort', done, { once: true });
    void clock.sleepVirtual(seconds).then(() => {
      signal?.removeEventListener('abort', done);
      resolve();
    });
  });
}

export async function setUpLocalAccount(options: LocalAccountOptions = {}): Promise<LocalAccount> {
  const machines = loadPackagedStateMachines();
  const ownMoto = options.moto === undefined;
  const moto = options.moto ?? (await startMoto());
  if (!ownMoto) await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
  const start = options.startMs !== undefined ? { startMs: options.startMs } : {};
  const clock: SimulationClock = options.flowing ? new VirtualClock({ speed: options.flowing.speed, ...start }) : new DiscreteClock(start);
  const virtualStart = clock.now();
  const savedEnv = { ...process.env };
  let sim: Simulator | undefined;
  const close = async () => {
    clock.uninstall();
    process.env = savedEnv;
    await sim?.stop();
    if (ownMoto) await moto.stop();
  };
  try {
    // Before any SDK client sends: the SDK looks http.request up once.
    installPrincipalHeader();
    const iam = options.iam === false ? undefined : new IamEvaluator(localFunctionRoles(machines), LOCAL_ACCOUNT);
    sim = await startSimulator({ motoEndpoint: moto.endpoint, clock, seed: options.seed, duplicateEvents: options.duplicateEvents, region: LOCAL_REGION, account: LOCAL_ACCOUNT, ...(iam ? { iam } : {}), ...(options.port !== undefined ? { port: options.port } : {}) });
    const simulator = sim;
    const clientConfig = { region: LOCAL_REGION, endpoint: sim.endpoint, credentials };
    const sageMaker = new SageMakerClient(clientConfig);
    const dynamo = new DynamoDBClient(clientConfig);
    const events = new EventBridgeClient(clientConfig);
    const sqs = new SQSClient(clientConfig);
    const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });

    // The account: ledger table, data bucket, and a queue for the outcome events.
    await dynamo.send(new CreateTableCommand(ledgerTableInput()));
    await s3.send(new CreateBucketCommand({ Bucket: DATA_BUCKET }));
    await s3.send(new CreateBucketCommand({ Bucket: MODEL_BUCKET }));
    const outcomeQueue = await createQueueWithRule(events, sqs, 'release-outcomes', { source: ['sagemaker-release-pipeline'] });

    let handlers: Map<string, Record<string, LambdaHandler>> | undefined;
    const waitVirtual = (seconds: number, signal?: AbortSignal): Promise<void> =>
      clock instanceof DiscreteClock ? clock.sleep(seconds, signal) : flowingSleep(clock, seconds, signal);
    const exclusive = <T>(act: () => Promise<T>): Promise<T> => (clock instanceof DiscreteClock ? clock.exclusive(act) : act());
    const detached = <T>(act: () => T): T => (clock instanceof DiscreteClock ? clock.detached(act) : act());
    return {
      machines,
      moto,
      clock,
      sim: simulator,
      clientConfig,
      sageMaker,
      dynamo,
      events,
      sqs,
      s3,
      outcomeQueue,
      virtualStart,
      since: () => Math.round((clock.now() - virtualStart) / 1000),
      createApprovalQueue: () => createQueueWithRule(events, sqs, 'release-pipeline-trigger', triggerPattern(machines, 'aws.sagemaker')),
      createRecoveryQueue: () => createQueueWithRule(events, sqs, 'release-pipeline-recovery', triggerPattern(machines, 'aws.states')),
      drainQueue: (queueUrl) => drainQueue(sqs, queueUrl),
      installHandlers: (handlerOptions = {}) => {
        // The handlers see the packaged environment, with the stack's resources replaced by local ones.
        Object.assign(process.env, {
          AWS_ENDPOINT_URL: simulator.endpoint,
          AWS_REGION: LOCAL_REGION,
          AWS_ACCESS_KEY_ID: credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
          POWERTOOLS_LOG_LEVEL: handlerOptions.verbose ? 'INFO' : 'SILENT',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        });
        Object.assign(process.env, handlerEnvironment(machines.functions, { ledgerTable: LEDGER_TABLE, sageMakerExecutionRoleArn: ROLE_ARN }));
        if (handlerOptions.requestTimeoutMs !== undefined) process.env.AWS_REQUEST_TIMEOUT_MS = String(handlerOptions.requestTimeoutMs);
        Object.assign(process.env, handlerOptions.env ?? {});
        // One module per function, shared by both state machines (as one Lambda function serves both).
        const byDir = new Map<string, LambdaHandler>();
        const load = handlerOptions.from === 'source' ? sourceStep : (handlerOptions.loadModule ?? freshRequire);
        handlers = new Map([machines.release, machines.batchScoring].map((m) => [m.id, loadBundledHandlers(m, load, byDir, handlerOptions.from ?? 'bundles')]));
        clock.install();
      },
      waitVirtual,
      exclusive,
      detached,
      execute: async (input, index, hooks = {}) => {
        const machine = machineForInput(machines, input);
        const machineHandlers = handlers?.get(machine.id);
        if (!machineHandlers) throw new Error('installHandlers() first');
        const executionId = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${machine.name}:${hooks.name ?? `sim-${index}`}`;
        // StopExecution through the local account's Step Functions stops the run as the caller's signal does.
        const stopped = new AbortController();
        const signal = hooks.signal ? AbortSignal.any([hooks.signal, stopped.signal]) : stopped.signal;
        simulator.executions.started(executionId, input, (_error, cause) => stopped.abort(new Error(cause ?? 'stopped by StopExecution')));
        const report = await runStateMachine({
          definition: machine.definition,
          handlers: machineHandlers,
          input,
          executionId,
          sleep: waitVirtual,
          runTask: exclusive,
          now: () => clock.now(),
          signal,
          onStateExited: (visit) => {
            simulator.executions.exited(executionId, visit.name, visit.type, visit.output);
            hooks.onStateExited?.(visit);
          },
          onStateEntered: (visit) => {
            simulator.executions.entered(executionId, visit.name, visit.type, visit.input);
            hooks.onStateEntered?.(visit);
          },
          ...(hooks.beforeWork ? { beforeWork: hooks.beforeWork } : {}),
          ...(hooks.timeoutSeconds !== undefined ? { timeoutSeconds: hooks.timeoutSeconds } : {}),
          ...(hooks.timesOutAfterWork
            ? { timesOutAfterWork: (state: string) => (hooks.timesOutAfterWork?.(state) ? (machine.functionsByState[state]?.timeoutSeconds ?? 3) : null) }
            : {}),
        });
        // The end goes to the bus as Step Functions sends it ("Step Functions Execution Status Change").
        const status = report.error === 'ExecutionAborted' ? 'ABORTED' : report.error === EXECUTION_TIMED_OUT ? 'TIMED_OUT' : report.status;
        await exclusive(() => simulator.executions.ended(executionId, status, { output: report.output, error: status === 'ABORTED' ? null : report.error, cause: report.cause }));
        return { ...report, machine };
      },
      uninstallClock: () => {
        clock.uninstall();
        if (clock instanceof VirtualClock) clock.setRate(clock.speed);
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

