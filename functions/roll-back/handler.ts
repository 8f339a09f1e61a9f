import { sageMaker } from '../shared/aws/sagemaker';
import { InvalidInput, RollbackTimedOut } from '../shared/errors';
import { expectedChangeSeconds, nextPollSeconds } from '../shared/domain/poll';
import { decideRollback } from '../shared/domain/rollback';
import { deploymentSlice } from '../shared/domain/state';
import { awsEnv, secondsFromEnv } from '../shared/runtime/env';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';

/**
 * State RollBack (looped through WaitBeforeRollback while SageMaker is busy or the canary drains). It
 * decides from what the endpoint is NOW, not from how far the release believes it got, so it is safe after a
 * failure at any call. A canary's traffic goes back to the live variant first (about a minute), then the old
 * config is restored; the loop is bounded by ENDPOINT_WAIT_SECONDS from the run's first RollBack.
 */
export const rollBackStep = defineStep({
  step: 'RollBack',
  input: z.object({
    deployment: z.optional(z.nullable(deploymentSlice)),
    /** This state's own previous answer, when the loop comes round again. */
    rollback: z.optional(z.looseObject({ startedAt: z.optional(z.string()), drainRequestedAt: z.optional(z.string()) })),
  }),
  env: z.extend(awsEnv, { ENDPOINT_WAIT_SECONDS: secondsFromEnv, ENDPOINT_POLL_SECONDS: z._default(secondsFromEnv, 30) }),
  aws: { sageMaker },
  run: async ({ deployment, rollback }, { aws, env }) => {
    const now = Date.now();
    const requestedAt = new Date(now).toISOString();
    const startedAt = rollback?.startedAt ?? requestedAt;
    if (!deployment) return { action: 'nothing-to-undo' as const, expectedConfigName: null, endpointName: null, requestedAt, startedAt };
    // A multi-model release never changes the shared endpoint; RestoreModelArtifact undoes it. Never update that endpoint here.
    if (deployment.style === 'multi-model-artifact') throw new InvalidInput('RollBack does not undo multi-model releases (RestoreModelArtifact does); the shared endpoint was left unchanged');
    const { endpointName, previousConfigName } = deployment;
    const live = await aws.sageMaker.describeEndpoint(endpointName);
    const step = decideRollback(deployment, live);
    const waited = (now - Date.parse(startedAt)) / 1000;
    if ((step.action === 'wait' || step.action === 'draining') && waited > env.ENDPOINT_WAIT_SECONDS) {
      throw new RollbackTimedOut(`${endpointName} is still ${live?.status ?? 'absent'} after ${Math.round(waited)} s of rollback (bound ${env.ENDPOINT_WAIT_SECONDS} s); the undo was not started`);
    }
    if (step.action === 'draining') await aws.sageMaker.setVariantWeights(endpointName, step.weights);
    if (step.action === 'deleting' && !step.alreadyDeleting) await aws.sageMaker.deleteEndpoint(endpointName);
    if (step.action === 'restoring') await aws.sageMaker.updateEndpoint({ EndpointName: endpointName, EndpointConfigName: previousConfigName ?? '' });
    const serverless = deployment.style === 'all-at-once';
    const expectedSeconds = step.action === 'restoring' ? expectedChangeSeconds('update', { serverless }) : step.action === 'deleting' ? expectedChangeSeconds('delete') : undefined;
    // A drain is looked at when the weight change should have applied, then soon, as any change; a busy endpoint
    // that is not our drain (an operator's or SageMaker's change) every poll interval.
    const drainRequestedAt = step.action === 'draining' ? requestedAt : rollback?.drainRequestedAt;
    const nextCheckSeconds =
      step.action === 'draining' || step.action === 'wait'
        ? drainRequestedAt !== undefined
          ? nextPollSeconds((now - Date.parse(drainRequestedAt)) / 1000, expectedChangeSeconds('weights'), env.ENDPOINT_POLL_SECONDS)
          : env.ENDPOINT_POLL_SECONDS
        : undefined;
    return {
      action: step.action,
      expectedConfigName: step.expectedConfigName,
      endpointName,
      requestedAt,
      startedAt,
      ...(drainRequestedAt !== undefined ? { drainRequestedAt } : {}),
      ...(expectedSeconds !== undefined ? { expectedSeconds } : {}),
      ...(nextCheckSeconds !== undefined ? { nextCheckSeconds } : {}),
    };
  },
});

export const handler = awsStepHandler(rollBackStep);
