import { z } from 'zod';
import type { ProductionVariant } from '@aws-sdk/client-sagemaker';
import { describeAlarms } from '../shared/aws/alarms';
import { createEndpointConfig, createModel, describeEndpoint, describeEndpointConfig } from '../shared/aws/endpoints';
import { EndpointStateConflict, InvalidSettings } from '../shared/errors';
import { canaryVariants, newVariant } from '../shared/domain/endpoint-config';
import { releaseState, type Deployment } from '../shared/domain/state';
import { stepHandler } from '../shared/runtime/step-handler';

const env = z.object({ SAGEMAKER_EXECUTION_ROLE_ARN: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'must be an IAM role ARN') });

/**
 * State PrepareDeployment: everything that can be created without touching the endpoint (model,
 * endpoint config), and the snapshot of what the endpoint runs now, which is what a rollback restores.
 * Nothing here changes what the endpoint serves.
 */
export const handler = stepHandler({
  step: 'PrepareDeployment',
  input: releaseState,
  env,
  run: async ({ package: pkg, plan }, { env }): Promise<Deployment> => {
    const endpointName = plan.endpointName;
    if (endpointName === null) throw new EndpointStateConflict(`PrepareDeployment has no endpoint to deploy to in mode ${plan.mode}`);

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
    if (live === null) {
      await createEndpointConfig({ EndpointConfigName: plan.names.finalConfig, ProductionVariants: [newVariant(plan, 1)], Tags: tags });
      return {
        endpointName,
        firstDeployment: true,
        previousConfigName: null,
        liveVariantName: null,
        newVariantName: plan.names.variant,
        newConfigName: plan.names.finalConfig,
        modelName: plan.names.model,
        startedAt,
      };
    }

    const liveConfigName = live.configName ?? '';
    const liveConfig = await describeEndpointConfig(liveConfigName);
    const liveVariants: ProductionVariant[] = liveConfig.ProductionVariants ?? [];
    const liveWeights = new Map(live.variants.map((v) => [v.name, v.weight]));
    const serving = live.variants.filter((v) => v.weight > 0);
    await createEndpointConfig({
      EndpointConfigName: plan.names.canaryConfig,
      ProductionVariants: canaryVariants(liveVariants, liveWeights, newVariant(plan, 0)),
      ...(liveConfig.DataCaptureConfig ? { DataCaptureConfig: liveConfig.DataCaptureConfig } : {}),
      Tags: tags,
    });
    return {
      endpointName,
      firstDeployment: false,
      previousConfigName: liveConfigName,
      liveVariantName: serving.length === 1 ? (serving[0]?.name ?? null) : null,
      newVariantName: plan.names.variant,
      newConfigName: plan.names.canaryConfig,
      modelName: plan.names.model,
      startedAt,
    };
  },
});
