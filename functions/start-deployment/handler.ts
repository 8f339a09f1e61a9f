import { createEndpoint, describeEndpoint, updateEndpoint } from '../shared/aws/endpoints';
import { EndpointStateConflict } from '../shared/errors';
import { deploymentSlice, releaseState } from '../shared/domain/state';
import { stepHandler } from '../shared/runtime/step-handler';
import { z } from 'zod';

/**
 * State StartDeployment: the first call that changes what the endpoint is. For an existing endpoint
 * it only adds the new variant at weight 0, so traffic is still wholly on the old model afterwards.
 */
export const handler = stepHandler({
  step: 'StartDeployment',
  input: releaseState.extend({ deployment: deploymentSlice }),
  env: z.object({}),
  run: async ({ plan, deployment }) => {
    const { endpointName } = deployment;
    const live = await describeEndpoint(endpointName);
    if (deployment.firstDeployment) {
      if (live !== null && live.configName !== deployment.newConfigName) {
        throw new EndpointStateConflict(`Endpoint ${endpointName} appeared while this release was preparing (config ${live.configName}); nothing was changed`);
      }
      if (live === null) await createEndpoint(endpointName, deployment.newConfigName, { 'sagemaker-release-pipeline:release': plan.releaseId });
    } else {
      if (live === null) throw new EndpointStateConflict(`Endpoint ${endpointName} was deleted while this release was preparing; nothing was changed`);
      // A retried step may find its own update already applied; anything else means someone else changed the endpoint.
      if (live.configName !== deployment.newConfigName) {
        if (live.configName !== deployment.previousConfigName) {
          throw new EndpointStateConflict(`Endpoint ${endpointName} now runs ${live.configName}, not ${deployment.previousConfigName}: changed outside this pipeline; nothing was changed`);
        }
        if (live.status !== 'InService') {
          throw new EndpointStateConflict(`Endpoint ${endpointName} is ${live.status}: changed outside this pipeline; nothing was changed`);
        }
        await updateEndpoint({ EndpointName: endpointName, EndpointConfigName: deployment.newConfigName, RetainAllVariantProperties: false });
      }
    }
    return { requestedAt: new Date(Date.now()).toISOString() };
  },
});
