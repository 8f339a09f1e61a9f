import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DiscreteClock, type SimulationClock } from '../clock';
import type { BehaviourProfile, BehaviourRegistry } from './behaviour';
import type { EndpointManager } from './endpoints';
import { AwsError } from './http';
import { obj, str } from './json';
import type { MetricsStore } from './metrics';
import { ACCOUNT_ID, joinS3, type MotoApi } from './moto-api';
import { sampleLatencyMs, type Prng } from './prng';

export interface InvokeOptions {
  targetVariant?: string;
  targetModel?: string;
  /** Async invocations publish no `Invocations` metric. */
  async?: boolean;
}

export type InvocationOutcome =
  | { ok: true; variantName: string; body: string; contentType: string; latencyMs: number }
  | { ok: false; error: AwsError; variantName?: string; latencyMs: number };

function modelError(region: string, endpoint: string, status: number): AwsError {
  const logGroup = `/aws/sagemaker/Endpoints/${endpoint}`;
  const kind = status >= 500 ? 'server' : 'client';
  const original = status >= 500 ? 'Internal Server Error' : 'Bad Request';
  return new AwsError(
    'ModelError',
    `Received ${kind} error (${status}) from primary with message "${original}". See https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#logEventViewer:group=${logGroup} in account ${ACCOUNT_ID} for more information.`,
    424,
    { OriginalStatusCode: status, OriginalMessage: original, LogStreamArn: `arn:aws:logs:${region}:${ACCOUNT_ID}:log-group:${logGroup}` },
  );
}

/** SageMaker runtime: sync and async invocations, served by behaviour profiles. */
export class Runtime {
  private readonly background = new Set<Promise<void>>();

  constructor(
    private readonly endpoints: EndpointManager,
    private readonly behaviours: BehaviourRegistry,
    private readonly metrics: MetricsStore,
    private readonly prng: Prng,
    private readonly moto: MotoApi,
    private readonly clock: SimulationClock,
    private readonly region: string,
  ) {}

  /**
   * A multi-model endpoint serves whatever archive sits at `<prefix><TargetModel>` (loaded on first use):
   * its package's profile, told by the package ARN the archive carries (the simulation's archives do). A
   * TargetModel with a registered profile is served by that; one with no object behind it fails to load.
   */
  private async multiModelProfile(endpointName: string, targetModel: string | undefined, targetVariant: string | undefined): Promise<BehaviourProfile | AwsError | undefined> {
    if (targetModel === undefined || this.behaviours.get(targetModel) !== undefined) return undefined;
    const route = this.endpoints.route(endpointName, targetVariant);
    if (route instanceof AwsError || !route.variant.model.multiModel) return undefined;
    const prefix = route.variant.model.modelDataUrl ?? '';
    const uri = `${prefix.endsWith('/') ? prefix : `${prefix}/`}${targetModel}`;
    let archive: string;
    try {
      archive = await this.moto.getText(uri);
    } catch {
      const { bucket, key } = { bucket: /^s3:\/\/([^/]+)\//.exec(uri)?.[1] ?? '', key: uri.replace(/^s3:\/\/[^/]+\//, '') };
      return new AwsError(
        'ValidationError',
        `Failed to download model data(bucket: ${bucket}, key: ${key}). Please ensure that there is an object located at the URL and that the role passed to CreateModel has permissions to download the model.`,
        400,
      );
    }
    const arn = /arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:model-package\/[^\s"]+/.exec(archive)?.[0];
    return arn !== undefined ? this.behaviours.get(arn) : undefined;
  }

  /** One invocation at virtual time `at`; cheap and synchronous so the traffic generator can call it in bulk. */
  invoke(endpointName: string, options: InvokeOptions, at: number, resolved?: BehaviourProfile): InvocationOutcome {
    const route = this.endpoints.route(endpointName, options.targetVariant);
    if (route instanceof AwsError) return { ok: false, error: route, latencyMs: 0 };
    const { variant } = route;
    if (options.targetModel !== undefined && !variant.model.multiModel) {
      return { ok: false, error: new AwsError('ValidationError', `Endpoint ${endpointName} is not a multi-model endpoint; the TargetModel header is not supported.`, 400), latencyMs: 0 };
    }
    const profile = resolved ?? this.behaviours.forModel(variant.model, options.targetModel);
    const latencyMs = sampleLatencyMs(this.prng, profile.latencyMs.p50, profile.latencyMs.p99);
    const u = this.prng.next();
    const status = u < profile.errorRate ? '5xx' : u < profile.errorRate + (profile.clientErrorRate ?? 0) ? '4xx' : 'ok';
    this.metrics.record({
      endpointName,
      variantName: variant.name,
      at,
      latencyUs: Math.round(latencyMs * 1000),
      status,
      countsAsInvocation: !options.async,
    });
    if (status !== 'ok') return { ok: false, error: modelError(this.region, endpointName, status === '5xx' ? 500 : 400), variantName: variant.name, latencyMs };
    return { ok: true, variantName: variant.name, body: profile.response.body, contentType: profile.response.contentType, latencyMs };
  }

  private header(req: IncomingMessage, name: string): string | undefined {
    const v = req.headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  }

  /**
   * The model's latency, so callers see the speed the model has: slept on a discrete clock (the caller's
   * turn given up meanwhile), scaled to wall time on a flowing one.
   */
  private wait(latencyMs: number): Promise<void> {
    if (this.clock instanceof DiscreteClock) return this.clock.sleepForTurnHolder(latencyMs / 1000);
    const wall = this.clock.wallMsFor(latencyMs / 1000);
    return wall >= 1 ? new Promise((r) => setTimeout(r, wall)) : Promise.resolve();
  }

  async handleSync(req: IncomingMessage, res: ServerResponse, endpointName: string): Promise<void> {
    if (this.endpoints.isAsync(endpointName)) {
      throw new AwsError('ValidationError', `Endpoint ${endpointName} is an asynchronous endpoint; use InvokeEndpointAsync.`, 400);
    }
    const options = { targetVariant: this.header(req, 'x-amzn-sagemaker-target-variant'), targetModel: this.header(req, 'x-amzn-sagemaker-target-model') };
    const archive = await this.multiModelProfile(endpointName, options.targetModel, options.targetVariant);
    if (archive instanceof AwsError) throw archive;
    const outcome = this.invoke(endpointName, options, this.clock.now(), archive);
    await this.wait(outcome.latencyMs);
    if (!outcome.ok) throw outcome.error;
    const body = Buffer.from(outcome.body);
    const headers: Record<string, string> = {
      'content-type': outcome.contentType,
      'content-length': String(body.length),
      'x-amzn-invoked-production-variant': outcome.variantName,
      'x-amzn-requestid': randomUUID(),
    };
    const attrs = this.header(req, 'x-amzn-sagemaker-custom-attributes');
    if (attrs) headers['x-amzn-sagemaker-custom-attributes'] = attrs;
    res.writeHead(200, headers);
    res.end(body);
  }

  async handleAsync(req: IncomingMessage, res: ServerResponse, endpointName: string): Promise<void> {
    const input = this.header(req, 'x-amzn-sagemaker-inputlocation');
    if (!input) throw new AwsError('ValidationError', 'InputLocation is required for InvokeEndpointAsync.', 400);
    const isAsync = this.endpoints.isAsync(endpointName);
    if (isAsync === undefined) throw new AwsError('ValidationError', `Endpoint ${endpointName} of account ${ACCOUNT_ID} not found.`, 400);
    if (!isAsync) throw new AwsError('ValidationError', `Endpoint ${endpointName} is not an asynchronous endpoint; use InvokeEndpoint.`, 400);
    const config = this.endpoints.asyncConfig(endpointName);
    const outputPath = str(obj(config, 'OutputConfig'), 'S3OutputPath') ?? '';
    const failurePath = str(obj(config, 'OutputConfig'), 'S3FailurePath');
    const inferenceId = this.header(req, 'x-amzn-sagemaker-inference-id') ?? randomUUID();
    const fileId = randomUUID();
    const outputLocation = joinS3(outputPath, `${fileId}.out`);
    const failureLocation = failurePath ? joinS3(failurePath, `${fileId}-error.out`) : undefined;

    if (this.clock instanceof DiscreteClock) {
      // On a discrete clock the answer is written, after the model's latency, before the 202 goes back: a
      // caller polling S3 for it does so in real time inside its turn, and would hold virtual time still
      // (so the answer could never become due) if the endpoint worked on afterwards.
      await this.runAsync(endpointName, input, outputLocation, failureLocation).catch(() => undefined);
    } else {
      const task = this.runAsync(endpointName, input, outputLocation, failureLocation).catch(() => undefined);
      this.background.add(task);
      void task.finally(() => this.background.delete(task));
    }

    const body = JSON.stringify({ InferenceId: inferenceId });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'x-amzn-sagemaker-outputlocation': outputLocation,
      'x-amzn-requestid': randomUUID(),
    };
    if (failureLocation) headers['x-amzn-sagemaker-failurelocation'] = failureLocation;
    res.writeHead(202, headers);
    res.end(body);
  }

  private async runAsync(endpointName: string, input: string, outputLocation: string, failureLocation: string | undefined): Promise<void> {
    let payloadOk = true;
    try {
      await this.moto.getText(input);
    } catch {
      payloadOk = false;
    }
    const outcome = payloadOk
      ? this.invoke(endpointName, { async: true }, this.clock.now())
      : ({ ok: false, error: new AwsError('ValidationError', `Failed to read input from ${input}.`), latencyMs: 0 } as const);
    await this.wait(outcome.latencyMs);
    if (outcome.ok) await this.moto.putText(outputLocation, outcome.body, outcome.contentType);
    else if (failureLocation) await this.moto.putText(failureLocation, outcome.error.message, 'text/plain');
  }

  /** Lets in-flight async invocations finish writing (bounded) before the simulator stops. */
  async drain(timeoutMs = 2000): Promise<void> {
    if (this.background.size === 0) return;
    await Promise.race([Promise.allSettled([...this.background]), new Promise((r) => setTimeout(r, timeoutMs))]);
  }
}
