/**
 * The deployment ledger: what was released where, and who may touch an endpoint now.
 * An interface so that domain code and tests do not depend on DynamoDB; `aws/dynamodb-ledger.ts`
 * is the implementation the Lambdas use.
 */
export type ReleaseOutcome = 'PROMOTED' | 'ROLLED_BACK' | 'FAILED' | 'ROLLBACK_FAILED' | 'SKIPPED' | 'REGISTERED' | 'RECOVERED' | 'ABORTED' | 'REVOKED' | 'DRIFTED';
export type ReleaseStatus = 'IN_PROGRESS' | 'REVOKED' | ReleaseOutcome;

export interface ReleaseRecord {
  releaseId: string;
  modelPackageArn: string;
  /** Endpoint name, or `batch:<group>` for batch-only models. */
  target: string;
  mode: string;
  trigger: string;
  requestedAt: string;
  status: ReleaseStatus;
  redeploy: boolean;
  executionArn: string | null;
  decision?: unknown;
  previousConfigName?: string | null;
  newConfigName?: string | null;
  servingModel?: string | null;
  /** Multi-model releases: the versioned TargetModel clients call the promoted model with (null unless promoted). */
  targetModel?: string | null;
  reason?: string | null;
  startedAt: string;
  finishedAt?: string | null;
  timings?: Record<string, number>;
  /** The recovery run that took over a release whose own execution stopped, timed out or crashed. */
  recoveredBy?: string | null;
  /** The operator's abort run that claimed it: any recovery after it rolls the release back too. */
  abortedBy?: string | null;
  /** The outcome event's `detail.eventId` (the same on every attempt to send it). */
  eventId?: string | null;
  /** When that event was sent: a repeated RecordOutcome finding it does not send it again. */
  announcedAt?: string | null;
  /** When CleanUp deleted what the release created and no longer needs (its configs, model, alarms). */
  cleanedUpAt?: string | null;
  /** Who approved the package (DescribeModelPackage's LastModifiedBy at approval), when known. */
  approvedBy?: string | null;
  /** Who started a manual run (its input's requestedBy), when said. */
  requestedBy?: string | null;
}

/** What a recovery found when it asked to take a release over (claimRecovery). */
export type RecoveryClaim =
  /** `abortedBy`: an operator's abort run that claimed it first (a later recovery honours the abort). */
  | { status: 'taken'; abortedBy: string | null }
  /** The release has its outcome already (it ended by itself, or an earlier recovery finished it). */
  | { status: 'finished'; releaseStatus: ReleaseStatus }
  /** Another recovery run has it. */
  | { status: 'recovering'; by: string }
  | { status: 'unknown' };

export type ClaimResult =
  | { status: 'claimed'; redeploy: boolean }
  | { status: 'duplicate'; existingReleaseId: string; existingStatus: ReleaseStatus };

export type LeaseResult =
  | { status: 'acquired'; expiresAt: string }
  | { status: 'busy'; holder: string | null; queuePosition: number };

/** The model the nightly batch branch scores a group with (set by a batch-only release). */
export interface ActiveBatchModel {
  groupName: string;
  modelPackageArn: string;
  modelName: string;
  releaseId: string;
  registeredAt: string;
}

export interface ReleaseLedger {
  setActiveBatchModel(model: ActiveBatchModel): Promise<void>;
  activeBatchModel(groupName: string): Promise<ActiveBatchModel | null>;
  /**
   * One release per package version: succeeds once, again with `force`, or again after the package was
   * rejected (revokePackage) and approved anew. Idempotent for the same releaseId.
   */
  claimPackage(input: { modelPackageArn: string; releaseId: string; force: boolean; now: Date }): Promise<ClaimResult>;
  /** Records that the package was rejected; returns false when no release of it was ever claimed. */
  revokePackage(input: { modelPackageArn: string; now: Date }): Promise<boolean>;
  /** Puts the release in its endpoint's queue (ordered by requestedAt) and records it IN_PROGRESS. Idempotent. */
  enqueue(record: ReleaseRecord, ttlSeconds: number): Promise<void>;
  /** The lease is granted only to the oldest live ticket in the queue, so releases run in approval order. */
  tryAcquireLease(input: { target: string; releaseId: string; requestedAt: string; leaseSeconds: number; now: Date }): Promise<LeaseResult>;
  /** Ends the release: final record, package claim status, queue ticket and lease removed. Idempotent. */
  finish(input: { record: ReleaseRecord; requestedAt: string }): Promise<void>;
  releasesForTarget(target: string, limit?: number): Promise<ReleaseRecord[]>;
  /**
   * A recovery run takes an unfinished release over (the record stays the release's, with `recoveredBy`);
   * `replacing` names an earlier recovery known to be dead, which may be displaced. Idempotent for the same run.
   */
  claimRecovery(input: { target: string; requestedAt: string; releaseId: string; by: string; replacing: string | null; abort?: boolean }): Promise<RecoveryClaim>;
  releasesForPackage(modelPackageArn: string, limit?: number): Promise<ReleaseRecord[]>;
  /** Release records still IN_PROGRESS, across every target (the sweep's view; eventually consistent). */
  releasesInFlight(limit?: number): Promise<ReleaseRecord[]>;
  /**
   * Puts release records IN_PROGRESS that a version without the sweep wrote (so they lack the index attribute)
   * into the sweep's index; returns how many (at most `limit`). A whole-table scan: a one-off after an upgrade.
   */
  indexUnsweptReleases(limit?: number): Promise<number>;
  /** The package's release claim (how its last release stands), or null when it was never released. */
  packageClaim(modelPackageArn: string): Promise<PackageClaim | null>;
  /** Records an adoption (idempotent: the same execution writes the same item). */
  recordAdoption(adoption: Adoption): Promise<void>;
  /** The release record as stored now (consistent read), or null. */
  releaseRecord(input: { target: string; requestedAt: string; releaseId: string }): Promise<ReleaseRecord | null>;
  /** Notes that the outcome event `eventId` went out (only on the record that carries that event id). */
  /** Marks a finished release cleaned up (CleanUp): later clean-ups skip it. */
  markCleanedUp(input: { target: string; requestedAt: string; releaseId: string; at: string }): Promise<void>;
  markAnnounced(input: { target: string; requestedAt: string; releaseId: string; eventId: string; at: string }): Promise<void>;
}

/** An operator's adoption of an endpoint made elsewhere: who, when, for which group (kept beside its releases). */
export interface Adoption {
  endpointName: string;
  modelPackageGroupName: string;
  requestedBy: string;
  reason: string | null;
  adoptedAt: string;
  executionArn: string | null;
  /** What it was tagged with before (the tags adoption replaced or added to). */
  previousTags: Record<string, string>;
}

/** A package's claim as the ledger holds it. */
export interface PackageClaim {
  releaseId: string;
  status: ReleaseStatus;
}

export type ClaimDecision =
  /** The claim is already this release's (a retried ClaimRelease). */
  | { kind: 'ours' }
  /** Nobody ever claimed the package. */
  | { kind: 'new' }
  /** Someone did, and this release may take the claim over, if it still is the one that was read. */
  | { kind: 'take-over'; seen: PackageClaim }
  /** An earlier release of this package stands: this one is a duplicate. */
  | { kind: 'duplicate'; existing: PackageClaim };

/**
 * One release per package version. Taking over an earlier claim is allowed for a forced run, after a
 * rejection (REVOKED), or after a release that failed before changing anything (FAILED); a promoted or
 * rolled-back model stays claimed, so a duplicate approval event never releases it twice. Both ledger
 * implementations decide by this rule; the DynamoDB one makes the take-over conditional on the claim it read.
 */
export function decideClaim(existing: PackageClaim | undefined, releaseId: string, force: boolean): ClaimDecision {
  if (existing === undefined) return { kind: 'new' };
  if (existing.releaseId === releaseId) return { kind: 'ours' };
  // DRIFTED: an operator took the endpoint over mid-release; approving the package again is a new attempt.
  if (force || existing.status === 'REVOKED' || existing.status === 'FAILED' || existing.status === 'DRIFTED') return { kind: 'take-over', seen: existing };
  return { kind: 'duplicate', existing };
}

/**
 * A lease must outlast the release it guards, or a second release could take the endpoint mid-bake:
 * at least the bake plus four bounded endpoint waits (deploy, traffic shift, promote, rollback).
 */
export function leaseSecondsFor(bakeMinutes: number, bounds: { leaseSeconds: number; endpointWaitSeconds: number }): number {
  return Math.max(bounds.leaseSeconds, bakeMinutes * 60 + 4 * bounds.endpointWaitSeconds + 600);
}

/** What a release holds the lease of: its endpoint, or `batch:<group>` for a batch-only model. */
export function ledgerTarget(endpointName: string | null, groupName: string): string {
  return endpointName ?? `batch:${groupName}`;
}
