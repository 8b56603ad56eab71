import type { RecordedEvent } from '@yishi/event-store';
import type { Transaction } from 'kysely';
import type { Database } from '../db.ts';

/** A projection applies a batch of events inside the projector's transaction. */
export interface Projection {
  name: string;
  apply(trx: Transaction<Database>, events: readonly RecordedEvent[]): Promise<void>;
}
