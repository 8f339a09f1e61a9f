import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { AwsUnavailable } from '../errors';
import type { EventsEnv } from '../runtime/env';
import { traced } from '../runtime/tracing';
import { clientOptions } from './client-options';
import { awsCall } from './translate-error';

/** Outcome events, on the stage's bus with the pipeline's source. */
export class EventBridgeAdapter {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly bus: string,
    private readonly source: string,
  ) {}

  async publish(detailType: string, detail: object, resources: string[]): Promise<void> {
    const out = await awsCall('PutEvents', () =>
      this.client.send(new PutEventsCommand({ Entries: [{ EventBusName: this.bus, Source: this.source, DetailType: detailType, Detail: JSON.stringify(detail), Resources: resources }] })),
    );
    // PutEvents reports per-entry failures in a 200 reply; an unsent outcome event must not pass silently.
    if ((out.FailedEntryCount ?? 0) > 0) {
      const entry = out.Entries?.[0];
      throw new AwsUnavailable(`PutEvents failed: ${entry?.ErrorCode ?? 'unknown'}: ${entry?.ErrorMessage ?? ''}`);
    }
  }
}

export const eventBridge = (env: EventsEnv): EventBridgeAdapter => new EventBridgeAdapter(traced(new EventBridgeClient(clientOptions(env))), env.EVENT_BUS_NAME, env.EVENT_SOURCE);
