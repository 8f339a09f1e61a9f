import { z } from 'zod';
import { createEndpointConfig, describeEndpoint, describeEndpointConfig, updateEndpoint } from '../shared/aws/endpoints';
import { EndpointStateConflict } from '../shared/errors';
import { newVariant } from '../shared/domain/endpoint-config';
import { deploymentSlice, releaseState } from '../shared/domain/state';
import { stepHandler } from '../shared/runtime/step-handler';

/**
 * State Promote: the endpoint moves to a config holding only the new variant, so the old instances
 * stop costing money. ShiftTraffic has already put all traffic on the new variant.
 */
export const handler = stepHandler({
  step: 'Promote',
  input: releaseState.extend({ deployment: deploymentSlice }),
  env: z.object({}),
  run: async ({ plan, deployment }) => {
    const { endpointName } = deployment;
    const live = await describeEndpoint(endpointName);
    if (live === null) throw new EndpointStateConflict(`Endpoint ${endpointName} disappeared before promotion`);
    // A retried Promote may find its own update already under way or done.
    if (live.configName !== plan.names.finalConfig) {
      if (live.status !== 'InService' || live.configName !== deployment.newConfigName) {
        throw new EndpointStateConflict(`Endpoint ${endpointName} is ${live.status} on ${live.configName}; expected InService on ${deployment.newConfigName}`);
      }
      // Settings of the endpoint as a whole (data capture) carry over from the config that is live now.
      const canary = await describeEndpointConfig(deployment.newConfigName);
      await createEndpointConfig({
        EndpointConfigName: plan.names.finalConfig,
        ProductionVariants: [newVariant(plan, 1)],
        ...(canary.DataCaptureConfig ? { DataCaptureConfig: canary.DataCaptureConfig } : {}),
        Tags: [{ Key: 'sagemaker-release-pipeline:release', Value: plan.releaseId }],
      });
      await updateEndpoint({ EndpointName: endpointName, EndpointConfigName: plan.names.finalConfig });
    }
    return { finalConfigName: plan.names.finalConfig, requestedAt: new Date(Date.now()).toISOString() };
  },
});
