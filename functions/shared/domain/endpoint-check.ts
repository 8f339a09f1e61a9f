import type { EndpointCheck, EndpointCheckResult } from './state';
import type { EndpointView } from './views';

export type { EndpointCheck, EndpointCheckResult };

/** How long after a change was requested an endpoint still InService on its old config is taken as not showing it yet. */
export const JUST_REQUESTED_SECONDS = 10;

/**
 * One poll of a bounded wait for an endpoint change: done on the expected config, undone by SageMaker
 * itself (InService again on the previous config), failed, gone as expected, still changing, or too slow.
 */
export function judgeEndpoint(
  view: Pick<EndpointView, 'status' | 'configName' | 'failureReason'> | null,
  expected: { configName: string | null; previousConfigName?: string | null },
  elapsedSeconds: number,
  boundSeconds: number,
): Omit<EndpointCheckResult, 'checkedAt'> {
  const base = { endpointStatus: view?.status ?? null, configName: view?.configName ?? null };
  const why = view?.failureReason ? `: ${view.failureReason}` : '';
  if (expected.configName === null) {
    if (view === null) return { ...base, check: 'Deleted', reason: null };
  } else if (view === null) {
    return { ...base, check: 'Failed', reason: 'the endpoint does not exist' };
  } else if (view.status === 'InService') {
    if (view.configName === expected.configName) return { ...base, check: 'InService', reason: null };
    // Moments after the request the endpoint may not show the change yet: still on another config is no verdict.
    if (elapsedSeconds < JUST_REQUESTED_SECONDS) return { ...base, check: 'Pending', reason: null };
    if (expected.previousConfigName && view.configName === expected.previousConfigName) {
      return { ...base, check: 'RolledBack', reason: `SageMaker kept the endpoint on ${view.configName}${why}` };
    }
    return { ...base, check: 'Failed', reason: `endpoint is InService on ${view.configName}, not ${expected.configName}${why}` };
  } else if (view.status === 'Failed' || view.status === 'OutOfService') {
    return { ...base, check: 'Failed', reason: `endpoint is ${view.status}${why}` };
  }
  if (elapsedSeconds > boundSeconds) {
    return { ...base, check: 'TimedOut', reason: `endpoint still ${view?.status ?? 'present'} after ${Math.round(elapsedSeconds)} s (bound ${boundSeconds} s)` };
  }
  // Creating, Updating, RollingBack, Deleting...: SageMaker is still working.
  return { ...base, check: 'Pending', reason: null };
}
