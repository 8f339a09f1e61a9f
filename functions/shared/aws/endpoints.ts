import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  UpdateEndpointCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
  type CreateEndpointConfigCommandInput,
  type CreateModelCommandInput,
  type DescribeEndpointCommandOutput,
  type DescribeEndpointConfigCommandOutput,
  type DescribeModelCommandOutput,
  type UpdateEndpointCommandInput,
} from '@aws-sdk/client-sagemaker';
import { sageMakerClient } from './clients';
import { awsCall, isNotFound, translateAwsError } from './translate-error';

export interface LiveVariant {
  name: string;
  weight: number;
}

export interface EndpointView {
  name: string;
  status: string;
  configName: string | null;
  failureReason: string | null;
  variants: LiveVariant[];
}

function toView(out: DescribeEndpointCommandOutput): EndpointView {
  return {
    name: out.EndpointName ?? '',
    status: out.EndpointStatus ?? 'Unknown',
    configName: out.EndpointConfigName ?? null,
    failureReason: out.FailureReason ?? null,
    variants: (out.ProductionVariants ?? []).map((v) => ({ name: v.VariantName ?? '', weight: v.CurrentWeight ?? v.DesiredWeight ?? 0 })),
  };
}

/** The endpoint as SageMaker sees it now, or null when there is none. */
export async function describeEndpoint(name: string): Promise<EndpointView | null> {
  try {
    return toView(await sageMakerClient().send(new DescribeEndpointCommand({ EndpointName: name })));
  } catch (error) {
    if (isNotFound(error)) return null;
    throw translateAwsError('DescribeEndpoint', error);
  }
}

export async function describeEndpointConfig(name: string): Promise<DescribeEndpointConfigCommandOutput> {
  return awsCall('DescribeEndpointConfig', () => sageMakerClient().send(new DescribeEndpointConfigCommand({ EndpointConfigName: name })));
}

export async function describeModel(name: string): Promise<DescribeModelCommandOutput> {
  return awsCall('DescribeModel', () => sageMakerClient().send(new DescribeModelCommand({ ModelName: name })));
}

function alreadyExists(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return (e.name === 'ValidationException' || e.name === 'ResourceInUse') && /already exist/i.test(e.message ?? '');
}

/**
 * Creates are idempotent here: the state machine retries a step whose response was lost, and the
 * names are unique per release, so "already exists" means our own earlier attempt succeeded.
 */
async function createOnce(operation: string, send: () => Promise<unknown>): Promise<void> {
  try {
    await send();
  } catch (error) {
    if (alreadyExists(error)) return;
    throw translateAwsError(operation, error);
  }
}

export async function createModel(input: CreateModelCommandInput): Promise<void> {
  await createOnce('CreateModel', () => sageMakerClient().send(new CreateModelCommand(input)));
}

export async function createEndpointConfig(input: CreateEndpointConfigCommandInput): Promise<void> {
  await createOnce('CreateEndpointConfig', () => sageMakerClient().send(new CreateEndpointConfigCommand(input)));
}

export async function createEndpoint(name: string, configName: string, tags: Record<string, string>): Promise<void> {
  await createOnce('CreateEndpoint', () =>
    sageMakerClient().send(
      new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: configName, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }),
    ),
  );
}

export async function updateEndpoint(input: UpdateEndpointCommandInput): Promise<void> {
  await awsCall('UpdateEndpoint', () => sageMakerClient().send(new UpdateEndpointCommand(input)));
}

export async function setVariantWeights(endpointName: string, weights: LiveVariant[]): Promise<void> {
  await awsCall('UpdateEndpointWeightsAndCapacities', () =>
    sageMakerClient().send(
      new UpdateEndpointWeightsAndCapacitiesCommand({
        EndpointName: endpointName,
        DesiredWeightsAndCapacities: weights.map((w) => ({ VariantName: w.name, DesiredWeight: w.weight })),
      }),
    ),
  );
}

/** Deletes the endpoint; an endpoint that is already gone counts as deleted. */
export async function deleteEndpoint(name: string): Promise<void> {
  try {
    await sageMakerClient().send(new DeleteEndpointCommand({ EndpointName: name }));
  } catch (error) {
    if (isNotFound(error)) return;
    throw translateAwsError('DeleteEndpoint', error);
  }
}
