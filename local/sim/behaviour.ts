import type { MotoApi } from './moto-api';
import { obj, objs, str } from './json';

/** How a model behaves when served; registered per model package ARN. */
export interface BehaviourProfile {
  latencyMs: { p50: number; p99: number };
  /** Share of invocations the model answers with a 5xx (0..1). */
  errorRate: number;
  response: { contentType: string; body: string };
  /** Endpoint creation (or the new fleet of an update) fails; a string is the FailureReason. */
  failOnCreate?: boolean | string;
  /** Transform jobs over this model fail; a string is the FailureReason. */
  failTransform?: boolean | string;
  /** Share of invocations the model answers with a 4xx (0..1); counted in Invocation4XXErrors. */
  clientErrorRate?: number;
}

export const DEFAULT_PROFILE: BehaviourProfile = {
  latencyMs: { p50: 20, p99: 60 },
  errorRate: 0,
  response: { contentType: 'application/json', body: '{"predictions":[0.5]}' },
};

export interface ModelInfo {
  modelName: string;
  /** From PrimaryContainer or Containers[0]. */
  modelPackageArn?: string;
  image?: string;
  multiModel: boolean;
  /** The container's ModelDataUrl (for a multi-model container, the prefix its TargetModels are under). */
  modelDataUrl?: string;
}

/** Profiles keyed by model package ARN (or, as a fallback, model name or MME target model). */
export class BehaviourRegistry {
  private readonly profiles = new Map<string, BehaviourProfile>();

  constructor(private fallback: BehaviourProfile = DEFAULT_PROFILE) {}

  set(key: string, profile: BehaviourProfile): void {
    this.profiles.set(key, profile);
  }

  setDefault(profile: BehaviourProfile): void {
    this.fallback = profile;
  }

  /** The profile registered under exactly this key, if any. */
  get(key: string): BehaviourProfile | undefined {
    return this.profiles.get(key);
  }

  /** Looked up on every call so `setBehaviour` takes effect on live endpoints. */
  forModel(model: ModelInfo, targetModel?: string): BehaviourProfile {
    return (
      (targetModel !== undefined ? this.profiles.get(targetModel) : undefined) ??
      (model.modelPackageArn !== undefined ? this.profiles.get(model.modelPackageArn) : undefined) ??
      this.profiles.get(model.modelName) ??
      this.fallback
    );
  }
}

/** ModelName → DescribeModel (moto) → the container that names the package. */
export async function describeModel(moto: MotoApi, modelName: string): Promise<ModelInfo> {
  const model = await moto.sagemaker('DescribeModel', { ModelName: modelName });
  // moto answers PrimaryContainer: {} for a model created with Containers, so pick the container that says something.
  const container = [obj(model, 'PrimaryContainer'), ...objs(model, 'Containers')].find((c) => c !== undefined && Object.keys(c).length > 0);
  const packageName = str(container, 'ModelPackageName');
  return {
    modelName,
    modelPackageArn: packageName,
    image: str(container, 'Image'),
    multiModel: str(container, 'Mode') === 'MultiModel',
    modelDataUrl: str(container, 'ModelDataUrl'),
  };
}

export function failureMessage(flag: boolean | string | undefined, fallback: string): string | undefined {
  if (flag === undefined || flag === false) return undefined;
  return typeof flag === 'string' ? flag : fallback;
}
