import { sageMaker } from '../shared/aws/sagemaker';
import { EndpointStateConflict } from '../shared/errors';
import { isOwnWeightChange } from '../shared/domain/endpoint-change';
import { expectedChangeSeconds } from '../shared/domain/poll';
import { deploymentSlice, releaseState } from '../shared/domain/state';
import { awsEnv } from '../shared/runtime/env';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';

/**
 * State ShiftTraffic: every request to the new variant, old instances still running. Until Promote
 * replaces the config, going back is one weight change away.
 */
export const shiftTrafficStep = defineStep({
  step: 'ShiftTraffic',
  input: z.extend(releaseState, { deployment: deploymentSlice }),
  env: awsEnv,
  aws: { sageMaker },
  run: async ({ deployment }, { aws }) => {
    const { endpointName, newVariantName } = deployment;
    const live = await aws.sageMaker.describeEndpoint(endpointName);
    if (live === null || live.configName !== deployment.newConfigName) {
      throw new EndpointStateConflict(`Endpoint ${endpointName} is on ${live?.configName ?? 'nothing'}; expected ${deployment.newConfigName}`);
    }
    const weights = live.variants.map((v) => ({ name: v.name, weight: v.name === newVariantName ? 1 : 0 }));
    // A retried step may find its own weight change being applied: asking again would be refused mid-update.
    if (!isOwnWeightChange(live, weights)) await aws.sageMaker.setVariantWeights(endpointName, weights);
    return { weights, requestedAt: new Date(Date.now()).toISOString(), expectedSeconds: expectedChangeSeconds('weights') };
  },
});

export const handler = awsStepHandler(shiftTrafficStep);
