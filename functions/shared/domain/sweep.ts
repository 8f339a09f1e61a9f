import { createHash } from 'node:crypto';
import type { ReleaseRecord } from './ledger';

/** How an execution stands, as the sweep needs it (null: Step Functions does not know it). */
export interface ExecutionStanding {
  status: string;
  /** When it ended (ISO), or null while it runs. */
  stoppedAt: string | null;
}

export type SweepVerdict =
  /** Its execution (or the recovery that has it) still runs: it will end the release itself. */
  | { action: 'leave'; why: string }
  /** Nothing runs for it: start a recovery of the execution it was left by. */
  | { action: 'recover'; deadExecutionArn: string; recoveryName: string; why: string };

/**
 * How long after an execution ended the sweep leaves its release to the recovery its status-change event
 * starts (seconds): that recovery claims the release within seconds; the sweep is for events late or lost.
 */
export const SWEEP_GRACE_SECONDS = 300;

/**
 * The name of the recovery the sweep starts for a release left by `deadExecutionArn` (and, when a recovery
 * of it died too, displaced from `deadRecovery`): the same on every sweep, so a second sweep, or a retried
 * StartExecution, finds it started already instead of starting another.
 */
export function sweepRecoveryName(releaseId: string, deadExecutionArn: string, deadRecovery: string | null): string {
  const digest = createHash('sha256').update(`${deadExecutionArn}#${deadRecovery ?? ''}`).digest('hex').slice(0, 12);
  return `sweep-${releaseId}-${digest}`;
}

/**
 * One in-flight release record, judged by its execution (and the recovery that claimed it, if any): left
 * alone while anything runs for it or its end is too recent, else to be recovered.
 */
export function judgeInFlight(record: ReleaseRecord, execution: ExecutionStanding | null, recoverer: ExecutionStanding | null, now: number): SweepVerdict {
  const arn = record.executionArn;
  if (arn === null) return { action: 'leave', why: 'the record names no execution to recover from' };
  if (execution?.status === 'RUNNING') return { action: 'leave', why: `execution ${arn} is still running` };
  if (recoverer?.status === 'RUNNING') return { action: 'leave', why: `recovery ${record.recoveredBy ?? ''} is running` };
  const endedAt = execution?.stoppedAt ? Date.parse(execution.stoppedAt) : null;
  // A recovery that died is its own end to wait out: the release is left by whichever ended last.
  const recoveryEndedAt = recoverer?.stoppedAt ? Date.parse(recoverer.stoppedAt) : null;
  const lastEnd = Math.max(endedAt ?? 0, recoveryEndedAt ?? 0);
  if (lastEnd > 0 && now - lastEnd < SWEEP_GRACE_SECONDS * 1000) {
    return { action: 'leave', why: `ended ${Math.round((now - lastEnd) / 1000)} s ago: the recovery its status-change event starts has it` };
  }
  const status = execution === null ? 'unknown to Step Functions' : `${execution.status}${execution.stoppedAt ? ` since ${execution.stoppedAt}` : ''}`;
  return {
    action: 'recover',
    deadExecutionArn: arn,
    recoveryName: sweepRecoveryName(record.releaseId, arn, record.recoveredBy ?? null),
    why: `execution ${arn} is ${status}${record.recoveredBy ? `, and so is its recovery ${record.recoveredBy}` : ''}, yet release ${record.releaseId} is still IN_PROGRESS`,
  };
}
