import { cloudWatch } from '../shared/aws/cloudwatch';
import { readEndpointFacts, readSmokeProblems } from '../shared/aws/release-facts';
import { s3OnDemand } from '../shared/aws/s3-on-demand';
import { sageMaker } from '../shared/aws/sagemaker';
import { InvalidInput } from '../shared/errors';
import { canaryVariants, endpointConfigRequest, newVariant, releaseTags } from '../shared/domain/endpoint-config';
import { endpointReleaseProblems, refuseOnProblems } from '../shared/domain/preflight';
import { usesGuardrails, type EndpointStyle, type ReleasePlan } from '../shared/domain/release-plan';
import { releaseState, type Deployment } from '../shared/domain/state';
import { executionRoleEnv, ownershipEnv } from '../shared/runtime/env';
import * as z from '../shared/zod';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';

function endpointStyle(plan: ReleasePlan): EndpointStyle {
  if (plan.style === 'batch-register' || plan.style === 'multi-model-artifact') {
    throw new InvalidInput(`PrepareDeployment cannot release style ${plan.style}; the state machine routes it elsewhere`);
  }
  return plan.style;
}

/**
 * State PrepareDeployment: everything that can be created without touching the endpoint (model,
 * endpoint config), and the snapshot of what the endpoint runs now, which is what a rollback restores.
 * Nothing here changes what the endpoint serves, and every refusal happens before the first create.
 */
export const prepareDeploymentStep = defineStep({
  step: 'PrepareDeployment',
  input: releaseState,
  env: z.extend(executionRoleEnv, ownershipEnv.shape),
  aws: { sageMaker, cloudWatch, s3: s3OnDemand },
  run: async ({ package: pkg, plan }, { env, aws }): Promise<Deployment> => {
    const endpointName = plan.endpointName;
    if (endpointName === null) throw new InvalidInput(`PrepareDeployment needs an endpoint; mode ${plan.mode} has none`);
    const style = endpointStyle(plan);

    const facts = await readEndpointFacts(aws, plan, endpointName);
    const ownership = { groupName: pkg.groupName, managedBy: env.MANAGED_BY, bindings: env.ENDPOINT_BINDINGS };
    refuseOnProblems([...endpointReleaseProblems(plan, facts, ownership), ...(await readSmokeProblems(aws, plan)).problems]);
    const { live, liveConfig } = facts;

    // SageMaker's blue/green guardrails replace a variant in place: the new config keeps the live variant's
    // name (deployment guardrails exclusions), and the guardrail alarms watch that name.
    const liveVariants = liveConfig?.variants ?? [];
    const variantName = usesGuardrails(style) && live !== null ? (liveVariants[0]?.VariantName ?? plan.names.variant) : plan.names.variant;
    const tags = releaseTags(plan, { managedBy: env.MANAGED_BY, groupName: pkg.groupName }, pkg.arn);
    await aws.sageMaker.createModel({
      ModelName: plan.names.model,
      ExecutionRoleArn: env.SAGEMAKER_EXECUTION_ROLE_ARN,
      // A package with several containers becomes a serial inference pipeline model through the package itself.
      Containers: [{ ModelPackageName: pkg.arn }],
      Tags: tags,
    });

    const startedAt = new Date(Date.now()).toISOString();
    const common = { endpointName, style, newVariantName: variantName, modelName: plan.names.model, startedAt };
    if (live === null || style !== 'variant-canary') {
      // A single-variant config: a first deployment, or a style that replaces the model in one update
      // (serverless all at once; SageMaker's own blue/green under guardrails).
      await aws.sageMaker.createEndpointConfig(endpointConfigRequest(plan, plan.names.finalConfig, [{ ...newVariant(plan, 1), VariantName: variantName }], liveConfig, tags));
      return {
        ...common,
        firstDeployment: live === null,
        previousConfigName: live?.configName ?? null,
        liveVariantName: null,
        targetVariant: null,
        newConfigName: plan.names.finalConfig,
      };
    }

    const liveWeights = new Map(live.variants.map((v) => [v.name, v.weight]));
    const serving = live.variants.filter((v) => v.weight > 0);
    await aws.sageMaker.createEndpointConfig(endpointConfigRequest(plan, plan.names.canaryConfig, canaryVariants(liveVariants, liveWeights, newVariant(plan, 0)), liveConfig, tags));
    return {
      ...common,
      firstDeployment: false,
      previousConfigName: live.configName,
      liveVariantName: serving.length === 1 ? (serving[0]?.name ?? null) : null,
      targetVariant: plan.names.variant,
      newConfigName: plan.names.canaryConfig,
    };
  },
});

export const handler = awsStepHandler(prepareDeploymentStep);
