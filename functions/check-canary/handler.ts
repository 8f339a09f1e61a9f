import { z } from 'zod';
import { describeAlarms, variantMetricSum } from '../shared/aws/alarms';
import { judgeCanary } from '../shared/domain/canary';
import { deploymentSlice, releaseState } from '../shared/domain/state';
import { stepHandler } from '../shared/runtime/step-handler';

const canarySlice = z.object({ alarmNames: z.array(z.string()), startedAt: z.string(), bakeUntil: z.string() });

/** State CheckCanary: one look at the alarms (looped by BakeCanary until the bake is over). */
export const handler = stepHandler({
  step: 'CheckCanary',
  input: releaseState.extend({ deployment: deploymentSlice, canary: canarySlice }),
  env: z.object({}),
  run: async ({ plan, deployment, canary }) => {
    const now = Date.now();
    const bakeUntil = Date.parse(canary.bakeUntil);
    const alarms = await describeAlarms(canary.alarmNames);
    // Counting invocations costs a call, so only once the bake is over and the count matters. From the canary's
    // start only: smoke-test calls to the new variant in the minute before must not count as canary traffic.
    const invocations =
      now >= bakeUntil
        ? await variantMetricSum('Invocations', deployment.endpointName, deployment.newVariantName, new Date(Date.parse(canary.startedAt)), new Date(now))
        : null;
    const judgement = judgeCanary({
      expectedAlarms: canary.alarmNames,
      alarms,
      now,
      bakeUntil,
      invocations,
      minInvocations: plan.settings.canary.minInvocations,
      insufficientTraffic: plan.settings.canary.insufficientTraffic,
    });
    return { ...judgement, alarms, invocations, checkedAt: new Date(now).toISOString() };
  },
});
