import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { eventBridgeClient } from './clients';
import { AwsUnavailable } from '../errors';
import { awsCall } from './translate-error';

export async function publishEvent(bus: string, source: string, detailType: string, detail: object, resources: string[]): Promise<void> {
  const out = await awsCall('PutEvents', () =>
    eventBridgeClient().send(
      new PutEventsCommand({ Entries: [{ EventBusName: bus, Source: source, DetailType: detailType, Detail: JSON.stringify(detail), Resources: resources }] }),
    ),
  );
  // PutEvents reports per-entry failures in a 200 reply; an unsent outcome event must not pass silently.
  if ((out.FailedEntryCount ?? 0) > 0) {
    const entry = out.Entries?.[0];
    throw new AwsUnavailable(`PutEvents failed: ${entry?.ErrorCode ?? 'unknown'}: ${entry?.ErrorMessage ?? ''}`);
  }
}
