import { freePort } from '@yishi/local-postgres';
import { describe, expect, it } from 'vitest';
import { START } from '../types.ts';
import { EventStoreDbEventStore, mapEsdbError } from './eventstoredb-event-store.ts';

describe('EventStoreDbEventStore without a server', () => {
  it('needs an esdb:// connection string', () => {
    expect(() => new EventStoreDbEventStore({ connectionString: 'postgres://x' })).toThrow(
      expect.objectContaining({ code: 'invalid-argument' }),
    );
  });

  it('validates before it connects, and reports an unreachable server as store-unavailable', async () => {
    const port = await freePort();
    const store = new EventStoreDbEventStore({
      connectionString: `esdb://127.0.0.1:${port}?tls=false&defaultDeadline=5000`,
    });
    try {
      await expect(
        store.append('Bad Id', [{ type: 'A', data: {}, metadata: {} }], { expected: 'any' }),
      ).rejects.toMatchObject({ code: 'invalid-stream-id' });
      await expect(
        store.append('proposal-1', [{ type: 'A', data: { n: Number.NaN }, metadata: {} }], {
          expected: 'any',
        }),
      ).rejects.toMatchObject({ code: 'invalid-event' });
      await expect(
        store.append('proposal-1', [{ type: 'A', data: {}, metadata: {} }], { expected: 'any' }),
      ).rejects.toMatchObject({ code: 'store-unavailable' });
      await expect(store.readAll(START, 10)).rejects.toMatchObject({ code: 'store-unavailable' });
      await expect(store.readStream('proposal-1')).rejects.toMatchObject({
        code: 'store-unavailable',
      });
    } finally {
      await store.close();
    }
    await expect(store.readStream('proposal-1')).rejects.toMatchObject({
      code: 'store-unavailable',
    });
  });

  it('maps client errors to typed ones', () => {
    expect(mapEsdbError({ type: 'unavailable', message: 'down' })).toMatchObject({
      code: 'store-unavailable',
    });
    expect(mapEsdbError({ type: 'deadline-exceeded' })).toMatchObject({
      code: 'store-unavailable',
    });
    expect(mapEsdbError({ type: 'maximum-append-size-exceeded' })).toMatchObject({
      code: 'event-too-large',
    });
    const other = new Error('bug');
    expect(mapEsdbError(other)).toBe(other);
  });
});
