/**
 * How long the pipeline waits before looking at an endpoint again: derived from how long the change is
 * expected to take, so that a six-minute update is looked at about when it should be done, not every 30 s
 * from its start (each look is three state transitions, and Step Functions bills per transition).
 */

/** The endpoint changes a release waits for. */
export type EndpointChangeKind = 'create' | 'update' | 'weights' | 'delete';

/**
 * Typical SageMaker times for a change (seconds): an instance fleet is provisioned in about six minutes
 * (create, or an update's new fleet), a serverless one in about two and a half, a weight change applies in
 * 30-60 s (looked at after 45: when it takes the whole minute, that costs two more looks, not 15 s of a bad
 * canary's traffic), and a delete in about one. A change that takes longer is polled until its bound.
 */
export const TYPICAL_CHANGE_SECONDS: Readonly<Record<EndpointChangeKind, { instance: number; serverless: number }>> = {
  create: { instance: 360, serverless: 150 },
  update: { instance: 360, serverless: 150 },
  weights: { instance: 45, serverless: 45 },
  delete: { instance: 60, serverless: 60 },
};

/** How long `kind` is expected to take; a guarded update adds SageMaker's own bake (and its termination wait). */
export function expectedChangeSeconds(kind: EndpointChangeKind, options: { serverless?: boolean; guardedBakeSeconds?: number } = {}): number {
  const typical = TYPICAL_CHANGE_SECONDS[kind][options.serverless ? 'serverless' : 'instance'];
  return typical + (options.guardedBakeSeconds ?? 0);
}

/** Past the expected time, look again soon (the change is probably about done), then every `pollSeconds`. */
const SOON_SECONDS = 10;
const SOON_FOR_SECONDS = 60;

/**
 * Seconds until the next look at a change `elapsedSeconds` in that is expected to take `expectedSeconds`:
 * the rest of the expected time, then every 10 s for a minute, then every `pollSeconds`. Never less than 1.
 */
export function nextPollSeconds(elapsedSeconds: number, expectedSeconds: number | undefined, pollSeconds: number): number {
  if (expectedSeconds === undefined) return pollSeconds;
  const remaining = Math.ceil(expectedSeconds - elapsedSeconds);
  if (remaining > 0) return remaining;
  return -remaining < SOON_FOR_SECONDS ? Math.min(SOON_SECONDS, pollSeconds) : pollSeconds;
}

/**
 * Seconds until the next look at a canary: not before its alarms can first be in ALARM (`firstJudgeableSeconds`
 * after its start; 0 when it has alarms of unknown timing, someone else's), then every `checkSeconds`, and
 * never past the bake's end, so the verdict comes when the bake is over.
 */
export function nextCanaryCheckSeconds(input: { now: number; startedAt: number; bakeUntil: number; checkSeconds: number; firstJudgeableSeconds: number }): number {
  const sinceStart = (input.now - input.startedAt) / 1000;
  const untilJudgeable = Math.ceil(input.firstJudgeableSeconds - sinceStart);
  const untilBakeEnd = Math.max(1, Math.ceil((input.bakeUntil - input.now) / 1000));
  return Math.min(untilBakeEnd, untilJudgeable > 0 ? untilJudgeable : input.checkSeconds);
}
