import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { decideClaim, type ActiveBatchModel, type Adoption, type ClaimResult, type LeaseResult, type PackageClaim, type RecoveryClaim, type ReleaseLedger, type ReleaseRecord, type ReleaseStatus } from '../domain/ledger';
import type { LedgerEnv } from '../runtime/env';
import { traced } from '../runtime/tracing';
import { clientOptions } from './client-options';
import { translateAwsError } from './translate-error';

/**
 * Single-table layout (resources/ledger-table.yml):
 *   PACKAGE#<arn>  / CLAIM                          one per package version: duplicates stop here
 *   TARGET#<name>  / QUEUE#<requestedAt>#<release>   waiting and running releases, oldest first
 *   TARGET#<name>  / LEASE                          who may change the endpoint now
 *   TARGET#<name>  / RELEASE#<requestedAt>#<release> the record; GSI byPackage: PACKAGE#<arn> / RELEASE#...
 *   BATCH#<group>  / ACTIVE                         the model the nightly batch scores the group with
 */
const pkgKey = (arn: string) => ({ pk: `PACKAGE#${arn}`, sk: 'CLAIM' });
const targetPk = (target: string) => `TARGET#${target}`;
const ticketSk = (requestedAt: string, releaseId: string) => `QUEUE#${requestedAt}#${releaseId}`;
const recordSk = (requestedAt: string, releaseId: string) => `RELEASE#${requestedAt}#${releaseId}`;
const IN_FLIGHT = 'IN_PROGRESS';

function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || (error as { name?: string }).name === 'ConditionalCheckFailedException';
}

async function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (isConditionFailure(error)) throw error;
    throw translateAwsError(`DynamoDB ${operation}`, error);
  }
}

export class DynamoDbReleaseLedger implements ReleaseLedger {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async setActiveBatchModel(model: ActiveBatchModel): Promise<void> {
    await call('PutItem', () => this.db.send(new PutCommand({ TableName: this.table, Item: { pk: `BATCH#${model.groupName}`, sk: 'ACTIVE', ...model } })));
  }

  async activeBatchModel(groupName: string): Promise<ActiveBatchModel | null> {
    const out = await call('GetItem', () => this.db.send(new GetCommand({ TableName: this.table, Key: { pk: `BATCH#${groupName}`, sk: 'ACTIVE' }, ConsistentRead: true })));
    if (!out.Item) return null;
    const { groupName: g, modelPackageArn, modelName, releaseId, registeredAt } = out.Item as ActiveBatchModel;
    return { groupName: g, modelPackageArn, modelName, releaseId, registeredAt };
  }

  async claimPackage({ modelPackageArn, releaseId, force, now }: { modelPackageArn: string; releaseId: string; force: boolean; now: Date }): Promise<ClaimResult> {
    const existing = await call('GetItem', () => this.db.send(new GetCommand({ TableName: this.table, Key: pkgKey(modelPackageArn), ConsistentRead: true })));
    const item = existing.Item as { releaseId?: string; status?: ReleaseStatus } | undefined;
    const seen: PackageClaim | undefined = item === undefined ? undefined : { releaseId: item.releaseId ?? '', status: item.status ?? 'IN_PROGRESS' };
    const decision = decideClaim(seen, releaseId, force);
    if (decision.kind === 'ours') return { status: 'claimed', redeploy: false };
    // A duplicate still attempts the put: it fails on the condition, and the winner is read back below.
    // The condition on the claim that was read makes two take-overs racing each other end with exactly one winner.
    const takeOver = decision.kind === 'take-over' ? decision.seen : null;
    try {
      await call('PutItem', () =>
        this.db.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...pkgKey(modelPackageArn), releaseId, status: 'IN_PROGRESS', claimedAt: now.toISOString(), redeploy: item !== undefined },
            ConditionExpression: takeOver ? 'releaseId = :seen AND #status = :status' : 'attribute_not_exists(pk)',
            ExpressionAttributeNames: takeOver ? { '#status': 'status' } : undefined,
            ExpressionAttributeValues: takeOver ? { ':seen': takeOver.releaseId, ':status': takeOver.status } : undefined,
          }),
        ),
      );
      return { status: 'claimed', redeploy: item !== undefined };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const winner = await call('GetItem', () => this.db.send(new GetCommand({ TableName: this.table, Key: pkgKey(modelPackageArn), ConsistentRead: true })));
      const w = winner.Item as { releaseId?: string; status?: ReleaseStatus } | undefined;
      if (w?.releaseId === releaseId) return { status: 'claimed', redeploy: false };
      return { status: 'duplicate', existingReleaseId: w?.releaseId ?? 'unknown', existingStatus: w?.status ?? 'IN_PROGRESS' };
    }
  }

  async revokePackage({ modelPackageArn, now }: { modelPackageArn: string; now: Date }): Promise<boolean> {
    try {
      await call('UpdateItem', () =>
        this.db.send(
          new UpdateCommand({
            TableName: this.table,
            Key: pkgKey(modelPackageArn),
            UpdateExpression: 'SET #status = :revoked, revokedAt = :now',
            // A release still running keeps its claim; it is the registry, read by DescribePackage, that stops it.
            ConditionExpression: 'attribute_exists(pk) AND #status <> :running',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':revoked': 'REVOKED', ':now': now.toISOString(), ':running': 'IN_PROGRESS' },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async enqueue(record: ReleaseRecord, ttlSeconds: number): Promise<void> {
    const expiresAt = Math.floor(Date.parse(record.startedAt) / 1000) + ttlSeconds;
    await call('PutItem', () =>
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: targetPk(record.target), sk: ticketSk(record.requestedAt, record.releaseId), releaseId: record.releaseId, expiresAt },
        }),
      ),
    );
    await this.putRecord(record);
  }

  private async putRecord(record: ReleaseRecord): Promise<void> {
    const sk = recordSk(record.requestedAt, record.releaseId);
    await call('PutItem', () =>
      this.db.send(
        new PutCommand({
          TableName: this.table,
          // inFlight puts an unfinished release in the sparse index the sweep reads; the final record drops it.
          Item: { pk: targetPk(record.target), sk, gsi1pk: `PACKAGE#${record.modelPackageArn}`, gsi1sk: sk, ...record, ...(record.status === 'IN_PROGRESS' ? { inFlight: IN_FLIGHT } : {}) },
        }),
      ),
    );
  }

  async tryAcquireLease({ target, releaseId, requestedAt, leaseSeconds, now }: { target: string; releaseId: string; requestedAt: string; leaseSeconds: number; now: Date }): Promise<LeaseResult> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const tickets = await call('Query', () =>
      this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :q)',
          ExpressionAttributeValues: { ':pk': targetPk(target), ':q': 'QUEUE#' },
          ConsistentRead: true,
        }),
      ),
    );
    // A ticket whose execution died is skipped once it expires, so a crash cannot block an endpoint forever.
    const live = (tickets.Items ?? []).filter((t) => Number(t.expiresAt) > nowSeconds);
    const position = live.findIndex((t) => t.releaseId === releaseId);
    if (position !== 0) {
      const mine = ticketSk(requestedAt, releaseId);
      const ahead = live.filter((t) => String(t.sk) < mine).length;
      return { status: 'busy', holder: (live[0]?.releaseId as string | undefined) ?? null, queuePosition: ahead };
    }
    const expiresAt = nowSeconds + leaseSeconds;
    try {
      await call('PutItem', () =>
        this.db.send(
          new PutCommand({
            TableName: this.table,
            Item: { pk: targetPk(target), sk: 'LEASE', holder: releaseId, expiresAt },
            ConditionExpression: 'attribute_not_exists(pk) OR holder = :me OR expiresAt < :now',
            ExpressionAttributeValues: { ':me': releaseId, ':now': nowSeconds },
          }),
        ),
      );
      return { status: 'acquired', expiresAt: new Date(expiresAt * 1000).toISOString() };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const lease = await call('GetItem', () => this.db.send(new GetCommand({ TableName: this.table, Key: { pk: targetPk(target), sk: 'LEASE' }, ConsistentRead: true })));
      return { status: 'busy', holder: (lease.Item?.holder as string | undefined) ?? null, queuePosition: 0 };
    }
  }

  async finish({ record, requestedAt }: { record: ReleaseRecord; requestedAt: string }): Promise<void> {
    await this.putRecord(record);
    await call('PutItem', () =>
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...pkgKey(record.modelPackageArn), releaseId: record.releaseId, status: record.status, claimedAt: record.startedAt, finishedAt: record.finishedAt ?? null },
          // Only the release that owns the claim may close it; a duplicate (or a run that failed before
          // claiming) must neither overwrite the real claim nor create one that would block the next approval.
          ConditionExpression: 'releaseId = :me',
          ExpressionAttributeValues: { ':me': record.releaseId },
        }),
      ),
    ).catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
    await call('DeleteItem', () =>
      this.db.send(new DeleteCommand({ TableName: this.table, Key: { pk: targetPk(record.target), sk: ticketSk(requestedAt, record.releaseId) } })),
    );
    await call('DeleteItem', () =>
      this.db.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk: targetPk(record.target), sk: 'LEASE' },
          ConditionExpression: 'holder = :me',
          ExpressionAttributeValues: { ':me': record.releaseId },
        }),
      ),
    ).catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
  }

  async claimRecovery({ target, requestedAt, releaseId, by, replacing, abort = false }: { target: string; requestedAt: string; releaseId: string; by: string; replacing: string | null; abort?: boolean }): Promise<RecoveryClaim> {
    const key = { pk: targetPk(target), sk: recordSk(requestedAt, releaseId) };
    try {
      const out = await call('UpdateItem', () =>
        this.db.send(
          new UpdateCommand({
            TableName: this.table,
            Key: key,
            // An abort is remembered on the record: a recovery that displaces a dead abort run still rolls back.
            UpdateExpression: abort ? 'SET recoveredBy = :me, abortedBy = :me' : 'SET recoveredBy = :me',
            ReturnValues: 'ALL_NEW',
            ConditionExpression: `attribute_exists(pk) AND #status = :running AND (attribute_not_exists(recoveredBy) OR recoveredBy = :me${replacing ? ' OR recoveredBy = :dead' : ''})`,
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':me': by, ':running': 'IN_PROGRESS', ...(replacing ? { ':dead': replacing } : {}) },
          }),
        ),
      );
      return { status: 'taken', abortedBy: (out.Attributes?.abortedBy as string | undefined) ?? null };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const out = await call('GetItem', () => this.db.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true })));
      const item = out.Item as Partial<ReleaseRecord> | undefined;
      if (item === undefined) return { status: 'unknown' };
      if (item.status !== 'IN_PROGRESS') return { status: 'finished', releaseStatus: item.status ?? 'FAILED' };
      return { status: 'recovering', by: item.recoveredBy ?? 'unknown' };
    }
  }

  async releaseRecord({ target, requestedAt, releaseId }: { target: string; requestedAt: string; releaseId: string }): Promise<ReleaseRecord | null> {
    const out = await call('GetItem', () => this.db.send(new GetCommand({ TableName: this.table, Key: { pk: targetPk(target), sk: recordSk(requestedAt, releaseId) }, ConsistentRead: true })));
    return (out.Item as ReleaseRecord | undefined) ?? null;
  }

  async markCleanedUp({ target, requestedAt, releaseId, at }: { target: string; requestedAt: string; releaseId: string; at: string }): Promise<void> {
    await call('UpdateItem', () =>
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: targetPk(target), sk: recordSk(requestedAt, releaseId) },
          UpdateExpression: 'SET cleanedUpAt = :at',
          // Only a finished record: one rewritten as in flight again (a recovery) is not done with its resources.
          ConditionExpression: 'attribute_exists(pk) AND #status <> :running',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':at': at, ':running': 'IN_PROGRESS' },
        }),
      ),
    ).catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
  }

  async markAnnounced({ target, requestedAt, releaseId, eventId, at }: { target: string; requestedAt: string; releaseId: string; eventId: string; at: string }): Promise<void> {
    await call('UpdateItem', () =>
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: targetPk(target), sk: recordSk(requestedAt, releaseId) },
          UpdateExpression: 'SET announcedAt = :at',
          ConditionExpression: 'eventId = :id',
          ExpressionAttributeValues: { ':at': at, ':id': eventId },
        }),
      ),
    ).catch((error: unknown) => {
      // A record rewritten with another outcome since: that outcome's own event is not this one.
      if (!isConditionFailure(error)) throw error;
    });
  }

  async releasesForTarget(target: string, limit = 20): Promise<ReleaseRecord[]> {
    const out = await call('Query', () =>
      this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :r)',
          ExpressionAttributeValues: { ':pk': targetPk(target), ':r': 'RELEASE#' },
          ScanIndexForward: false,
          Limit: limit,
        }),
      ),
    );
    return (out.Items ?? []) as ReleaseRecord[];
  }

  async releasesInFlight(limit = 100): Promise<ReleaseRecord[]> {
    const items: (ReleaseRecord & { inFlight?: string })[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await call('Query', () =>
        this.db.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: 'inFlight',
            KeyConditionExpression: 'inFlight = :p',
            ExpressionAttributeValues: { ':p': IN_FLIGHT },
            Limit: limit - items.length,
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        ),
      );
      items.push(...((page.Items ?? []) as (ReleaseRecord & { inFlight?: string })[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey && items.length < limit);
    // The index is eventually consistent: a record finished a moment ago may still show; the caller checks its execution.
    return items.map(({ inFlight: _index, ...record }) => record);
  }

  async indexUnsweptReleases(limit = 1000): Promise<number> {
    let indexed = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await call('Scan', () =>
        this.db.send(
          new ScanCommand({
            TableName: this.table,
            // Package claims are IN_PROGRESS too; only release records (sk RELEASE#...) belong in the index.
            FilterExpression: '#status = :running AND begins_with(sk, :r) AND attribute_not_exists(inFlight)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':running': 'IN_PROGRESS', ':r': 'RELEASE#' },
            ProjectionExpression: 'pk, sk',
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        ),
      );
      for (const item of (page.Items ?? []) as { pk: string; sk: string }[]) {
        try {
          await call('UpdateItem', () =>
            this.db.send(
              new UpdateCommand({
                TableName: this.table,
                Key: { pk: item.pk, sk: item.sk },
                UpdateExpression: 'SET inFlight = :p',
                // A release that ended since the scan read it stays out of the index.
                ConditionExpression: '#status = :running',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':p': IN_FLIGHT, ':running': 'IN_PROGRESS' },
              }),
            ),
          );
          indexed += 1;
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
        }
        if (indexed >= limit) return indexed;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return indexed;
  }

  async packageClaim(modelPackageArn: string): Promise<PackageClaim | null> {
    const out = await call('GetItem', () => this.db.send(new GetCommand({ TableName: this.table, Key: pkgKey(modelPackageArn), ConsistentRead: true })));
    const item = out.Item as { releaseId?: string; status?: ReleaseStatus } | undefined;
    return item === undefined ? null : { releaseId: item.releaseId ?? '', status: item.status ?? 'IN_PROGRESS' };
  }

  async recordAdoption(adoption: Adoption): Promise<void> {
    await call('PutItem', () =>
      this.db.send(new PutCommand({ TableName: this.table, Item: { pk: targetPk(adoption.endpointName), sk: `ADOPTION#${adoption.adoptedAt}`, ...adoption } })),
    );
  }

  async releasesForPackage(modelPackageArn: string, limit = 20): Promise<ReleaseRecord[]> {
    const out = await call('Query', () =>
      this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'byPackage',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': `PACKAGE#${modelPackageArn}` },
          ScanIndexForward: false,
          Limit: limit,
        }),
      ),
    );
    return (out.Items ?? []) as ReleaseRecord[];
  }
}

/** The step's ledger: the stage's DynamoDB table, through a document client built once per container. */
export const dynamoDbLedger = (env: LedgerEnv): ReleaseLedger =>
  new DynamoDbReleaseLedger(DynamoDBDocumentClient.from(traced(new DynamoDBClient(clientOptions(env))), { marshallOptions: { removeUndefinedValues: true } }), env.LEDGER_TABLE);
