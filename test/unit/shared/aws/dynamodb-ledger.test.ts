import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbReleaseLedger } from '../../../../functions/shared/aws/dynamodb-ledger';
import type { ReleaseRecord } from '../../../../functions/shared/domain/ledger';
import { PACKAGE_ARN, sdkError, serviceDown } from '../../helpers';

const db = mockClient(DynamoDBDocumentClient);
afterEach(() => db.reset());

const TABLE = 'release-ledger';
const NOW = new Date('2024-05-01T12:05:00.000Z');
const NOW_S = NOW.getTime() / 1000;
const CLAIM_KEY = { pk: `PACKAGE#${PACKAGE_ARN}`, sk: 'CLAIM' };
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: { httpStatusCode: 400 } });
const ledger = () => new DynamoDbReleaseLedger(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }), { marshallOptions: { removeUndefinedValues: true } }), TABLE);

const record = (overrides: Partial<ReleaseRecord> = {}): ReleaseRecord => ({
  releaseId: 'r-new',
  modelPackageArn: PACKAGE_ARN,
  target: 'churn-endpoint',
  mode: 'realtime',
  trigger: 'approval-event',
  requestedAt: '2024-05-01T12:00:00.000Z',
  status: 'IN_PROGRESS',
  redeploy: false,
  executionArn: 'arn:exec',
  startedAt: '2024-05-01T12:00:01.000Z',
  ...overrides,
});

describe('DynamoDbReleaseLedger.claimPackage', () => {
  it('claims an unclaimed package with a put that only succeeds if nobody else did', async () => {
    // Prepare
    db.on(GetCommand).resolves({});

    // Act
    const result = await ledger().claimPackage({ modelPackageArn: PACKAGE_ARN, releaseId: 'r-new', force: false, now: NOW });

    // Assess
    expect(result).toEqual({ status: 'claimed', redeploy: false });
    expect(db.commandCalls(GetCommand)[0]?.args[0].input).toEqual({ TableName: TABLE, Key: CLAIM_KEY, ConsistentRead: true });
    const put = db.commandCalls(PutCommand)[0]?.args[0].input;
    expect(put).toMatchObject({
      TableName: TABLE,
      Item: { ...CLAIM_KEY, releaseId: 'r-new', status: 'IN_PROGRESS', claimedAt: NOW.toISOString(), redeploy: false },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });

  it('is a duplicate when another release holds the claim (conditional failure)', async () => {
    // Prepare
    db.on(GetCommand).resolves({ Item: { ...CLAIM_KEY, releaseId: 'r-first', status: 'PROMOTED' } });
    db.on(PutCommand).rejects(conditionFailed());

    // Act
    const result = await ledger().claimPackage({ modelPackageArn: PACKAGE_ARN, releaseId: 'r-new', force: false, now: NOW });

    // Assess
    expect(result).toEqual({ status: 'duplicate', existingReleaseId: 'r-first', existingStatus: 'PROMOTED' });
  });

  it('is a duplicate when it loses a race for an unclaimed package, naming the winner', async () => {
    // Prepare
    db.on(GetCommand).resolvesOnce({}).resolves({ Item: { ...CLAIM_KEY, releaseId: 'r-racer', status: 'IN_PROGRESS' } });
    db.on(PutCommand).rejects(conditionFailed());

    // Act
    const result = await ledger().claimPackage({ modelPackageArn: PACKAGE_ARN, releaseId: 'r-new', force: false, now: NOW });

    // Assess
    expect(result).toEqual({ status: 'duplicate', existingReleaseId: 'r-racer', existingStatus: 'IN_PROGRESS' });
    expect(db.commandCalls(GetCommand)).toHaveLength(2);
  });

  it('recognises its own earlier claim without writing again (retried step)', async () => {
    db.on(GetCommand).resolves({ Item: { ...CLAIM_KEY, releaseId: 'r-new', status: 'IN_PROGRESS' } });
    await expect(ledger().claimPackage({ modelPackageArn: PACKAGE_ARN, releaseId: 'r-new', force: false, now: NOW })).resolves.toEqual({ status: 'claimed', redeploy: false });
    expect(db.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('with force takes over the claim it read, as a redeploy', async () => {
    // Prepare
    db.on(GetCommand).resolves({ Item: { ...CLAIM_KEY, releaseId: 'r-first', status: 'PROMOTED' } });

    // Act
    const result = await ledger().claimPackage({ modelPackageArn: PACKAGE_ARN, releaseId: 'r-new', force: true, now: NOW });

    // Assess
    expect(result).toEqual({ status: 'claimed', redeploy: true });
    expect(db.commandCalls(PutCommand)[0]?.args[0].input).toMatchObject({
      Item: { releaseId: 'r-new', redeploy: true },
      ConditionExpression: 'releaseId = :seen AND #status = :status',
      ExpressionAttributeValues: { ':seen': 'r-first', ':status': 'PROMOTED' },
    });
  });

  it('after a rejection, a new approval takes over the revoked claim without force', async () => {
    db.on(GetCommand).resolves({ Item: { ...CLAIM_KEY, releaseId: 'r-first', status: 'REVOKED' } });

    const result = await ledger().claimPackage({ modelPackageArn: PACKAGE_ARN, releaseId: 'r-again', force: false, now: NOW });

    expect(result).toEqual({ status: 'claimed', redeploy: true });
    expect(db.commandCalls(PutCommand)[0]?.args[0].input).toMatchObject({ ConditionExpression: 'releaseId = :seen AND #status = :status', ExpressionAttributeValues: { ':seen': 'r-first', ':status': 'REVOKED' } });
  });

  it('revokes a finished claim, but never one still running', async () => {
    db.on(UpdateCommand).resolves({});
    await expect(ledger().revokePackage({ modelPackageArn: PACKAGE_ARN, now: NOW })).resolves.toBe(true);
    expect(db.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({ ConditionExpression: 'attribute_exists(pk) AND #status <> :running', ExpressionAttributeValues: { ':revoked': 'REVOKED', ':running': 'IN_PROGRESS' } });

    db.on(UpdateCommand).rejects(Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' }));
    await expect(ledger().revokePackage({ modelPackageArn: PACKAGE_ARN, now: NOW })).resolves.toBe(false);
  });

  it('two forced runs: the one that lost the race is a duplicate', async () => {
    db.on(GetCommand).resolvesOnce({ Item: { ...CLAIM_KEY, releaseId: 'r-first', status: 'PROMOTED' } }).resolves({ Item: { ...CLAIM_KEY, releaseId: 'r-other-forced', status: 'IN_PROGRESS' } });
    db.on(PutCommand).rejects(conditionFailed());
    await expect(ledger().claimPackage({ modelPackageArn: PACKAGE_ARN, releaseId: 'r-new', force: true, now: NOW })).resolves.toMatchObject({
      status: 'duplicate',
      existingReleaseId: 'r-other-forced',
    });
  });

  it.each([
    ['ProvisionedThroughputExceededException', 'AwsThrottled', () => sdkError('ProvisionedThroughputExceededException', 400)],
    ['a 500', 'AwsUnavailable', serviceDown],
    ['a missing table', 'AwsRequestRejected', () => sdkError('ResourceNotFoundException', 400, 'Requested resource not found')],
  ])('translates %s into %s', async (_what, name, error) => {
    db.on(GetCommand).rejects(error());
    await expect(ledger().claimPackage({ modelPackageArn: PACKAGE_ARN, releaseId: 'r-new', force: false, now: NOW })).rejects.toMatchObject({
      name,
      message: expect.stringContaining('DynamoDB GetItem failed'),
    });
  });
});

describe('DynamoDbReleaseLedger.enqueue', () => {
  it('writes a queue ticket that expires after the TTL, then the IN_PROGRESS record findable by package', async () => {
    // Act
    await ledger().enqueue(record(), 5400);

    // Assess
    const [ticket, rec] = db.commandCalls(PutCommand).map((c) => c.args[0].input.Item);
    expect(ticket).toEqual({ pk: 'TARGET#churn-endpoint', sk: 'QUEUE#2024-05-01T12:00:00.000Z#r-new', releaseId: 'r-new', expiresAt: Date.parse('2024-05-01T12:00:01.000Z') / 1000 + 5400 });
    expect(rec).toMatchObject({
      pk: 'TARGET#churn-endpoint',
      sk: 'RELEASE#2024-05-01T12:00:00.000Z#r-new',
      gsi1pk: `PACKAGE#${PACKAGE_ARN}`,
      gsi1sk: 'RELEASE#2024-05-01T12:00:00.000Z#r-new',
      status: 'IN_PROGRESS',
    });
  });
});

describe('DynamoDbReleaseLedger.tryAcquireLease', () => {
  const ticket = (releaseId: string, requestedAt: string, expiresAt = NOW_S + 600) => ({ pk: 'TARGET#churn-endpoint', sk: `QUEUE#${requestedAt}#${releaseId}`, releaseId, expiresAt });
  const acquire = (releaseId = 'r-new', requestedAt = '2024-05-01T12:00:00.000Z') =>
    ledger().tryAcquireLease({ target: 'churn-endpoint', releaseId, requestedAt, leaseSeconds: 3600, now: NOW });

  it('takes the lease when its ticket is the oldest live one', async () => {
    // Prepare
    db.on(QueryCommand).resolves({ Items: [ticket('r-new', '2024-05-01T12:00:00.000Z'), ticket('r-later', '2024-05-01T12:03:00.000Z')] });

    // Act
    const result = await acquire();

    // Assess
    expect(result).toEqual({ status: 'acquired', expiresAt: '2024-05-01T13:05:00.000Z' });
    expect(db.commandCalls(PutCommand)[0]?.args[0].input).toMatchObject({
      Item: { pk: 'TARGET#churn-endpoint', sk: 'LEASE', holder: 'r-new', expiresAt: NOW_S + 3600 },
      ConditionExpression: 'attribute_not_exists(pk) OR holder = :me OR expiresAt < :now',
      ExpressionAttributeValues: { ':me': 'r-new', ':now': NOW_S },
    });
  });

  it('waits behind an older ticket (approval order), without trying the lease', async () => {
    // Prepare
    db.on(QueryCommand).resolves({ Items: [ticket('r-old', '2024-05-01T11:00:00.000Z'), ticket('r-new', '2024-05-01T12:00:00.000Z')] });

    // Act
    const result = await acquire();

    // Assess
    expect(result).toEqual({ status: 'busy', holder: 'r-old', queuePosition: 1 });
    expect(db.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('skips the expired ticket of a dead execution', async () => {
    db.on(QueryCommand).resolves({ Items: [ticket('r-dead', '2024-05-01T10:00:00.000Z', NOW_S - 1), ticket('r-new', '2024-05-01T12:00:00.000Z')] });
    await expect(acquire()).resolves.toMatchObject({ status: 'acquired' });
  });

  it('is busy when another release still holds an unexpired lease', async () => {
    // Prepare
    db.on(QueryCommand).resolves({ Items: [ticket('r-new', '2024-05-01T12:00:00.000Z')] });
    db.on(PutCommand).rejects(conditionFailed());
    db.on(GetCommand, { Key: { pk: 'TARGET#churn-endpoint', sk: 'LEASE' } }).resolves({ Item: { holder: 'r-running', expiresAt: NOW_S + 100 } });

    // Act
    const result = await acquire();

    // Assess
    expect(result).toEqual({ status: 'busy', holder: 'r-running', queuePosition: 0 });
  });

  it('passes a throttled query on as AwsThrottled', async () => {
    db.on(QueryCommand).rejects(sdkError('ThrottlingException', 400));
    await expect(acquire()).rejects.toMatchObject({ name: 'AwsThrottled' });
  });
});

describe('DynamoDbReleaseLedger.finish', () => {
  const finished = record({ status: 'PROMOTED', finishedAt: '2024-05-01T13:00:00.000Z' });

  it('writes the final record, closes its claim, and removes its ticket and lease', async () => {
    // Act
    await ledger().finish({ record: finished, requestedAt: finished.requestedAt });

    // Assess
    const puts = db.commandCalls(PutCommand).map((c) => c.args[0].input);
    expect(puts[0]?.Item).toMatchObject({ sk: 'RELEASE#2024-05-01T12:00:00.000Z#r-new', status: 'PROMOTED' });
    expect(puts[1]).toMatchObject({
      Item: { ...CLAIM_KEY, releaseId: 'r-new', status: 'PROMOTED', finishedAt: '2024-05-01T13:00:00.000Z' },
      ConditionExpression: 'releaseId = :me',
    });
    const deletes = db.commandCalls(DeleteCommand).map((c) => c.args[0].input);
    expect(deletes).toEqual([
      { TableName: TABLE, Key: { pk: 'TARGET#churn-endpoint', sk: 'QUEUE#2024-05-01T12:00:00.000Z#r-new' } },
      { TableName: TABLE, Key: { pk: 'TARGET#churn-endpoint', sk: 'LEASE' }, ConditionExpression: 'holder = :me', ExpressionAttributeValues: { ':me': 'r-new' } },
    ]);
  });

  it('leaves a claim and a lease it does not own alone, without failing', async () => {
    // Prepare
    const refused: string[] = [];
    db.on(PutCommand).callsFake((input: { Item?: { sk?: string } }) => {
      if (input.Item?.sk !== 'CLAIM') return {};
      refused.push('claim');
      throw conditionFailed();
    });
    db.on(DeleteCommand).callsFake((input: { Key?: { sk?: string } }) => {
      if (input.Key?.sk !== 'LEASE') return {};
      refused.push('lease');
      throw conditionFailed();
    });

    // Act
    const result = ledger().finish({ record: finished, requestedAt: finished.requestedAt });

    // Assess
    await expect(result).resolves.toBeUndefined();
    expect(refused).toEqual(['claim', 'lease']);
    expect(db.commandCalls(DeleteCommand)).toHaveLength(2);
  });

  it('fails on any other error, so the outcome is not silently lost', async () => {
    db.on(DeleteCommand).rejects(serviceDown());
    await expect(ledger().finish({ record: finished, requestedAt: finished.requestedAt })).rejects.toMatchObject({ name: 'AwsUnavailable', message: expect.stringContaining('DynamoDB DeleteItem') });
  });
});

describe('DynamoDbReleaseLedger history queries', () => {
  it('lists a target’s releases newest first', async () => {
    db.on(QueryCommand).resolves({ Items: [record()] });
    await expect(ledger().releasesForTarget('churn-endpoint', 5)).resolves.toEqual([record()]);
    expect(db.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      ExpressionAttributeValues: { ':pk': 'TARGET#churn-endpoint', ':r': 'RELEASE#' },
      ScanIndexForward: false,
      Limit: 5,
    });
  });

  it('lists a package’s releases through the byPackage index', async () => {
    db.on(QueryCommand).resolves({});
    await expect(ledger().releasesForPackage(PACKAGE_ARN)).resolves.toEqual([]);
    expect(db.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({ IndexName: 'byPackage', ExpressionAttributeValues: { ':pk': `PACKAGE#${PACKAGE_ARN}` }, Limit: 20 });
  });
});

describe('DynamoDbReleaseLedger active batch model', () => {
  const active = {
    groupName: 'churn-model',
    modelPackageArn: PACKAGE_ARN,
    modelName: 'churn-model-v7-a1b2c3d4',
    releaseId: 'a1b2c3d4',
    registeredAt: '2024-05-01T12:05:00.000Z',
  };
  const BATCH_KEY = { pk: 'BATCH#churn-model', sk: 'ACTIVE' };

  it('sets it as the one BATCH#<group>/ACTIVE item, replacing any earlier one', async () => {
    // Act
    await ledger().setActiveBatchModel(active);

    // Assess
    const put = db.commandCalls(PutCommand)[0]?.args[0].input;
    expect(put).toEqual({ TableName: TABLE, Item: { ...BATCH_KEY, ...active } });
    expect(put).not.toHaveProperty('ConditionExpression');
  });

  it('reads it back with a consistent read, without the key attributes', async () => {
    // Prepare
    db.on(GetCommand, { TableName: TABLE, Key: BATCH_KEY }).resolves({ Item: { ...BATCH_KEY, ...active, extra: 'ignored' } });

    // Act
    const found = await ledger().activeBatchModel('churn-model');

    // Assess
    expect(found).toEqual(active);
    expect(db.commandCalls(GetCommand)[0]?.args[0].input).toEqual({ TableName: TABLE, Key: BATCH_KEY, ConsistentRead: true });
  });

  it('is null for a group that never had a batch release', async () => {
    db.on(GetCommand).resolves({});
    await expect(ledger().activeBatchModel('never-batched')).resolves.toBeNull();
    expect(db.commandCalls(GetCommand)[0]?.args[0].input.Key).toEqual({ pk: 'BATCH#never-batched', sk: 'ACTIVE' });
  });

  it('reports a DynamoDB outage on set as AwsUnavailable', async () => {
    db.on(PutCommand).rejects(serviceDown());
    await expect(ledger().setActiveBatchModel(active)).rejects.toMatchObject({ name: 'AwsUnavailable', message: expect.stringContaining('PutItem failed') });
  });

  it('reports a throttled read as AwsThrottled, not as "no active model"', async () => {
    db.on(GetCommand).rejects(sdkError('ProvisionedThroughputExceededException', 400));
    await expect(ledger().activeBatchModel('churn-model')).rejects.toMatchObject({ name: 'AwsThrottled', message: expect.stringContaining('GetItem failed') });
  });
});
