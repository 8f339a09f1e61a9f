import type { ReleasePlan } from './release-plan';
import type { DeploymentConfig } from './views';

/** SageMaker's bounds for blue/green deployment guardrails (UpdateEndpoint DeploymentConfig). */
export const GUARDRAIL_LIMITS = { maxWaitIntervalSeconds: 3600, minExecutionSeconds: 600, maxExecutionSeconds: 14400 } as const;

/**
 * Blue/green canary with auto-rollback: SageMaker shifts `canary.percent` of capacity to the new fleet,
 * bakes for `canary.bakeMinutes` watching the alarms, then shifts the rest, or rolls back by itself.
 */
export function guardrailsConfig(plan: ReleasePlan, alarmNames: string[]): DeploymentConfig {
  const bakeSeconds = plan.settings.canary.bakeMinutes * 60;
  return {
    BlueGreenUpdatePolicy: {
      TrafficRoutingConfiguration: {
        Type: 'CANARY',
        CanarySize: { Type: 'CAPACITY_PERCENT', Value: plan.settings.canary.percent },
        WaitIntervalInSeconds: bakeSeconds,
      },
      // Keep the old fleet a few minutes after the switch so a late alarm can still roll back instantly.
      TerminationWaitInSeconds: 300,
      MaximumExecutionTimeoutInSeconds: Math.min(GUARDRAIL_LIMITS.maxExecutionSeconds, Math.max(GUARDRAIL_LIMITS.minExecutionSeconds, bakeSeconds + 3600)),
    },
    AutoRollbackConfiguration: { Alarms: alarmNames.map((AlarmName) => ({ AlarmName })) },
  };
}

/** Seconds a deployment may stay Updating: the endpoint bound, plus SageMaker's own bake under guardrails. */
export function deploymentWaitSeconds(plan: ReleasePlan, endpointWaitSeconds: number, guarded: boolean): number {
  return endpointWaitSeconds + (guarded ? plan.settings.canary.bakeMinutes * 60 + 300 : 0);
}
