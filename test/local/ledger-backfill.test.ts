/**
 * The DynamoDB ledger against moto, with the table as packaged: the one-off backfill after an upgrade puts the
 * releases an older version left IN_PROGRESS (written without the sweep's index attribute) into the sweep's view,
 * and nothing else (finished releases, package claims).
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbReleaseLedger } from '../../functions/shared/aws/dynamodb-ledger';
import type { ReleaseRecord } from '../../functions/shared/domain/ledger';
import { LEDGER_TABLE, ledgerTableInput } from '../../local/account';
import { LOCAL_REGION } from '../../local/packaged-template';
import { startMoto, type MotoServer } from '../../local/moto';

let moto: MotoServer;
let db: DynamoDBDocumentClient;
beforeAll(async () => {
  moto = await startMoto();
  db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: LOCAL_REGION, endpoint: moto.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }), { marshallOptions: { removeUndefinedValues: true } });
  await db.send(new CreateTableCommand(ledgerTableInput()));
});
afterAll(async () => {
  await moto?.stop();
});

const record = (releaseId: string, status: ReleaseRecord['status']): ReleaseRecord => ({
  releaseId,
  modelPackageArn: `arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/${releaseId.length}`,
  target: 'churn-endpoint',
  mode: 'realtime',
  trigger: 'approval-event',
  requestedAt: `2026-11-0${releaseId.length}T12:00:00.000Z`,
  status,
  redeploy: false,
  executionArn: `arn:aws:states:us-east-1:123456789012:execution:release:${releaseId}`,
  startedAt: `2026-11-0${releaseId.length}T12:00:00.000Z`,
});

/** A record as a version without the sweep wrote it: no inFlight attribute. */
async function putAsOldVersion(r: ReleaseRecord): Promise<void> {
  await db.send(new PutCommand({ TableName: LEDGER_TABLE, Item: { pk: `TARGET#${r.target}`, sk: `RELEASE#${r.requestedAt}#${r.releaseId}`, gsi1pk: `PACKAGE#${r.modelPackageArn}`, gsi1sk: `RELEASE#${r.requestedAt}#${r.releaseId}`, ...r } }));
}

it('indexes only the releases an older version left in progress, once; the sweep then sees them', async () => {
  // Prepare: one stranded release from before the sweep, one finished, one package claim, one written by this version.
  const ledger = new DynamoDbReleaseLedger(db, LEDGER_TABLE);
  await putAsOldVersion(record('a', 'IN_PROGRESS'));
  await putAsOldVersion(record('bb', 'PROMOTED'));
  await db.send(new PutCommand({ TableName: LEDGER_TABLE, Item: { pk: 'PACKAGE#arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/9', sk: 'CLAIM', releaseId: 'c', status: 'IN_PROGRESS' } }));
  await ledger.enqueue(record('dddd', 'IN_PROGRESS'), 3600);
  const before = (await ledger.releasesInFlight()).map((r) => r.releaseId);

  // Act
  const indexed = await ledger.indexUnsweptReleases();
  const again = await ledger.indexUnsweptReleases();

  // Assess
  expect(before).toEqual(['dddd']);
  expect(indexed).toBe(1);
  expect(again).toBe(0);
  expect((await ledger.releasesInFlight()).map((r) => r.releaseId).sort()).toEqual(['a', 'dddd']);
});
