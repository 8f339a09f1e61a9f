import { z } from 'zod';
import type { CreateEndpointConfigCommandInput, ProductionVariant } from '@aws-sdk/client-sagemaker';
import { describeAlarms } from '../shared/aws/alarms';
import { createEndpointConfig, createModel, describeEndpoint, describeEndpointConfig } from '../shared/aws/endpoints';
import { EndpointStateConflict, InvalidInput, InvalidSettings, ModeNotSupported } from '../shared/errors';
import { asyncInferenceConfig, canaryVariants, hostingSwitchProblem, newVariant } from '../shared/domain/endpoint-config';
import type { ReleasePlan } from '../shared/domain/release-plan';
import { releaseState, type Deployment } from '../shared/domain/state';
import { stepHandler } from '../shared/runtime/step-handler';

const env = z.object({ SAGEMAKER_EXECUTION_ROLE_ARN: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'must be an IAM role ARN') });

type EndpointStyle = Deployment['style'];

function endpointStyle(plan: ReleasePlan): EndpointStyle {
  if (plan.style === 'variant-canary' || plan.style === 'native-guardrails' || plan.style === 'all-at-once') return plan.style;
  throw new InvalidInput(`PrepareDeployment cannot release style ${plan.style}; the state machine routes it elsewhere`);
}

/** Config-level settings of the mode (async inference), next to the variants. */
function modeConfig(plan: ReleasePlan): Partial<CreateEndpointConfigCommandInput> {
  return plan.mode === 'async' ? { AsyncInferenceConfig: asyncInferenceConfig(plan) } : {};
}

/**
 * State PrepareDeployment: everything that can be created without touching the endpoint (model,
 * endpoint config), and the snapshot of what the endpoint runs now, which is what a rollback restores.
 * Nothing here changes what the endpoint serves, and every refusal happens before the first create.
 */
export const handler = stepHandler({
  step: 'PrepareDeployment',
  input: releaseState,
  env,
  run: async ({ package: pkg, plan }, { env }): Promise<Deployment> => {
    const endpointName = plan.endpointName;
    if (endpointName === null) throw new InvalidInput(`PrepareDeployment needs an endpoint; mode ${plan.mode} has none`);
    const style = endpointStyle(plan);

    // Extra alarms the user named must exist now; finding out mid-canary would be too late.
    const extra = plan.settings.canary.alarmNames;
    if (extra.length > 0) {
      const found = new Set((await describeAlarms(extra)).map((a) => a.name));
      const missing = extra.filter((name) => !found.has(name));
      if (missing.length > 0) throw new InvalidSettings(`canary.alarmNames: no CloudWatch alarm named ${missing.join(', ')}`);
    }

    const live = await describeEndpoint(endpointName);
    if (live !== null && live.status !== 'InService') {
      throw new EndpointStateConflict(`Endpoint ${endpointName} is ${live.status}, not InService: another change is under way outside this pipeline; nothing was changed`);
    }
    const liveConfig = live?.configName ? await describeEndpointConfig(live.configName) : undefined;
    const liveVariants: ProductionVariant[] = liveConfig?.ProductionVariants ?? [];
    if (live !== null) {
      const problem = hostingSwitchProblem(plan, liveVariants);
      if (problem !== null) throw new ModeNotSupported(`Cannot release to ${endpointName}: ${problem}; nothing was changed`);
    }

    // SageMaker's blue/green guardrails replace a variant in place: the new config must keep the live
    // variant's name (deployment guardrails exclusions), and the guardrail alarms watch that name.
    let variantName = plan.names.variant;
    if (style === 'native-guardrails' && live !== null) {
      const names = liveVariants.map((v) => v.VariantName ?? '');
      if (names.length !== 1 || !names[0]) {
        throw new ModeNotSupported(`Cannot release ${endpointName} with deployment guardrails: it has ${names.length} variants (${names.join(', ')}); guardrails replace exactly one. Use deploy.strategy canary; nothing was changed`);
      }
      variantName = names[0];
    }
    const tags = [
      { Key: 'sagemaker-release-pipeline:release', Value: plan.releaseId },
      { Key: 'sagemaker-release-pipeline:model-package', Value: pkg.arn },
    ];
    await createModel({
      ModelName: plan.names.model,
      ExecutionRoleArn: env.SAGEMAKER_EXECUTION_ROLE_ARN,
      // A package with several containers becomes a serial inference pipeline model through the package itself.
      Containers: [{ ModelPackageName: pkg.arn }],
      Tags: tags,
    });

    const startedAt = new Date(Date.now()).toISOString();
    const common = { endpointName, style, newVariantName: variantName, modelName: plan.names.model, startedAt };
    const dataCapture = liveConfig?.DataCaptureConfig ? { DataCaptureConfig: liveConfig.DataCaptureConfig } : {};
    if (live === null || style !== 'variant-canary') {
      // A single-variant config: a first deployment, or a mode that replaces the model in one update
      // (serverless all at once; SageMaker's own blue/green for native guardrails).
      await createEndpointConfig({ EndpointConfigName: plan.names.finalConfig, ProductionVariants: [{ ...newVariant(plan, 1), VariantName: variantName }], ...modeConfig(plan), ...dataCapture, Tags: tags });
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
    await createEndpointConfig({
      EndpointConfigName: plan.names.canaryConfig,
      ProductionVariants: canaryVariants(liveVariants, liveWeights, newVariant(plan, 0)),
      ...modeConfig(plan),
      ...dataCapture,
      Tags: tags,
    });
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
