import { sageMaker } from '../shared/aws/sagemaker';
import { EndpointStateConflict } from '../shared/errors';
import { deletedBeforeChange, driftFrom, stopBeforeChange } from '../shared/domain/drift';
import { isOwnPendingUpdate } from '../shared/domain/endpoint-change';
import { expectedChangeSeconds } from '../shared/domain/poll';
import { endpointConfigRequest, newVariant, releaseTags } from '../shared/domain/endpoint-config';
import { deploymentSlice, releaseState, shiftSlice } from '../shared/domain/state';
import { awsEnv, ownershipEnv } from '../shared/runtime/env';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';

/**
 * State Promote: the endpoint moves to a config holding only the new variant, so the old instances
 * stop costing money. ShiftTraffic has already put all traffic on the new variant. Right before the update
 * it asks the registry and the endpoint again, as ShiftTraffic does: revoked, the old fleet still exists and
 * the release rolls back; drifted, it stops without touching the endpoint.
 */
export const promoteStep = defineStep({
  step: 'Promote',
  input: z.extend(releaseState, { deployment: deploymentSlice, shift: z.pick(shiftSlice, { weights: true }) }),
  env: z.extend(awsEnv, { MANAGED_BY: ownershipEnv.shape.MANAGED_BY }),
  aws: { sageMaker },
  run: async ({ plan, package: pkg, deployment, shift }, { aws, env }) => {
    const { endpointName } = deployment;
    const live = await aws.sageMaker.describeEndpoint(endpointName);
    if (live === null) return deletedBeforeChange('promoting the new variant');
    // A retried Promote may find its own update already under way or done.
    if (live.configName !== plan.names.finalConfig && !isOwnPendingUpdate(live, plan.names.finalConfig)) {
      const { approvalStatus } = await aws.sageMaker.describeModelPackage(pkg.arn);
      const stopped = stopBeforeChange(approvalStatus, driftFrom(live, { configName: deployment.newConfigName, weights: shift.weights }), 'promoting the new variant');
      if (stopped !== null) return stopped;
      if (live.status !== 'InService' || live.configName !== deployment.newConfigName) {
        throw new EndpointStateConflict(`Endpoint ${endpointName} is ${live.status} on ${live.configName}; expected InService on ${deployment.newConfigName}`);
      }
      // Settings of the endpoint as a whole (data capture) carry over from the config that is live now.
      const canary = await aws.sageMaker.describeEndpointConfig(deployment.newConfigName);
      await aws.sageMaker.createEndpointConfig(endpointConfigRequest(plan, plan.names.finalConfig, [newVariant(plan, 1)], canary, releaseTags(plan, { managedBy: env.MANAGED_BY, groupName: pkg.groupName })));
      await aws.sageMaker.updateEndpoint({ EndpointName: endpointName, EndpointConfigName: plan.names.finalConfig });
    }
    return { verdict: 'proceed' as const, finalConfigName: plan.names.finalConfig, requestedAt: new Date(Date.now()).toISOString(), expectedSeconds: expectedChangeSeconds('update', { serverless: plan.mode === 'serverless' }) };
  },
});

export const handler = awsStepHandler(promoteStep);
