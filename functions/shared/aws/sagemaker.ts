import {
  AddTagsCommand,
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateTransformJobCommand,
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  DescribeModelPackageCommand,
  DescribeTransformJobCommand,
  ListModelPackagesCommand,
  ListTagsCommand,
  SageMakerClient,
  UpdateEndpointCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
  type ContainerDefinition,
  type CreateEndpointConfigCommandInput,
  type CreateTransformJobCommandInput,
  type ProductionVariantInstanceType,
  type TransformInstanceType,
  type DescribeEndpointCommandOutput,
  type DescribeEndpointConfigCommandOutput,
  type DescribeModelPackageCommandOutput,
  type DescribeTransformJobCommandOutput,
  type ProductionVariant,
} from '@aws-sdk/client-sagemaker';
import { PackageNotFound } from '../errors';
import type { ModelPackage } from '../domain/model-package';
import type {
  EndpointConfigRequest,
  EndpointConfigView,
  EndpointUpdate,
  EndpointView,
  ModelContainerView,
  ModelRequest,
  ModelView,
  Tag,
  TransformJobRequest,
  TransformJobView,
  VariantDefinition,
  VariantWeight,
} from '../domain/views';
import type { AwsEnv } from '../runtime/env';
import { traced } from '../runtime/tracing';
import { clientOptions } from './client-options';
import { isOwnPendingUpdate, isOwnWeightChange } from '../domain/endpoint-change';
import { awsCall, awsCallIfPresent, errorCode, isAccessDenied, isAlreadyExists, isNotFound, isRefusedMidUpdate, translateAwsError } from './translate-error';

/** DescribeModelPackage's answer, reduced to what the pipeline uses. Pure: `npm run plan` reads a saved answer with it. */
export function toModelPackage(arn: string, out: Omit<DescribeModelPackageCommandOutput, '$metadata'>): ModelPackage {
  const spec = out.InferenceSpecification;
  return {
    arn: out.ModelPackageArn ?? arn,
    groupName: out.ModelPackageGroupName ?? arn.split('/')[1] ?? '',
    version: out.ModelPackageVersion ?? 0,
    approvalStatus: out.ModelApprovalStatus ?? 'Unknown',
    status: out.ModelPackageStatus ?? 'Unknown',
    containers: (spec?.Containers ?? []).map((c) => ({ image: c.Image ?? '', modelDataUrl: c.ModelDataUrl ?? null })),
    supportedContentTypes: spec?.SupportedContentTypes ?? [],
    samplePayloadUrl: out.SamplePayloadUrl ?? null,
    supportedRealtimeInstanceTypes: spec?.SupportedRealtimeInferenceInstanceTypes ?? [],
    metadata: out.CustomerMetadataProperties ?? {},
    lastModifiedTime: out.LastModifiedTime ? new Date(out.LastModifiedTime).toISOString() : null,
    approvedBy: out.ModelApprovalStatus === 'Approved' ? (out.LastModifiedBy?.IamIdentity?.Arn ?? out.LastModifiedBy?.UserProfileName ?? null) : null,
  };
}

function toEndpointView(out: DescribeEndpointCommandOutput): EndpointView {
  return {
    name: out.EndpointName ?? '',
    status: out.EndpointStatus ?? 'Unknown',
    configName: out.EndpointConfigName ?? null,
    failureReason: out.FailureReason ?? null,
    variants: (out.ProductionVariants ?? []).map((v) => ({ name: v.VariantName ?? '', weight: v.CurrentWeight ?? v.DesiredWeight ?? 0 })),
    ...(out.PendingDeploymentSummary?.EndpointConfigName ? { pendingConfigName: out.PendingDeploymentSummary.EndpointConfigName } : {}),
    ...(out.EndpointArn ? { arn: out.EndpointArn } : {}),
    desiredWeights: (out.ProductionVariants ?? []).map((v) => ({ name: v.VariantName ?? '', weight: v.DesiredWeight ?? v.CurrentWeight ?? 0 })),
  };
}

/** A live variant keeps every property SageMaker reported, so a config carrying it over changes nothing about it. */
function toVariantDefinition(v: ProductionVariant): VariantDefinition {
  return { ...v, VariantName: v.VariantName ?? '', ModelName: v.ModelName ?? '' } as VariantDefinition;
}

/** A setting SageMaker reports as an empty structure is a setting that is off: never send `{}` back. */
function presentStructure<T extends object>(value: T | undefined): T | null {
  return value !== undefined && Object.keys(value).length > 0 ? value : null;
}

function toEndpointConfigView(out: DescribeEndpointConfigCommandOutput): EndpointConfigView {
  return {
    name: out.EndpointConfigName ?? '',
    variants: (out.ProductionVariants ?? []).map(toVariantDefinition),
    // SageMaker requires OutputConfig.S3OutputPath in every AsyncInferenceConfig, so a present one has it.
    asyncInference: presentStructure(out.AsyncInferenceConfig) as EndpointConfigView['asyncInference'],
    dataCapture: presentStructure(out.DataCaptureConfig),
  };
}

function toContainerView(c: ContainerDefinition): ModelContainerView {
  return { image: c.Image ?? null, mode: c.Mode === 'MultiModel' ? 'MultiModel' : 'SingleModel', modelDataUrl: c.ModelDataUrl ?? null, modelPackageName: c.ModelPackageName ?? null };
}

function toTransformJobView(out: DescribeTransformJobCommandOutput): TransformJobView {
  return {
    name: out.TransformJobName ?? '',
    status: out.TransformJobStatus ?? 'Unknown',
    failureReason: out.FailureReason ?? null,
    modelName: out.ModelName ?? null,
    outputPath: out.TransformOutput?.S3OutputPath ?? null,
    createdAt: out.CreationTime ? new Date(out.CreationTime).toISOString() : null,
    endedAt: out.TransformEndTime ? new Date(out.TransformEndTime).toISOString() : null,
  };
}

/**
 * Creates are idempotent here: the state machine retries a step whose response was lost, and the
 * names are unique per release, so "already exists" means our own earlier attempt succeeded.
 * `orInUse` also takes a bare ResourceInUse as "exists": for transform jobs, whose name is the night's, a
 * concurrent run may hold it; the caller then describes the job and reports the create if it is not there.
 */
/*
 * The domain keeps instance types as strings (settings check them against the ml.<family>.<size> pattern;
 * SageMaker answers an unknown one with a ValidationException). The SDK types them as a closed union, so
 * those two fields are the only ones converted; every other field of a request is checked by the compiler.
 */
function endpointConfigInput(request: EndpointConfigRequest): CreateEndpointConfigCommandInput {
  return {
    ...request,
    ProductionVariants: request.ProductionVariants.map((v) => ({ ...v, InstanceType: v.InstanceType as ProductionVariantInstanceType | undefined })),
  };
}

function transformJobInput(request: TransformJobRequest): CreateTransformJobCommandInput {
  return { ...request, TransformResources: { ...request.TransformResources, InstanceType: request.TransformResources.InstanceType as TransformInstanceType } };
}

async function createOnce(operation: string, send: () => Promise<unknown>, orInUse = false): Promise<'created' | { existed: string }> {
  try {
    await send();
    return 'created';
  } catch (error) {
    // The error code SageMaker answered with, for a caller that must report the create after all.
    if (isAlreadyExists(error) || (orInUse && errorCode(error) === 'ResourceInUse')) return { existed: errorCode(error) };
    throw translateAwsError(operation, error);
  }
}

/** The SageMaker calls the pipeline makes (registry, models, endpoints, transform jobs), in its own terms. */
export class SageMakerAdapter {
  constructor(private readonly client: SageMakerClient) {}

  async describeModelPackage(arn: string): Promise<ModelPackage> {
    try {
      return toModelPackage(arn, await this.client.send(new DescribeModelPackageCommand({ ModelPackageName: arn })));
    } catch (error) {
      if (isNotFound(error)) throw new PackageNotFound(`Model package ${arn} does not exist (or this account cannot see it)`, { cause: error });
      throw translateAwsError('DescribeModelPackage', error);
    }
  }

  /** The group's newest Approved package, or null when it has none (or does not exist). */
  /** The group's Approved packages, newest first (at most `limit`). */
  async approvedPackageArns(groupName: string, limit = 10): Promise<string[]> {
    const out = await awsCallIfPresent('ListModelPackages', () =>
      this.client.send(new ListModelPackagesCommand({ ModelPackageGroupName: groupName, ModelApprovalStatus: 'Approved', SortBy: 'CreationTime', SortOrder: 'Descending', MaxResults: limit })),
    );
    return (out?.ModelPackageSummaryList ?? []).flatMap((p) => (p.ModelPackageArn ? [p.ModelPackageArn] : []));
  }

  /** The endpoint as SageMaker sees it now, or null when there is none. */
  async describeEndpoint(name: string): Promise<EndpointView | null> {
    const out = await awsCallIfPresent('DescribeEndpoint', () => this.client.send(new DescribeEndpointCommand({ EndpointName: name })));
    return out === null ? null : toEndpointView(out);
  }

  /** A resource's tags (ListTags on its ARN, every page). */
  async listTags(arn: string): Promise<Record<string, string>> {
    const tags: Record<string, string> = {};
    let nextToken: string | undefined;
    do {
      const page = await awsCall('ListTags', () => this.client.send(new ListTagsCommand({ ResourceArn: arn, MaxResults: 100, ...(nextToken ? { NextToken: nextToken } : {}) })));
      for (const tag of page.Tags ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
      nextToken = page.NextToken;
    } while (nextToken);
    return tags;
  }

  /** Adds (or overwrites) tags on a resource. */
  async addTags(arn: string, tags: Tag[]): Promise<void> {
    await awsCall('AddTags', () => this.client.send(new AddTagsCommand({ ResourceArn: arn, Tags: tags })));
  }

  async describeEndpointConfig(name: string): Promise<EndpointConfigView> {
    return toEndpointConfigView(await awsCall('DescribeEndpointConfig', () => this.client.send(new DescribeEndpointConfigCommand({ EndpointConfigName: name }))));
  }

  async describeModel(name: string): Promise<ModelView> {
    const out = await awsCall('DescribeModel', () => this.client.send(new DescribeModelCommand({ ModelName: name })));
    const containers = out.PrimaryContainer ? [out.PrimaryContainer] : (out.Containers ?? []);
    return { name: out.ModelName ?? name, containers: containers.map(toContainerView) };
  }

  async createModel(request: ModelRequest): Promise<void> {
    await createOnce('CreateModel', () => this.client.send(new CreateModelCommand(request)));
  }

  async createEndpointConfig(request: EndpointConfigRequest): Promise<void> {
    await createOnce('CreateEndpointConfig', () => this.client.send(new CreateEndpointConfigCommand(endpointConfigInput(request))));
  }

  async createEndpoint(name: string, configName: string, tags: Tag[]): Promise<void> {
    await createOnce('CreateEndpoint', () => this.client.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: configName, Tags: tags })));
  }

  /**
   * Updates the endpoint. A refusal because the endpoint is mid-update is our own earlier call when that
   * update is moving to the very config asked for (its answer was lost and the SDK or the state machine
   * sent it again): config names are unique per release, so nobody else asks for it. Then it is done.
   */
  async updateEndpoint(update: EndpointUpdate): Promise<void> {
    try {
      await this.client.send(new UpdateEndpointCommand(update));
    } catch (error) {
      if (isRefusedMidUpdate(error) && isOwnPendingUpdate(await this.describeEndpoint(update.EndpointName), update.EndpointConfigName)) return;
      throw translateAwsError('UpdateEndpoint', error);
    }
  }

  /** Sets variant weights; a mid-update refusal while exactly these weights are being applied is our own earlier call (see updateEndpoint). */
  async setVariantWeights(endpointName: string, weights: VariantWeight[]): Promise<void> {
    try {
      await this.client.send(
        new UpdateEndpointWeightsAndCapacitiesCommand({
          EndpointName: endpointName,
          DesiredWeightsAndCapacities: weights.map((w) => ({ VariantName: w.name, DesiredWeight: w.weight })),
        }),
      );
    } catch (error) {
      if (isRefusedMidUpdate(error) && isOwnWeightChange(await this.describeEndpoint(endpointName), weights)) return;
      throw translateAwsError('UpdateEndpointWeightsAndCapacities', error);
    }
  }

  /** Deletes the endpoint; an endpoint that is already gone counts as deleted. */
  /**
   * Deletes a config or model CleanUp found no longer needed: `absent` when it is gone already, `denied`
   * when IAM refuses (not tagged as this deployment's: made before the ownership tags, or by someone else).
   */
  async deleteIfOurs(kind: 'endpoint-config' | 'model', name: string): Promise<'deleted' | 'absent' | 'denied'> {
    const operation = kind === 'model' ? 'DeleteModel' : 'DeleteEndpointConfig';
    // Asked first: IAM judges a delete by the resource's tags, so a name already gone would be refused
    // (there are no tags to match) rather than found absent.
    const exists =
      kind === 'model'
        ? await awsCallIfPresent('DescribeModel', () => this.client.send(new DescribeModelCommand({ ModelName: name })))
        : await awsCallIfPresent('DescribeEndpointConfig', () => this.client.send(new DescribeEndpointConfigCommand({ EndpointConfigName: name })));
    if (exists === null) return 'absent';
    try {
      await (kind === 'model' ? this.client.send(new DeleteModelCommand({ ModelName: name })) : this.client.send(new DeleteEndpointConfigCommand({ EndpointConfigName: name })));
      return 'deleted';
    } catch (error) {
      if (isNotFound(error)) return 'absent';
      if (isAccessDenied(error)) return 'denied';
      throw translateAwsError(operation, error);
    }
  }

  /** The config's variants' models, or null when there is no such config. */
  async modelsOfConfig(name: string): Promise<string[] | null> {
    const out = await awsCallIfPresent('DescribeEndpointConfig', () => this.client.send(new DescribeEndpointConfigCommand({ EndpointConfigName: name })));
    return out === null ? null : (out.ProductionVariants ?? []).flatMap((v) => (v.ModelName !== undefined ? [v.ModelName] : []));
  }

  async deleteEndpoint(name: string): Promise<void> {
    await awsCallIfPresent('DeleteEndpoint', () => this.client.send(new DeleteEndpointCommand({ EndpointName: name })));
  }

  /** The transform job as SageMaker sees it now, or null when no job has that name. */
  async describeTransformJob(name: string): Promise<TransformJobView | null> {
    const out = await awsCallIfPresent('DescribeTransformJob', () => this.client.send(new DescribeTransformJobCommand({ TransformJobName: name })));
    return out === null ? null : toTransformJobView(out);
  }

  /** `existed` (with SageMaker's error code) when a job of that name is already there: another run created it between our describe and our create. */
  async createTransformJob(request: TransformJobRequest): Promise<'created' | { existed: string }> {
    return createOnce('CreateTransformJob', () => this.client.send(new CreateTransformJobCommand(transformJobInput(request))), true);
  }
}

/** The step's SageMaker adapter, its client built once per container. */
export const sageMaker = (env: AwsEnv): SageMakerAdapter => new SageMakerAdapter(traced(new SageMakerClient(clientOptions(env))));
