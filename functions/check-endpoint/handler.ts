import { z } from 'zod';
import { describeEndpoint } from '../shared/aws/endpoints';
import { secondsFromEnv } from '../shared/runtime/env';
import { stepHandler } from '../shared/runtime/step-handler';

const input = z.object({
  endpointName: z.string(),
  /** The config the endpoint must end on; null when the endpoint is expected to be gone. */
  expectedConfigName: z.string().nullable(),
  /** The config before the change: ending InService on it means SageMaker rolled the change back. */
  previousConfigName: z.string().nullable().optional(),
  since: z.string(),
  /** Overrides ENDPOINT_WAIT_SECONDS for this wait (a guarded deployment bakes inside SageMaker). */
  boundSeconds: z.number().int().positive().optional(),
});

export type EndpointCheck =
  | 'InService' // on the expected config, serving
  | 'Pending' // still Creating / Updating / RollingBack / Deleting: poll again
  | 'Deleted' // gone, as expected
  | 'RolledBack' // InService again on the previous config: SageMaker undid the change itself
  | 'Failed' // Failed, or on a config nobody expected
  | 'TimedOut'; // not there within the bound

export interface EndpointCheckResult {
  check: EndpointCheck;
  endpointStatus: string | null;
  configName: string | null;
  reason: string | null;
  checkedAt: string;
}

export function judgeEndpoint(
  view: { status: string; configName: string | null; failureReason: string | null } | null,
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

/** States CheckDeployment, CheckTrafficShift, CheckPromotion and CheckRollback: one poll of a bounded wait loop. */
export const handler = stepHandler({
  step: 'CheckEndpoint',
  input,
  env: z.object({ ENDPOINT_WAIT_SECONDS: secondsFromEnv }),
  run: async ({ endpointName, expectedConfigName, previousConfigName, since, boundSeconds }, { env }): Promise<EndpointCheckResult> => {
    const view = await describeEndpoint(endpointName);
    const now = Date.now();
    const judged = judgeEndpoint(view, { configName: expectedConfigName, previousConfigName }, (now - Date.parse(since)) / 1000, boundSeconds ?? env.ENDPOINT_WAIT_SECONDS);
    return { ...judged, checkedAt: new Date(now).toISOString() };
  },
});
