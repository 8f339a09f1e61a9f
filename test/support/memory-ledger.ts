import { decideClaim, type ActiveBatchModel, type Adoption, type ClaimResult, type LeaseResult, type RecoveryClaim, type ReleaseLedger, type ReleaseRecord, type ReleaseStatus } from '../../functions/shared/domain/ledger';

/** In-memory ReleaseLedger deciding by the same rules as the DynamoDB one (domain/ledger.ts), for handler tests. */
export class MemoryLedger implements ReleaseLedger {
  readonly claims = new Map<string, { releaseId: string; status: ReleaseStatus }>();
  readonly queues = new Map<string, { sk: string; releaseId: string; expiresAt: number }[]>();
  readonly leases = new Map<string, { holder: string; expiresAt: number }>();
  readonly records = new Map<string, ReleaseRecord>();
  readonly batchModels = new Map<string, ActiveBatchModel>();

  async setActiveBatchModel(model: ActiveBatchModel): Promise<void> {
    this.batchModels.set(model.groupName, model);
  }

  async activeBatchModel(groupName: string): Promise<ActiveBatchModel | null> {
    return this.batchModels.get(groupName) ?? null;
  }

  async claimPackage({ modelPackageArn, releaseId, force }: { modelPackageArn: string; releaseId: string; force: boolean; now: Date }): Promise<ClaimResult> {
    const existing = this.claims.get(modelPackageArn);
    const decision = decideClaim(existing, releaseId, force);
    if (decision.kind === 'ours') return { status: 'claimed', redeploy: false };
    if (decision.kind === 'duplicate') return { status: 'duplicate', existingReleaseId: decision.existing.releaseId, existingStatus: decision.existing.status };
    this.claims.set(modelPackageArn, { releaseId, status: 'IN_PROGRESS' });
    return { status: 'claimed', redeploy: existing !== undefined };
  }

  async revokePackage({ modelPackageArn }: { modelPackageArn: string; now: Date }): Promise<boolean> {
    const claim = this.claims.get(modelPackageArn);
    if (!claim || claim.status === 'IN_PROGRESS') return false;
    claim.status = 'REVOKED';
    return true;
  }

  async enqueue(record: ReleaseRecord, ttlSeconds: number): Promise<void> {
    const queue = this.queues.get(record.target) ?? [];
    const sk = `QUEUE#${record.requestedAt}#${record.releaseId}`;
    if (!queue.some((t) => t.sk === sk)) queue.push({ sk, releaseId: record.releaseId, expiresAt: Date.parse(record.startedAt) / 1000 + ttlSeconds });
    queue.sort((a, b) => a.sk.localeCompare(b.sk));
    this.queues.set(record.target, queue);
    this.records.set(record.releaseId, record);
  }

  async tryAcquireLease({ target, releaseId, leaseSeconds, now }: { target: string; releaseId: string; requestedAt: string; leaseSeconds: number; now: Date }): Promise<LeaseResult> {
    const nowSeconds = now.getTime() / 1000;
    const live = (this.queues.get(target) ?? []).filter((t) => t.expiresAt > nowSeconds);
    const position = live.findIndex((t) => t.releaseId === releaseId);
    if (position !== 0) return { status: 'busy', holder: live[0]?.releaseId ?? null, queuePosition: Math.max(0, position) };
    const lease = this.leases.get(target);
    if (lease && lease.holder !== releaseId && lease.expiresAt > nowSeconds) return { status: 'busy', holder: lease.holder, queuePosition: 0 };
    this.leases.set(target, { holder: releaseId, expiresAt: nowSeconds + leaseSeconds });
    return { status: 'acquired', expiresAt: new Date((nowSeconds + leaseSeconds) * 1000).toISOString() };
  }

  async finish({ record }: { record: ReleaseRecord; requestedAt: string }): Promise<void> {
    this.records.set(record.releaseId, record);
    const claim = this.claims.get(record.modelPackageArn);
    if (claim?.releaseId === record.releaseId) claim.status = record.status;
    this.queues.set(record.target, (this.queues.get(record.target) ?? []).filter((t) => t.releaseId !== record.releaseId));
    if (this.leases.get(record.target)?.holder === record.releaseId) this.leases.delete(record.target);
  }

  async claimRecovery({ releaseId, by, replacing, abort = false }: { target: string; requestedAt: string; releaseId: string; by: string; replacing: string | null; abort?: boolean }): Promise<RecoveryClaim> {
    const record = this.records.get(releaseId);
    if (record === undefined) return { status: 'unknown' };
    if (record.status !== 'IN_PROGRESS') return { status: 'finished', releaseStatus: record.status };
    const holder = record.recoveredBy ?? null;
    if (holder !== null && holder !== by && holder !== replacing) return { status: 'recovering', by: holder };
    const abortedBy = abort ? by : (record.abortedBy ?? null);
    this.records.set(releaseId, { ...record, recoveredBy: by, ...(abortedBy ? { abortedBy } : {}) });
    return { status: 'taken', abortedBy };
  }

  async releasesForTarget(target: string): Promise<ReleaseRecord[]> {
    return [...this.records.values()].filter((r) => r.target === target).reverse();
  }

  async releasesInFlight(): Promise<ReleaseRecord[]> {
    return [...this.records.values()].filter((r) => r.status === 'IN_PROGRESS');
  }

  readonly adoptions: Adoption[] = [];

  async packageClaim(modelPackageArn: string): Promise<{ releaseId: string; status: ReleaseStatus } | null> {
    return this.claims.get(modelPackageArn) ?? null;
  }

  async recordAdoption(adoption: Adoption): Promise<void> {
    if (!this.adoptions.some((a) => a.endpointName === adoption.endpointName && a.adoptedAt === adoption.adoptedAt)) this.adoptions.push(adoption);
  }

  /** Records here have no index; the in-flight view is computed, so there is nothing to backfill. */
  async indexUnsweptReleases(): Promise<number> {
    return 0;
  }

  async releaseRecord({ releaseId }: { target: string; requestedAt: string; releaseId: string }): Promise<ReleaseRecord | null> {
    return this.records.get(releaseId) ?? null;
  }

  async markAnnounced({ releaseId, eventId, at }: { target: string; requestedAt: string; releaseId: string; eventId: string; at: string }): Promise<void> {
    const record = this.records.get(releaseId);
    if (record?.eventId === eventId) this.records.set(releaseId, { ...record, announcedAt: at });
  }

  async markCleanedUp({ releaseId, at }: { target: string; requestedAt: string; releaseId: string; at: string }): Promise<void> {
    const record = this.records.get(releaseId);
    if (record !== undefined && record.status !== 'IN_PROGRESS') this.records.set(releaseId, { ...record, cleanedUpAt: at });
  }

  async releasesForPackage(arn: string): Promise<ReleaseRecord[]> {
    return [...this.records.values()].filter((r) => r.modelPackageArn === arn).reverse();
  }
}
