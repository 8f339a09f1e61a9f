import { sageMaker } from '../shared/aws/sagemaker';
import { judgeEndpoint } from '../shared/domain/endpoint-check';
import { nextPollSeconds } from '../shared/domain/poll';
import type { EndpointCheckResult } from '../shared/domain/state';
import { awsEnv, secondsFromEnv } from '../shared/runtime/env';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';

const input = z.object({
  endpointName: z.string(),
  /** The config the endpoint must end on; null when the endpoint is expected to be gone. */
  expectedConfigName: z.nullable(z.string()),
  /** The config before the change: ending InService on it means SageMaker rolled the change back. */
  previousConfigName: z.optional(z.nullable(z.string())),
  since: z.string(),
  /** Overrides ENDPOINT_WAIT_SECONDS for this wait (a guarded deployment bakes inside SageMaker). */
  boundSeconds: z.optional(z.int().check(z.positive())),
  /** How long the change is expected to take (domain/poll.ts): the next look is timed by it. */
  expectedSeconds: z.optional(z.int().check(z.nonnegative())),
});

/** States Check*Deployment, CheckTrafficShift, CheckPromotion and CheckRollback: one poll of a bounded wait loop. */
export const checkEndpointStep = defineStep({
  step: 'CheckEndpoint',
  input,
  env: z.extend(awsEnv, { ENDPOINT_WAIT_SECONDS: secondsFromEnv, ENDPOINT_POLL_SECONDS: z._default(secondsFromEnv, 30) }),
  aws: { sageMaker },
  run: async ({ endpointName, expectedConfigName, previousConfigName, since, boundSeconds, expectedSeconds }, { env, aws }): Promise<EndpointCheckResult> => {
    const view = await aws.sageMaker.describeEndpoint(endpointName);
    const now = Date.now();
    const elapsed = (now - Date.parse(since)) / 1000;
    const judged = judgeEndpoint(view, { configName: expectedConfigName, previousConfigName }, elapsed, boundSeconds ?? env.ENDPOINT_WAIT_SECONDS);
    const next = judged.check === 'Pending' ? { nextCheckSeconds: nextPollSeconds(elapsed, expectedSeconds, env.ENDPOINT_POLL_SECONDS) } : {};
    return { ...judged, checkedAt: new Date(now).toISOString(), ...next };
  },
});

export const handler = awsStepHandler(checkEndpointStep);
