import { createServer, ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DiscreteClock, type SimulationClock } from './clock';
import { AlarmEvaluator, type AlarmStateChange } from './sim/alarms';
import { BehaviourRegistry, DEFAULT_PROFILE, type BehaviourProfile } from './sim/behaviour';
import { classify, type RequestInfo } from './sim/classify';
import { DEFAULT_DURATIONS, type Durations } from './sim/durations';
import { EndpointManager, validateEndpointConfig } from './sim/endpoints';
import { emitModelPackageStateChange, putAwsEvent } from './sim/events';
import { ExecutionRegistry } from './sim/executions';
import { FaultInjector, type FaultHandle, type FaultKind, type FaultSpec } from './sim/faults';
import { AwsError, readBody, sendAwsJson, sendAwsJsonError, sendRestJsonError, sendXmlError } from './sim/http';
import { isObject, parseJsonObject, str, type Json, type JsonObject } from './sim/json';
import { getMetricData, MetricsStore, MINUTE, type MetricSeries } from './sim/metrics';
import { MotoApi } from './sim/moto-api';
import { Prng } from './sim/prng';
import { correctSageMakerAnswer } from './sim/conformance';
import { forward, forwardBuffered, inflate, needsInflate, replay } from './sim/proxy';
import { ResourceTags } from './sim/resource-tags';
import { Runtime } from './sim/runtime';
import { TrafficGenerator, type TrafficSpec, type TrafficStats } from './sim/traffic';
import { TransformJobs } from './sim/transform';
import { rejection, requestViolations } from './sim/validation';
import { accessDenied, authorizationsFor, type IamEvaluator } from './sim/iam';
import { principalOf } from './sim/principal';

export type { AlarmStateChange } from './sim/alarms';
export type { BehaviourProfile } from './sim/behaviour';
export { DEFAULT_PROFILE } from './sim/behaviour';
export type { Durations } from './sim/durations';
export { DEFAULT_DURATIONS } from './sim/durations';
export type { FaultHandle, FaultKind, FaultSpec } from './sim/faults';
export type { MetricPoint, MetricSeries } from './sim/metrics';
export type { TrafficSpec, TrafficStats } from './sim/traffic';

const QUERY_COMPATIBLE = new Set<RequestInfo['service']>(['cloudwatch', 'sqs']);

/** One request the simulator received from a client (its own calls to moto are not counted). */
export interface RequestLogEntry {
  service: RequestInfo['service'];
  operation: string;
  /** The request's path and query, as sent (an S3 key, a ListObjectsV2 prefix). */
  path?: string;
  /** Runtime invocations: the endpoint and who was asked to answer (TargetVariant, TargetModel). */
  endpointName?: string;
  targetVariant?: string;
  targetModel?: string;
  /** The fault it was answered with, if any. */
  fault?: FaultKind;
  /** Why the service model refused it ("ValidationException: 1 validation error detected: ..."), if it did. */
  rejected?: string;
  /** The function that sent it (a handler's request; absent for seeding, tests and outside clients). */
  principal?: string;
  /** Why IAM denied it ("AccessDeniedException: User: ... is not authorized to perform: ..."), if it did. */
  denied?: string;
}

export interface SimulatorOptions {
  /** moto server URL, e.g. from `startMoto()`. */
  motoEndpoint: string;
  /**
   * Discrete: the simulation catches up each time the clock moves (and a model's latency is slept on it).
   * Flowing: a wall-clock tick catches up every `tickWallMs`.
   */
  clock: SimulationClock;
  /** The one region the simulator owns endpoints and jobs in. */
  region?: string;
  /** Seed of the PRNG behind latencies, errors and traffic splits. */
  seed?: number;
  /**
   * Refuse requests that break the service model's rules (botocore's models), as AWS does. Default true;
   * off only to look at what moto alone would do.
   */
  validateRequests?: boolean;
  /**
   * Evaluate every request a function sends (local/sim/principal.ts names it) against that function's role;
   * a request the role does not allow is answered AccessDenied, as AWS would. Requests that name no
   * function (seeding, tests, an outside client) act as the account's administrator.
   */
  iam?: IamEvaluator;
  /** The account the local resources belong to (default 123456789012). */
  account?: string;
  durations?: Partial<Durations>;
  /** Profile for models nobody registered a behaviour for. */
  defaultBehaviour?: BehaviourProfile;
  /** Copies of each model package state change event (SageMaker may send several). */
  duplicateEvents?: number;
  approvalEvents?: {
    /** Also emit on CreateModelPackage (SageMaker does). Default true. */
    onCreate?: boolean;
    /** Also emit on UpdateModelPackage calls that do not touch ModelApprovalStatus (SageMaker does). Default true. */
    onMetadataUpdate?: boolean;
  };
  /** Fixed port (default: a free one). Always bound to 127.0.0.1. */
  port?: number;
  /** Wall ms between simulation ticks on a flowing clock. */
  tickWallMs?: number;
  log?: (message: string) => void;
}

export interface Simulator {
  /** Use as AWS_ENDPOINT_URL. */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  /** Register how a model package (by ARN; or a model name, or an MME target model) behaves. */
  setBehaviour(key: string, profile: BehaviourProfile): void;
  /** The profile registered under exactly this key (a package ARN, model name or target model), if any. */
  behaviourOf(key: string): BehaviourProfile | undefined;
  setDefaultBehaviour(profile: BehaviourProfile): void;
  startTraffic(spec: TrafficSpec): void;
  /** Stops one endpoint's traffic, or all when no name is given. */
  stopTraffic(endpointName?: string): void;
  trafficStats(): TrafficStats[];
  /** Per-minute time series per (endpoint, variant), for charts. */
  metrics(): MetricSeries[];
  alarmHistory(): AlarmStateChange[];
  /** Every endpoint and transform-job lifecycle the simulator ran, [start, end) in virtual ms. */
  lifecycles(): [number, number][];
  injectFault(spec: FaultSpec): FaultHandle;
  /** Step Functions as the local account answers it: the executions the runner runs register here. */
  readonly executions: ExecutionRegistry;
  clearFaults(): void;
  /** Every client request received since the simulator started or `resetRequestLog()` was last called. */
  requestLog(): RequestLogEntry[];
  resetRequestLog(): void;
  /** Runs the simulation up to the clock's now: traffic, metrics to moto, alarms, lifecycles. */
  sync(): Promise<void>;
  /** Jumps the clock by `virtualSeconds` and simulates everything in between. */
  advance(virtualSeconds: number): Promise<void>;
  stop(): Promise<void>;
}

function runtimeTargets(req: IncomingMessage): Pick<RequestLogEntry, 'endpointName' | 'targetVariant' | 'targetModel'> {
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const endpointName = /^\/endpoints\/([^/]+)\//.exec(req.url ?? '')?.[1];
  const targetVariant = header('x-amzn-sagemaker-target-variant');
  const targetModel = header('x-amzn-sagemaker-target-model');
  return {
    ...(endpointName !== undefined ? { endpointName: decodeURIComponent(endpointName) } : {}),
    ...(targetVariant !== undefined ? { targetVariant } : {}),
    ...(targetModel !== undefined ? { targetModel } : {}),
  };
}

/** Control-plane operations the simulator answers itself; everything else goes to moto. */
const OWNED = new Set([
  'CreateEndpoint',
  'DescribeEndpoint',
  'UpdateEndpoint',
  'DeleteEndpoint',
  'ListEndpoints',
  'UpdateEndpointWeightsAndCapacities',
  'CreateTransformJob',
  'DescribeTransformJob',
  'ListTransformJobs',
  'StopTransformJob',
]);

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const { clock, motoEndpoint } = options;
  const region = options.region ?? 'us-east-1';
  const durations: Durations = { ...DEFAULT_DURATIONS, ...options.durations };
  const log = options.log ?? ((): void => undefined);
  const approvalOnCreate = options.approvalEvents?.onCreate ?? true;
  const validateRequests = options.validateRequests ?? true;
  const iam = options.iam;
  const account = options.account ?? '123456789012';
  const approvalOnMetadata = options.approvalEvents?.onMetadataUpdate ?? true;

  const moto = new MotoApi(motoEndpoint, region);
  const prng = new Prng(options.seed ?? 42);
  const behaviours = new BehaviourRegistry(options.defaultBehaviour ?? DEFAULT_PROFILE);
  const metrics = new MetricsStore();
  const endpoints = new EndpointManager(moto, behaviours, durations, prng, region);
  const resourceTags = new ResourceTags(region, account);
  const runtime = new Runtime(endpoints, behaviours, metrics, prng, moto, clock, region);
  const metricDelayMs = durations.metricDelaySeconds * 1000;
  const alarms = new AlarmEvaluator(moto, metrics, metricDelayMs);
  const traffic = new TrafficGenerator();
  const transforms = new TransformJobs(moto, behaviours, durations, region);
  const executions = new ExecutionRegistry(
    () => clock.now(),
    (detailType, detail, resources) => putAwsEvent(moto, 'aws.states', detailType, detail, resources, clock.now()),
  );
  const faults = new FaultInjector();
  let requests: RequestLogEntry[] = [];

  // ---- the simulation loop: one virtual minute (or less) at a time -------------
  let cursor = clock.now();
  let chain: Promise<void> = Promise.resolve();

  async function runUntil(target: number): Promise<void> {
    if (cursor >= target) return;
    const start = cursor;
    const crossesMinute = Math.floor(target / MINUTE) > Math.floor(cursor / MINUTE);
    if (crossesMinute) await alarms.refresh(cursor);
    while (cursor < target) {
      const boundary = Math.floor(cursor / MINUTE) * MINUTE + MINUTE;
      const next = Math.min(target, boundary);
      traffic.generate(runtime, next);
      if (next === boundary) {
        // CloudWatch works on whole minutes: evaluate the finished one, then act on alarms.
        await alarms.evaluate(next);
        endpoints.checkAlarms(next, (name) => alarms.state(name));
      }
      endpoints.advanceTo(next);
      await transforms.advanceTo(next);
      cursor = next;
    }
    // One PutMetricData batch per run, however many minutes it covered.
    // Minutes reach CloudWatch only after the publishing delay: publish when the delayed clock crosses a minute.
    if (Math.floor((cursor - metricDelayMs) / MINUTE) > Math.floor((start - metricDelayMs) / MINUTE)) await metrics.publish(moto, cursor - metricDelayMs);
  }

  /** Serialized: every caller waits for a run that reaches at least its own "now" (or the clock's new now). */
  function catchUp(target = clock.now()): Promise<void> {
    chain = chain.then(() => runUntil(target)).catch((err: unknown) => log(`simulation step failed: ${String(err)}`));
    return chain;
  }

  let timer: NodeJS.Timeout | undefined;
  if (clock instanceof DiscreteClock) {
    // Nothing moves between the clock's steps, so one catch-up per step is the whole simulation.
    clock.onAdvance((to) => catchUp(to));
  } else {
    let ticking = false;
    timer = setInterval(() => {
      if (ticking) return;
      ticking = true;
      void catchUp().finally(() => {
        ticking = false;
      });
    }, options.tickWallMs ?? 20);
  }

  // ---- request handling ----------------------------------------------------------
  async function owned(op: string, input: JsonObject): Promise<JsonObject> {
    const now = clock.now();
    switch (op) {
      case 'CreateEndpoint':
        return endpoints.create(input, now);
      case 'DescribeEndpoint':
        return endpoints.describe(str(input, 'EndpointName') ?? '');
      case 'UpdateEndpoint':
        return endpoints.update(input, now);
      case 'DeleteEndpoint':
        return endpoints.delete(input, now);
      case 'ListEndpoints':
        return endpoints.list(input);
      case 'UpdateEndpointWeightsAndCapacities':
        return endpoints.updateWeights(input, now);
      case 'CreateTransformJob':
        return transforms.create(input, now);
      case 'DescribeTransformJob':
        return transforms.describe(input);
      case 'ListTransformJobs':
        return transforms.list(input);
      case 'StopTransformJob':
        return transforms.stop(input, now);
      default:
        throw new AwsError('UnknownOperationException', `Unknown operation ${op}`);
    }
  }

  /**
   * moto 5.2.1's UpdateModelPackage overwrites ModelApprovalStatus, ApprovalDescription
   * and CustomerMetadataProperties with null when a call leaves them out; SageMaker
   * keeps them (and merges metadata). Fill them in from the current package first.
   */
  async function patchPartialUpdate(input: JsonObject): Promise<JsonObject> {
    const arn = str(input, 'ModelPackageArn');
    if (!arn) return input;
    let current: JsonObject;
    try {
      current = await moto.sagemaker('DescribeModelPackage', { ModelPackageName: arn });
    } catch {
      return input; // let moto answer the missing package itself
    }
    const patched: JsonObject = { ...input };
    for (const key of ['ModelApprovalStatus', 'ApprovalDescription'] as const) {
      const value = current[key];
      if (patched[key] === undefined && value !== undefined) patched[key] = value;
    }
    const currentMeta = current.CustomerMetadataProperties;
    const newMeta = input.CustomerMetadataProperties;
    if (isObject(currentMeta) || isObject(newMeta)) {
      patched.CustomerMetadataProperties = { ...(isObject(currentMeta) ? currentMeta : {}), ...(isObject(newMeta) ? newMeta : {}) };
    }
    return patched;
  }

  async function modelPackageEvent(req: IncomingMessage, res: ServerResponse, info: RequestInfo, body: Buffer): Promise<void> {
    const input = parseJsonObject(body.toString());
    const upstreamBody = info.operation === 'UpdateModelPackage' ? Buffer.from(JSON.stringify(await patchPartialUpdate(input))) : body;
    const result = await forwardBuffered(motoEndpoint, req, upstreamBody);
    if (result.status === 200) {
      let arn: string | undefined;
      if (info.operation === 'UpdateModelPackage') {
        const touchesApproval = input.ModelApprovalStatus !== undefined;
        if (touchesApproval || approvalOnMetadata) arn = str(input, 'ModelPackageArn');
      } else if (approvalOnCreate && str(input, 'ModelPackageGroupName')) {
        arn = str(parseJsonObject(result.body.toString()), 'ModelPackageArn');
      }
      if (arn) {
        try {
          await emitModelPackageStateChange(moto, arn, clock.now(), options.duplicateEvents ?? 1);
        } catch (err) {
          log(`could not emit model package event for ${arn}: ${String(err)}`);
        }
      }
    }
    replay(res, result);
  }

  /** `withheld`: a second pass over a request whose answer is lost (no fault, not logged again). */
  async function handle(req: IncomingMessage, res: ServerResponse, withheld = false): Promise<void> {
    const info = classify(req, region);
    const path = decodeURIComponent(req.url ?? '');
    const principal = principalOf(req);
    const fault = withheld ? undefined : faults.take(info, path, principal !== undefined);
    const targets = info.service === 'sagemaker-runtime' ? runtimeTargets(req) : {};
    const entry: RequestLogEntry = { service: info.service, operation: info.operation, path, ...targets, ...(fault ? { fault } : {}), ...(principal !== undefined ? { principal } : {}) };
    if (!withheld) requests.push(entry);
    if (fault === 'lost-response') {
      // Carried out for real, answered into the void; the caller's connection hangs until it gives up.
      log(`fault lost-response on ${info.service}.${info.operation}: applied, answer withheld`);
      faults.hold(res);
      await handle(req, new ServerResponse(req), true);
      return;
    }
    if (fault) {
      log(`fault ${fault} on ${info.service}.${info.operation}`);
      faults.respond(res, info, fault);
      return;
    }
    try {
      // Every request, whatever the service, sees the simulated world up to its own "now": a CloudWatch
      // read right after a jumped Wait must find the metrics of the minutes jumped over, however busy the
      // machine is (the background tick alone would make what it finds depend on wall-clock timing).
      await catchUp();
      // S3 bodies stream through (model archives can be large); every other body is small and read once.
      const body = info.service === 's3' ? undefined : await readBody(req);
      if (validateRequests) {
        const violations = requestViolations(info, req, body);
        if (violations.length > 0) {
          const error = rejection(info, violations);
          entry.rejected = `${error.code}: ${error.message}`;
          log(`refused ${info.service}.${info.operation}: ${entry.rejected}`);
          throw error;
        }
      }
      if (iam !== undefined && principal !== undefined) {
        const needs = authorizationsFor({ region, account, resourceTags: (arn) => ({ ...resourceTags.of(arn), ...endpoints.tagsOfArn(arn) }) }, info, req, body);
        const decision = await iam.decide(principal, needs);
        if (!decision.allowed) {
          const error = accessDenied(info, iam.roleOf(principal), decision.denied, principal, decision.reason);
          entry.denied = `${error.code}: ${error.message}`;
          log(`denied ${info.service}.${info.operation} to ${principal}: ${decision.denied.action} on ${decision.denied.resource} (${decision.reason})`);
          throw error;
        }
        // Without s3:ListBucket, S3 will not say whether a key exists: a missing key is 403, not 404.
        if (info.service === 's3' && (info.operation === 'GetObject' || info.operation === 'HeadObject')) {
          const bucket = `arn:aws:s3:::${path.replace(/^\//, '').split('/')[0] ?? ''}`;
          if (!(await iam.allows(principal, { action: 's3:ListBucket', resource: bucket, context: {} }))) {
            const result = await forwardBuffered(motoEndpoint, req, Buffer.alloc(0));
            if (result.status === 404) throw new AwsError('AccessDenied', 'Access Denied', 403);
            replay(res, result);
            return;
          }
        }
      }
      const bodyOf = async () => body ?? (await readBody(req));
      if (info.service === 'sagemaker-runtime' && info.endpointName !== undefined) {
        if (info.runtimeKind === 'async') await runtime.handleAsync(req, res, info.endpointName);
        else await runtime.handleSync(req, res, info.endpointName);
        return;
      }
      // CloudWatch: alarm history is the simulation's (moto keeps none); metric data for endpoint variants comes
      // from the simulator's own series (moto cannot do percentiles), as far as it has been published.
      if (info.service === 'cloudwatch' && info.protocol === 'json1.0' && info.operation === 'DescribeAlarmHistory') {
        sendAwsJson(res, alarms.describeHistory(parseJsonObject((await bodyOf()).toString())) as unknown as Json, '1.0');
        return;
      }
      if (info.service === 'cloudwatch' && info.protocol === 'json1.0' && info.operation === 'GetMetricData') {
        const answer = getMetricData(metrics, parseJsonObject((await bodyOf()).toString()), clock.now() - metricDelayMs);
        if (answer !== undefined) {
          sendAwsJson(res, answer as unknown as Json, '1.0');
          return;
        }
      }
      // Step Functions: the executions the runner runs in-process (moto's own cannot run the packaged machines).
      if (info.service === 'sfn' && info.protocol === 'json1.0') {
        sendAwsJson(res, executions.handle(info.operation, parseJsonObject((await bodyOf()).toString())), '1.0');
        return;
      }
      // Tags of an endpoint live with it here; tags of other resources (models, configs) in moto.
      if (info.service === 'sagemaker' && (info.operation === 'ListTags' || info.operation === 'AddTags' || info.operation === 'DeleteTags')) {
        const body = await bodyOf();
        const input = parseJsonObject(body.toString());
        if (endpoints.byArn(str(input, 'ResourceArn') ?? '') !== undefined) {
          sendAwsJson(res, endpoints.tagging(info.operation, input));
          return;
        }
        const answer = await forwardBuffered(motoEndpoint, req, body);
        if (answer.status < 300) resourceTags.applied(info.operation, input);
        replay(res, correctSageMakerAnswer(info.operation, answer));
        return;
      }
      if (info.service === 'sagemaker' && OWNED.has(info.operation)) {
        const input = parseJsonObject((await bodyOf()).toString());
        sendAwsJson(res, await owned(info.operation, input));
        return;
      }
      if (info.service === 'sagemaker' && info.operation === 'CreateEndpointConfig') {
        const config = await bodyOf();
        // moto accepts configs SageMaker rejects (e.g. two serverless variants).
        const input = parseJsonObject(config.toString());
        validateEndpointConfig(input);
        const answer = await forwardBuffered(motoEndpoint, req, config);
        if (answer.status < 300) resourceTags.applied(info.operation, input);
        replay(res, correctSageMakerAnswer(info.operation, answer));
        return;
      }
      if (info.service === 'sagemaker' && (info.operation === 'UpdateModelPackage' || info.operation === 'CreateModelPackage')) {
        await modelPackageEvent(req, res, info, await bodyOf());
        return;
      }
      if (info.service === 'sagemaker') {
        const sent = await bodyOf();
        const answer = await forwardBuffered(motoEndpoint, req, sent);
        if (answer.status < 300 && /^(Create|Delete)(Model|EndpointConfig)$/.test(info.operation)) resourceTags.applied(info.operation, parseJsonObject(sent.toString()));
        replay(res, correctSageMakerAnswer(info.operation, answer));
        return;
      }
      if (needsInflate(req)) {
        const { headers, body: inflated } = inflate(req, await bodyOf());
        await forward(motoEndpoint, req, res, inflated, headers);
        return;
      }
      await forward(motoEndpoint, req, res, body);
    } catch (err) {
      const error = err instanceof AwsError ? err : new AwsError('InternalFailure', err instanceof Error ? err.message : String(err), 500);
      if (!(err instanceof AwsError)) log(`internal error on ${info.service}.${info.operation}: ${String(err)}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (info.service === 'sagemaker-runtime') sendRestJsonError(res, error);
      else if (info.service === 's3') sendXmlError(res, error);
      // awsQuery-compatible services (CloudWatch, SQS) name the query-protocol code in a header, which the SDK reports.
      else sendAwsJsonError(res, error, info.protocol === 'json1.0' ? '1.0' : '1.1', QUERY_COMPATIBLE.has(info.service) ? { code: error.code, fault: error.status >= 500 ? 'Receiver' : 'Sender' } : undefined);
    }
  }

  const server: Server = createServer((req, res) => {
    answerInClientTime(req, res);
    void handle(req, res);
  });
  // Handlers keep connections alive. The server never closes an idle one first (stop() closes them all): a
  // close racing a client's next request on that socket makes the SDK retry a request the server may have
  // carried out, and how long a socket sits idle is wall time, which must not change what a run does.
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${port}`;
  log(`simulator on ${endpoint}, proxying to ${motoEndpoint}`);

  let stopped = false;
  return {
    endpoint,
    port,
    region,
    setBehaviour: (key, profile) => behaviours.set(key, profile),
    behaviourOf: (key) => behaviours.get(key),
    setDefaultBehaviour: (profile) => behaviours.setDefault(profile),
    startTraffic: (spec) => traffic.start(spec, clock.now()),
    stopTraffic: (name) => traffic.stop(name),
    trafficStats: () => traffic.stats(),
    metrics: () => metrics.series(),
    alarmHistory: () => alarms.historyList(),
    lifecycles: () => [...endpoints.lifecycles, ...transforms.lifecycles],
    injectFault: (spec) => faults.inject(spec),
    executions,
    clearFaults: () => faults.clear(),
    requestLog: () => [...requests],
    resetRequestLog: () => {
      requests = [];
    },
    sync: () => catchUp(),
    advance: async (seconds) => {
      if (clock instanceof DiscreteClock) {
        await clock.advance(seconds);
        return;
      }
      clock.advance(seconds);
      await catchUp();
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (timer) clearInterval(timer);
      traffic.stop();
      await chain;
      await runtime.drain();
      faults.releaseHanging();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      moto.destroy();
    },
  };
}

/**
 * Every answer's Date header is the time the request was signed at (its X-Amz-Date), so each client finds the
 * service's clock agreeing with its own. The SDK corrects clock skew against that header, and retries an error
 * answered while it believes its clock is off by more than five minutes; the local account has clients on two
 * clocks (handlers on the simulated one, tests and outside clients on the wall), and a header from either
 * clock would make such retries, and so what a run sends, depend on how far apart the two have drifted.
 */
function answerInClientTime(req: IncomingMessage, res: ServerResponse): void {
  const signed = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(String(req.headers['x-amz-date'] ?? ''));
  if (signed === null) return;
  const [, y, mo, d, h, mi, se] = signed;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${se}Z`).toUTCString();
  res.sendDate = false;
  const writeHead = res.writeHead.bind(res) as (status: number, ...rest: unknown[]) => ServerResponse;
  res.writeHead = ((status: number, ...rest: unknown[]) => {
    for (const arg of rest) {
      if (typeof arg === 'object' && arg !== null && !Array.isArray(arg)) {
        for (const key of Object.keys(arg)) if (key.toLowerCase() === 'date') delete (arg as Record<string, unknown>)[key];
      }
    }
    res.setHeader('date', date);
    return writeHead(status, ...rest);
  }) as typeof res.writeHead;
  res.setHeader('date', date);
}
