import { z } from 'zod';
import { describeEndpoint } from '../shared/aws/endpoints';
import { secondsFromEnv } from '../shared/runtime/env';
import { stepHandler } from '../shared/runtime/step-handler';

const input = z.object({
  endpointName: z.string(),
  /** The config the endpoint must end on; null when the endpoint is expected to be gone. */
  expectedConfigName: z.string().nullable(),
  since: z.string(),
});

export type EndpointCheck =
  | 'InService' // on the expected config, serving
  | 'Pending' // still Creating / Updating / RollingBack / Deleting: poll again
  | 'Deleted' // gone, as expected
  | 'Failed' // Failed, or SageMaker put it back on another config (its own rollback)
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
  expectedConfigName: string | null,
  elapsedSeconds: number,
  boundSeconds: number,
): Omit<EndpointCheckResult, 'checkedAt'> {
  const base = { endpointStatus: view?.status ?? null, configName: view?.configName ?? null };
  if (expectedConfigName === null) {
    if (view === null) return { ...base, check: 'Deleted', reason: null };
  } else if (view === null) {
    return { ...base, check: 'Failed', reason: 'the endpoint does not exist' };
  } else if (view.status === 'InService') {
    if (view.configName === expectedConfigName) return { ...base, check: 'InService', reason: null };
    return { ...base, check: 'Failed', reason: `endpoint is InService on ${view.configName}, not ${expectedConfigName}${view.failureReason ? `: ${view.failureReason}` : ''}` };
  } else if (view.status === 'Failed' || view.status === 'OutOfService') {
    return { ...base, check: 'Failed', reason: `endpoint is ${view.status}${view.failureReason ? `: ${view.failureReason}` : ''}` };
  }
  if (elapsedSeconds > boundSeconds) {
    return { ...base, check: 'TimedOut', reason: `endpoint still ${view?.status ?? 'present'} after ${Math.round(elapsedSeconds)} s (bound ${boundSeconds} s)` };
  }
  // Creating, Updating, RollingBack, Deleting...: SageMaker is still working.
  return { ...base, check: 'Pending', reason: null };
}

/** States CheckDeployment, CheckPromotion and CheckRollback: one poll of a bounded wait loop. */
export const handler = stepHandler({
  step: 'CheckEndpoint',
  input,
  env: z.object({ ENDPOINT_WAIT_SECONDS: secondsFromEnv }),
  run: async ({ endpointName, expectedConfigName, since }, { env }): Promise<EndpointCheckResult> => {
    const view = await describeEndpoint(endpointName);
    const now = Date.now();
    const judged = judgeEndpoint(view, expectedConfigName, (now - Date.parse(since)) / 1000, env.ENDPOINT_WAIT_SECONDS);
    return { ...judged, checkedAt: new Date(now).toISOString() };
  },
});
