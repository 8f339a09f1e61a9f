/**
 * Seeding the local account: the registry, endpoints as earlier releases left them, shared multi-model
 * endpoints, batch data. Everything here is a request a person or an earlier release would have made.
 */
import { CreateEndpointCommand, CreateEndpointConfigCommand, CreateModelCommand, CreateModelPackageCommand, CreateModelPackageGroupCommand, DescribeEndpointCommand, DescribeModelPackageCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { previousUtcDay } from '../functions/shared/domain/batch';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DATA_BUCKET, LEDGER_TABLE, MODEL_BUCKET, ROLE_ARN, type LocalAccount } from './account';
import { LOCAL_ACCOUNT, LOCAL_MANAGED_BY, LOCAL_REGION } from './packaged-template';
import { ownershipTags } from '../functions/shared/domain/ownership';
import type { Scenario, ScenarioBehaviour } from './scenario';
import { tarGz } from './sim/tar';
import type { TimelineEntry } from './timeline';

export function profile(b: ScenarioBehaviour) {
  return { latencyMs: b.latencyMs, errorRate: b.errorRate, response: b.response, failOnCreate: b.failOnCreate, failTransform: b.failTransform };
}

/** Where seeding keeps a package's smoke payloads: in the data bucket, which the pipeline's roles may read. */
export function smokePayloadsUri(group: string, role: string): string {
  return `s3://${DATA_BUCKET}/smoke/${group}/${role}.jsonl`;
}

/** A package's smoke payloads as a real package carries them: a JSON Lines file in S3, named by `smoke.payloadsUrl`. */
export async function putSmokePayloads(account: Pick<LocalAccount, 's3'>, uri: string, payloads: readonly object[]): Promise<void> {
  await putText(account, uri, payloads.map((p) => JSON.stringify(p)).join('\n') + '\n');
}

/** A model package in `group` (approved, or awaiting approval) with `containers` containers. */
export async function createModelPackage(
  sageMaker: SageMakerClient,
  group: string,
  metadata: Record<string, string>,
  containers: number,
  approved: boolean,
  samplePayloadUrl?: string,
): Promise<string> {
  const out = await sageMaker.send(
    new CreateModelPackageCommand({
      ModelPackageGroupName: group,
      ModelApprovalStatus: approved ? 'Approved' : 'PendingManualApproval',
      CustomerMetadataProperties: Object.keys(metadata).length > 0 ? metadata : undefined,
      ...(samplePayloadUrl !== undefined ? { SamplePayloadUrl: samplePayloadUrl } : {}),
      InferenceSpecification: {
        Containers: Array.from({ length: containers }, (_, i) => ({
          Image: `${LOCAL_ACCOUNT}.dkr.ecr.${LOCAL_REGION}.amazonaws.com/${group}-${i}:latest`,
          ModelDataUrl: `s3://${MODEL_BUCKET}/${group}/model-${i}.tar.gz`,
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
  // Made by an earlier release of the group: this pipeline's, bound to the group.
  await sageMaker.send(new CreateEndpointCommand({ EndpointName: endpointName, EndpointConfigName: `${endpointName}-live`, Tags: ownershipTags(LOCAL_MANAGED_BY, group) }));
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


async function putText(account: Pick<LocalAccount, 's3'>, uri: string, body: string | Uint8Array): Promise<void> {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
  if (!match?.[1]) throw new Error(`${uri} is not an s3:// URI`);
  await account.s3.send(new CreateBucketCommand({ Bucket: match[1] })).catch(() => undefined);
  await account.s3.send(new PutObjectCommand({ Bucket: match[1], Key: match[2] ?? '', Body: body }));
}

/**
 * A platform-owned shared multi-model endpoint, InService: one variant whose model is a MultiModel container
 * loading any archive under `prefix` by TargetModel.
 */
export async function seedSharedMultiModelEndpoint(account: Pick<LocalAccount, 'sageMaker' | 'sim'>, { name, prefix }: { name: string; prefix: string }): Promise<void> {
  const { sageMaker } = account;
  const containerModel = `${name}-container`;
  await sageMaker.send(new CreateModelCommand({ ModelName: containerModel, ExecutionRoleArn: ROLE_ARN, PrimaryContainer: { Image: `${LOCAL_ACCOUNT}.dkr.ecr.${LOCAL_REGION}.amazonaws.com/mme-server:latest`, Mode: 'MultiModel', ModelDataUrl: prefix } }));
  await sageMaker.send(new CreateEndpointConfigCommand({ EndpointConfigName: `${name}-config`, ProductionVariants: [{ VariantName: 'mme', ModelName: containerModel, InstanceType: 'ml.m5.xlarge', InitialInstanceCount: 1, InitialVariantWeight: 1 }] }));
  await sageMaker.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: `${name}-config` }));
  await waitInService(account, [name]);
}

/** What a scenario's seeding made: the live package (if any), the candidate, the endpoint released to. */
export interface SeededScenario {
  liveArn: string | null;
  candidateArn: string;
  endpointName: string;
}

/**
 * The scenario's account before the run: its group with the live model (serving on an endpoint) and the
 * candidate (awaiting approval, or approved for an operator's run), more registry packages, every package's
 * model archive, a shared multi-model endpoint, the night's batch input.
 */
/** The release id of the other release a busy endpoint is seeded with (scenario busyForSeconds). */
export const BUSY_HOLDER = 'b05f0000';

export async function seedScenario(account: LocalAccount, scenario: Scenario, note: (entry: Omit<TimelineEntry, 'at'>) => void): Promise<SeededScenario> {
  const { sageMaker, sim, s3, clock } = account;
  // The registry: the group, the live model (if any) and the candidate, awaiting approval.
  const group = scenario.group;
  await sageMaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: group }));
  // Smoke payloads and sample archives are files in S3 the package names, as on a real package.
  const createPackage = async (spec: Scenario['candidate'], role: 'live' | 'candidate', approved: boolean) => {
    const metadata = { ...spec.metadata };
    if (spec.smokePayloads !== undefined) {
      metadata['smoke.payloadsUrl'] = smokePayloadsUri(group, role);
      await putSmokePayloads(account, metadata['smoke.payloadsUrl'], spec.smokePayloads);
    }
    let sampleUrl: string | undefined;
    if (spec.samplePayloads !== undefined) {
      sampleUrl = `s3://${DATA_BUCKET}/samples/${group}/${role}.tar.gz`;
      await putText(account, sampleUrl, tarGz(spec.samplePayloads.map((body, i) => ({ name: `payload-${i}.csv`, body }))));
    }
    return createModelPackage(sageMaker, group, metadata, spec.containers, approved, sampleUrl);
  };

  let liveArn: string | null = null;
  const endpointName = scenario.candidate.metadata['endpoint.name'] ?? group;
  if (scenario.live) {
    liveArn = await createPackage(scenario.live, 'live', true);
    sim.setBehaviour(liveArn, profile(scenario.live.behaviour));
    await seedLiveEndpoint(account, { group, endpointName, liveArn, hosting: scenario.live.hosting });
    note({ kind: 'note', execution: 0, title: 'seeded', detail: `endpoint ${endpointName} InService, serving ${liveArn}` });
  }
  // Approval is the trigger in approval scenarios; an operator's run needs an already approved package.
  const candidateArn = await createPackage(scenario.candidate, 'candidate', scenario.trigger !== 'approval');
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
  if (scenario.busyForSeconds !== undefined) {
    // Another release (not this run's) holds the lease and the oldest ticket until they expire.
    const expiresAt = Math.floor(clock.now() / 1000) + scenario.busyForSeconds;
    const pk = `TARGET#${endpointName}`;
    for (const item of [
      { pk, sk: 'LEASE', holder: BUSY_HOLDER, expiresAt },
      { pk, sk: `QUEUE#${new Date(clock.now() - 60_000).toISOString()}#${BUSY_HOLDER}`, releaseId: BUSY_HOLDER, expiresAt },
    ]) {
      await DynamoDBDocumentClient.from(account.dynamo).send(new PutCommand({ TableName: LEDGER_TABLE, Item: item }));
    }
    note({ kind: 'note', execution: 0, title: 'seeded', detail: `release ${BUSY_HOLDER} holds ${endpointName}'s lease for ${scenario.busyForSeconds} s` });
  }
  const foreign = scenario.foreignEndpoint;
  if (foreign) {
    // Made by hand before the run: the group's model (its live package, or a new approved one), no pipeline tags.
    let packageArn = foreign.group === group ? liveArn : null;
    if (packageArn === null) {
      await sageMaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: foreign.group })).catch(() => undefined);
      packageArn = await createModelPackage(sageMaker, foreign.group, {}, 1, true);
    }
    await sageMaker.send(new CreateModelCommand({ ModelName: `${foreign.name}-by-hand`, ExecutionRoleArn: ROLE_ARN, Containers: [{ ModelPackageName: packageArn }] }));
    await sageMaker.send(new CreateEndpointConfigCommand({ EndpointConfigName: `${foreign.name}-by-hand`, ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: `${foreign.name}-by-hand`, InstanceType: 'ml.m5.large', InitialInstanceCount: 1, InitialVariantWeight: 1 }] }));
    await sageMaker.send(new CreateEndpointCommand({ EndpointName: foreign.name, EndpointConfigName: `${foreign.name}-by-hand` }));
    await waitInService(account, [foreign.name]);
    note({ kind: 'note', execution: 0, title: 'seeded', detail: `endpoint ${foreign.name} made by hand (no pipeline tags), serving ${packageArn}` });
  }
  const mme = scenario.sharedMultiModelEndpoint;
  if (mme) {
    await seedSharedMultiModelEndpoint(account, { name: mme.name, prefix: mme.prefix });
    if (mme.liveArtifact) {
      await putText(account, `${mme.prefix}${group}.tar.gz`, 'the group artifact live today');
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

  return { liveArn, candidateArn, endpointName };
}
