import { cloudWatch } from '../shared/aws/cloudwatch';
import { sageMaker } from '../shared/aws/sagemaker';
import { SLO_ALARM_EARLIEST_SECONDS } from '../shared/domain/alarms';
import { judgeCanary } from '../shared/domain/canary';
import { driftFrom } from '../shared/domain/drift';
import { nextCanaryCheckSeconds } from '../shared/domain/poll';
import { canarySlice, deploymentSlice, releaseState } from '../shared/domain/state';
import { awsEnv, secondsFromEnv } from '../shared/runtime/env';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';

/**
 * States CheckCanary and ServerlessCheckBake: one look at the alarms (looped until the bake is over), and at the
 * package in the registry: rejected meanwhile, the canary is rolled back (REVOKED) however healthy it looks.
 */
export const checkCanaryStep = defineStep({
  step: 'CheckCanary',
  input: z.extend(releaseState, { deployment: deploymentSlice, canary: z.pick(canarySlice, { alarmNames: true, weights: true, startedAt: true, bakeUntil: true }) }),
  env: z.extend(awsEnv, { CANARY_CHECK_SECONDS: z._default(secondsFromEnv, 60) }),
  aws: { cloudWatch, sageMaker },
  run: async ({ plan, package: pkg, deployment, canary }, { aws, env }) => {
    const now = Date.now();
    const { approvalStatus } = await aws.sageMaker.describeModelPackage(pkg.arn);
    const drift = driftFrom(await aws.sageMaker.describeEndpoint(deployment.endpointName), { configName: deployment.newConfigName, weights: canary.weights });
    const bakeUntil = Date.parse(canary.bakeUntil);
    const alarms = await aws.cloudWatch.describeAlarms(canary.alarmNames);
    // Counting invocations costs a call, so only once the bake is over and the count matters. From the canary's
    // start only: smoke-test calls to the new variant in the minute before must not count as canary traffic.
    const invocations =
      now >= bakeUntil ? await aws.cloudWatch.variantMetricSum('Invocations', deployment.endpointName, deployment.newVariantName, new Date(Date.parse(canary.startedAt)), new Date(now)) : null;
    const judgement = judgeCanary({
      expectedAlarms: canary.alarmNames,
      alarms,
      now,
      bakeUntil,
      invocations,
      approvalStatus,
      drift,
      minInvocations: plan.settings.canary.minInvocations,
      insufficientTraffic: plan.settings.canary.insufficientTraffic,
    });
    // Only the pipeline's own SLO alarms have a known earliest moment to fire; anyone else's is looked at from the start.
    const ownAlarms = new Set([plan.names.errorRateAlarm, plan.names.latencyAlarm]);
    const firstJudgeableSeconds = canary.alarmNames.every((name) => ownAlarms.has(name)) ? SLO_ALARM_EARLIEST_SECONDS : 0;
    const next =
      judgement.verdict === 'baking'
        ? { nextCheckSeconds: nextCanaryCheckSeconds({ now, startedAt: Date.parse(canary.startedAt), bakeUntil, checkSeconds: env.CANARY_CHECK_SECONDS, firstJudgeableSeconds }) }
        : {};
    return { ...judgement, alarms, invocations, checkedAt: new Date(now).toISOString(), ...next };
  },
});

export const handler = awsStepHandler(checkCanaryStep);
