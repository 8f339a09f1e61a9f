import { z } from 'zod';
import { putMetricAlarm } from '../shared/aws/alarms';
import { createEndpoint, describeEndpoint, updateEndpoint } from '../shared/aws/endpoints';
import { EndpointStateConflict } from '../shared/errors';
import { sloAlarms } from '../shared/domain/alarms';
import { deploymentWaitSeconds, guardrailsConfig } from '../shared/domain/guardrails';
import { deploymentSlice, releaseState } from '../shared/domain/state';
import { secondsFromEnv } from '../shared/runtime/env';
import { stepHandler } from '../shared/runtime/step-handler';

/**
 * State StartDeployment: the first call that changes what the endpoint is.
 * - variant canary: adds the new variant at weight 0; traffic stays wholly on the old model.
 * - native guardrails: SageMaker's blue/green canary with auto-rollback on the SLO alarms (created first).
 * - all at once (serverless): the endpoint moves to the new config in one update.
 */
export const handler = stepHandler({
  step: 'StartDeployment',
  input: releaseState.extend({ deployment: deploymentSlice }),
  env: z.object({ ENDPOINT_WAIT_SECONDS: secondsFromEnv }),
  run: async ({ plan, deployment }, { env }) => {
    const { endpointName } = deployment;
    const live = await describeEndpoint(endpointName);
    const guarded = deployment.style === 'native-guardrails' && !deployment.firstDeployment;
    if (deployment.firstDeployment) {
      if (live !== null && live.configName !== deployment.newConfigName) {
        throw new EndpointStateConflict(`Endpoint ${endpointName} appeared while this release was preparing (config ${live.configName}); nothing was changed`);
      }
      if (live === null) await createEndpoint(endpointName, deployment.newConfigName, { 'sagemaker-release-pipeline:release': plan.releaseId });
    } else {
      if (live === null) throw new EndpointStateConflict(`Endpoint ${endpointName} was deleted while this release was preparing; nothing was changed`);
      // A retried step may find its own update already applied; anything else means someone else changed the endpoint.
      if (live.configName !== deployment.newConfigName) {
        if (live.configName !== deployment.previousConfigName || live.status !== 'InService') {
          throw new EndpointStateConflict(`Endpoint ${endpointName} is ${live.status} on ${live.configName}, not InService on ${deployment.previousConfigName}: changed outside this pipeline; nothing was changed`);
        }
        if (guarded) {
          const alarms = sloAlarms(plan, endpointName, deployment.newVariantName);
          for (const alarm of alarms) await putMetricAlarm(alarm);
          const alarmNames = [...alarms.map((a) => a.AlarmName ?? ''), ...plan.settings.canary.alarmNames];
          await updateEndpoint({ EndpointName: endpointName, EndpointConfigName: deployment.newConfigName, DeploymentConfig: guardrailsConfig(plan, alarmNames) });
        } else {
          await updateEndpoint({ EndpointName: endpointName, EndpointConfigName: deployment.newConfigName, RetainAllVariantProperties: false });
        }
      }
    }
    return { requestedAt: new Date(Date.now()).toISOString(), waitBoundSeconds: deploymentWaitSeconds(plan, env.ENDPOINT_WAIT_SECONDS, guarded), guarded };
  },
});
