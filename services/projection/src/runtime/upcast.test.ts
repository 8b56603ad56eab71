import type { RecordedEvent } from '@yishi/event-store';
import { describe, expect, it } from 'vitest';
import { toCurrentSchema } from './upcast.ts';

const event = (type: string, schemaVersion: number): RecordedEvent => ({
  streamId: 'proposal-c1.p1',
  streamVersion: 1,
  globalPosition: 1n,
  transactionId: 1n,
  type,
  schemaVersion,
  data: { title: 't' },
  metadata: {},
  recordedAt: new Date(0),
  prevHash: '0'.repeat(64),
  hash: '1'.repeat(64),
});

describe('events as the projections read them', () => {
  it('leaves current and unknown events as they are', () => {
    const current = event('ProposalSubmitted', 1);
    expect(toCurrentSchema(current)).toBe(current);
    const unknown = event('SomethingNew', 7);
    expect(toCurrentSchema(unknown)).toBe(unknown);
  });
});
