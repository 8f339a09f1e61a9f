import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { CreateModelCommand, CreateModelPackageCommand, CreateModelPackageGroupCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { VirtualClock } from '../../local/clock';
import { startMoto, type MotoServer } from '../../local/moto';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../local/sagemaker-simulator';

export const REGION = 'us-east-1';
export const ROLE = 'arn:aws:iam::123456789012:role/sagemaker-execution';

export function clientConfig(endpoint: string, extra: { maxAttempts?: number; requestTimeoutMs?: number } = {}) {
  return {
    region: REGION,
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: extra.maxAttempts ?? 3,
    // A plain object configures the default NodeHttpHandler.
    requestHandler: { requestTimeout: extra.requestTimeoutMs ?? 10_000, throwOnRequestTimeout: true },
  };
}

export interface Clients {
  sm: SageMakerClient;
  runtime: SageMakerRuntimeClient;
  cw: CloudWatchClient;
  s3: S3Client;
  events: EventBridgeClient;
  sqs: SQSClient;
  ddb: DynamoDBClient;
  destroy(): void;
}

export function clients(endpoint: string, extra: { maxAttempts?: number; requestTimeoutMs?: number } = {}): Clients {
  const cfg = clientConfig(endpoint, extra);
  const all = {
    sm: new SageMakerClient(cfg),
    runtime: new SageMakerRuntimeClient(cfg),
    cw: new CloudWatchClient(cfg),
    s3: new S3Client({ ...cfg, forcePathStyle: true }),
    events: new EventBridgeClient(cfg),
    sqs: new SQSClient(cfg),
    ddb: new DynamoDBClient(cfg),
  };
  return {
    ...all,
    destroy: () => Object.values(all).forEach((c) => c.destroy()),
  };
}

export interface LocalAws {
  moto: MotoServer;
  sim: Simulator;
  clock: VirtualClock;
  /** Clients pointed at the simulator (what handlers use). */
  aws: Clients;
  stop(): Promise<void>;
}

export async function startLocalAws(options: Partial<Omit<SimulatorOptions, 'motoEndpoint' | 'clock'>> & { speed?: number } = {}): Promise<LocalAws> {
  const moto = await startMoto();
  const clock = new VirtualClock({ speed: options.speed ?? 600 });
  let sim: Simulator;
  try {
    sim = await startSimulator({ ...options, motoEndpoint: moto.endpoint, clock });
  } catch (err) {
    await moto.stop();
    throw err;
  }
  const aws = clients(sim.endpoint);
  return {
    moto,
    sim,
    clock,
    aws,
    stop: async () => {
      aws.destroy();
      await sim.stop();
      await moto.stop();
    },
  };
}

/** Polls (wall time) until `check` returns a value, or fails after `timeoutMs`. */
export async function until<T>(check: () => Promise<T | undefined | false>, timeoutMs = 10_000, intervalMs = 20): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

let counter = 0;
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}-${Math.floor(Math.random() * 1e6)}`;
}

/** A registered model package and a model built from it. */
export async function registerModel(sm: SageMakerClient, group: string, opts: { approval?: 'Approved' | 'PendingManualApproval' | 'Rejected'; mode?: 'SingleModel' | 'MultiModel' } = {}): Promise<{ packageArn: string; modelName: string }> {
  await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: group })).catch(() => undefined);
  const pkg = await sm.send(
    new CreateModelPackageCommand({
      ModelPackageGroupName: group,
      ModelApprovalStatus: opts.approval ?? 'Approved',
      InferenceSpecification: {
        Containers: [{ Image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/model:latest', ModelDataUrl: `s3://models/${group}/model.tar.gz` }],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['application/json'],
      },
    }),
  );
  const packageArn = pkg.ModelPackageArn ?? '';
  const modelName = unique('model');
  await sm.send(
    new CreateModelCommand({
      ModelName: modelName,
      ExecutionRoleArn: ROLE,
      PrimaryContainer: { ModelPackageName: packageArn, ...(opts.mode ? { Mode: opts.mode } : {}) },
    }),
  );
  return { packageArn, modelName };
}
