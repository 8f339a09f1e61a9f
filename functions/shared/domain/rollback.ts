import type { Deployment, RollbackAction } from './state';
import type { EndpointView } from './views';

export type { RollbackAction };

/** SageMaker statuses in which an endpoint cannot take another change yet. */
const BUSY = new Set(['Creating', 'Updating', 'RollingBack', 'SystemUpdating']);

export type RollbackStep =
  /** Nothing of this release is on the endpoint (or there is no endpoint to undo). */
  | { action: 'nothing-to-undo'; expectedConfigName: string | null }
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
export function decideRollback(deployment: Pick<Deployment, 'firstDeployment' | 'previousConfigName'>, live: Pick<EndpointView, 'status' | 'configName'> | null): RollbackStep {
  const { previousConfigName } = deployment;
  if (live !== null && BUSY.has(live.status)) return { action: 'wait', expectedConfigName: previousConfigName };
  if (deployment.firstDeployment) {
    if (live === null) return { action: 'nothing-to-undo', expectedConfigName: null };
    return { action: 'deleting', expectedConfigName: null, alreadyDeleting: live.status === 'Deleting' };
  }
  if (live !== null && live.configName === previousConfigName) return { action: 'nothing-to-undo', expectedConfigName: previousConfigName };
  return { action: 'restoring', expectedConfigName: previousConfigName };
}
