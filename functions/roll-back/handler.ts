import { sageMaker } from '../shared/aws/sagemaker';
import { InvalidInput } from '../shared/errors';
import { decideRollback } from '../shared/domain/rollback';
import { deploymentSlice } from '../shared/domain/state';
import { awsEnv } from '../shared/runtime/env';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';

/**
 * State RollBack (looped through WaitBeforeRollback while SageMaker is busy). It decides from what the
 * endpoint is NOW, not from how far the release believes it got, so it is safe after a failure at any call.
 */
export const rollBackStep = defineStep({
  step: 'RollBack',
  input: z.object({ deployment: z.optional(z.nullable(deploymentSlice)) }),
  env: awsEnv,
  aws: { sageMaker },
  run: async ({ deployment }, { aws }) => {
    const requestedAt = new Date(Date.now()).toISOString();
    if (!deployment) return { action: 'nothing-to-undo' as const, expectedConfigName: null, endpointName: null, requestedAt };
    // A multi-model release never changes the shared endpoint; RestoreModelArtifact undoes it. Never update that endpoint here.
    if (deployment.style === 'multi-model-artifact') throw new InvalidInput('RollBack does not undo multi-model releases (RestoreModelArtifact does); the shared endpoint was left unchanged');
    const { endpointName, previousConfigName } = deployment;
    const step = decideRollback(deployment, await aws.sageMaker.describeEndpoint(endpointName));
    if (step.action === 'deleting' && !step.alreadyDeleting) await aws.sageMaker.deleteEndpoint(endpointName);
    if (step.action === 'restoring') await aws.sageMaker.updateEndpoint({ EndpointName: endpointName, EndpointConfigName: previousConfigName ?? '' });
    return { action: step.action, expectedConfigName: step.expectedConfigName, endpointName, requestedAt };
  },
});

export const handler = awsStepHandler(rollBackStep);
