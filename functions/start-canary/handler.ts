import { cloudWatch } from '../shared/aws/cloudwatch';
import { sageMaker } from '../shared/aws/sagemaker';
import { EndpointStateConflict } from '../shared/errors';
import { canaryAlarmNames, sloAlarms } from '../shared/domain/alarms';
import { deletedBeforeChange, driftFrom, stopBeforeChange } from '../shared/domain/drift';
import { isOwnWeightChange } from '../shared/domain/endpoint-change';
import { canaryWeights } from '../shared/domain/endpoint-config';
import { deploymentSlice, releaseState } from '../shared/domain/state';
import type { EndpointView, VariantWeight } from '../shared/domain/views';
import { awsEnv } from '../shared/runtime/env';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';

/**
 * States StartCanary and StartServerlessBake: alarms first, then traffic. If creating an alarm fails, no
 * request has reached the new model yet. The bake is judged only on alarms that exist before the first canary
 * request. Before a canary's first request it asks the registry and the endpoint again (the deploy and smoke
 * test take minutes): rejected meanwhile, no request reaches the candidate and the release rolls back
 * (verdict revoked); the endpoint changed by someone else, the release stops changing it (verdict drifted).
 */
export const startCanaryStep = defineStep({
  step: 'StartCanary',
  input: z.extend(releaseState, { deployment: deploymentSlice }),
  env: awsEnv,
  aws: { sageMaker, cloudWatch },
  run: async ({ plan, package: pkg, deployment }, { aws }) => {
    const { endpointName, newVariantName } = deployment;
    const alarms = sloAlarms(plan, endpointName, newVariantName);
    for (const alarm of alarms) await aws.cloudWatch.putMetricAlarm(alarm);
    const started = (weights: VariantWeight[]) => {
      const startedAt = Date.now();
      return {
        verdict: 'proceed' as const,
        alarmNames: canaryAlarmNames(plan, alarms),
        weights,
        startedAt: new Date(startedAt).toISOString(),
        bakeUntil: new Date(startedAt + plan.settings.canary.bakeMinutes * 60_000).toISOString(),
      };
    };
    const conflict = (live: EndpointView | null) =>
      new EndpointStateConflict(`Endpoint ${endpointName} is ${live?.status ?? 'gone'} on ${live?.configName ?? 'nothing'}; expected InService on ${deployment.newConfigName}`);

    const live = await aws.sageMaker.describeEndpoint(endpointName);
    // All at once (serverless): the new model already takes all traffic; the bake only watches its alarms.
    if (deployment.style === 'all-at-once') {
      if (live === null || live.configName !== deployment.newConfigName) throw conflict(live);
      return started([{ name: newVariantName, weight: 100 }]);
    }
    const change = 'sending canary traffic to the new variant';
    if (live === null) return deletedBeforeChange(change);
    const weights = canaryWeights(
      live.variants.filter((v) => v.name !== newVariantName),
      newVariantName,
      plan.settings.canary.percent,
    );
    // A retried step (its Lambda timed out after the call) finds its own weight change being applied.
    if (!isOwnWeightChange(live, weights)) {
      const { approvalStatus } = await aws.sageMaker.describeModelPackage(pkg.arn);
      // The config was InService before the smoke test: another one since is an operator's doing.
      const stopped = stopBeforeChange(approvalStatus, driftFrom(live, { configName: deployment.newConfigName }), change);
      if (stopped !== null) return stopped;
      if (live.status !== 'InService') throw conflict(live);
      await aws.sageMaker.setVariantWeights(endpointName, weights);
    }
    return started(weights);
  },
});

export const handler = awsStepHandler(startCanaryStep);
