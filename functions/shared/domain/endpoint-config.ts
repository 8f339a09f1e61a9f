import type { CreateEndpointConfigCommandInput, ProductionVariant } from '@aws-sdk/client-sagemaker';
import type { ReleasePlan } from './release-plan';

/** The variant that will serve the new model, shaped by the mode (instances or serverless). */
export function newVariant(plan: ReleasePlan, initialWeight: number): ProductionVariant {
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
    InstanceType: settings.endpoint.instanceType as ProductionVariant['InstanceType'],
    InitialInstanceCount: settings.endpoint.instanceCount,
  };
}

/**
 * The canary config: every live variant exactly as it runs now (same model, instances and current
 * weight), plus the new variant at weight 0, so the update itself moves no traffic.
 */
export function canaryVariants(liveConfigVariants: ProductionVariant[], liveWeights: Map<string, number>, candidate: ProductionVariant): ProductionVariant[] {
  const live = liveConfigVariants.map((v) => ({ ...v, InitialVariantWeight: liveWeights.get(v.VariantName ?? '') ?? v.InitialVariantWeight ?? 1 }));
  return [...live, { ...candidate, InitialVariantWeight: 0 }];
}

/** Weights for a canary of `percent` on the new variant, the rest spread over the live ones as they were. */
export function canaryWeights(liveWeights: { name: string; weight: number }[], newVariantName: string, percent: number): { name: string; weight: number }[] {
  const liveTotal = liveWeights.reduce((sum, v) => sum + v.weight, 0);
  const remaining = 100 - percent;
  const live = liveWeights.map((v) => ({ name: v.name, weight: liveTotal > 0 ? (v.weight / liveTotal) * remaining : remaining / Math.max(1, liveWeights.length) }));
  return [...live, { name: newVariantName, weight: percent }];
}

/** Serverless variants have ServerlessConfig; instance-based ones have instances. */
export function isServerlessVariant(variant: ProductionVariant): boolean {
  return variant.ServerlessConfig !== undefined;
}

/**
 * Why the endpoint cannot move to the new model in place, or null. SageMaker refuses a second variant on
 * a serverless endpoint, and a hosting-type switch cannot be canaried or rolled back safely; both are
 * refused before anything is created, with the way out.
 */
export function hostingSwitchProblem(plan: ReleasePlan, liveVariants: ProductionVariant[]): string | null {
  const liveServerless = liveVariants.some(isServerlessVariant);
  const newServerless = plan.mode === 'serverless';
  if (liveServerless === newServerless) return null;
  const from = liveServerless ? 'serverless' : 'instance-based';
  const to = newServerless ? 'serverless' : 'instance-based';
  return `endpoint ${plan.endpointName ?? ''} is ${from} and this release is ${to} (mode ${plan.mode}); switching in place cannot be canaried or reverted safely. Release to a new endpoint (endpoint.name) and move clients over`;
}

/** S3 paths for async results; PlanRelease guarantees async.outputPath for async mode. */
export function asyncInferenceConfig(plan: ReleasePlan): NonNullable<CreateEndpointConfigCommandInput['AsyncInferenceConfig']> {
  const { outputPath, failurePath, maxConcurrentInvocationsPerInstance } = plan.settings.async;
  return {
    ClientConfig: { MaxConcurrentInvocationsPerInstance: maxConcurrentInvocationsPerInstance },
    OutputConfig: { S3OutputPath: outputPath ?? '', ...(failurePath ? { S3FailurePath: failurePath } : {}) },
  };
}
