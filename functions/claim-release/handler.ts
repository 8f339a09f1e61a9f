import { z } from 'zod';
import { releaseLedger } from '../shared/aws/ledger';
import { EndpointBusy } from '../shared/errors';
import { ledgerEnv, secondsFromEnv } from '../shared/runtime/env';
import { releaseState } from '../shared/domain/state';
import { stepHandler } from '../shared/runtime/step-handler';

const env = ledgerEnv.extend({
  /** How long a lease lasts before another release may take it over (a crashed execution's lease expires). */
  LEASE_SECONDS: secondsFromEnv,
  /** How long a release waits in its endpoint's queue before giving up with EndpointBusy. */
  QUEUE_WAIT_SECONDS: secondsFromEnv,
  ENDPOINT_WAIT_SECONDS: secondsFromEnv,
});

/**
 * A lease must outlast the release it guards, or a second release could take the endpoint mid-bake:
 * at least the bake plus four bounded endpoint waits (deploy, traffic shift, promote, rollback).
 */
export function leaseSecondsFor(bakeMinutes: number, env: { LEASE_SECONDS: number; ENDPOINT_WAIT_SECONDS: number }): number {
  return Math.max(env.LEASE_SECONDS, bakeMinutes * 60 + 4 * env.ENDPOINT_WAIT_SECONDS + 600);
}

export type ClaimOutcome =
  | { status: 'acquired'; redeploy: boolean; leaseExpiresAt: string; target: string }
  | { status: 'duplicate'; existingReleaseId: string; existingStatus: string; target: string }
  | { status: 'queued'; queuePosition: number; holder: string | null; target: string; waitingSince: string };

export function ledgerTarget(endpointName: string | null, groupName: string): string {
  return endpointName ?? `batch:${groupName}`;
}

/**
 * State ClaimRelease (looped by WaitInQueue). First the package claim: a second event for the same
 * approval is a duplicate and ends the run SKIPPED. Then the endpoint queue: the lease goes to the
 * oldest waiting release only, so two releases never interleave on one endpoint and run in approval order.
 */
export const handler = stepHandler({
  step: 'ClaimRelease',
  input: releaseState.extend({ claim: z.object({ waitingSince: z.string() }).partial().optional() }),
  env,
  run: async ({ request, package: pkg, plan, execution, claim }, { env }): Promise<ClaimOutcome> => {
    const ledger = releaseLedger(env.LEDGER_TABLE);
    const now = new Date(Date.now());
    const target = ledgerTarget(plan.endpointName, pkg.groupName);
    const claimed = await ledger.claimPackage({ modelPackageArn: pkg.arn, releaseId: plan.releaseId, force: request.force, now });
    if (claimed.status === 'duplicate') return { ...claimed, target };

    const waitingSince = claim?.waitingSince ?? now.toISOString();
    const leaseSeconds = leaseSecondsFor(plan.settings.canary.bakeMinutes, env);
    if (claim?.waitingSince === undefined) {
      await ledger.enqueue(
        {
          releaseId: plan.releaseId,
          modelPackageArn: pkg.arn,
          target,
          mode: plan.mode,
          trigger: request.trigger,
          requestedAt: request.requestedAt,
          status: 'IN_PROGRESS',
          redeploy: claimed.redeploy || request.force,
          executionArn: execution.id,
          decision: plan.decision,
          startedAt: execution.startTime,
        },
        leaseSeconds + env.QUEUE_WAIT_SECONDS,
      );
    }
    const lease = await ledger.tryAcquireLease({ target, releaseId: plan.releaseId, requestedAt: request.requestedAt, leaseSeconds, now });
    if (lease.status === 'acquired') return { status: 'acquired', redeploy: claimed.redeploy || request.force, leaseExpiresAt: lease.expiresAt, target };
    if (now.getTime() - Date.parse(waitingSince) > env.QUEUE_WAIT_SECONDS * 1000) {
      throw new EndpointBusy(`${target} has been busy for more than ${env.QUEUE_WAIT_SECONDS} s (held by release ${lease.holder ?? 'unknown'}); giving up`);
    }
    return { status: 'queued', queuePosition: lease.queuePosition, holder: lease.holder, target, waitingSince };
  },
});
