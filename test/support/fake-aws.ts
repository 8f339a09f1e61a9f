/**
 * A small stateful fake of the AWS calls the pipeline makes, on top of aws-sdk-client-mock, so the
 * real ASL can run end to end in a unit-test process. Endpoint changes complete after a few
 * DescribeEndpoint polls; tests steer failures (endpoint Failed, alarm firing, model errors, throttling).
 * Batch Transform jobs likewise finish after a few DescribeTransformJob polls, Completed (writing one
 * output object to S3), Failed, or Completed with no output, as tests choose.
 * Shared multi-model endpoints (addMultiModelEndpoint) serve whichever package's artifact sits under their
 * model prefix at the request's TargetModel; S3 objects are an in-memory map keyed by s3:// URI.
 */
import { createHash } from 'node:crypto';
import { mockClient } from 'aws-sdk-client-mock';
import {
  SageMakerClient,
  DescribeModelPackageCommand,
  CreateModelCommand,
  CreateEndpointConfigCommand,
  DescribeEndpointConfigCommand,
  CreateEndpointCommand,
  DescribeEndpointCommand,
  UpdateEndpointCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
  DeleteEndpointCommand,
  ListModelPackagesCommand,
  CreateTransformJobCommand,
  DescribeTransformJobCommand,
  DescribeModelCommand,
  type ContainerDefinition,
  type CreateTransformJobCommandInput,
  type DescribeModelPackageCommandOutput,
  type ListModelPackagesCommandInput,
  type ProductionVariant,
  type TransformJobStatus,
} from '@aws-sdk/client-sagemaker';
import {
  S3Client,
  ListObjectsV2Command,
  HeadObjectCommand,
  GetObjectCommand,
  CopyObjectCommand,
  DeleteObjectCommand,
  type ListObjectsV2CommandInput,
  type CopyObjectCommandInput,
} from '@aws-sdk/client-s3';
import { SageMakerRuntimeClient, InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { CloudWatchClient, PutMetricAlarmCommand, DescribeAlarmsCommand, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';

export const ROLE_ARN = 'arn:aws:iam::123456789012:role/sagemaker-execution';

function awsError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status }, $fault: status >= 500 ? 'server' : 'client' });
}

interface FakeEndpoint {
  name: string;
  configName: string;
  status: string;
  weights: Map<string, number>;
  failureReason?: string;
  pending?: { polls: number; to: string; fail: boolean; deleting?: boolean; rollbackAlarms?: string[] };
}

export interface FakeTransformJob {
  input: CreateTransformJobCommandInput;
  status: TransformJobStatus;
  creationTime: Date;
  endTime?: Date;
  failureReason?: string;
  /** DescribeTransformJob polls still answered InProgress. */
  pollsLeft: number;
  /** How the job ends once its polls are used up. */
  ending: 'Completed' | 'Failed' | 'CompletedWithoutOutput';
}

/** An S3 object: `content` is the package ARN whose model archive it is (or any text). */
export interface FakeObject {
  content: string;
  metadata: Record<string, string>;
  etag: string;
}

export interface ModelBehaviour {
  body: string;
  contentType: string;
  modelError?: boolean;
}

export class FakeAwsAccount {
  readonly sageMaker = mockClient(SageMakerClient);
  readonly runtime = mockClient(SageMakerRuntimeClient);
  readonly cloudWatch = mockClient(CloudWatchClient);
  readonly eventBridge = mockClient(EventBridgeClient);
  readonly s3 = mockClient(S3Client);

  readonly packages = new Map<string, DescribeModelPackageCommandOutput>();
  readonly models = new Map<string, string>(); // model name -> package arn
  readonly configs = new Map<string, ProductionVariant[]>();
  readonly endpoints = new Map<string, FakeEndpoint>();
  readonly alarms = new Map<string, string>();
  readonly events: { detailType: string; detail: Record<string, unknown> }[] = [];
  /** Package ARN -> how its model answers. */
  readonly behaviours = new Map<string, ModelBehaviour>();
  /** Endpoint configs whose deployment ends Failed (the model container never gets healthy). */
  failingConfigs: RegExp | null = null;
  /** Alarm name pattern that goes into ALARM once created. */
  firingAlarm: RegExp | null = null;
  canaryInvocations = 1000;
  /** Throttle the next N calls of an operation. */
  readonly throttles = new Map<string, number>();
  pollsPerChange = 2;
  /** The DeploymentConfig of the last UpdateEndpoint (guardrails), for assertions. */
  lastDeploymentConfig: unknown = null;
  readonly transformJobs = new Map<string, FakeTransformJob>();
  /** DescribeTransformJob polls a new transform job answers InProgress before it ends. */
  transformPolls = 2;
  /** Transform job names that end Failed. */
  failingTransformJobs: RegExp | null = null;
  /** Transform job names that end Completed but write nothing (an empty input partition). */
  emptyTransformJobs: RegExp | null = null;
  /** Objects in S3, as s3://bucket/key. */
  readonly s3Objects = new Set<string>();
  /** Objects with content (model archives), by s3://bucket/key; HeadObject, GetObject, CopyObject, DeleteObject. */
  readonly objects = new Map<string, FakeObject>();
  /** DescribeModel's container per model name; models without one are single-model containers of their package. */
  readonly modelContainers = new Map<string, ContainerDefinition>();

  constructor() {
    this.wire();
  }

  restore(): void {
    for (const m of [this.sageMaker, this.runtime, this.cloudWatch, this.eventBridge, this.s3]) m.restore();
  }

  addPackage(group: string, version: number, overrides: Partial<DescribeModelPackageCommandOutput> = {}, behaviour: ModelBehaviour = { body: '0.5', contentType: 'text/csv' }): string {
    const arn = `arn:aws:sagemaker:us-east-1:123456789012:model-package/${group}/${version}`;
    this.packages.set(arn, {
      ModelPackageArn: arn,
      ModelPackageName: group,
      ModelPackageGroupName: group,
      ModelPackageVersion: version,
      ModelPackageStatus: "Completed",
      CreationTime: new Date(0),
      ModelPackageStatusDetails: { ValidationStatuses: [], ImageScanStatuses: [] },
      ModelApprovalStatus: 'Approved',
      InferenceSpecification: { Containers: [{ Image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/model:1', ModelDataUrl: `s3://models/${group}/${version}/model.tar.gz` }], SupportedContentTypes: ['text/csv'], SupportedResponseMIMETypes: ['text/csv'] },
      CustomerMetadataProperties: {},
      $metadata: {},
      ...overrides,
    });
    this.behaviours.set(arn, behaviour);
    // The package's model archive, so it can be copied (multi-model releases).
    for (const c of this.packages.get(arn)?.InferenceSpecification?.Containers ?? []) if (c.ModelDataUrl) this.putObject(c.ModelDataUrl, arn);
    return arn;
  }

  putObject(uri: string, content: string, metadata: Record<string, string> = {}): void {
    this.objects.set(uri, { content, metadata, etag: `"${createHash('md5').update(content).digest('hex')}"` });
  }

  /**
   * A platform-owned shared multi-model endpoint: one variant whose model is a MultiModel container loading
   * models from `prefix`. `live` seeds group live artifacts (`<prefix><group>.tar.gz` holding that package).
   */
  addMultiModelEndpoint(name: string, prefix = `s3://sagemaker-mme/${name}/`, live: Record<string, string> = {}): string {
    const model = `mme-model-${name}`;
    this.models.set(model, '');
    this.modelContainers.set(model, { Image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/model:1', Mode: 'MultiModel', ModelDataUrl: prefix });
    this.configs.set(`${name}-live`, [{ VariantName: 'AllTraffic', ModelName: model, InstanceType: 'ml.m5.xlarge', InitialInstanceCount: 1, InitialVariantWeight: 1 }]);
    this.endpoints.set(name, { name, configName: `${name}-live`, status: 'InService', weights: new Map([['AllTraffic', 1]]) });
    for (const [group, packageArn] of Object.entries(live)) this.putObject(`${prefix}${group}.tar.gz`, packageArn);
    return prefix;
  }

  /** The model prefix of a multi-model endpoint. */
  private multiModelPrefix(endpointName: string): string | null {
    const endpoint = this.endpoints.get(endpointName);
    const variant = this.configs.get(endpoint?.configName ?? '')?.[0];
    const container = this.modelContainers.get(variant?.ModelName ?? '');
    return container?.Mode === 'MultiModel' ? (container.ModelDataUrl ?? null) : null;
  }

  /** An endpoint already serving `packageArn` on one variant, as a previous release would leave it. */
  addLiveEndpoint(name: string, packageArn: string): void {
    const model = `live-model-${name}`;
    this.models.set(model, packageArn);
    this.configs.set(`${name}-live`, [{ VariantName: 'live', ModelName: model, InstanceType: 'ml.m5.large', InitialInstanceCount: 1, InitialVariantWeight: 1 }]);
    this.endpoints.set(name, { name, configName: `${name}-live`, status: 'InService', weights: new Map([['live', 1]]) });
  }

  /** A serverless endpoint already serving `packageArn`. */
  addLiveServerlessEndpoint(name: string, packageArn: string): void {
    const model = `live-model-${name}`;
    this.models.set(model, packageArn);
    this.configs.set(`${name}-live`, [{ VariantName: 'live', ModelName: model, ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 }, InitialVariantWeight: 1 }]);
    this.endpoints.set(name, { name, configName: `${name}-live`, status: 'InService', weights: new Map([['live', 1]]) });
  }

  /** Which package's model receives the endpoint's traffic, by weight. */
  servingPackages(name: string): Map<string, number> {
    const endpoint = this.endpoints.get(name);
    const served = new Map<string, number>();
    if (!endpoint) return served;
    for (const variant of this.configs.get(endpoint.configName) ?? []) {
      const weight = endpoint.weights.get(variant.VariantName ?? '') ?? 0;
      const pkg = this.models.get(variant.ModelName ?? '') ?? 'unknown';
      if (weight > 0) served.set(pkg, (served.get(pkg) ?? 0) + weight);
    }
    return served;
  }

  private maybeThrottle(operation: string): void {
    const left = this.throttles.get(operation) ?? 0;
    if (left > 0) {
      this.throttles.set(operation, left - 1);
      throw awsError('ThrottlingException', 'Rate exceeded');
    }
  }

  /** A transform job a run has already started (or finished) for its night, as a re-run would find it. */
  addTransformJob(input: CreateTransformJobCommandInput, status: TransformJobStatus = 'Completed'): void {
    const job: FakeTransformJob = { input, status: 'InProgress', creationTime: new Date(Date.now()), pollsLeft: 0, ending: status === 'Failed' ? 'Failed' : 'Completed' };
    this.transformJobs.set(input.TransformJobName ?? '', job);
    if (status !== 'InProgress') this.finishTransformJob(job);
  }

  private finishTransformJob(job: FakeTransformJob): void {
    job.endTime = new Date(Date.now());
    if (job.ending === 'Failed') {
      job.status = 'Failed';
      job.failureReason = 'AlgorithmError: ClientError: See job logs for more information';
      return;
    }
    job.status = 'Completed';
    const output = job.input.TransformOutput?.S3OutputPath ?? '';
    if (job.ending === 'Completed') this.s3Objects.add(`${output.endsWith('/') ? output : `${output}/`}part-00000.csv.out`);
  }

  private advanceTransformJob(job: FakeTransformJob): void {
    if (job.status !== 'InProgress') return;
    if (job.pollsLeft > 0) {
      job.pollsLeft -= 1;
      return;
    }
    this.finishTransformJob(job);
  }

  private startChange(endpoint: FakeEndpoint, to: string, status: string): void {
    endpoint.status = status;
    endpoint.pending = { polls: this.pollsPerChange, to, fail: this.failingConfigs?.test(to) ?? false };
  }

  private advance(endpoint: FakeEndpoint): void {
    const pending = endpoint.pending;
    if (!pending) return;
    pending.polls -= 1;
    if (pending.polls > 0) return;
    endpoint.pending = undefined;
    if (pending.deleting) {
      this.endpoints.delete(endpoint.name);
      return;
    }
    const firing = (pending.rollbackAlarms ?? []).filter((a) => this.alarms.get(a) === 'ALARM');
    if (firing.length > 0) {
      // Deployment guardrails: SageMaker rolls back to the old fleet by itself.
      endpoint.status = 'InService';
      endpoint.failureReason = `Deployment failed because alarm(s) ${firing.join(', ')} went into ALARM state during the baking period`;
      return;
    }
    if (pending.fail) {
      endpoint.failureReason = `Failed to deploy ${pending.to}: the model container did not pass the ping health check`;
      // A failed create leaves the endpoint Failed; a failed update leaves it InService on the old config.
      endpoint.status = endpoint.configName === pending.to ? 'Failed' : 'InService';
      return;
    }
    endpoint.configName = pending.to;
    endpoint.status = 'InService';
    endpoint.failureReason = undefined;
    endpoint.weights = new Map((this.configs.get(pending.to) ?? []).map((v) => [v.VariantName ?? '', v.InitialVariantWeight ?? 1]));
  }

  private wire(): void {
    const sm = this.sageMaker;
    sm.on(DescribeModelPackageCommand).callsFake((input: { ModelPackageName: string }) => {
      this.maybeThrottle('DescribeModelPackage');
      const pkg = this.packages.get(input.ModelPackageName);
      if (!pkg) throw awsError('ValidationException', `Model package ${input.ModelPackageName} does not exist.`);
      return pkg;
    });
    sm.on(CreateModelCommand).callsFake((input: { ModelName: string; Containers?: { ModelPackageName?: string }[] }) => {
      this.maybeThrottle('CreateModel');
      if (this.models.has(input.ModelName)) throw awsError('ValidationException', `Cannot create already existing model "${input.ModelName}".`);
      this.models.set(input.ModelName, input.Containers?.[0]?.ModelPackageName ?? '');
      return { ModelArn: `arn:aws:sagemaker:us-east-1:123456789012:model/${input.ModelName}` };
    });
    sm.on(CreateEndpointConfigCommand).callsFake((input: { EndpointConfigName: string; ProductionVariants: ProductionVariant[] }) => {
      this.maybeThrottle('CreateEndpointConfig');
      if (this.configs.has(input.EndpointConfigName)) throw awsError('ValidationException', `Cannot create already existing endpoint configuration "${input.EndpointConfigName}".`);
      this.configs.set(input.EndpointConfigName, input.ProductionVariants);
      return {};
    });
    sm.on(DescribeEndpointConfigCommand).callsFake((input: { EndpointConfigName: string }) => {
      const variants = this.configs.get(input.EndpointConfigName);
      if (!variants) throw awsError('ValidationException', `Could not find endpoint configuration "${input.EndpointConfigName}".`);
      return { EndpointConfigName: input.EndpointConfigName, ProductionVariants: variants };
    });
    sm.on(CreateEndpointCommand).callsFake((input: { EndpointName: string; EndpointConfigName: string }) => {
      this.maybeThrottle('CreateEndpoint');
      const endpoint: FakeEndpoint = { name: input.EndpointName, configName: input.EndpointConfigName, status: 'Creating', weights: new Map() };
      this.endpoints.set(input.EndpointName, endpoint);
      this.startChange(endpoint, input.EndpointConfigName, 'Creating');
      return {};
    });
    sm.on(DescribeEndpointCommand).callsFake((input: { EndpointName: string }) => {
      this.maybeThrottle('DescribeEndpoint');
      const endpoint = this.endpoints.get(input.EndpointName);
      if (!endpoint) throw awsError('ValidationException', `Could not find endpoint "${input.EndpointName}".`);
      this.advance(endpoint);
      if (!this.endpoints.has(input.EndpointName)) throw awsError('ValidationException', `Could not find endpoint "${input.EndpointName}".`);
      return {
        EndpointName: endpoint.name,
        EndpointConfigName: endpoint.configName,
        EndpointStatus: endpoint.status,
        FailureReason: endpoint.failureReason,
        ProductionVariants: [...endpoint.weights].map(([VariantName, w]) => ({ VariantName, CurrentWeight: w, DesiredWeight: w })),
      };
    });
    sm.on(UpdateEndpointCommand).callsFake((input: { EndpointName: string; EndpointConfigName: string; DeploymentConfig?: { AutoRollbackConfiguration?: { Alarms?: { AlarmName?: string }[] } } }) => {
      this.maybeThrottle('UpdateEndpoint');
      const endpoint = this.endpoints.get(input.EndpointName);
      if (!endpoint) throw awsError('ValidationException', `Could not find endpoint "${input.EndpointName}".`);
      if (endpoint.status !== 'InService') throw awsError('ValidationException', `Cannot update in-progress endpoint "${input.EndpointName}".`);
      this.lastDeploymentConfig = input.DeploymentConfig ?? null;
      this.startChange(endpoint, input.EndpointConfigName, 'Updating');
      if (endpoint.pending) endpoint.pending.rollbackAlarms = (input.DeploymentConfig?.AutoRollbackConfiguration?.Alarms ?? []).map((a) => a.AlarmName ?? '');
      return {};
    });
    sm.on(UpdateEndpointWeightsAndCapacitiesCommand).callsFake((input: { EndpointName: string; DesiredWeightsAndCapacities: { VariantName: string; DesiredWeight: number }[] }) => {
      this.maybeThrottle('UpdateEndpointWeightsAndCapacities');
      const endpoint = this.endpoints.get(input.EndpointName);
      if (!endpoint || endpoint.status !== 'InService') throw awsError('ValidationException', 'Endpoint is not InService');
      for (const d of input.DesiredWeightsAndCapacities) endpoint.weights.set(d.VariantName, d.DesiredWeight);
      return {};
    });
    sm.on(DeleteEndpointCommand).callsFake((input: { EndpointName: string }) => {
      const endpoint = this.endpoints.get(input.EndpointName);
      if (!endpoint) throw awsError('ValidationException', `Could not find endpoint "${input.EndpointName}".`);
      endpoint.status = 'Deleting';
      endpoint.pending = { polls: this.pollsPerChange, to: endpoint.configName, fail: false, deleting: true };
      return {};
    });
    sm.on(ListModelPackagesCommand).callsFake((input: ListModelPackagesCommandInput) => {
      this.maybeThrottle('ListModelPackages');
      const direction = input.SortOrder === 'Ascending' ? 1 : -1;
      const found = [...this.packages.values()]
        .filter((p) => p.ModelPackageGroupName === input.ModelPackageGroupName)
        .filter((p) => input.ModelApprovalStatus === undefined || p.ModelApprovalStatus === input.ModelApprovalStatus)
        // addPackage gives every package the same CreationTime; the version breaks the tie as registration order would.
        .sort((a, b) => direction * ((a.CreationTime?.getTime() ?? 0) - (b.CreationTime?.getTime() ?? 0) || (a.ModelPackageVersion ?? 0) - (b.ModelPackageVersion ?? 0)))
        .slice(0, input.MaxResults ?? 100);
      return {
        ModelPackageSummaryList: found.map((p) => ({
          ModelPackageArn: p.ModelPackageArn,
          ModelPackageGroupName: p.ModelPackageGroupName,
          ModelPackageVersion: p.ModelPackageVersion,
          CreationTime: p.CreationTime,
          ModelPackageStatus: p.ModelPackageStatus,
          ModelApprovalStatus: p.ModelApprovalStatus,
        })),
      };
    });
    sm.on(CreateTransformJobCommand).callsFake((input: CreateTransformJobCommandInput) => {
      this.maybeThrottle('CreateTransformJob');
      const name = input.TransformJobName ?? '';
      if (this.transformJobs.has(name)) throw awsError('ValidationException', 'Job name must be unique within an AWS account and region, and a job with this name already exists');
      if (!this.models.has(input.ModelName ?? '')) throw awsError('ValidationException', `Could not find model "${input.ModelName}".`);
      const ending = this.failingTransformJobs?.test(name) ? 'Failed' : this.emptyTransformJobs?.test(name) ? 'CompletedWithoutOutput' : 'Completed';
      this.transformJobs.set(name, { input, status: 'InProgress', creationTime: new Date(Date.now()), pollsLeft: this.transformPolls, ending });
      return { TransformJobArn: `arn:aws:sagemaker:us-east-1:123456789012:transform-job/${name}` };
    });
    sm.on(DescribeTransformJobCommand).callsFake((input: { TransformJobName: string }) => {
      this.maybeThrottle('DescribeTransformJob');
      const job = this.transformJobs.get(input.TransformJobName);
      if (!job) throw awsError('ValidationException', `Could not find requested job with name ${input.TransformJobName}`);
      this.advanceTransformJob(job);
      return {
        TransformJobName: input.TransformJobName,
        TransformJobArn: `arn:aws:sagemaker:us-east-1:123456789012:transform-job/${input.TransformJobName}`,
        TransformJobStatus: job.status,
        FailureReason: job.failureReason,
        ModelName: job.input.ModelName,
        ModelClientConfig: job.input.ModelClientConfig,
        TransformInput: job.input.TransformInput,
        TransformOutput: job.input.TransformOutput,
        TransformResources: job.input.TransformResources,
        CreationTime: job.creationTime,
        TransformEndTime: job.endTime,
      };
    });
    sm.on(DescribeModelCommand).callsFake((input: { ModelName: string }) => {
      this.maybeThrottle('DescribeModel');
      if (!this.models.has(input.ModelName)) throw awsError('ValidationException', `Could not find model "${input.ModelName}".`);
      const pkg = this.packages.get(this.models.get(input.ModelName) ?? '');
      const container = this.modelContainers.get(input.ModelName) ?? { Image: pkg?.InferenceSpecification?.Containers?.[0]?.Image, Mode: 'SingleModel', ModelDataUrl: pkg?.InferenceSpecification?.Containers?.[0]?.ModelDataUrl };
      return { ModelName: input.ModelName, ModelArn: `arn:aws:sagemaker:us-east-1:123456789012:model/${input.ModelName}`, PrimaryContainer: container, ExecutionRoleArn: ROLE_ARN };
    });
    const uriOf = (input: { Bucket?: string; Key?: string }) => `s3://${input.Bucket ?? ''}/${input.Key ?? ''}`;
    const noSuchKey = (uri: string) => awsError('NoSuchKey', `The specified key does not exist: ${uri}`, 404);
    this.s3.on(HeadObjectCommand).callsFake((input: { Bucket: string; Key: string }) => {
      this.maybeThrottle('HeadObject');
      const object = this.objects.get(uriOf(input));
      if (!object) throw awsError('NotFound', 'Not Found', 404);
      return { ETag: object.etag, Metadata: object.metadata, ContentLength: object.content.length };
    });
    this.s3.on(GetObjectCommand).callsFake((input: { Bucket: string; Key: string }) => {
      const object = this.objects.get(uriOf(input));
      if (!object) throw noSuchKey(uriOf(input));
      return { ETag: object.etag, Metadata: object.metadata, Body: { transformToString: () => Promise.resolve(object.content) } };
    });
    this.s3.on(CopyObjectCommand).callsFake((input: CopyObjectCommandInput) => {
      this.maybeThrottle('CopyObject');
      const from = `s3://${(input.CopySource ?? '').split('/').map(decodeURIComponent).join('/')}`;
      const source = this.objects.get(from);
      if (!source) throw noSuchKey(from);
      this.putObject(uriOf(input), source.content, input.MetadataDirective === 'REPLACE' ? { ...(input.Metadata ?? {}) } : { ...source.metadata });
      return { CopyObjectResult: { ETag: source.etag } };
    });
    this.s3.on(DeleteObjectCommand).callsFake((input: { Bucket: string; Key: string }) => {
      this.maybeThrottle('DeleteObject');
      this.objects.delete(uriOf(input));
      return {};
    });
    this.s3.on(ListObjectsV2Command).callsFake((input: ListObjectsV2CommandInput) => {
      const prefix = `s3://${input.Bucket}/${input.Prefix ?? ''}`;
      const keys = [...this.s3Objects, ...this.objects.keys()].filter((o) => o.startsWith(prefix)).map((o) => o.slice(`s3://${input.Bucket}/`.length));
      return { Contents: keys.map((Key) => ({ Key })), KeyCount: keys.length, IsTruncated: false };
    });
    this.runtime.on(InvokeEndpointCommand).callsFake((input: { EndpointName: string; TargetVariant?: string; TargetModel?: string }) => {
      const endpoint = this.endpoints.get(input.EndpointName);
      if (!endpoint) throw awsError('ValidationException', `Endpoint ${input.EndpointName} not found.`);
      const variants = this.configs.get(endpoint.configName) ?? [];
      if (input.TargetModel !== undefined) {
        // A multi-model endpoint answers with the model of whichever package's archive sits at that key.
        const prefix = this.multiModelPrefix(input.EndpointName);
        if (prefix === null) throw awsError('ValidationError', `Endpoint ${input.EndpointName} is not a multi-model endpoint; the TargetModel header is not supported.`);
        const object = this.objects.get(`${prefix}${input.TargetModel}`);
        if (!object) throw awsError('ValidationError', `Failed to download model data for TargetModel ${input.TargetModel}: not found under ${prefix}`);
        const behaviour = this.behaviours.get(object.content);
        if (!behaviour) throw awsError('ModelError', `Received server error (500) from model with message "cannot load ${input.TargetModel}"`, 424);
        if (behaviour.modelError) throw awsError('ModelError', 'Received server error (500) from primary with message "boom"', 424);
        return { Body: new TextEncoder().encode(behaviour.body), ContentType: behaviour.contentType, InvokedProductionVariant: variants[0]?.VariantName };
      }
      const variant = input.TargetVariant ? variants.find((v) => v.VariantName === input.TargetVariant) : variants[0];
      const behaviour = this.behaviours.get(this.models.get(variant?.ModelName ?? '') ?? '');
      if (!variant || !behaviour) throw awsError('ValidationError', 'Unknown variant');
      if (behaviour.modelError) throw awsError('ModelError', 'Received server error (500) from primary with message "boom"', 424);
      return { Body: new TextEncoder().encode(behaviour.body), ContentType: behaviour.contentType, InvokedProductionVariant: variant.VariantName };
    });
    this.cloudWatch.on(PutMetricAlarmCommand).callsFake((input: { AlarmName: string }) => {
      this.alarms.set(input.AlarmName, this.firingAlarm?.test(input.AlarmName) ? 'ALARM' : 'OK');
      return {};
    });
    this.cloudWatch.on(DescribeAlarmsCommand).callsFake((input: { AlarmNames?: string[] }) => ({
      MetricAlarms: (input.AlarmNames ?? [])
        .filter((n) => this.alarms.has(n))
        .map((n) => ({ AlarmName: n, StateValue: this.alarms.get(n), StateReason: this.alarms.get(n) === 'ALARM' ? 'Threshold Crossed: 2 out of the last 3 datapoints' : 'ok' })),
    }));
    this.cloudWatch.on(GetMetricStatisticsCommand).callsFake(() => ({ Datapoints: [{ Sum: this.canaryInvocations }] }));
    this.eventBridge.on(PutEventsCommand).callsFake((input: { Entries: { DetailType: string; Detail: string }[] }) => {
      for (const e of input.Entries) this.events.push({ detailType: e.DetailType, detail: JSON.parse(e.Detail) as Record<string, unknown> });
      return { FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'e' })) };
    });
  }
}
