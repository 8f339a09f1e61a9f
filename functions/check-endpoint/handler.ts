import { sageMaker } from '../shared/aws/sagemaker';
import { judgeEndpoint } from '../shared/domain/endpoint-check';
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
});

/** States Check*Deployment, CheckTrafficShift, CheckPromotion and CheckRollback: one poll of a bounded wait loop. */
export const checkEndpointStep = defineStep({
  step: 'CheckEndpoint',
  input,
  env: z.extend(awsEnv, { ENDPOINT_WAIT_SECONDS: secondsFromEnv }),
  aws: { sageMaker },
  run: async ({ endpointName, expectedConfigName, previousConfigName, since, boundSeconds }, { env, aws }): Promise<EndpointCheckResult> => {
    const view = await aws.sageMaker.describeEndpoint(endpointName);
    const now = Date.now();
    const judged = judgeEndpoint(view, { configName: expectedConfigName, previousConfigName }, (now - Date.parse(since)) / 1000, boundSeconds ?? env.ENDPOINT_WAIT_SECONDS);
    return { ...judged, checkedAt: new Date(now).toISOString() };
  },
});

export const handler = awsStepHandler(checkEndpointStep);
