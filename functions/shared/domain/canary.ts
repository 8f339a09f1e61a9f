import type { AlarmState } from './views';

export type CanaryVerdict = 'baking' | 'healthy' | 'alarm' | 'insufficient-traffic' | 'revoked' | 'drifted';

export interface CanaryJudgement {
  verdict: CanaryVerdict;
  reason: string;
}

/**
 * One look at the canary. An alarm in ALARM ends the bake at once; an alarm that has vanished counts
 * as firing, since nobody can vouch for the variant any more. Once the bake time is over, the new
 * variant must also have served enough requests to have been judged at all.
 */
export function judgeCanary(input: {
  expectedAlarms: string[];
  alarms: AlarmState[];
  now: number;
  bakeUntil: number;
  invocations: number | null;
  /** The package's approval status in the registry now: the registry has the last word. */
  approvalStatus?: string;
  /** What someone else changed on the endpoint (driftFrom), or null: the release then stops changing it. */
  drift?: string | null;
  minInvocations: number;
  insufficientTraffic: 'rollback' | 'promote';
}): CanaryJudgement {
  // Someone changed the endpoint (a hotfix, a drain): it is theirs now; the release neither promotes nor rolls back.
  if (input.drift) return { verdict: 'drifted', reason: `someone else changed the endpoint during the bake: ${input.drift}; the release stops changing it` };
  // Rejected (or sent back to pending) in the registry meanwhile: no alarm or traffic count outweighs that.
  if (input.approvalStatus !== undefined && input.approvalStatus !== 'Approved') {
    return { verdict: 'revoked', reason: `the package is ${input.approvalStatus} in the model registry now, no longer Approved: its traffic is taken away and the endpoint rolled back` };
  }
  const firing = input.alarms.filter((a) => a.state === 'ALARM');
  if (firing.length > 0) {
    return { verdict: 'alarm', reason: firing.map((a) => `alarm ${a.name} is in ALARM${a.reason ? ` (${a.reason})` : ''}`).join('; ') };
  }
  const seen = new Set(input.alarms.map((a) => a.name));
  const missing = input.expectedAlarms.filter((n) => !seen.has(n));
  if (missing.length > 0) return { verdict: 'alarm', reason: `alarm ${missing.join(', ')} no longer exists` };
  if (input.now < input.bakeUntil) return { verdict: 'baking', reason: `baking until ${new Date(input.bakeUntil).toISOString()}` };
  const served = input.invocations ?? 0;
  if (served < input.minInvocations) {
    const why = `only ${served} canary invocations during the bake; canary.minInvocations is ${input.minInvocations}`;
    if (input.insufficientTraffic === 'promote') return { verdict: 'healthy', reason: `${why}; promoting anyway because canary.insufficientTraffic is promote` };
    return { verdict: 'insufficient-traffic', reason: `${why}: too little traffic to judge the new model` };
  }
  return { verdict: 'healthy', reason: `no alarm fired during the bake; ${served} canary invocations` };
}
