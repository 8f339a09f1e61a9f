import { cloudWatch } from '../shared/aws/cloudwatch';
import { sageMaker } from '../shared/aws/sagemaker';
import { canaryAlarmNames, sloAlarms } from '../shared/domain/alarms';
import { decideEndpointChange, isGuarded } from '../shared/domain/endpoint-change';
import { releaseTags } from '../shared/domain/endpoint-config';
import { deploymentWaitSeconds, guardrailsConfig } from '../shared/domain/guardrails';
import { expectedChangeSeconds } from '../shared/domain/poll';
import { deploymentSlice, releaseState } from '../shared/domain/state';
import { awsEnv, ownershipEnv, secondsFromEnv } from '../shared/runtime/env';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';

/**
 * State StartDeployment: the first call that changes what the endpoint is.
 * - variant canary: adds the new variant at weight 0; traffic stays wholly on the old model.
 * - guardrails (real-time native, async): SageMaker's blue/green canary with auto-rollback on the SLO alarms (created first).
 * - all at once (serverless): the endpoint moves to the new config in one update.
 */
export const startDeploymentStep = defineStep({
  step: 'StartDeployment',
  input: z.extend(releaseState, { deployment: deploymentSlice }),
  env: z.extend(awsEnv, { ENDPOINT_WAIT_SECONDS: secondsFromEnv, MANAGED_BY: ownershipEnv.shape.MANAGED_BY }),
  aws: { sageMaker, cloudWatch },
  run: async ({ plan, package: pkg, deployment }, { env, aws }) => {
    const { endpointName } = deployment;
    const change = decideEndpointChange(await aws.sageMaker.describeEndpoint(endpointName), deployment);
    // The endpoint it creates is this pipeline's, bound to the group (IAM allows the create only with these tags).
    if (change.action === 'create') await aws.sageMaker.createEndpoint(endpointName, deployment.newConfigName, releaseTags(plan, { managedBy: env.MANAGED_BY, groupName: pkg.groupName }));
    if (change.action === 'update' && change.guarded) {
      const alarms = sloAlarms(plan, endpointName, deployment.newVariantName);
      for (const alarm of alarms) await aws.cloudWatch.putMetricAlarm(alarm);
      await aws.sageMaker.updateEndpoint({ EndpointName: endpointName, EndpointConfigName: deployment.newConfigName, DeploymentConfig: guardrailsConfig(plan, canaryAlarmNames(plan, alarms)) });
    }
    if (change.action === 'update' && !change.guarded) {
      await aws.sageMaker.updateEndpoint({ EndpointName: endpointName, EndpointConfigName: deployment.newConfigName, RetainAllVariantProperties: false });
    }
    const guarded = isGuarded(deployment);
    // SageMaker's guardrails bake inside the update (and wait before terminating the old fleet): expected too.
    const expectedSeconds = expectedChangeSeconds(change.action === 'create' ? 'create' : 'update', {
      serverless: plan.mode === 'serverless',
      ...(guarded ? { guardedBakeSeconds: deploymentWaitSeconds(plan, 0, true) } : {}),
    });
    return { requestedAt: new Date(Date.now()).toISOString(), waitBoundSeconds: deploymentWaitSeconds(plan, env.ENDPOINT_WAIT_SECONDS, guarded), guarded, expectedSeconds };
  },
});

export const handler = awsStepHandler(startDeploymentStep);
