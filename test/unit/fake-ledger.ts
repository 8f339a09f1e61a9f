import type { ReleaseRecord } from '../../functions/shared/domain/ledger';
import { MemoryLedger } from '../support/memory-ledger';

/** The state-machine tests' in-memory ledger, remembering what handlers asked of it. */
export class InMemoryReleaseLedger extends MemoryLedger {
  readonly enqueued: { record: ReleaseRecord; ttlSeconds: number }[] = [];
  readonly finished: ReleaseRecord[] = [];

  override async enqueue(record: ReleaseRecord, ttlSeconds: number): Promise<void> {
    this.enqueued.push({ record, ttlSeconds });
    await super.enqueue(record, ttlSeconds);
  }

  override async finish(input: { record: ReleaseRecord; requestedAt: string }): Promise<void> {
    this.finished.push(input.record);
    await super.finish(input);
  }
}
