/**
 * The packaged state machines run in-process against the local account (moto + our SageMaker simulator),
 * each step built from its source: the one fake AWS world the simulation also uses. Wait states take no wall
 * time (the clock jumps), so a 10-minute bake costs a few requests, not minutes.
 *
 * One moto per test file (startMoto in beforeAll), a fresh account per test (moto reset, a new simulator).
 */
import { CreateModelPackageGroupCommand, DescribeEndpointCommand, DescribeModelPackageCommand, ListModelsCommand, UpdateModelPackageCommand, type CreateModelPackageCommandInput } from '@aws-sdk/client-sagemaker';
import { CreateModelPackageCommand, DescribeModelCommand } from '@aws-sdk/client-sagemaker';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDbReleaseLedger } from '../../functions/shared/aws/dynamodb-ledger';
import type { ReleaseLedger } from '../../functions/shared/domain/ledger';
import { tarGz } from '../../local/sim/tar';
import { DATA_BUCKET, LEDGER_TABLE, MODEL_BUCKET, ROLE_ARN, setUpLocalAccount, type LocalAccount } from '../../local/account';
import { startMoto, type MotoServer } from '../../local/moto';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../../local/packaged-template';
import type { ExecutionReport } from '../../local/run-state-machine';
import { endpointSummary, type EndpointSummary } from '../../local/runner';
import type { BehaviourProfile } from '../../local/sagemaker-simulator';
import { putSmokePayloads, seedLiveEndpoint, seedSharedMultiModelEndpoint, smokePayloadsUri } from '../../local/seeding';

export { ROLE_ARN };

/** How a model answers (the simulator's behaviour profile), with the defaults tests lean on. */
export interface ModelBehaviour {
  /** Reply body (default "0.5"). */
  body?: string;
  contentType?: string;
  /** Share of 5xx replies, 0-1. */
  errorRate?: number;
  latencyMs?: { p50: number; p99: number };
  /** Its container never gets healthy (true, or the FailureReason). */
  failOnCreate?: boolean | string;
  /** Its transform jobs fail (true, or the FailureReason). */
  failTransform?: boolean | string;
}

export function behaviourProfile(b: ModelBehaviour = {}): BehaviourProfile {
  return {
    latencyMs: b.latencyMs ?? { p50: 40, p99: 120 },
    errorRate: b.errorRate ?? 0,
    response: { contentType: b.contentType ?? 'text/csv', body: b.body ?? '0.5' },
    ...(b.failOnCreate !== undefined ? { failOnCreate: b.failOnCreate } : {}),
    ...(b.failTransform !== undefined ? { failTransform: b.failTransform } : {}),
  };
}

export interface PackageOptions {
  metadata?: Record<string, string>;
  behaviour?: ModelBehaviour;
  /** Approved (default), or awaiting approval / rejected. */
  approval?: 'Approved' | 'PendingManualApproval' | 'Rejected';
  /** Container images; several make a serial inference pipeline (default one, with a model archive). */
  containers?: { Image: string; ModelDataUrl?: string }[];
  /** Smoke payloads, written to S3 as JSON Lines and named by the package's `smoke.payloadsUrl` (a real package cannot hold JSON). */
  smokePayloads?: readonly { contentType: string; body: string; accept?: string; expect?: string }[];
  /** Files of the package's SamplePayloadUrl archive (a .tar.gz written to S3). */
  samplePayloads?: readonly string[];
}

export interface OutcomeEvent {
  detailType: string;
  detail: Record<string, unknown>;
}

export interface SimHarness {
  account: LocalAccount;
  /** One execution of the state machine the input is for; `path` is the states it passed, in order. */
  run(input: unknown): Promise<ExecutionReport & { path: string[] }>;
  /** A package in `group` (created if new), its model archive in S3, its behaviour registered. */
  addPackage(group: string, options?: PackageOptions): Promise<string>;
  setApproval(arn: string, status: 'Approved' | 'Rejected' | 'PendingManualApproval'): Promise<void>;
  setMetadata(arn: string, metadata: Record<string, string>): Promise<void>;
  /** An endpoint serving `packageArn` on one variant `live` (config `<name>-live`), as an earlier release left it. */
  addLiveEndpoint(name: string, packageArn: string, hosting?: 'instance' | 'serverless' | 'async'): Promise<void>;
  /** A platform-owned multi-model endpoint over `prefix`; `live` seeds `<prefix><group>.tar.gz` per group. */
  addSharedMultiModelEndpoint(name: string, prefix: string, live?: Record<string, string>): Promise<void>;
  /** The endpoint as DescribeEndpoint + its config + models say, or null. */
  endpoint(name: string): Promise<EndpointSummary | null>;
  /** [package ARN, weight] of each variant that takes traffic. */
  serving(name: string): Promise<[string | null, number][]>;
  /** Every outcome event sent so far, in order. */
  events(): Promise<OutcomeEvent[]>;
  /** The ledger table's items (claims, queue tickets, leases, release records, active batch models). */
  ledgerItems(): Promise<Record<string, unknown>[]>;
  /** The ledger as the pipeline uses it (the same adapter), on the local table. */
  ledger: ReleaseLedger;
  cloudWatch: CloudWatchClient;
  /** Requests the pipeline sent since the last `resetRequests()` that change something (not Describe, List, Get, Query, Scan, Head). */
  writes(): { service: string; operation: string }[];
  resetRequests(): void;
  /** Names of the SageMaker models in the account. */
  models(): Promise<string[]>;
  putObject(uri: string, body: string, metadata?: Record<string, string>): Promise<void>;
  /** An object's body, user metadata and ETag, or null. */
  object(uri: string): Promise<{ body: string; metadata: Record<string, string>; etag: string | null } | null>;
  listObjects(prefix: string): Promise<string[]>;
  close(): Promise<void>;
}

const split = (uri: string) => {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
  return { Bucket: match?.[1] ?? '', Key: match?.[2] ?? '' };
};

/** Where a package version's model archive is (what its container's ModelDataUrl says). */
export function modelArchive(group: string, version: number): string {
  return `s3://${MODEL_BUCKET}/${group}/${version}/model.tar.gz`;
}

/** The approval event SageMaker sends (EventBridge's envelope around it). */
export function approvalEvent(modelPackageArn: string, group: string, id = 'evt-1', status: 'Approved' | 'Rejected' = 'Approved'): Record<string, unknown> {
  return {
    version: '0',
    id,
    'detail-type': 'SageMaker Model Package State Change',
    source: 'aws.sagemaker',
    account: LOCAL_ACCOUNT,
    time: '2026-11-23T10:00:00Z',
    region: LOCAL_REGION,
    resources: [modelPackageArn],
    detail: { ModelPackageGroupName: group, ModelPackageArn: modelPackageArn, ModelApprovalStatus: status, ModelPackageStatus: 'Completed' },
  };
}

export interface SimHarnessOptions {
  moto: MotoServer;
  /** Where the virtual clock starts (ISO timestamp); default now. */
  startAt?: string;
  /** Environment for every handler on top of the packaged one (e.g. BATCH_JOBS). */
  env?: Record<string, string>;
  seed?: number;
}

export async function createSimHarness(options: SimHarnessOptions): Promise<SimHarness> {
  const account = await setUpLocalAccount({ moto: options.moto, seed: options.seed ?? 7, ...(options.startAt !== undefined ? { startMs: Date.parse(options.startAt) } : {}) });
  const { sageMaker, s3, sim } = account;
  const doc = DynamoDBDocumentClient.from(account.dynamo);
  /** Packages made per group: the next one's version, which names its model archive. */
  const groups = new Map<string, number>();
  const buckets = new Set<string>();
  const seen: OutcomeEvent[] = [];
  let runs = 0;
  const bucket = async (name: string) => {
    if (buckets.has(name)) return;
    await s3.send(new CreateBucketCommand({ Bucket: name })).catch(() => undefined);
    buckets.add(name);
  };
  const putObject = async (uri: string, body: string | Uint8Array, metadata?: Record<string, string>) => {
    const { Bucket, Key } = split(uri);
    await bucket(Bucket);
    await s3.send(new PutObjectCommand({ Bucket, Key, Body: body, ...(metadata ? { Metadata: metadata } : {}) }));
  };
  account.installHandlers({ from: 'source', env: options.env });
  return {
    account,
    async run(input) {
      runs += 1;
      const report = await account.execute(input, runs);
      return { ...report, path: report.states.map((s) => s.name) };
    },
    async addPackage(group, pkg = {}) {
      if (!groups.has(group)) await sageMaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: group })).catch(() => undefined);
      // The registry numbers a group's versions 1, 2, ...; each version's archive is at <group>/<version>/model.tar.gz.
      const version = (groups.get(group) ?? 0) + 1;
      const containers = pkg.containers ?? [{ Image: `${LOCAL_ACCOUNT}.dkr.ecr.${LOCAL_REGION}.amazonaws.com/${group}:1`, ModelDataUrl: modelArchive(group, version) }];
      const metadata = { ...pkg.metadata };
      if (pkg.smokePayloads !== undefined) {
        metadata['smoke.payloadsUrl'] = smokePayloadsUri(group, `v${version}`);
        await putSmokePayloads(account, metadata['smoke.payloadsUrl'], pkg.smokePayloads);
      }
      const sampleUrl = pkg.samplePayloads !== undefined ? `s3://${DATA_BUCKET}/samples/${group}/v${version}.tar.gz` : undefined;
      if (sampleUrl !== undefined) await putObject(sampleUrl, tarGz((pkg.samplePayloads ?? []).map((body, i) => ({ name: `payload-${i}.csv`, body }))));
      const input: CreateModelPackageCommandInput = {
        ...(sampleUrl !== undefined ? { SamplePayloadUrl: sampleUrl } : {}),
        ModelPackageGroupName: group,
        ModelApprovalStatus: pkg.approval === 'Rejected' ? 'PendingManualApproval' : (pkg.approval ?? 'Approved'),
        CustomerMetadataProperties: Object.keys(metadata).length > 0 ? metadata : undefined,
        InferenceSpecification: { Containers: containers, SupportedContentTypes: ['text/csv'], SupportedResponseMIMETypes: ['text/csv'] },
      };
      const out = await sageMaker.send(new CreateModelPackageCommand(input));
      // Counted once the registry took it: a refused package takes no version.
      groups.set(group, version);
      const arn = out.ModelPackageArn ?? '';
      if (pkg.approval === 'Rejected') await sageMaker.send(new UpdateModelPackageCommand({ ModelPackageArn: arn, ModelApprovalStatus: 'Rejected' }));
      // The archive carries its package's ARN: a multi-model endpoint that loads it answers as that package.
      for (const c of containers) if (c.ModelDataUrl) await putObject(c.ModelDataUrl, arn);
      sim.setBehaviour(arn, behaviourProfile(pkg.behaviour));
      return arn;
    },
    async setApproval(arn, status) {
      await sageMaker.send(new UpdateModelPackageCommand({ ModelPackageArn: arn, ModelApprovalStatus: status }));
    },
    async setMetadata(arn, metadata) {
      const current = await sageMaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
      const remove = Object.keys(current.CustomerMetadataProperties ?? {}).filter((k) => !(k in metadata));
      await sageMaker.send(
        new UpdateModelPackageCommand({
          ModelPackageArn: arn,
          ...(Object.keys(metadata).length > 0 ? { CustomerMetadataProperties: metadata } : {}),
          ...(remove.length > 0 ? { CustomerMetadataPropertiesToRemove: remove } : {}),
        }),
      );
    },
    async addLiveEndpoint(name, packageArn, hosting = 'instance') {
      await seedLiveEndpoint(account, { group: name, endpointName: name, liveArn: packageArn, hosting });
    },
    async addSharedMultiModelEndpoint(name, prefix, live = {}) {
      await bucket(split(prefix).Bucket);
      await seedSharedMultiModelEndpoint(account, { name, prefix });
      // A group's live artifact carries its package's ARN, so the endpoint answers for it as that package does.
      for (const [group, packageArn] of Object.entries(live)) await putObject(`${prefix}${group}.tar.gz`, packageArn);
    },
    endpoint: (name) => endpointSummary(sageMaker, name),
    async serving(name) {
      const summary = await endpointSummary(sageMaker, name);
      return (summary?.variants ?? []).filter((v) => v.weight > 0).map((v) => [v.modelPackageArn, v.weight]);
    },
    async events() {
      for (const body of await account.drainQueue(account.outcomeQueue)) {
        const event = JSON.parse(body) as { 'detail-type': string; detail: Record<string, unknown> };
        seen.push({ detailType: event['detail-type'], detail: event.detail });
      }
      return [...seen];
    },
    async ledgerItems() {
      const items: Record<string, unknown>[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(new ScanCommand({ TableName: LEDGER_TABLE, ExclusiveStartKey: startKey }));
        items.push(...((page.Items ?? []) as Record<string, unknown>[]));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return items;
    },
    async models() {
      const out = await sageMaker.send(new ListModelsCommand({ MaxResults: 100 }));
      return (out.Models ?? []).map((m) => m.ModelName ?? '').sort();
    },
    ledger: new DynamoDbReleaseLedger(DynamoDBDocumentClient.from(account.dynamo, { marshallOptions: { removeUndefinedValues: true } }), LEDGER_TABLE),
    cloudWatch: new CloudWatchClient(account.clientConfig),
    writes: () =>
      sim
        .requestLog()
        .filter((r) => !/^(Describe|List|Get|Query|Scan|Head|Invoke|Receive)/.test(r.operation))
        .map((r) => ({ service: r.service, operation: r.operation })),
    resetRequests: () => sim.resetRequestLog(),
    putObject,
    async object(uri) {
      const { Bucket, Key } = split(uri);
      try {
        const head = await s3.send(new HeadObjectCommand({ Bucket, Key }));
        const body = await (await s3.send(new GetObjectCommand({ Bucket, Key }))).Body?.transformToString();
        return { body: body ?? '', metadata: head.Metadata ?? {}, etag: head.ETag ?? null };
      } catch {
        return null;
      }
    },
    async listObjects(prefix) {
      const { Bucket, Key } = split(prefix);
      const out = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: Key })).catch(() => ({ Contents: [] }));
      return (out.Contents ?? []).map((o) => `s3://${Bucket}/${o.Key ?? ''}`).sort();
    },
    close: () => account.close(),
  };
}

/** The containers a SageMaker model runs (DescribeModel). */
export async function modelContainers(h: SimHarness, modelName: string): Promise<{ ModelPackageName?: string }[]> {
  const out = await h.account.sageMaker.send(new DescribeModelCommand({ ModelName: modelName }));
  return out.Containers ?? (out.PrimaryContainer ? [out.PrimaryContainer] : []);
}

/** The endpoint's last UpdateEndpoint DeploymentConfig (guardrails), as DescribeEndpoint reports it. */
export async function lastDeploymentConfig(h: SimHarness, endpointName: string): Promise<unknown> {
  return (await h.account.sageMaker.send(new DescribeEndpointCommand({ EndpointName: endpointName }))).LastDeploymentConfig ?? null;
}

/** Ledger items of one kind: claims (sk CLAIM), tickets (QUEUE#), leases (LEASE), records (RELEASE#), batch models (ACTIVE). */
export function itemsOf(items: Record<string, unknown>[], kind: 'claims' | 'tickets' | 'leases' | 'records' | 'batchModels'): Record<string, unknown>[] {
  const sk = (i: Record<string, unknown>) => String(i.sk);
  switch (kind) {
    case 'claims':
      return items.filter((i) => sk(i) === 'CLAIM');
    case 'tickets':
      return items.filter((i) => sk(i).startsWith('QUEUE#'));
    case 'leases':
      return items.filter((i) => sk(i) === 'LEASE');
    case 'records':
      return items.filter((i) => sk(i).startsWith('RELEASE#')).sort((a, b) => sk(a).localeCompare(sk(b)));
    case 'batchModels':
      return items.filter((i) => sk(i) === 'ACTIVE');
  }
}

/** One moto for the test file: started before its first test, stopped after its last. */
export function useMoto(): () => MotoServer {
  let moto: MotoServer | undefined;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });
  return () => {
    if (moto === undefined) throw new Error('moto is started in beforeAll: use it inside a test or hook');
    return moto;
  };
}

/**
 * A fresh local account for every test of the enclosing describe (or file), on the file's moto. The object
 * returned stands for the current test's harness.
 */
export function useSimHarness(moto: () => MotoServer, options: Omit<SimHarnessOptions, 'moto'> = {}): SimHarness {
  let current: SimHarness | undefined;
  beforeEach(async () => {
    current = await createSimHarness({ ...options, moto: moto() });
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return new Proxy({} as SimHarness, {
    get: (_target, property) => {
      if (current === undefined) throw new Error('the harness is created in beforeEach: use it inside a test');
      const value: unknown = current[property as keyof SimHarness];
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(current) : value;
    },
  });
}
