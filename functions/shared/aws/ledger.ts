import type { ReleaseLedger } from '../domain/ledger';
import { dynamoDbClient } from './clients';
import { DynamoDbReleaseLedger } from './dynamodb-ledger';

let ledger: ReleaseLedger | undefined;

export function releaseLedger(table: string): ReleaseLedger {
  ledger ??= new DynamoDbReleaseLedger(dynamoDbClient(), table);
  return ledger;
}

export function setReleaseLedger(replacement: ReleaseLedger | undefined): void {
  ledger = replacement;
}
