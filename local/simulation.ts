/**
 * One scenario end to end on this machine: moto plus our SageMaker simulator as the AWS account, the
 * packaged state machine run by aws-local-stepfunctions, its Task states bound to the bundled
 * handlers in dist/, everything on one virtual clock.
 */
import './polyfills';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DescribeModelPackageCommand, SageMakerClient, CreateModelPackageGroupCommand, CreateModelPackageCommand, UpdateModelPackageCommand, CreateModelCommand, CreateEndpointConfigCommand, CreateEndpointCommand, DescribeEndpointCommand, DescribeEndpointConfigCommand, ListModelsCommand, ListEndpointsCommand, ListEndpointConfigsCommand, DescribeModelCommand } from '@aws-sdk/client-sagemaker';
import { DynamoDBClient, CreateTableCommand, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { S3Client, CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { previousUtcDay } from '../functions/shared/domain/batch';
import { SQSClient, CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, DeleteMessageCommand } from '@aws-sdk/client-sqs';
import { readFileSync } from 'node:fs';
import { VirtualClock } from './clock';
import { startMoto, type MotoServer } from './moto';
import { loadPackagedStateMachine, resolveEnvironment, PACKAGED_TEMPLATE, PROJECT_ROOT, LOCAL_ACCOUNT, LOCAL_REGION, type PackagedStateMachine } from './packaged-template';
import { runStateMachine, type ExecutionReport, type LambdaHandler, type StateVisit } from './run-state-machine';
import { startSimulator, type AlarmStateChange, type FaultSpec, type MetricSeries, type RequestLogEntry, type Simulator } from './sagemaker-simulator';
import type { Scenario, ScenarioBehaviour } from './scenario';

export const LEDGER_TABLE = 'sagemaker-release-pipeline-local-ledger';
/** A bucket for async results and batch data; scenarios refer to it as s3://sagemaker-local-data/... */
export const DATA_BUCKET = 'sagemaker-local-data';
const ROLE_ARN = `arn:aws:iam::${LOCAL_ACCOUNT}:role/sagemaker-release-pipeline-local`;
const credentials = { accessKeyId: 'simulation', secretAccessKey: 'simulation' };

export interface TimelineEntry {
  /** Virtual seconds since the scenario started. */
  at: number;
  kind: 'state' | 'alarm' | 'traffic' | 'note';
  execution: number;
  title: string;
  detail: string;
}

export interface ExecutionSummary {
  index: number;
  status: 'SUCCEEDED' | 'FAILED';
  outcome: string | null;
  error: string | null;
  cause: string | null;
  states: string[];
  stateTransitions: number;
}

export interface EndpointSummary {
  name: string;
  status: string;
  configName: string | null;
  variants: { name: string; model: string | null; modelPackageArn: string | null; weight: number }[];
}

export interface SimulationResult {
  scenario: string;
  description: string;
  outcome: string;
  expectedOutcome: string;
  passed: boolean;
  failures: string[];
  executionStatus: 'SUCCEEDED' | 'FAILED' | 'NONE';
  error: string | null;
  cause: string | null;
  states: string[];
  stateTransitions: number;
  endpoint: EndpointSummary | null;
  events: string[];
  decision: unknown;
  executions: ExecutionSummary[];
  simulatedSeconds: number;
  wallSeconds: number;
  timeline: TimelineEntry[];
  metrics: MetricSeries[];
  alarmHistory: AlarmStateChange[];
  thresholds: { errorRatePercent: number | null; latencyP99Ms: number | null };
  candidateArn: string;
  /** Virtual epoch ms when the scenario started (timeline `at` counts from here). */
  startEpochMs: number;
  /**
   * The AWS operations the run's handlers called, in first-call order, with how many requests each got and
   * how many of those were answered by an injected fault (the runner's own seeding and read-back are not counted).
   */
  awsCalls: AwsCallCount[];
  /** The ledger's release records (sk RELEASE#...) as the run left them, oldest first. */
  ledger: LedgerRecord[];
}

export interface AwsCallCount {
  service: RequestLogEntry['service'];
  operation: string;
  requests: number;
  faulted: number;
}

function countCalls(log: RequestLogEntry[]): AwsCallCount[] {
  const counts = new Map<string, AwsCallCount>();
  for (const { service, operation, fault } of log) {
    const key = `${service}.${operation}`;
    const count = counts.get(key) ?? { service, operation, requests: 0, faulted: 0 };
    count.requests += 1;
    if (fault) count.faulted += 1;
    counts.set(key, count);
  }
  return [...counts.values()];
}

/** A release record in the ledger table (functions/shared/domain/ledger.ts, ReleaseRecord). */
export interface LedgerRecord {
  releaseId: string;
  modelPackageArn: string;
  target: string;
  status: string;
  /** What the endpoint served when the run ended: new, previous, none or mixed; null when no deployment began. */
  servingModel?: string | null;
  reason?: string | null;
  [attribute: string]: unknown;
}

export interface SimulationOptions {
  /** Virtual seconds per wall second. */
  speed?: number;
  /** Reuse a running moto (reset first) instead of starting one. */
  moto?: MotoServer;
  /** Live timeline lines as they happen. */
  onTimeline?: (entry: TimelineEntry) => void;
  /** Show the handlers' own logs. */
  verbose?: boolean;
  /**
   * Loads a bundled handler as a fresh module. Each scenario needs fresh bundles, since a bundle caches
   * SDK clients pointed at the previous scenario's simulator. Under jest, pass one built on
   * jest.isolateModules (jest keeps its own module registry).
   */
  loadModule?: (file: string) => unknown;
  /** Faults to inject into local AWS once the account is seeded, just before the run starts. */
  faults?: FaultSpec[];
  /** Handlers' SDK request timeout (AWS_REQUEST_TIMEOUT_MS); short in fault tests so a hung call fails fast. */
  requestTimeoutMs?: number;
  /** Aborts the executions still running (they end FAILED with `ExecutionAborted`); the result is still read. */
  signal?: AbortSignal;
}

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

function loadBundledHandlers(machine: PackagedStateMachine, load: (file: string) => unknown): Record<string, LambdaHandler> {
  const handlers: Record<string, LambdaHandler> = {};
  const byDir = new Map<string, LambdaHandler>();
  for (const [state, fn] of Object.entries(machine.functionsByState)) {
    const file = join(PROJECT_ROOT, 'dist', 'functions', fn.handlerDir, 'index.js');
    // One module per function, as in Lambda: states served by the same function share its container.
    let handler = byDir.get(fn.handlerDir);
    if (!handler) {
      handler = (load(file) as { handler: LambdaHandler }).handler;
      byDir.set(fn.handlerDir, handler);
    }
    handlers[state] = handler;
  }
  return handlers;
}

/** The ledger table exactly as resources/ledger-table.yml declares it (from the packaged template). */
function ledgerTableInput(): CreateTableCommandInput {
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

export function profile(b: ScenarioBehaviour) {
  return { latencyMs: b.latencyMs, errorRate: b.errorRate, response: b.response, failOnCreate: b.failOnCreate, failTransform: b.failTransform };
}

/** A short line for the timeline from what a state produced. */
export function summarizeState(visit: StateVisit, resultKey: string | null): string {
  if (visit.error) return `${visit.error.Error}: ${String(visit.error.Cause ?? '').slice(0, 300)}`;
  const output = visit.output as Record<string, unknown> | undefined;
  const slice = (resultKey ? output?.[resultKey] : output) as Record<string, unknown> | undefined;
  if (!slice || typeof slice !== 'object') return '';
  const s = slice;
  switch (visit.name) {
    case 'NormalizeInput': {
      const r = s.request as Record<string, unknown> | undefined;
      return `${String(r?.trigger)} request for ${String(r?.modelPackageArn)}`;
    }
    case 'DescribePackage':
      return `${String(s.groupName)} v${String(s.version)}: ${String(s.approvalStatus)}, ${String(s.status)}, ${(s.containers as unknown[] | undefined)?.length ?? 0} container(s)`;
    case 'PlanRelease': {
      const d = s.decision as { rule?: string; reasons?: string[] } | undefined;
      return `mode ${String(s.mode)} by rule ${String(d?.rule)} (${(d?.reasons ?? []).join('; ')}); style ${String(s.style)}; endpoint ${String(s.endpointName)}`;
    }
    case 'ClaimRelease':
      return s.status === 'duplicate' ? `duplicate of release ${String(s.existingReleaseId)} (${String(s.existingStatus)})` : s.status === 'queued' ? `queued behind ${String(s.holder)}` : `lease on ${String(s.target)} acquired`;
    case 'PrepareDeployment':
      return s.firstDeployment ? `first deployment: config ${String(s.newConfigName)}` : `live config ${String(s.previousConfigName)} (variant ${String(s.liveVariantName)}); canary config ${String(s.newConfigName)} adds ${String(s.newVariantName)} at weight 0`;
    case 'StartCanary':
      return `traffic split ${((s.weights as { name: string; weight: number }[] | undefined) ?? []).map((w) => `${w.name}=${Math.round(w.weight)}%`).join(', ')}; bake until ${String(s.bakeUntil)}; alarms ${((s.alarmNames as string[] | undefined) ?? []).join(', ')}`;
    case 'ShiftTraffic':
      return `traffic split ${((s.weights as { name: string; weight: number }[] | undefined) ?? []).map((w) => `${w.name}=${w.weight > 0 ? 100 : 0}%`).join(', ')}`;
    case 'CheckCanary':
      return `${String(s.verdict)}: ${String(s.reason)}`;
    case 'SmokeTest':
      return `${s.passed ? 'passed' : 'FAILED'}: ${String(s.reason)}`;
    case 'ResolveBatchModel':
      return `${String(s.modelName)} from ${String(s.source)} (${String(s.modelPackageArn)})`;
    case 'StartTransformJob':
      return `${s.reused ? 'found existing' : 'started'} transform job ${String(s.jobName)} (${String(s.status)})`;
    case 'CheckTransformJob':
      return `${String(s.check)}${s.reason ? `: ${String(s.reason)}` : ''}${s.check === 'Completed' ? `; ${String(s.outputObjects)} output object(s)` : ''}`;
    case 'RecordBatchOutcome':
      return `${String(s.job)}: ${String(s.status)}${s.reason ? ` (${String(s.reason)})` : ''}`;
    case 'SummarizeBatchRun':
      return String(s.text);
    case 'PreviewRelease':
      return `would create ${((s.wouldCreate as { type: string; name: string }[] | undefined) ?? []).map((r) => `${r.type} ${r.name}`).join(', ')}; ${((s.problems as string[] | undefined) ?? []).length} problem(s)`;
    case 'PrepareManualRollback':
      return `endpoint ${String(s.endpointName)} on ${String(s.newConfigName)} goes back to ${String(s.previousConfigName)}`;
    case 'RollBack':
      return `${String(s.action)}${s.expectedConfigName ? ` (back to ${String(s.expectedConfigName)})` : ''}`;
    default:
      if ('check' in s) return `${String(s.check)} (${String(s.endpointStatus)} on ${String(s.configName)})${s.reason ? `: ${String(s.reason)}` : ''}`;
      if ('outcome' in s) return `${String(s.outcome)}: ${String(s.cause ?? '')}`;
      if (visit.name === 'StageModelArtifact') {
        const a = s.artifact as { targetModel?: string; prefix?: string; backupKey?: string | null } | undefined;
        return `staged TargetModel ${String(a?.targetModel)} under ${String(a?.prefix)}${a?.backupKey ? `; previous artifact kept as ${a.backupKey}` : ''}`;
      }
      // Anything else: the step's result in brief, so no line of the timeline is empty.
      return JSON.stringify(s).slice(0, 200);
  }
}

function resultKeyOf(machine: PackagedStateMachine, stateName: string): string | null {
  const path = machine.definition.States[stateName]?.ResultPath;
  return typeof path === 'string' && path.startsWith('$.') ? path.slice(2) : null;
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
  /** Virtual seconds per wall second while something waits. */
  speed?: number;
  /** Reuse a running moto (reset first) instead of starting one. */
  moto?: MotoServer;
  /** Seed of the simulator's PRNG. */
  seed?: number;
  /** Copies SageMaker sends of each model package event. */
  duplicateEvents?: number;
}

export interface HandlerOptions {
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
  onStateEntered?: (visit: StateVisit) => void;
  onStateExited?: (visit: StateVisit) => void;
}

/**
 * The local AWS account a simulation runs in: moto and our SageMaker simulator on one virtual clock,
 * the ledger table created from the packaged template, the data bucket, a queue receiving the outcome
 * events, and (once the registry is seeded) a queue receiving what the packaged approval rule matches.
 * `installHandlers` gives the bundled handlers the packaged environment; `execute` runs the packaged
 * state machine with them, the clock fast while any execution (or `waitVirtual`) waits and at real
 * time while handlers work. `close` puts the process back as it was.
 */
export interface LocalAccount {
  readonly machine: PackagedStateMachine;
  readonly moto: MotoServer;
  readonly clock: VirtualClock;
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
  /** Everything on a queue, deleted as read. */
  drainQueue(queueUrl: string): Promise<string[]>;
  /** Packaged environment with local resources, bundled handlers loaded fresh, the clock installed as Date.now. */
  installHandlers(options?: HandlerOptions): void;
  /** Runs the clock fast from now until the matching endWait (counted, like a Wait state). */
  beginWait(): void;
  endWait(): void;
  /** Lets `seconds` of virtual time pass, the clock running fast meanwhile. */
  waitVirtual(seconds: number): Promise<void>;
  /** One execution of the packaged state machine (installHandlers first). */
  execute(input: unknown, index: number, hooks?: ExecutionHooks): Promise<ExecutionReport>;
  /** Clock back to Date.now and full speed (after the executions). */
  uninstallClock(): void;
  close(): Promise<void>;
}

export async function setUpLocalAccount(options: LocalAccountOptions = {}): Promise<LocalAccount> {
  const machine = loadPackagedStateMachine();
  const ownMoto = options.moto === undefined;
  const moto = options.moto ?? (await startMoto());
  if (!ownMoto) await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
  const clock = new VirtualClock({ speed: options.speed ?? 600 });
  // Setup runs at real time; waiting (seeding an endpoint, Wait states) is what the speed factor is for.
  clock.setRate(1);
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
    sim = await startSimulator({ motoEndpoint: moto.endpoint, clock, seed: options.seed, duplicateEvents: options.duplicateEvents, region: LOCAL_REGION });
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
    const outcomeQueue = await createQueueWithRule(events, sqs, 'release-outcomes', { source: ['sagemaker-release-pipeline'] });

    let handlers: Record<string, LambdaHandler> | undefined;
    // Fast while any execution waits, real time while handlers work (see VirtualClock.setRate).
    let waiting = 0;
    const beginWait = () => {
      waiting += 1;
      clock.setRate(clock.speed);
    };
    const endWait = () => {
      waiting -= 1;
      if (waiting === 0) clock.setRate(1);
    };
    return {
      machine,
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
      createApprovalQueue: () => createQueueWithRule(events, sqs, 'release-pipeline-trigger', machine.triggerPatterns[0] ?? {}),
      drainQueue: (queueUrl) => drainQueue(sqs, queueUrl),
      installHandlers: (handlerOptions = {}) => {
        // The handlers see the packaged environment, with the stack's resources replaced by local ones.
        Object.assign(process.env, {
          AWS_ENDPOINT_URL: simulator.endpoint,
          AWS_REGION: LOCAL_REGION,
          AWS_ACCESS_KEY_ID: credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
          S3_FORCE_PATH_STYLE: 'true',
          POWERTOOLS_LOG_LEVEL: handlerOptions.verbose ? 'INFO' : 'SILENT',
          AWS_SDK_JS_SUPPRESS_NODE_VERSION_WARNING: '1',
        });
        for (const fn of machine.functions) {
          Object.assign(process.env, resolveEnvironment(fn, (_v, variable) => (variable === 'LEDGER_TABLE' ? LEDGER_TABLE : variable === 'SAGEMAKER_EXECUTION_ROLE_ARN' ? ROLE_ARN : '')));
        }
        if (handlerOptions.requestTimeoutMs !== undefined) process.env.AWS_REQUEST_TIMEOUT_MS = String(handlerOptions.requestTimeoutMs);
        Object.assign(process.env, handlerOptions.env ?? {});
        handlers = loadBundledHandlers(machine, handlerOptions.loadModule ?? freshRequire);
        clock.install();
      },
      beginWait,
      endWait,
      waitVirtual: async (seconds) => {
        beginWait();
        try {
          await clock.sleepVirtual(seconds);
        } finally {
          endWait();
        }
      },
      execute: (input, index, hooks = {}) => {
        if (!handlers) throw new Error('installHandlers() first');
        return runStateMachine({
          definition: machine.definition,
          handlers,
          input,
          executionId: `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${machine.name}:sim-${index}`,
          msPerWaitSecond: 1000 / clock.speed,
          now: () => clock.now(),
          signal: hooks.signal,
          onStateExited: (visit) => {
            if (visit.type === 'Wait') endWait();
            hooks.onStateExited?.(visit);
          },
          onStateEntered: (visit) => {
            if (visit.type === 'Wait') beginWait();
            hooks.onStateEntered?.(visit);
          },
        });
      },
      uninstallClock: () => {
        clock.uninstall();
        clock.setRate(clock.speed);
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

export async function runScenario(scenario: Scenario, options: SimulationOptions = {}): Promise<SimulationResult> {
  const wallStart = performance.now();
  const account = await setUpLocalAccount({ speed: options.speed, moto: options.moto, seed: scenario.seed, duplicateEvents: scenario.duplicateEvents });
  const { machine, clock, sim, sageMaker, dynamo, sqs, s3, outcomeQueue, virtualStart, since } = account;
  const timeline: TimelineEntry[] = [];
  const note = (entry: Omit<TimelineEntry, 'at'>) => {
    const full = { at: since(), ...entry };
    timeline.push(full);
    options.onTimeline?.(full);
  };

  try {
    // The registry: the group, the live model (if any) and the candidate, awaiting approval.
    const group = scenario.group;
    await sageMaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: group }));
    const createPackage = (metadata: Record<string, string>, containers: number, approved: boolean) => createModelPackage(sageMaker, group, metadata, containers, approved);

    let liveArn: string | null = null;
    const endpointName = scenario.candidate.metadata['endpoint.name'] ?? group;
    if (scenario.live) {
      liveArn = await createPackage(scenario.live.metadata, scenario.live.containers, true);
      sim.setBehaviour(liveArn, profile(scenario.live.behaviour));
      await seedLiveEndpoint(account, { group, endpointName, liveArn, hosting: scenario.live.hosting });
      note({ kind: 'note', execution: 0, title: 'seeded', detail: `endpoint ${endpointName} InService, serving ${liveArn}` });
    }
    // Approval is the trigger in approval scenarios; an operator's run needs an already approved package.
    const candidateArn = await createPackage(scenario.candidate.metadata, scenario.candidate.containers, scenario.trigger !== 'approval');
    sim.setBehaviour(candidateArn, profile(scenario.candidate.behaviour));
    for (const extra of scenario.registry) {
      await sageMaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: extra.group })).catch(() => undefined);
      const out = await sageMaker.send(
        new CreateModelPackageCommand({
          ModelPackageGroupName: extra.group,
          ModelApprovalStatus: extra.approved ? 'Approved' : 'PendingManualApproval',
          InferenceSpecification: { Containers: [{ Image: `${LOCAL_ACCOUNT}.dkr.ecr.${LOCAL_REGION}.amazonaws.com/${extra.group}:latest` }], SupportedContentTypes: ['text/csv'], SupportedResponseMIMETypes: ['text/csv'] },
        }),
      );
      if (extra.behaviour) sim.setBehaviour(out.ModelPackageArn ?? '', profile(extra.behaviour));
    }
    // Every package's model archive exists where its container says (a multi-model release copies it).
    for (const arn of [liveArn, candidateArn].filter((a): a is string => a !== null)) {
      const described = await sageMaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
      for (const container of described.InferenceSpecification?.Containers ?? []) {
        const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(container.ModelDataUrl ?? '');
        if (!match?.[1] || !match[2]) continue;
        await s3.send(new CreateBucketCommand({ Bucket: match[1] })).catch(() => undefined);
        await s3.send(new PutObjectCommand({ Bucket: match[1], Key: match[2], Body: `model archive of ${arn}` }));
      }
    }
    const mme = scenario.sharedMultiModelEndpoint;
    if (mme) {
      const prefix = /^s3:\/\/([^/]+)\/(.*)$/.exec(mme.prefix);
      const containerModel = `${mme.name}-container`;
      await sageMaker.send(new CreateModelCommand({ ModelName: containerModel, ExecutionRoleArn: ROLE_ARN, PrimaryContainer: { Image: `${LOCAL_ACCOUNT}.dkr.ecr.${LOCAL_REGION}.amazonaws.com/mme-server:latest`, Mode: 'MultiModel', ModelDataUrl: mme.prefix } }));
      await sageMaker.send(new CreateEndpointConfigCommand({ EndpointConfigName: `${mme.name}-config`, ProductionVariants: [{ VariantName: 'mme', ModelName: containerModel, InstanceType: 'ml.m5.xlarge', InitialInstanceCount: 1, InitialVariantWeight: 1 }] }));
      await sageMaker.send(new CreateEndpointCommand({ EndpointName: mme.name, EndpointConfigName: `${mme.name}-config` }));
      await waitInService(account, [mme.name]);
      if (mme.liveArtifact && prefix?.[1]) {
        await s3.send(new PutObjectCommand({ Bucket: prefix[1], Key: `${prefix[2] ?? ''}${group}.tar.gz`, Body: 'the group artifact live today' }));
        if (scenario.live) sim.setBehaviour(`${group}.tar.gz`, profile(scenario.live.behaviour));
      }
      // The candidate is served under the versioned TargetModel the release stages it as.
      const version = candidateArn.split('/').pop() ?? '';
      sim.setBehaviour(`${group}/v${version}.tar.gz`, profile(scenario.candidate.behaviour));
      note({ kind: 'note', execution: 0, title: 'seeded', detail: `multi-model endpoint ${mme.name} InService over ${mme.prefix}` });
    }
    // The day a scheduled run scores is the one before it starts (functions/shared/domain/batch.ts).
    const scoredDay = previousUtcDay(new Date(clock.now()));
    for (const [uri, body] of Object.entries(scenario.batchData)) {
      const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri.replaceAll('{date}', scoredDay));
      if (!match?.[1] || !match[2]) throw new Error(`batchData key ${uri} is not an s3:// URI`);
      await s3.send(new PutObjectCommand({ Bucket: match[1], Key: match[2], Body: body }));
    }

    const approvalQueue = await account.createApprovalQueue();
    const accountBefore = await accountSnapshot(sageMaker);

    if (scenario.traffic.requestsPerMinute > 0) {
      sim.startTraffic({ endpointName, requestsPerMinute: scenario.traffic.requestsPerMinute, body: scenario.traffic.body, contentType: scenario.traffic.contentType });
      note({ kind: 'traffic', execution: 0, title: 'traffic', detail: `${scenario.traffic.requestsPerMinute} requests/minute to ${endpointName}` });
    }

    // What starts the state machine: the approval event(s) as EventBridge delivered them, the packaged
    // schedule's input, or an operator's input.
    const inputsFor = async (trigger: Scenario['trigger']): Promise<unknown[]> => {
      if (trigger === 'approval') {
        await sageMaker.send(new UpdateModelPackageCommand({ ModelPackageArn: candidateArn, ModelApprovalStatus: 'Approved', ApprovalDescription: 'approved by the simulation' }));
        const events = (await drainQueue(sqs, approvalQueue)).map((b) => JSON.parse(b) as unknown);
        note({ kind: 'note', execution: 0, title: 'approved', detail: `${candidateArn}: ${events.length} event(s) matched the packaged rule` });
        return events;
      }
      if (trigger === 'schedule') {
        note({ kind: 'note', execution: 0, title: 'schedule', detail: `the nightly schedule fires with ${JSON.stringify(machine.scheduleInputs[0] ?? null)}` });
        return machine.scheduleInputs.slice(0, 1);
      }
      const input = JSON.parse(JSON.stringify(trigger.manual).replaceAll('$CANDIDATE_ARN', candidateArn)) as unknown;
      note({ kind: 'note', execution: 0, title: 'manual run', detail: JSON.stringify(input) });
      return [input];
    };

    // A scenario's batch jobs stand in for the stage param batchJobs.
    account.installHandlers({ verbose: options.verbose, loadModule: options.loadModule, requestTimeoutMs: options.requestTimeoutMs, env: scenario.batchJobs ? { BATCH_JOBS: JSON.stringify(scenario.batchJobs) } : {} });
    let alarmsSeen = 0;
    const flushAlarms = () => {
      const history = sim.alarmHistory();
      for (const change of history.slice(alarmsSeen)) {
        note({ kind: 'alarm', execution: 0, title: change.alarmName, detail: `${change.oldState ?? 'new'} -> ${change.newState}: ${change.reason}` });
      }
      alarmsSeen = history.length;
    };
    let executionCount = 0;
    const runAll = (inputs: unknown[]) =>
      Promise.all(
        inputs.map((input) => {
          const index = ++executionCount;
          return account.execute(input, index, {
            signal: options.signal,
            onStateExited: (visit) => {
              flushAlarms();
              if (['Choice', 'Wait', 'Succeed', 'Fail', 'Map'].includes(visit.type)) return;
              const title = visit.iteration !== undefined ? `[${visit.iteration}] ${visit.name}` : visit.name;
              note({ kind: 'state', execution: index, title, detail: summarizeState(visit, resultKeyOf(machine, visit.name)) });
            },
            onStateEntered: (visit) => {
              if (visit.type === 'Fail' || visit.type === 'Succeed') note({ kind: 'state', execution: index, title: visit.name, detail: visit.type === 'Succeed' ? 'execution succeeded' : 'execution failed' });
            },
          });
        }),
      );
    const firstInputs = await inputsFor(scenario.trigger);
    // From here on every request is the pipeline's (but a follow-up approval's): record them, fault them.
    sim.resetRequestLog();
    for (const fault of options.faults ?? []) sim.injectFault(fault);
    const reports = await runAll(firstInputs);
    if (scenario.then) reports.push(...(await runAll(await inputsFor(scenario.then))));
    const awsCalls = countCalls(sim.requestLog());
    // The runner reads the account back unfaulted.
    sim.clearFaults();
    account.uninstallClock();
    flushAlarms();
    sim.stopTraffic();

    const accountAfter = await accountSnapshot(sageMaker);
    const endpoint = await endpointSummary(sageMaker, endpointName);
    const events_ = (await drainQueue(sqs, outcomeQueue)).map((b) => (JSON.parse(b) as { 'detail-type': string })['detail-type']);
    const ledger = await ledgerRecords(dynamo);
    const executions = reports.map((r, i) => executionSummary(r, i + 1));
    // The run a scenario is judged by: the follow-up if there is one, else the one that was not a duplicate.
    const main = scenario.then ? executions[executions.length - 1] : (executions.find((e) => e.outcome !== 'SKIPPED') ?? executions[0]);
    const skipped = executions.filter((e) => e.outcome === 'SKIPPED').length;
    const outcome = main?.outcome ?? 'NONE';
    const failures: string[] = [];
    if (outcome !== scenario.expect.outcome) failures.push(`outcome ${outcome}, expected ${scenario.expect.outcome}`);
    if (skipped !== scenario.expect.skipped) failures.push(`${skipped} duplicate execution(s) skipped, expected ${scenario.expect.skipped}`);
    if (scenario.expect.error !== undefined && main?.error !== scenario.expect.error) failures.push(`error ${main?.error ?? 'none'}, expected ${scenario.expect.error}`);
    if (scenario.expect.accountUnchanged && JSON.stringify(accountBefore) !== JSON.stringify(accountAfter)) {
      failures.push(`the account changed: before ${JSON.stringify(accountBefore)}, after ${JSON.stringify(accountAfter)}`);
    }
    const mainReport = main ? reports[main.index - 1] : undefined;
    const plan = findPlan(mainReport);
    return {
      scenario: scenario.name,
      description: scenario.description,
      outcome,
      expectedOutcome: scenario.expect.outcome,
      passed: failures.length === 0,
      failures,
      executionStatus: main?.status ?? 'NONE',
      error: main?.error ?? null,
      cause: main?.cause ?? null,
      states: main?.states ?? [],
      stateTransitions: executions.reduce((n, e) => n + e.stateTransitions, 0),
      endpoint,
      events: events_,
      decision: plan?.decision ?? null,
      executions,
      simulatedSeconds: since(),
      wallSeconds: Math.round((performance.now() - wallStart) / 10) / 100,
      timeline,
      metrics: sim.metrics(),
      alarmHistory: sim.alarmHistory(),
      thresholds: { errorRatePercent: plan?.settings?.slo?.errorRatePercent ?? null, latencyP99Ms: plan?.settings?.slo?.latencyP99Ms ?? null },
      candidateArn,
      startEpochMs: virtualStart,
      awsCalls,
      ledger,
    };
  } finally {
    await account.close();
  }
}

/** A model package in `group` (approved, or awaiting approval) with `containers` containers. */
export async function createModelPackage(sageMaker: SageMakerClient, group: string, metadata: Record<string, string>, containers: number, approved: boolean): Promise<string> {
  const out = await sageMaker.send(
    new CreateModelPackageCommand({
      ModelPackageGroupName: group,
      ModelApprovalStatus: approved ? 'Approved' : 'PendingManualApproval',
      CustomerMetadataProperties: Object.keys(metadata).length > 0 ? metadata : undefined,
      InferenceSpecification: {
        Containers: Array.from({ length: containers }, (_, i) => ({
          Image: `${LOCAL_ACCOUNT}.dkr.ecr.${LOCAL_REGION}.amazonaws.com/${group}-${i}:latest`,
          ModelDataUrl: `s3://models-${LOCAL_ACCOUNT}/${group}/model-${i}.tar.gz`,
        })),
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['text/csv'],
      },
    }),
  );
  return out.ModelPackageArn ?? '';
}

/**
 * The endpoint as an earlier release left it: one variant serving the live model, InService (the
 * clock jumps ahead while it is created). `wait: false` only creates it (seed many, then waitInService).
 */
export async function seedLiveEndpoint(
  account: Pick<LocalAccount, 'sageMaker' | 'sim'>,
  { group, endpointName, liveArn, hosting, wait = true }: { group: string; endpointName: string; liveArn: string; hosting?: 'instance' | 'serverless' | 'async' | undefined; wait?: boolean },
): Promise<void> {
  const { sageMaker } = account;
  await sageMaker.send(new CreateModelCommand({ ModelName: `${group}-live`, ExecutionRoleArn: ROLE_ARN, Containers: [{ ModelPackageName: liveArn }] }));
  const variant =
    hosting === 'serverless'
      ? { VariantName: 'live', ModelName: `${group}-live`, ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 }, InitialVariantWeight: 1 }
      : { VariantName: 'live', ModelName: `${group}-live`, InstanceType: 'ml.m5.large' as const, InitialInstanceCount: 1, InitialVariantWeight: 1 };
  await sageMaker.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: `${endpointName}-live`,
      ProductionVariants: [variant],
      ...(hosting === 'async' ? { AsyncInferenceConfig: { OutputConfig: { S3OutputPath: `s3://${DATA_BUCKET}/${group}/async-live` } } } : {}),
    }),
  );
  await sageMaker.send(new CreateEndpointCommand({ EndpointName: endpointName, EndpointConfigName: `${endpointName}-live` }));
  if (wait) await waitInService(account, [endpointName]);
}

/** Jumps the clock a virtual minute at a time until every endpoint named is InService. */
export async function waitInService(account: Pick<LocalAccount, 'sageMaker' | 'sim'>, endpointNames: string[]): Promise<void> {
  for (;;) {
    const statuses = await Promise.all(endpointNames.map(async (name) => (await account.sageMaker.send(new DescribeEndpointCommand({ EndpointName: name }))).EndpointStatus));
    if (statuses.every((s) => s === 'InService')) return;
    await account.sim.advance(60);
  }
}

export async function ledgerRecords(dynamo: DynamoDBClient): Promise<LedgerRecord[]> {
  const doc = DynamoDBDocumentClient.from(dynamo);
  const records: LedgerRecord[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: LEDGER_TABLE, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) if (String(item.sk).startsWith('RELEASE#')) records.push(item as LedgerRecord);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return records.sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
}

interface PlanLike {
  decision?: unknown;
  settings?: { slo?: { errorRatePercent?: number; latencyP99Ms?: number } };
}

function findPlan(report: ExecutionReport | undefined): PlanLike | undefined {
  const visit = report?.states.find((s) => s.name === 'PlanRelease' && s.output);
  return (visit?.output as { plan?: PlanLike } | undefined)?.plan;
}

export function executionSummary(report: ExecutionReport, index: number): ExecutionSummary {
  const summary = report.states.find((s) => s.name === 'SummarizeBatchRun' && s.output);
  const recorded = [...report.states].reverse().find((s) => /^Record(Promotion|Rollback|Failure|RollbackFailure|Duplicate|Registration)$/.test(s.name) && s.output);
  const outcome = summary
    ? ((summary.output as { batchSummary?: { failed?: number } }).batchSummary?.failed ?? 0) > 0
      ? 'SCORING_FAILED'
      : 'SCORED'
    : report.states.some((s) => s.name === 'DryRunDone')
      ? 'PREVIEWED'
      : ((recorded?.output as { outcome?: { outcome?: string } } | undefined)?.outcome?.outcome ?? null);
  return { index, status: report.status, outcome, error: report.error, cause: report.cause, states: report.states.map((s) => s.name), stateTransitions: report.stateTransitions };
}

async function accountSnapshot(sageMaker: SageMakerClient): Promise<Record<string, string[]>> {
  const [models, configs, endpoints] = await Promise.all([
    sageMaker.send(new ListModelsCommand({ MaxResults: 100 })),
    sageMaker.send(new ListEndpointConfigsCommand({ MaxResults: 100 })),
    sageMaker.send(new ListEndpointsCommand({ MaxResults: 100 })),
  ]);
  return {
    models: (models.Models ?? []).map((m) => m.ModelName ?? '').sort(),
    endpointConfigs: (configs.EndpointConfigs ?? []).map((c) => c.EndpointConfigName ?? '').sort(),
    endpoints: (endpoints.Endpoints ?? []).map((e) => `${e.EndpointName ?? ''}:${e.EndpointStatus ?? ''}`).sort(),
  };
}

export async function endpointSummary(sageMaker: SageMakerClient, name: string): Promise<EndpointSummary | null> {
  try {
    const endpoint = await sageMaker.send(new DescribeEndpointCommand({ EndpointName: name }));
    const config = endpoint.EndpointConfigName ? await sageMaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint.EndpointConfigName })) : undefined;
    const models = new Map((config?.ProductionVariants ?? []).map((v) => [v.VariantName ?? '', v.ModelName ?? null]));
    const variants = [];
    for (const v of endpoint.ProductionVariants ?? []) {
      const model = models.get(v.VariantName ?? '') ?? null;
      const described = model ? await sageMaker.send(new DescribeModelCommand({ ModelName: model })) : undefined;
      const pkg = described?.PrimaryContainer?.ModelPackageName ?? described?.Containers?.[0]?.ModelPackageName ?? null;
      variants.push({ name: v.VariantName ?? '', model, modelPackageArn: pkg, weight: v.CurrentWeight ?? 0 });
    }
    return { name, status: endpoint.EndpointStatus ?? 'Unknown', configName: endpoint.EndpointConfigName ?? null, variants };
  } catch (error) {
    if ((error as { name?: string }).name === 'ValidationException') return null;
    throw error;
  }
}
