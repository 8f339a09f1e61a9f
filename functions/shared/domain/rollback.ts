import type { Deployment, RollbackAction } from './state';
import type { EndpointView, VariantWeight } from './views';

export type { RollbackAction };

/** SageMaker statuses in which an endpoint cannot take another change yet. */
export const BUSY_STATUSES: ReadonlySet<string> = new Set(['Creating', 'Updating', 'RollingBack', 'SystemUpdating']);

export type RollbackStep =
  /** Nothing of this release is on the endpoint (or there is no endpoint to undo). */
  | { action: 'nothing-to-undo'; expectedConfigName: string | null }
  /**
   * The candidate variant still takes traffic beside the live one: all of it goes back to the live variant
   * first (UpdateEndpointWeightsAndCapacities, about a minute), and the config is restored after.
   */
  | { action: 'draining'; expectedConfigName: string | null; weights: VariantWeight[] }
  /** SageMaker is mid-change; ask again after a pause. */
  | { action: 'wait'; expectedConfigName: string | null }
  /** First deployment: delete the endpoint this release created (`alreadyDeleting`: SageMaker is at it). */
  | { action: 'deleting'; expectedConfigName: null; alreadyDeleting: boolean }
  /** UpdateEndpoint back to the config from before the release. */
  | { action: 'restoring'; expectedConfigName: string | null };

/**
 * How to put the endpoint back, decided from what it is NOW, not from how far the release believes it got,
 * so the same answer is right after a failure at any call, and for a retried RollBack.
 */
export function decideRollback(
  deployment: Pick<Deployment, 'firstDeployment' | 'previousConfigName'> & Partial<Pick<Deployment, 'style' | 'newConfigName' | 'liveVariantName' | 'newVariantName'>>,
  live: (Pick<EndpointView, 'status' | 'configName'> & Partial<Pick<EndpointView, 'variants'>>) | null,
): RollbackStep {
  const { previousConfigName } = deployment;
  if (live !== null && BUSY_STATUSES.has(live.status)) return { action: 'wait', expectedConfigName: previousConfigName };
  const drain = drainingWeights(deployment, live);
  if (drain !== null) return { action: 'draining', expectedConfigName: previousConfigName, weights: drain };
  if (deployment.firstDeployment) {
    if (live === null) return { action: 'nothing-to-undo', expectedConfigName: null };
    return { action: 'deleting', expectedConfigName: null, alreadyDeleting: live.status === 'Deleting' };
  }
  if (live !== null && live.configName === previousConfigName) return { action: 'nothing-to-undo', expectedConfigName: previousConfigName };
  return { action: 'restoring', expectedConfigName: previousConfigName };
}

/**
 * The weights that take a canary's traffic away, or null when there is none to take: only a variant canary
 * on its canary config, InService, with both variants on it, the live one short of all traffic. Moving the
 * weights is the fast way back (about a minute); UpdateEndpoint to the old config provisions a new fleet.
 */
function drainingWeights(
  deployment: Partial<Pick<Deployment, 'style' | 'newConfigName' | 'liveVariantName' | 'newVariantName'>>,
  live: (Pick<EndpointView, 'status' | 'configName'> & Partial<Pick<EndpointView, 'variants'>>) | null,
): VariantWeight[] | null {
  const { style, newConfigName, liveVariantName, newVariantName } = deployment;
  if (style !== 'variant-canary' || live === null || live.status !== 'InService' || live.configName !== newConfigName) return null;
  // A manual rollback's deployment is the promoted config alone (its live variant is the new one): nothing to drain.
  if (!liveVariantName || !newVariantName || liveVariantName === newVariantName) return null;
  const variants = live.variants ?? [];
  const old = variants.find((v) => v.name === liveVariantName);
  const candidate = variants.find((v) => v.name === newVariantName);
  if (old === undefined || candidate === undefined) return null;
  if (candidate.weight <= 0 && old.weight > 0) return null;
  return [
    { name: liveVariantName, weight: 1 },
    { name: newVariantName, weight: 0 },
  ];
}
