import { cloudWatch } from '../shared/aws/cloudwatch';
import { sageMaker } from '../shared/aws/sagemaker';
import { EndpointStateConflict } from '../shared/errors';
import { canaryAlarmNames, sloAlarms } from '../shared/domain/alarms';
import { isOwnWeightChange } from '../shared/domain/endpoint-change';
import { canaryWeights } from '../shared/domain/endpoint-config';
import { deploymentSlice, releaseState } from '../shared/domain/state';
import { awsEnv } from '../shared/runtime/env';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';

/**
 * States StartCanary and StartServerlessBake: alarms first, then traffic. If creating an alarm fails, no
 * request has reached the new model yet. The bake is judged only on alarms that exist before the first canary request.
 */
export const startCanaryStep = defineStep({
  step: 'StartCanary',
  input: z.extend(releaseState, { deployment: deploymentSlice }),
  env: awsEnv,
  aws: { sageMaker, cloudWatch },
  run: async ({ plan, deployment }, { aws }) => {
    const { endpointName, newVariantName } = deployment;
    const alarms = sloAlarms(plan, endpointName, newVariantName);
    for (const alarm of alarms) await aws.cloudWatch.putMetricAlarm(alarm);

    const live = await aws.sageMaker.describeEndpoint(endpointName);
    if (live === null || live.configName !== deployment.newConfigName) {
      throw new EndpointStateConflict(`Endpoint ${endpointName} is ${live?.status ?? 'gone'} on ${live?.configName ?? 'nothing'}; expected InService on ${deployment.newConfigName}`);
    }
    // All at once (serverless): the new model already takes all traffic; the bake only watches its alarms.
    const allAtOnce = deployment.style === 'all-at-once';
    const weights = allAtOnce
      ? [{ name: newVariantName, weight: 100 }]
      : canaryWeights(
          live.variants.filter((v) => v.name !== newVariantName),
          newVariantName,
          plan.settings.canary.percent,
        );
    // A retried step (its Lambda timed out after the call) finds its own weight change being applied.
    const ownChange = !allAtOnce && isOwnWeightChange(live, weights);
    if (live.status !== 'InService' && !ownChange) {
      throw new EndpointStateConflict(`Endpoint ${endpointName} is ${live.status} on ${live.configName ?? 'nothing'}; expected InService on ${deployment.newConfigName}`);
    }
    if (!allAtOnce && !ownChange) await aws.sageMaker.setVariantWeights(endpointName, weights);
    const startedAt = Date.now();
    return {
      alarmNames: canaryAlarmNames(plan, alarms),
      weights,
      startedAt: new Date(startedAt).toISOString(),
      bakeUntil: new Date(startedAt + plan.settings.canary.bakeMinutes * 60_000).toISOString(),
    };
  },
});

export const handler = awsStepHandler(startCanaryStep);
