import { z } from 'zod';
import { putMetricAlarm } from '../shared/aws/alarms';
import { describeEndpoint, setVariantWeights } from '../shared/aws/endpoints';
import { EndpointStateConflict } from '../shared/errors';
import { sloAlarms } from '../shared/domain/alarms';
import { canaryWeights } from '../shared/domain/endpoint-config';
import { deploymentSlice, releaseState } from '../shared/domain/state';
import { stepHandler } from '../shared/runtime/step-handler';

/**
 * State StartCanary (also the bake of an all-at-once release): alarms first, then traffic. If creating an alarm fails, no request has reached
 * the new model yet. The bake is judged only on alarms that exist before the first canary request.
 */
export const handler = stepHandler({
  step: 'StartCanary',
  input: releaseState.extend({ deployment: deploymentSlice }),
  env: z.object({}),
  run: async ({ plan, deployment }) => {
    const { endpointName, newVariantName } = deployment;
    const alarms = sloAlarms(plan, endpointName, newVariantName);
    for (const alarm of alarms) await putMetricAlarm(alarm);

    const live = await describeEndpoint(endpointName);
    if (live === null || live.status !== 'InService' || live.configName !== deployment.newConfigName) {
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
    if (!allAtOnce) await setVariantWeights(endpointName, weights);
    const startedAt = Date.now();
    return {
      alarmNames: [...alarms.map((a) => a.AlarmName ?? ''), ...plan.settings.canary.alarmNames],
      weights,
      startedAt: new Date(startedAt).toISOString(),
      bakeUntil: new Date(startedAt + plan.settings.canary.bakeMinutes * 60_000).toISOString(),
    };
  },
});
