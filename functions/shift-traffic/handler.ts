import { sageMaker } from '../shared/aws/sagemaker';
import { deletedBeforeChange, driftFrom, stopBeforeChange } from '../shared/domain/drift';
import { isOwnWeightChange } from '../shared/domain/endpoint-change';
import { expectedChangeSeconds } from '../shared/domain/poll';
import { canarySlice, deploymentSlice, releaseState } from '../shared/domain/state';
import { awsEnv } from '../shared/runtime/env';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';

/**
 * State ShiftTraffic: every request to the new variant, old instances still running. Until Promote
 * replaces the config, going back is one weight change away. Right before the shift it asks the registry and
 * the endpoint again: rejected since the last canary check, nothing moves and the release rolls back
 * (verdict revoked); changed by someone else, nothing moves and the release stops (verdict drifted).
 */
export const shiftTrafficStep = defineStep({
  step: 'ShiftTraffic',
  input: z.extend(releaseState, { deployment: deploymentSlice, canary: z.pick(canarySlice, { weights: true }) }),
  env: awsEnv,
  aws: { sageMaker },
  run: async ({ package: pkg, deployment, canary }, { aws }) => {
    const { endpointName, newVariantName } = deployment;
    const live = await aws.sageMaker.describeEndpoint(endpointName);
    if (live === null) return deletedBeforeChange('moving all traffic to the new variant');
    const weights = live.variants.map((v) => ({ name: v.name, weight: v.name === newVariantName ? 1 : 0 }));
    // A retried step may find its own weight change being applied (asking again would be refused mid-update),
    // or already applied (its Lambda timed out after the change went through).
    const alreadyShifted = isOwnWeightChange(live, weights) || driftFrom(live, { configName: deployment.newConfigName, weights }) === null;
    if (!alreadyShifted) {
      const { approvalStatus } = await aws.sageMaker.describeModelPackage(pkg.arn);
      const stopped = stopBeforeChange(approvalStatus, driftFrom(live, { configName: deployment.newConfigName, weights: canary.weights }), 'moving all traffic to the new variant');
      if (stopped !== null) return stopped;
      await aws.sageMaker.setVariantWeights(endpointName, weights);
    }
    return { verdict: 'proceed' as const, weights, requestedAt: new Date(Date.now()).toISOString(), expectedSeconds: expectedChangeSeconds('weights') };
  },
});

export const handler = awsStepHandler(shiftTrafficStep);
