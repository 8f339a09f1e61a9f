import { z } from 'zod';
import { describeEndpoint, setVariantWeights } from '../shared/aws/endpoints';
import { EndpointStateConflict } from '../shared/errors';
import { deploymentSlice, releaseState } from '../shared/domain/state';
import { stepHandler } from '../shared/runtime/step-handler';

/**
 * State ShiftTraffic: every request to the new variant, old instances still running. Until Promote
 * replaces the config, going back is one weight change away.
 */
export const handler = stepHandler({
  step: 'ShiftTraffic',
  input: releaseState.extend({ deployment: deploymentSlice }),
  env: z.object({}),
  run: async ({ deployment }) => {
    const { endpointName, newVariantName } = deployment;
    const live = await describeEndpoint(endpointName);
    if (live === null || live.configName !== deployment.newConfigName) {
      throw new EndpointStateConflict(`Endpoint ${endpointName} is on ${live?.configName ?? 'nothing'}; expected ${deployment.newConfigName}`);
    }
    const weights = live.variants.map((v) => ({ name: v.name, weight: v.name === newVariantName ? 1 : 0 }));
    await setVariantWeights(endpointName, weights);
    return { weights, requestedAt: new Date(Date.now()).toISOString() };
  },
});
