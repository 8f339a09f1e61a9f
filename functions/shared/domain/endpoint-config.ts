import type { ReleasePlan } from './release-plan';
import { ownershipTags } from './ownership';
import type { AsyncInferenceConfig, EndpointConfigRequest, EndpointConfigView, Tag, VariantDefinition, VariantWeight } from './views';

/** The variant that will serve the new model, shaped by the mode (instances or serverless). */
export function newVariant(plan: ReleasePlan, initialWeight: number): VariantDefinition {
  const { settings, names } = plan;
  if (plan.mode === 'serverless') {
    return {
      VariantName: names.variant,
      ModelName: names.model,
      InitialVariantWeight: initialWeight,
      ServerlessConfig: {
        MemorySizeInMB: settings.serverless.memoryMB,
        MaxConcurrency: settings.serverless.maxConcurrency,
        ...(settings.serverless.provisionedConcurrency !== undefined ? { ProvisionedConcurrency: settings.serverless.provisionedConcurrency } : {}),
      },
    };
  }
  return {
    VariantName: names.variant,
    ModelName: names.model,
    InitialVariantWeight: initialWeight,
    InstanceType: settings.endpoint.instanceType,
    InitialInstanceCount: settings.endpoint.instanceCount,
  };
}

/**
 * The canary config: every live variant exactly as it runs now (same model, instances and current
 * weight), plus the new variant at weight 0, so the update itself moves no traffic.
 */
export function canaryVariants(liveConfigVariants: VariantDefinition[], liveWeights: Map<string, number>, candidate: VariantDefinition): VariantDefinition[] {
  const live = liveConfigVariants.map((v) => ({ ...v, InitialVariantWeight: liveWeights.get(v.VariantName) ?? v.InitialVariantWeight ?? 1 }));
  return [...live, { ...candidate, InitialVariantWeight: 0 }];
}

/** Weights for a canary of `percent` on the new variant, the rest spread over the live ones as they were. */
export function canaryWeights(liveWeights: VariantWeight[], newVariantName: string, percent: number): VariantWeight[] {
  const liveTotal = liveWeights.reduce((sum, v) => sum + v.weight, 0);
  const remaining = 100 - percent;
  const live = liveWeights.map((v) => ({ name: v.name, weight: liveTotal > 0 ? (v.weight / liveTotal) * remaining : remaining / Math.max(1, liveWeights.length) }));
  return [...live, { name: newVariantName, weight: percent }];
}

/** Serverless variants have ServerlessConfig; instance-based ones have instances. */
export function isServerlessVariant(variant: Partial<VariantDefinition>): boolean {
  return variant.ServerlessConfig !== undefined;
}

/**
 * Why the endpoint cannot move to the new model in place, or null. SageMaker refuses a second variant on
 * a serverless endpoint, and a hosting-type switch cannot be canaried or rolled back safely; both are
 * refused before anything is created, with the way out.
 */
export function hostingSwitchProblem(plan: ReleasePlan, liveVariants: VariantDefinition[]): string | null {
  const liveServerless = liveVariants.some(isServerlessVariant);
  const newServerless = plan.mode === 'serverless';
  if (liveServerless === newServerless) return null;
  const from = liveServerless ? 'serverless' : 'instance-based';
  const to = newServerless ? 'serverless' : 'instance-based';
  return `endpoint ${plan.endpointName ?? ''} is ${from} and this release is ${to} (mode ${plan.mode}); switching in place cannot be canaried or reverted safely. Release to a new endpoint (endpoint.name) and move clients over`;
}

/** S3 paths for async results; PlanRelease guarantees async.outputPath for async mode. */
export function asyncInferenceConfig(plan: ReleasePlan): AsyncInferenceConfig {
  const { outputPath, failurePath, maxConcurrentInvocationsPerInstance } = plan.settings.async;
  return {
    ClientConfig: { MaxConcurrentInvocationsPerInstance: maxConcurrentInvocationsPerInstance },
    OutputConfig: { S3OutputPath: outputPath ?? '', ...(failurePath ? { S3FailurePath: failurePath } : {}) },
  };
}

/** The tags every resource a release creates carries, so an operator can tell whose it is. */
export function releaseTags(plan: ReleasePlan, owner: { managedBy: string; groupName: string }, modelPackageArn?: string): Tag[] {
  return [
    { Key: 'sagemaker-release-pipeline:release', Value: plan.releaseId },
    // This deployment's, so CleanUp may delete it once no longer needed (IAM allows deletes only then).
    ...ownershipTags(owner.managedBy, owner.groupName),
    ...(modelPackageArn !== undefined ? [{ Key: 'sagemaker-release-pipeline:model-package', Value: modelPackageArn }] : []),
  ];
}

/**
 * An endpoint config for this release. Settings of the endpoint as a whole carry over from the live config
 * (data capture), and the mode's own (async inference) come from the plan.
 */
export function endpointConfigRequest(plan: ReleasePlan, name: string, variants: VariantDefinition[], live: EndpointConfigView | null, tags: Tag[]): EndpointConfigRequest {
  return {
    EndpointConfigName: name,
    ProductionVariants: variants,
    ...(plan.mode === 'async' ? { AsyncInferenceConfig: asyncInferenceConfig(plan) } : {}),
    ...(live?.dataCapture ? { DataCaptureConfig: live.dataCapture } : {}),
    Tags: tags,
  };
}
