/**
 * The EventStoreDB adapter against SIMULATED KurrentDB (simulated-kurrentdb.ts) and injected
 * faults: what KurrentDB does that PostgreSQL never does (dropped duplicates, lagging index,
 * `{ success: false }`, soft deletion and truncation, access denied, its own records in `$all`).
 * The adapter-agnostic cases are in the conformance suite, which also runs on the simulation.
 */
import { AccessDeniedError } from '@eventstore/db-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { meta } from '../conformance/support.ts';
import type { NewEvent } from '../types.ts';
import { EventStoreDbEventStore } from './eventstoredb-event-store.ts';
import { FaultInjectingClient } from './fault-injecting-client.ts';
import { isAdapterStream } from './mapping.ts';
import { SimulatedKurrentDb } from './simulated-kurrentdb.ts';

const ev = (type: string, commandId = 'c', data: NewEvent['data'] = {}): NewEvent => ({
  type,
  data,
  metadata: meta(commandId),
});

describe('EventStoreDB adapter on simulated KurrentDB', () => {
  let node: SimulatedKurrentDb;
  let client: FaultInjectingClient;
  let store: EventStoreDbEventStore;
  const open = (c = client) =>
    new EventStoreDbEventStore({ connectionString: 'esdb://sim', client: c });

  beforeEach(() => {
    node = new SimulatedKurrentDb({ deadlineMs: 50 });
    client = new FaultInjectingClient(node.connect());
    store = open();
  });
  afterEach(async () => {
    await store.close();
  });

  it('a retry of a write that is not yet indexed is answered, not dropped into a timeout', async () => {
    await store.append('proposal-c1.p1', [ev('Opened')], { expected: 'noStream' });
    node.holdIndex();
    client.loseNextAnswer((s) => !isAdapterStream(s));
    await expect(
      store.append('proposal-c1.p1', [ev('Voted', 'k1')], { expected: 1, commandId: 'k1' }),
    ).rejects.toMatchObject({ code: 'store-unavailable' });
    const retry = store.append('proposal-c1.p1', [ev('Voted', 'k1')], {
      expected: 1,
      commandId: 'k1',
    });
    setTimeout(() => node.releaseIndex(), 150);
    await expect(retry).resolves.toMatchObject({ nextExpectedVersion: 2, duplicate: true });
    expect(node.records('proposal-c1.p1')).toHaveLength(2);
  });

  it('retries racing their first attempt, answers reordered: each command lands once', async () => {
    const jittery = new FaultInjectingClient(node.connect(), { jitterMs: 4, seed: 7 });
    const racing = [store, open(jittery), open(new FaultInjectingClient(node.connect()))];
    const s = 'proposal-c1.race';
    await store.append(s, [ev('Opened')], { expected: 'noStream' });
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const id = `race-${i}`;
        if (i % 2 === 0) jittery.loseNextAnswer((name) => name === s);
        const attempts = racing.map(async (writer, w) => {
          for (;;) {
            const head = (await writer.streamHead(s))?.version ?? 0;
            try {
              return await writer.append(s, [ev('Voted', id, { w })], {
                expected: w === 0 ? 'any' : head,
                commandId: id,
              });
            } catch (error) {
              const code = (error as { code?: string }).code;
              if (code !== 'version-conflict' && code !== 'store-unavailable') throw error;
            }
          }
        });
        const results = await Promise.all(attempts);
        expect(new Set(results.map((r) => r.nextExpectedVersion)).size).toBe(1);
      }),
    );
    const events = await store.readStream(s);
    const ids = events.slice(1).map((e) => e.metadata.commandId);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
    expect(await store.verifyStream(s)).toMatchObject({ ok: true, events: 21 });
    await Promise.all(racing.slice(1).map((w) => w.close()));
  });

  it('with throwOnAppendFailure=false a refused append is a version conflict, not a success', async () => {
    const lenient = open(new FaultInjectingClient(node.connect({ throwOnAppendFailure: false })));
    try {
      await lenient.append('proposal-c1.p2', [ev('A')], { expected: 'noStream' });
      // Another writer moves the stream on: the lenient store's cached head is stale.
      await store.append('proposal-c1.p2', [ev('B')], { expected: 1 });
      await expect(
        lenient.append('proposal-c1.p2', [ev('C')], { expected: 1 }),
      ).rejects.toMatchObject({ code: 'version-conflict', actual: 2 });
      await lenient.append('proposal-c1.p2', [ev('C')], { expected: 2 });
      expect((await lenient.readStream('proposal-c1.p2')).map((e) => e.type)).toEqual([
        'A',
        'B',
        'C',
      ]);
      expect(await lenient.verifyStream('proposal-c1.p2')).toMatchObject({ ok: true });
    } finally {
      await lenient.close();
    }
  });

  it('a soft-deleted stream is refused on read and append, and reported by verification', async () => {
    await store.append('proposal-c1.p3', [ev('A'), ev('B')], { expected: 'noStream' });
    node.softDelete('proposal-c1.p3');
    const fresh = open(new FaultInjectingClient(node.connect()));
    try {
      await expect(fresh.readStream('proposal-c1.p3')).rejects.toMatchObject({
        code: 'invalid-stream-id',
        message: expect.stringMatching(/deleted or truncated/),
      });
      await expect(
        fresh.append('proposal-c1.p3', [ev('Again')], { expected: 0 }),
      ).rejects.toMatchObject({ code: 'invalid-stream-id' });
      expect(node.records('proposal-c1.p3')).toHaveLength(2);
      expect(await fresh.verifyStream('proposal-c1.p3')).toMatchObject({
        ok: false,
        firstBroken: { streamId: 'proposal-c1.p3', streamVersion: 1 },
      });
      // Hard-deleted (tombstoned): refused the same way.
      await fresh.append('proposal-c1.p3b', [ev('A')], { expected: 'noStream' });
      node.tombstone('proposal-c1.p3b');
      await expect(fresh.readStream('proposal-c1.p3b')).rejects.toMatchObject({
        code: 'invalid-stream-id',
      });
      await expect(
        fresh.append('proposal-c1.p3b', [ev('B')], { expected: 'any' }),
      ).rejects.toMatchObject({ code: 'invalid-stream-id' });
    } finally {
      await fresh.close();
    }
  });

  it('a stream truncated by $maxCount or $tb is refused on read, not folded from its middle', async () => {
    await store.append('proposal-c1.p4', [ev('A'), ev('B'), ev('C')], { expected: 'noStream' });
    node.setStreamMetadata('proposal-c1.p4', { maxCount: 1 });
    await expect(store.readStream('proposal-c1.p4')).rejects.toMatchObject({
      code: 'invalid-stream-id',
    });
    // From a version that is still there, reading is fine.
    expect(
      (await store.readStream('proposal-c1.p4', { fromVersion: 3 })).map((e) => e.type),
    ).toEqual(['C']);
    expect(await store.verifyStream('proposal-c1.p4')).toMatchObject({
      ok: false,
      firstBroken: { streamVersion: 1, reason: expect.stringMatching(/truncated/) },
    });
    await store.append('proposal-c1.p5', [ev('A'), ev('B')], { expected: 'noStream' });
    node.setStreamMetadata('proposal-c1.p5', { truncateBefore: 1 });
    await expect(store.readStream('proposal-c1.p5')).rejects.toMatchObject({
      code: 'invalid-stream-id',
    });
  });

  it("the adapter's own records never reach a subscription", async () => {
    const start = await store.append('proposal-c1.p6', [ev('A', 'k-a')], {
      expected: 'noStream',
      commandId: 'k-a',
    });
    const seen: string[] = [];
    const subscription = store.subscribe(start.checkpoint, async (events) => {
      for (const e of events) seen.push(e.type);
    });
    try {
      for (let i = 0; i < 5; i++) {
        await store.append('proposal-c1.p6', [ev('B', `k-${i}`)], {
          expected: i + 1,
          commandId: `k-${i}`,
        });
      }
      await expect.poll(() => seen.length).toBe(5);
    } finally {
      await subscription.stop();
    }
    expect(
      [...node.delivered.keys()].filter((c) => c.startsWith('$') || c.startsWith('yishi_')),
    ).toEqual([]);
  });

  it("verifyAll of one community's streams reads them, not the whole of $all", async () => {
    await store.append('proposal-c1.p7', [ev('A'), ev('B')], { expected: 'noStream' });
    await store.append('proposal-c1.p8', [ev('A')], { expected: 'noStream' });
    await store.append('proposal-c2.p9', [ev('A')], { expected: 'noStream' });
    await store.append('ballot-c1.p7', [ev('A')], { expected: 'noStream' });
    const before = node.calls.readAll;
    expect(await store.verifyAll({ streamPrefix: 'proposal-c1.' })).toEqual({
      ok: true,
      streams: 2,
      events: 3,
    });
    expect(node.calls.readAll).toBe(before);
  });

  it('access denied is store-unavailable with a message that names the credentials', async () => {
    client.failNext(
      () => true,
      () => new AccessDeniedError(),
    );
    await expect(
      store.append('proposal-c1.p10', [ev('A')], { expected: 'noStream' }),
    ).rejects.toMatchObject({
      code: 'store-unavailable',
      message: expect.stringMatching(/credentials|user/),
    });
  });

  it('a resubscription follows a dropped subscription', async () => {
    const start = await store.append('proposal-c1.p11', [ev('A')], { expected: 'noStream' });
    const seen: string[] = [];
    const errors: unknown[] = [];
    const subscription = store.subscribe(
      start.checkpoint,
      async (events) => {
        for (const e of events) seen.push(e.type);
      },
      { onError: (e) => errors.push(e) },
    );
    try {
      await store.append('proposal-c1.p11', [ev('B')], { expected: 1 });
      await expect.poll(() => seen.length).toBe(1);
      const subscribes = node.calls.subscribe;
      client.dropSubscriptions();
      await store.append('proposal-c1.p11', [ev('C')], { expected: 2 });
      await expect.poll(() => seen.length).toBe(2);
      expect(seen).toEqual(['B', 'C']);
      expect(node.calls.subscribe).toBeGreaterThan(subscribes);
      expect(errors).toHaveLength(1);
    } finally {
      await subscription.stop();
    }
  });
});

describe('EventStoreDB adapter connection strings', () => {
  it('accepts the kurrentdb://, kdb:// and esdb:// schemes, with or without +discover', async () => {
    for (const url of [
      'kurrentdb://localhost:2113?tls=false',
      'kurrentdb+discover://localhost:2113?tls=false',
      'kdb://localhost:2113?tls=false',
      'esdb://localhost:2113?tls=false',
    ]) {
      const store = new EventStoreDbEventStore({ connectionString: url });
      await store.close();
    }
  });
});
