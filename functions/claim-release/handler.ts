import { dynamoDbLedger } from '../shared/aws/dynamodb-ledger';
import { EndpointBusy } from '../shared/errors';
import { leaseSecondsFor, ledgerTarget } from '../shared/domain/ledger';
import { releaseState, type ClaimOutcome } from '../shared/domain/state';
import { newerReleaseThan } from '../shared/domain/version-order';
import { ledgerEnv, secondsFromEnv } from '../shared/runtime/env';
import { awsStepHandler } from '../shared/runtime/aws-step-handler';
import { defineStep } from '../shared/runtime/step-handler';
import * as z from '../shared/zod';

const env = z.extend(ledgerEnv, {
  /** How long a lease lasts before another release may take it over (a crashed execution's lease expires). */
  LEASE_SECONDS: secondsFromEnv,
  /** How long a release waits in its endpoint's queue before giving up with EndpointBusy. */
  QUEUE_WAIT_SECONDS: secondsFromEnv,
  ENDPOINT_WAIT_SECONDS: secondsFromEnv,
});

/**
 * State ClaimRelease (looped by WaitInQueue). First version order: an approval of a version older than
 * one promoted on the endpoint, or than one in flight for it, is stale and ends the run SKIPPED (unless a
 * manual run says `force`). Then the package claim: a second event for the same approval is a duplicate
 * and ends the run SKIPPED. Then the endpoint queue: the lease goes to the
 * oldest waiting release only, so two releases never interleave on one endpoint and run in approval order.
 */
export const claimReleaseStep = defineStep({
  step: 'ClaimRelease',
  input: z.extend(releaseState, { claim: z.optional(z.partial(z.object({ waitingSince: z.string() }))) }),
  env,
  aws: { ledger: dynamoDbLedger },
  run: async ({ request, package: pkg, plan, execution, claim }, { env, aws: { ledger } }): Promise<ClaimOutcome> => {
    const now = new Date(Date.now());
    const target = ledgerTarget(plan.endpointName, pkg.groupName);
    // Version order, judged once, before anything is claimed: a later look (in the queue) would find the
    // releases queued behind this one, which came later.
    // A retried attempt (its Lambda timed out after it queued) finds its own record and is past this check.
    if (claim?.waitingSince === undefined && !request.force) {
      const records = await ledger.releasesForTarget(target, 50);
      const newer = records.some((r) => r.releaseId === plan.releaseId) ? null : newerReleaseThan(records, { groupName: pkg.groupName, version: pkg.version, releaseId: plan.releaseId, modelPackageArn: pkg.arn });
      if (newer !== null) return { status: 'stale', newerReleaseId: newer.releaseId, newerVersion: newer.version, newerStatus: newer.status, target };
    }
    const claimed = await ledger.claimPackage({ modelPackageArn: pkg.arn, releaseId: plan.releaseId, force: request.force, now });
    if (claimed.status === 'duplicate') return { ...claimed, target };

    const waitingSince = claim?.waitingSince ?? now.toISOString();
    const leaseSeconds = leaseSecondsFor(plan.settings.canary.bakeMinutes, { leaseSeconds: env.LEASE_SECONDS, endpointWaitSeconds: env.ENDPOINT_WAIT_SECONDS });
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

export const handler = awsStepHandler(claimReleaseStep);
