import { EndpointStateConflict } from '../errors';
import { usesGuardrails } from './release-plan';
import type { Deployment } from './state';
import type { EndpointView, VariantWeight } from './views';

/** What StartDeployment must do to the endpoint, given what it finds there. */
export type EndpointChange =
  /** No endpoint yet: create it on the new config. */
  | { action: 'create' }
  /** The endpoint is on the new config already, or on its way to it (a retried step's own earlier call): nothing to send. */
  | { action: 'none' }
  /** Update the live endpoint to the new config, with SageMaker's guardrails or as a plain update. */
  | { action: 'update'; guarded: boolean };

/** Whether this deployment hands the canary to SageMaker's guardrails (never on a first deployment: nothing to roll back to). */
export function isGuarded(deployment: Pick<Deployment, 'style' | 'firstDeployment'>): boolean {
  return usesGuardrails(deployment.style) && !deployment.firstDeployment;
}

/**
 * Decides the endpoint change, or refuses (EndpointStateConflict, nothing changed) when the endpoint is not
 * where PrepareDeployment left it: one that appeared for a first deployment, one that vanished, or one moved
 * or mid-update outside this pipeline. Finding the new config already applied is this step's own retry.
 */
export function decideEndpointChange(live: EndpointView | null, deployment: Deployment): EndpointChange {
  const { endpointName } = deployment;
  if (deployment.firstDeployment) {
    if (live === null) return { action: 'create' };
    if (live.configName === deployment.newConfigName) return { action: 'none' };
    throw new EndpointStateConflict(`Endpoint ${endpointName} appeared while this release was preparing (config ${live.configName}); nothing was changed`);
  }
  if (live === null) throw new EndpointStateConflict(`Endpoint ${endpointName} was deleted while this release was preparing; nothing was changed`);
  if (live.configName === deployment.newConfigName || isOwnPendingUpdate(live, deployment.newConfigName)) return { action: 'none' };
  if (live.configName !== deployment.previousConfigName || live.status !== 'InService') {
    throw new EndpointStateConflict(`Endpoint ${endpointName} is ${live.status} on ${live.configName}, not InService on ${deployment.previousConfigName}: changed outside this pipeline; nothing was changed`);
  }
  return { action: 'update', guarded: isGuarded(deployment) };
}

/**
 * Whether an endpoint mid-update is carrying out our own UpdateEndpoint to `configName`: while an update
 * runs, DescribeEndpoint keeps the old EndpointConfigName and names the new one in PendingDeploymentSummary.
 */
export function isOwnPendingUpdate(live: EndpointView | null, configName: string): boolean {
  if (live === null || live.status === 'InService') return false;
  // Without a pending deployment, only a create names its own config (an update keeps the old one until done).
  return live.pendingConfigName === configName || (live.pendingConfigName === undefined && live.status === 'Creating' && live.configName === configName);
}

/** Whether an endpoint mid-update is applying exactly these weights (our own UpdateEndpointWeightsAndCapacities). */
export function isOwnWeightChange(live: EndpointView | null, weights: readonly VariantWeight[]): boolean {
  if (live === null || live.status !== 'Updating' || live.pendingConfigName !== undefined) return false;
  const desired = new Map((live.desiredWeights ?? live.variants).map((v) => [v.name, v.weight]));
  return weights.length > 0 && weights.every((w) => desired.get(w.name) === w.weight);
}
