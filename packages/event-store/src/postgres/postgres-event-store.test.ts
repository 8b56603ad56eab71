import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VersionConflictError } from '../errors.ts';
import { START } from '../types.ts';
import { PostgresEventStore } from './postgres-event-store.ts';

const meta = (commandId: string) => ({
  commandId,
  actorId: 'p1',
  actorRole: 'clerk',
  occurredAt: '2026-11-21T00:00:00.000Z',
  correlationId: 'r1',
  causationId: commandId,
});

describe('PostgresEventStore', () => {
  let store: PostgresEventStore;
  beforeAll(async () => {
    store = new PostgresEventStore({ connectionString: await testDatabaseUrl() });
    await store.init();
  });
  afterAll(() => store.close());

  it('appends, reads a stream and the global order, and verifies the chain', async () => {
    const first = await store.append(
      'proposal-c1.p1',
      [{ type: 'ProposalSubmitted', data: { title: '加装电梯' }, metadata: meta('k1') }],
      { expected: 'noStream', commandId: 'k1' },
    );
    expect(first.nextExpectedVersion).toBe(1);
    const second = await store.append(
      'proposal-c1.p1',
      [{ type: 'OptionAdded', data: { label: 'A' }, metadata: meta('k2') }],
      { expected: 1, commandId: 'k2' },
    );
    expect(second.nextExpectedVersion).toBe(2);
    const events = await store.readStream('proposal-c1.p1');
    expect(events.map((e) => e.type)).toEqual(['ProposalSubmitted', 'OptionAdded']);
    expect(events[1]!.prevHash).toBe(events[0]!.hash);
    const all = await store.readAll(START, 10);
    expect(all.events.map((e) => e.streamVersion)).toEqual([1, 2]);
    expect(await store.verifyStream('proposal-c1.p1')).toMatchObject({ ok: true, events: 2 });
  });

  it('returns the first result for a repeated command id and writes nothing', async () => {
    const again = await store.append(
      'proposal-c1.p1',
      [{ type: 'OptionAdded', data: { label: 'A' }, metadata: meta('k2') }],
      { expected: 1, commandId: 'k2' },
    );
    expect(again).toMatchObject({ duplicate: true, nextExpectedVersion: 2 });
    expect(await store.readStream('proposal-c1.p1')).toHaveLength(2);
  });

  it('refuses a stale expected version with the actual version', async () => {
    const attempt = store.append(
      'proposal-c1.p1',
      [{ type: 'OptionAdded', data: { label: 'B' }, metadata: meta('k3') }],
      { expected: 1, commandId: 'k3' },
    );
    await expect(attempt).rejects.toBeInstanceOf(VersionConflictError);
    await expect(attempt).rejects.toMatchObject({ actual: 2 });
  });

  it('names the stream and position of an event altered by hand', async () => {
    await store.pool.query(
      `UPDATE es_events SET data = '{"title":"改过"}' WHERE stream_id = 'proposal-c1.p1' AND stream_version = 1`,
    );
    const result = await store.verifyStream('proposal-c1.p1');
    expect(result.ok).toBe(false);
    expect(result.firstBroken).toMatchObject({ streamId: 'proposal-c1.p1', streamVersion: 1 });
  });
});
