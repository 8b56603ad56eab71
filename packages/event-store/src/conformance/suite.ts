/**
 * One conformance suite for every adapter of the `EventStore` port. Call it from a test file:
 *
 *   eventStoreConformance('postgres', async () => ({ open: ..., tamper: ... }));
 *
 * Tests use stream ids unique to the run, and read the global order only from checkpoints taken
 * within the test, so the suite also runs against a shared server (EventStoreDB) that holds
 * other events.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VersionConflictError } from '../errors.ts';
import { chainHash, GENESIS_HASH } from '../hash.ts';
import type {
  Checkpoint,
  EventHeader,
  EventStore,
  JsonObject,
  NewEvent,
  Subscription,
} from '../types.ts';
import { checkpointReached, headerOf } from '../types.ts';
import type { Upcaster } from '../upcast.ts';
import { MAX_EVENT_BYTES } from '../validation.ts';
import { faultConformance } from './faults.ts';
import {
  event,
  expectCode,
  expectCodeSync,
  meta,
  readAllBetween,
  readBetween,
  readToEnd,
  readUntil,
  waitFor,
} from './support.ts';

/** For suites over the port elsewhere (the transparency tree's). */
export { meta, readOrderToEnd } from './support.ts';

export interface ConformanceHarness {
  /** A store on the adapter's test backend; every call may return a new instance. */
  open(options?: { upcasters?: Upcaster[] }): Promise<EventStore>;
  /**
   * Alters the stored data of one event behind the store's back, as someone with direct
   * access to the storage would. Adapters whose storage cannot be altered leave this out.
   */
  tamper?(
    store: EventStore,
    streamId: string,
    streamVersion: number,
    data: JsonObject,
  ): Promise<void>;
  /** After all tests. */
  teardown?(): Promise<void>;
  /**
   * Makes the store's next append land and then fail with store-unavailable, as when its answer
   * is lost (a timeout, a leader change, a dropped connection). `loseNextAnswerAtPort` does it
   * for adapters that keep no state between calls; others lose it where it happens.
   */
  loseNextAnswer?(store: EventStore): void;
  /** Drops the store's connections: live subscriptions and reads in flight fail. */
  dropConnections?(store: EventStore): Promise<void>;
  /** Writes `count` events to the backend that are not the store's (another application's). */
  appendForeign?(store: EventStore, count: number): Promise<void>;
  /** Why a fault hook above is left out: its tests are reported as not applicable. */
  notApplicable?: Partial<Record<FaultHook, string>>;
}

export type FaultHook = 'loseNextAnswer' | 'dropConnections' | 'appendForeign';

export interface ConformanceOptions {
  /** Skip the whole suite, reporting this reason in its name. */
  skip?: string;
  /** Scale of the concurrency tests (appends); default 64. */
  concurrentAppends?: number;
}

export function eventStoreConformance(
  name: string,
  setup: () => Promise<ConformanceHarness>,
  options: ConformanceOptions = {},
): void {
  const title = options.skip
    ? `event store conformance: ${name} (skipped: ${options.skip})`
    : `event store conformance: ${name}`;
  describe.skipIf(options.skip !== undefined)(title, () => {
    let harness: ConformanceHarness;
    let store: EventStore;
    const run = randomBytes(4).toString('hex');
    let counter = 0;
    /** A prefix unique to one test, and stream ids under it. */
    const scope = () => {
      counter += 1;
      const prefix = `ct-${run}.${counter}.`;
      return { prefix, stream: (suffix: string) => `${prefix}${suffix}` };
    };
    const commandId = (label: string) => `cmd-${run}-${counter}-${label}`;

    beforeAll(async () => {
      harness = await setup();
      store = await harness.open();
    });
    afterAll(async () => {
      await store?.close();
      await harness?.teardown?.();
    });

    describe('expected version', () => {
      it('noStream: succeeds on a new stream only, and the loser learns the actual version', async () => {
        const { stream } = scope();
        const s = stream('a');
        const first = await store.append(s, [event('Opened', { n: 1 })], { expected: 'noStream' });
        expect(first).toMatchObject({ streamId: s, nextExpectedVersion: 1, duplicate: false });
        const again = store.append(s, [event('Opened', { n: 2 })], { expected: 'noStream' });
        await expect(again).rejects.toBeInstanceOf(VersionConflictError);
        await expect(again).rejects.toMatchObject({
          code: 'version-conflict',
          actual: 1,
          streamId: s,
        });
        expect(await store.readStream(s)).toHaveLength(1);
      });

      it('exact: 0 means no stream; the right version appends, a stale or future one is refused', async () => {
        const { stream } = scope();
        const s = stream('a');
        expect((await store.append(s, [event('A', {})], { expected: 0 })).nextExpectedVersion).toBe(
          1,
        );
        expect((await store.append(s, [event('B', {})], { expected: 1 })).nextExpectedVersion).toBe(
          2,
        );
        await expectCode(store.append(s, [event('C', {})], { expected: 1 }), 'version-conflict', {
          actual: 2,
        });
        await expectCode(store.append(s, [event('C', {})], { expected: 7 }), 'version-conflict', {
          actual: 2,
        });
        await expectCode(store.append(s, [event('C', {})], { expected: 0 }), 'version-conflict', {
          actual: 2,
        });
        expect((await store.readStream(s)).map((e) => e.type)).toEqual(['A', 'B']);
      });

      it('streamExists: refused on a missing stream, appends to an existing one', async () => {
        const { stream } = scope();
        const s = stream('a');
        await expectCode(
          store.append(s, [event('A', {})], { expected: 'streamExists' }),
          'version-conflict',
          { actual: 0 },
        );
        expect(await store.readStream(s)).toEqual([]);
        await store.append(s, [event('A', {})], { expected: 'noStream' });
        const r = await store.append(s, [event('B', {})], { expected: 'streamExists' });
        expect(r.nextExpectedVersion).toBe(2);
      });

      it('any: appends to a missing or an existing stream', async () => {
        const { stream } = scope();
        const s = stream('a');
        expect(
          (await store.append(s, [event('A', {})], { expected: 'any' })).nextExpectedVersion,
        ).toBe(1);
        expect(
          (await store.append(s, [event('B', {})], { expected: 'any' })).nextExpectedVersion,
        ).toBe(2);
      });

      it('several events in one append get consecutive versions, atomically', async () => {
        const { stream } = scope();
        const s = stream('a');
        const r = await store.append(
          s,
          [event('A', { i: 1 }), event('B', { i: 2 }), event('C', { i: 3 })],
          { expected: 'noStream' },
        );
        expect(r.nextExpectedVersion).toBe(3);
        const events = await store.readStream(s);
        expect(events.map((e) => e.streamVersion)).toEqual([1, 2, 3]);
        expect(events.map((e) => e.data)).toEqual([{ i: 1 }, { i: 2 }, { i: 3 }]);
        expect(r.lastGlobalPosition).toBe(events[2]!.globalPosition);
        expect(r.checkpoint).toEqual({
          transactionId: events[2]!.transactionId,
          globalPosition: events[2]!.globalPosition,
        });
        // A failed multi-event append writes none of them.
        await expectCode(
          store.append(s, [event('D', {}), event('E', {})], { expected: 1 }),
          'version-conflict',
        );
        expect(await store.readStream(s)).toHaveLength(3);
      });
    });

    describe('idempotency by command id', () => {
      it('a retried command returns the first result and writes nothing', async () => {
        const { stream } = scope();
        const s = stream('a');
        const id = commandId('x');
        const first = await store.append(s, [event('A', {}, id)], {
          expected: 'noStream',
          commandId: id,
        });
        const retry = await store.append(s, [event('A', {}, id)], {
          expected: 'noStream',
          commandId: id,
        });
        expect(retry).toEqual({ ...first, duplicate: true });
        // Also when the retry carries an expected version that no longer holds.
        await store.append(s, [event('B', {})], { expected: 1 });
        const late = await store.append(s, [event('A', {}, id)], { expected: 1, commandId: id });
        expect(late).toEqual({ ...first, duplicate: true });
        const viaAny = await store.append(s, [event('A', {}, id)], {
          expected: 'any',
          commandId: id,
        });
        expect(viaAny).toEqual({ ...first, duplicate: true });
        expect(await store.readStream(s)).toHaveLength(2);
        expect(await store.findCommand(id)).toEqual({ ...first, duplicate: true });
        expect(await store.findCommand(commandId('never'))).toBeUndefined();
      });

      it('concurrent retries of one command write it once', async () => {
        const { stream } = scope();
        const s = stream('a');
        const id = commandId('x');
        const results = await Promise.all(
          Array.from({ length: 12 }, () =>
            store.append(s, [event('A', {}, id)], { expected: 'any', commandId: id }),
          ),
        );
        expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
        for (const r of results) expect(r.nextExpectedVersion).toBe(1);
        expect(await store.readStream(s)).toHaveLength(1);
      });

      it('appendGroups: one atomic append of several commands, each findable', async () => {
        const { stream } = scope();
        const s = stream('a');
        const [a, b] = [commandId('a'), commandId('b')];
        const results = await store.appendGroups(
          s,
          [
            { commandId: a, events: [event('A1', {}, a), event('A2', {}, a)] },
            { commandId: b, events: [event('B1', {}, b)] },
          ],
          { expected: 'noStream' },
        );
        expect(results.map((r) => r.nextExpectedVersion)).toEqual([2, 3]);
        expect(results[0]!.checkpoint.transactionId).toBe(results[1]!.checkpoint.transactionId);
        expect(await store.findCommand(a)).toMatchObject({
          nextExpectedVersion: 2,
          duplicate: true,
        });
        expect(await store.findCommand(b)).toMatchObject({
          nextExpectedVersion: 3,
          duplicate: true,
        });
        const again = await store.appendGroups(
          s,
          [
            { commandId: a, events: [event('A1', {}, a)] },
            { commandId: b, events: [event('B1', {}, b)] },
          ],
          { expected: 'noStream' },
        );
        expect(again.map((r) => r.duplicate)).toEqual([true, true]);
        // Some known, some new: refused, nothing written.
        const c = commandId('c');
        await expectCode(
          store.appendGroups(
            s,
            [
              { commandId: a, events: [event('A1', {}, a)] },
              { commandId: c, events: [event('C1', {}, c)] },
            ],
            { expected: 3 },
          ),
          'invalid-event',
        );
        expect(await store.readStream(s)).toHaveLength(3);
        expect(await store.findCommand(c)).toBeUndefined();
      });
    });

    describe('reading', () => {
      it('readStream: from a version, at most a count; a missing stream is empty', async () => {
        const { stream } = scope();
        const s = stream('a');
        await store.append(
          s,
          Array.from({ length: 10 }, (_, i) => event('E', { i })),
          { expected: 'noStream' },
        );
        const all = await store.readStream(s);
        expect(all.map((e) => e.data.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect((await store.readStream(s, { fromVersion: 4 })).map((e) => e.streamVersion)).toEqual(
          [4, 5, 6, 7, 8, 9, 10],
        );
        expect(
          (await store.readStream(s, { fromVersion: 4, maxCount: 2 })).map((e) => e.streamVersion),
        ).toEqual([4, 5]);
        expect(await store.readStream(s, { maxCount: 0 })).toEqual([]);
        expect(await store.readStream(s, { fromVersion: 11 })).toEqual([]);
        expect(await store.readStream(stream('missing'))).toEqual([]);
        const first = all[0]!;
        expect(first).toMatchObject({ streamId: s, streamVersion: 1, type: 'E', schemaVersion: 1 });
        expect(first.metadata).toEqual(meta('c'));
        expect(first.recordedAt).toBeInstanceOf(Date);
        expect(Math.abs(first.recordedAt.getTime() - Date.now())).toBeLessThan(10 * 60_000);
        expect(typeof first.globalPosition).toBe('bigint');
        expect(typeof first.transactionId).toBe('bigint');
      });

      it('readAll: global order in batches, each event exactly once, checkpoints ascending', async () => {
        const { prefix, stream } = scope();
        const start = await store.append(stream('start'), [event('Start', {})], {
          expected: 'any',
        });
        const written: string[] = [];
        let last = start;
        for (let i = 0; i < 30; i++) {
          const s = stream(`s${i % 4}`);
          const n = 1 + (i % 3);
          last = await store.append(
            s,
            Array.from({ length: n }, (_, k) => event('E', { i, k })),
            { expected: 'any' },
          );
          for (let k = 0; k < n; k++) written.push(`${i}.${k}`);
        }
        const { events } = await readAllBetween(store, start.checkpoint, last.checkpoint, prefix);
        expect(events.map((e) => `${e.data.i}.${e.data.k}`)).toEqual(written);
        for (let i = 1; i < events.length; i++) {
          const a = events[i - 1]!;
          const b = events[i]!;
          expect(
            b.transactionId > a.transactionId ||
              (b.transactionId === a.transactionId && b.globalPosition > a.globalPosition),
          ).toBe(true);
        }
        // Past the end: nothing, and the checkpoint stays.
        const tail = await readToEnd(store, last.checkpoint);
        expect(tail.checkpoint).toEqual(tail.events.length ? tail.checkpoint : last.checkpoint);
        expect(tail.events.filter((e) => e.streamId.startsWith(prefix))).toEqual([]);
      });

      it('readHeaders and subscribeHeaders: the events readAll reads, headers only, in order', async () => {
        const { prefix, stream } = scope();
        const start = await store.append(stream('start'), [event('Start', {})], {
          expected: 'any',
        });
        let last = start;
        for (let i = 0; i < 12; i++) {
          last = await store.append(
            stream(`s${i % 3}`),
            Array.from({ length: 1 + (i % 2) }, (_, k) => event(`E${k}`, { i, k })),
            { expected: 'any' },
          );
        }
        const whole = await readAllBetween(store, start.checkpoint, last.checkpoint, prefix, 5);
        const headers = await readBetween(
          (cp, n) => store.readHeaders(cp, n),
          start.checkpoint,
          last.checkpoint,
          prefix,
          5,
        );
        expect(whole.events).toHaveLength(18);
        expect(headers.events).toEqual(whole.events.map(headerOf));
        // Nothing but the header: no data, metadata or anything else is read for it.
        for (const header of headers.events) {
          expect(Object.keys(header).sort()).toEqual(
            ['globalPosition', 'hash', 'streamId', 'streamVersion', 'transactionId', 'type'].sort(),
          );
        }
        // A batch's checkpoint is its last event's position, as readAll's.
        const batch = await store.readHeaders(start.checkpoint, 4);
        const wholeBatch = await store.readAll(start.checkpoint, 4);
        expect(batch.events.map((e) => e.globalPosition)).toEqual(
          wholeBatch.events.map((e) => e.globalPosition),
        );
        expect(batch.checkpoint).toEqual(wholeBatch.checkpoint);

        // Subscribed, filtered by a stream prefix: the same headers of that stream, each once.
        const seen: EventHeader[] = [];
        let reached: Checkpoint = start.checkpoint;
        const subscription = store.subscribeHeaders(
          start.checkpoint,
          async (events, checkpoint) => {
            seen.push(...events);
            reached = checkpoint;
          },
          { batchSize: 2, pollIntervalMs: 50, streamPrefixes: [stream('s1')] },
        );
        try {
          const ofS1 = headers.events.filter((e) => e.streamId === stream('s1'));
          await waitFor(() => seen.length >= ofS1.length);
          expect(seen).toEqual(ofS1);
          // Live: a new event of the stream arrives as a header too.
          const live = await store.append(stream('s1'), [event('Live', { n: 1 })], {
            expected: 'any',
          });
          await waitFor(() => checkpointReached(reached, live.checkpoint));
          expect(seen.at(-1)).toMatchObject({ streamId: stream('s1'), type: 'Live' });
          expect(Object.keys(seen.at(-1)!)).not.toContain('data');
        } finally {
          await subscription.stop();
        }
        await expect(subscription.done).resolves.toBeUndefined();
      });

      it("an append's checkpoint is reached exactly when its events have been read", async () => {
        const { prefix, stream } = scope();
        const before = await store.append(stream('a'), [event('A', {})], { expected: 'any' });
        const target = await store.append(stream('b'), [event('B1', {}), event('B2', {})], {
          expected: 'any',
        });
        const { events } = await readAllBetween(
          store,
          before.checkpoint,
          target.checkpoint,
          prefix,
          1,
        );
        expect(events.map((e) => e.type)).toEqual(['B1', 'B2']);
        expect(checkpointReached(target.checkpoint, before.checkpoint)).toBe(true);
        expect(checkpointReached(before.checkpoint, target.checkpoint)).toBe(false);
      });

      it('streamHead: the last version and hash, or nothing', async () => {
        const { stream } = scope();
        const s = stream('a');
        expect(await store.streamHead(s)).toBeUndefined();
        await store.append(s, [event('A', {}), event('B', {})], { expected: 'noStream' });
        const events = await store.readStream(s);
        expect(await store.streamHead(s)).toEqual({ version: 2, hash: events[1]!.hash });
      });
    });

    describe('subscription', () => {
      it('catches up from a checkpoint, then goes live, in order, each event once', async () => {
        const { prefix, stream } = scope();
        const s = stream('a');
        const first = await store.append(s, [event('E', { n: 0 })], { expected: 'noStream' });
        await store.append(s, [event('E', { n: 1 }), event('E', { n: 2 })], { expected: 1 });
        const seen: number[] = [];
        let lastCheckpoint: Checkpoint | undefined;
        const subscription = store.subscribe(
          first.checkpoint,
          async (events, checkpoint) => {
            for (const e of events)
              if (e.streamId.startsWith(prefix)) seen.push(e.data.n as number);
            lastCheckpoint = checkpoint;
          },
          { batchSize: 2, pollIntervalMs: 50 },
        );
        try {
          await waitFor(() => seen.length >= 2);
          expect(seen).toEqual([1, 2]);
          const live = await store.append(s, [event('E', { n: 3 })], { expected: 3 });
          await store.append(s, [event('E', { n: 4 })], { expected: 4 });
          await waitFor(() => seen.length >= 4);
          expect(seen).toEqual([1, 2, 3, 4]);
          expect(checkpointReached(lastCheckpoint!, live.checkpoint)).toBe(true);
        } finally {
          await subscription.stop();
        }
        await expect(subscription.done).resolves.toBeUndefined();
        await store.append(s, [event('E', { n: 5 })], { expected: 5 });
        await new Promise((r) => setTimeout(r, 150));
        expect(seen).toEqual([1, 2, 3, 4]);
      });

      it('filters by stream prefix', async () => {
        const { prefix, stream } = scope();
        const start = await store.append(stream('x.start'), [event('S', {})], { expected: 'any' });
        const seen: string[] = [];
        const subscription = store.subscribe(
          start.checkpoint,
          async (events) => {
            for (const e of events) seen.push(e.streamId);
          },
          { streamPrefixes: [`${prefix}keep`], pollIntervalMs: 50 },
        );
        try {
          await store.append(stream('drop'), [event('D', {})], { expected: 'any' });
          await store.append(stream('keep1'), [event('K', {})], { expected: 'any' });
          await store.append(stream('keep2'), [event('K', {})], { expected: 'any' });
          await waitFor(() => seen.length >= 2);
          await new Promise((r) => setTimeout(r, 100));
          expect(seen).toEqual([stream('keep1'), stream('keep2')]);
        } finally {
          await subscription.stop();
        }
      });

      it("stops when the handler fails, and `done` rejects with the handler's error", async () => {
        const { stream } = scope();
        const start = await store.append(stream('a'), [event('A', {})], { expected: 'any' });
        let calls = 0;
        const subscription: Subscription = store.subscribe(
          start.checkpoint,
          async () => {
            calls += 1;
            throw new Error('projection failed');
          },
          { pollIntervalMs: 50 },
        );
        await store.append(stream('a'), [event('B', {})], { expected: 'any' });
        await expect(subscription.done).rejects.toThrow('projection failed');
        expect(calls).toBe(1);
        await subscription.stop();
      });
    });

    describe('upcasting', () => {
      it('upcasts old schema versions on read; hashes cover the stored form', async () => {
        const { stream } = scope();
        const upcasters: Upcaster[] = [
          {
            type: 'BallotCast',
            fromVersion: 1,
            upcast: (data) => ({ ...data, weight: 1 }),
          },
          {
            type: 'BallotCast',
            fromVersion: 2,
            upcast: ({ choice, ...rest }) => ({ ...rest, option: choice ?? null }),
          },
        ];
        const upcasting = await harness.open({ upcasters });
        try {
          const s = stream('a');
          const before = await upcasting.append(stream('before'), [event('Before', {})], {
            expected: 'noStream',
          });
          await upcasting.append(
            s,
            [
              event('BallotCast', { choice: 'yes' }, 'c', 1),
              event('BallotCast', { choice: 'no', weight: 2 }, 'c', 2),
              event('BallotCast', { option: 'abstain', weight: 3 }, 'c', 3),
              event('Other', { choice: 'kept' }, 'c', 1),
            ],
            { expected: 'noStream' },
          );
          const events = await upcasting.readStream(s);
          expect(events.map((e) => [e.schemaVersion, e.data])).toEqual([
            [3, { option: 'yes', weight: 1 }],
            [3, { option: 'no', weight: 2 }],
            [3, { option: 'abstain', weight: 3 }],
            [1, { choice: 'kept' }],
          ]);
          const mine = await readUntil(upcasting, before.checkpoint, (e) => e.streamId === s, 4);
          expect(mine.map((e) => e.schemaVersion)).toEqual([3, 3, 3, 1]);
          expect(await upcasting.verifyStream(s)).toMatchObject({ ok: true, events: 4 });
        } finally {
          await upcasting.close();
        }
      });
    });

    describe('hash chain', () => {
      it('links each event to the previous one; anyone can recompute it', async () => {
        const { prefix, stream } = scope();
        const s = stream('a');
        await store.append(s, [event('A', { x: 1 }), event('B', { x: 2 })], {
          expected: 'noStream',
        });
        await store.append(s, [event('C', { x: 3 })], { expected: 2 });
        await store.append(stream('b'), [event('D', {})], { expected: 'noStream' });
        const events = await store.readStream(s);
        expect(events[0]!.prevHash).toBe(GENESIS_HASH);
        let prev = GENESIS_HASH;
        for (const e of events) {
          expect(e.prevHash).toBe(prev);
          expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
          expect(e.hash).toBe(chainHash(prev, e));
          prev = e.hash;
        }
        expect(await store.verifyStream(s)).toEqual({ ok: true, streams: 1, events: 3 });
        expect(await store.verifyStream(stream('missing'))).toEqual({
          ok: true,
          streams: 0,
          events: 0,
        });
        expect(await store.verifyAll({ streamPrefix: prefix })).toEqual({
          ok: true,
          streams: 2,
          events: 4,
        });
      });

      it('keeps unusual but valid JSON exactly (and its hash verifiable)', async () => {
        const { stream } = scope();
        const s = stream('a');
        const data: JsonObject = {
          text: '加装电梯 — ünïcödé 👍🏽 "quoted" \\ back\nslash\ttab \u0001 \u2028',
          numbers: [
            0,
            -0,
            0.1,
            1e21,
            1e-7,
            5e-324,
            1.7976931348623157e308,
            -12345678901234567000,
            2 ** 53 + 1,
          ],
          nested: { z: { y: [[], {}, [null, true, false]] }, a: '', ключ: 1, '\u00e9': 2, e: 3 },
          '': 'empty key',
          '10': 'numeric-looking key',
          '9': 'sorted as text',
        };
        await store.append(
          s,
          [{ type: 'Odd', data, metadata: meta('odd', { list: [1, 'two'] }) }],
          {
            expected: 'noStream',
          },
        );
        const [stored] = await store.readStream(s);
        expect(stored!.data).toEqual(JSON.parse(JSON.stringify(data)));
        expect(Object.is((stored!.data.numbers as number[])[1], -0)).toBe(false);
        expect(stored!.metadata).toMatchObject({ list: [1, 'two'] });
        expect(await store.verifyStream(s)).toMatchObject({ ok: true, events: 1 });
      });

      it('an event altered in storage is found, by stream and position', async (ctx) => {
        if (!harness.tamper) return ctx.skip("this adapter's storage cannot be altered");
        const { prefix, stream } = scope();
        const s = stream('a');
        await store.append(s, [event('A', { v: 1 }), event('B', { v: 2 }), event('C', { v: 3 })], {
          expected: 'noStream',
        });
        await store.append(stream('b'), [event('D', {})], { expected: 'noStream' });
        expect(await store.verifyStream(s)).toMatchObject({ ok: true });
        await harness.tamper(store, s, 2, { v: 20 });
        const result = await store.verifyStream(s);
        expect(result.ok).toBe(false);
        expect(result.firstBroken).toMatchObject({ streamId: s, streamVersion: 2 });
        expect(result.firstBroken!.reason).toMatch(/hash/);
        const all = await store.verifyAll({ streamPrefix: prefix });
        expect(all.firstBroken).toMatchObject({ streamId: s, streamVersion: 2 });
      });
    });

    describe('bad input: typed errors, nothing written', () => {
      it('invalid stream ids', async () => {
        const { prefix } = scope();
        const bad: unknown[] = [
          '',
          'nocategory',
          'Proposal-1',
          '-1',
          'proposal-',
          'proposal-a b',
          'proposal-a/b',
          `proposal-${'x'.repeat(201)}`,
          '$all',
          '$ce-proposal',
          'proposal-\u0000',
          'proposal-ü',
          42,
          null,
          undefined,
        ];
        for (const id of bad) {
          await expectCode(
            store.append(id as string, [event('A', {})], { expected: 'any' }),
            'invalid-stream-id',
          );
          await expectCode(store.readStream(id as string), 'invalid-stream-id');
        }
        expect(await store.verifyAll({ streamPrefix: prefix })).toMatchObject({ events: 0 });
      });

      it('oversized events and appends', async () => {
        const { stream } = scope();
        const s = stream('a');
        const big = 'x'.repeat(MAX_EVENT_BYTES);
        await expectCode(
          store.append(s, [event('A', { big })], { expected: 'any' }),
          'event-too-large',
        );
        await expectCode(
          store.append(s, [event('A', {}), { type: 'B', data: {}, metadata: { big } }], {
            expected: 'any',
          }),
          'event-too-large',
        );
        const nearly = 'y'.repeat(MAX_EVENT_BYTES - 1000);
        await expectCode(
          store.append(
            s,
            Array.from({ length: 70 }, () => event('A', { nearly })),
            { expected: 'any' },
          ),
          'event-too-large',
        );
        expect(await store.readStream(s)).toEqual([]);
        // Just below the limit is fine.
        await store.append(s, [{ type: 'A', data: { nearly }, metadata: {} }], { expected: 'any' });
        expect(await store.readStream(s)).toHaveLength(1);
      });

      it('data and metadata that are not plain JSON', async () => {
        const { stream } = scope();
        const s = stream('a');
        const cyclic: Record<string, unknown> = {};
        cyclic.self = cyclic;
        let deep: Record<string, unknown> = {};
        for (let i = 0; i < 100; i++) deep = { deep };
        class Ballot {
          option = 'yes';
        }
        const sparse: unknown[] = [1];
        sparse[2] = 3;
        const badData: unknown[] = [
          { when: new Date() },
          { missing: undefined },
          { n: Number.NaN },
          { n: Number.POSITIVE_INFINITY },
          { f: () => 1 },
          { b: 10n },
          { m: new Map() },
          { s: Symbol('x') },
          new Ballot(),
          { ballot: new Ballot() },
          { sparse },
          { lone: '\ud800' },
          { lone: 'a\udc00b' },
          { nul: 'a\u0000b' },
          { 'k\u0000': 1 },
          cyclic,
          deep,
          [1, 2],
          'text',
          null,
          undefined,
          42,
        ];
        for (const data of badData) {
          await expectCode(
            store.append(s, [{ type: 'A', data: data as JsonObject, metadata: {} }], {
              expected: 'any',
            }),
            'invalid-event',
          );
          await expectCode(
            store.append(s, [{ type: 'A', data: {}, metadata: data as JsonObject }], {
              expected: 'any',
            }),
            'invalid-event',
          );
        }
        expect(await store.readStream(s)).toEqual([]);
      });

      it('invalid types, schema versions, expected versions, command ids and batches', async () => {
        const { stream } = scope();
        const s = stream('a');
        const bad = (events: unknown, expected: unknown = 'any', commandId?: unknown) =>
          expectCode(
            store.append(s, events as NewEvent[], {
              expected: expected as 'any',
              ...(commandId === undefined ? {} : { commandId: commandId as string }),
            }),
            'invalid-event',
          );
        await bad([]);
        await bad(undefined);
        await bad([null]);
        await bad([{ type: '', data: {}, metadata: {} }]);
        await bad([{ type: '1Bad', data: {}, metadata: {} }]);
        await bad([{ type: 'Has space', data: {}, metadata: {} }]);
        await bad([{ type: 'A'.repeat(200), data: {}, metadata: {} }]);
        await bad([{ type: 'A', data: {}, metadata: {}, schemaVersion: 0 }]);
        await bad([{ type: 'A', data: {}, metadata: {}, schemaVersion: 1.5 }]);
        await bad([{ type: 'A', data: {}, metadata: {}, schemaVersion: '2' }]);
        await bad(Array.from({ length: 10_001 }, () => event('A', {})));
        await bad([event('A', {})], -1);
        await bad([event('A', {})], 1.5);
        await bad([event('A', {})], 'latest');
        await bad([event('A', {})], Number.NaN);
        await bad([event('A', {})], null);
        await bad([event('A', {})], 'any', '');
        await bad([event('A', {})], 'any', 'has space');
        await bad([event('A', {})], 'any', 'x'.repeat(201));
        await bad([event('A', {})], 'any', 7);
        await expectCode(store.appendGroups(s, [], { expected: 'any' }), 'invalid-event');
        await expectCode(
          store.appendGroups(
            s,
            [
              { commandId: 'dup', events: [event('A', {})] },
              { commandId: 'dup', events: [event('B', {})] },
            ],
            {
              expected: 'any',
            },
          ),
          'invalid-event',
        );
        await expectCode(
          store.appendGroups(s, [{ commandId: 'a', events: [] }], { expected: 'any' }),
          'invalid-event',
        );
        expect(await store.readStream(s)).toEqual([]);
      });

      it('invalid read arguments', async () => {
        const { stream } = scope();
        const s = stream('a');
        for (const size of [0, -1, 1.5, Number.NaN, 10_001]) {
          await expectCode(
            store.readAll({ transactionId: 0n, globalPosition: 0n }, size),
            'invalid-argument',
          );
        }
        for (const cp of [
          { transactionId: -1n, globalPosition: 0n },
          { transactionId: 0n, globalPosition: -1n },
          { transactionId: 0, globalPosition: 0 },
          null,
        ]) {
          await expectCode(store.readAll(cp as unknown as Checkpoint, 10), 'invalid-argument');
        }
        await expectCode(store.readStream(s, { fromVersion: -1 }), 'invalid-argument');
        await expectCode(store.readStream(s, { fromVersion: 1.5 }), 'invalid-argument');
        await expectCode(store.readStream(s, { maxCount: -1 }), 'invalid-argument');
        await expectCode(store.readStream(s, { maxCount: Number.NaN }), 'invalid-argument');
        await expectCode(
          store.readAll({ transactionId: 0n, globalPosition: 2n ** 63n }, 10),
          'invalid-argument',
        );
        await expectCode(
          store.verifyAll({ streamPrefix: 7 as unknown as string }),
          'invalid-argument',
        );
        // Missing options are defaults, not crashes.
        expect(await store.readStream(s, null as unknown as undefined)).toEqual([]);
        const sub = store.subscribe(
          { transactionId: 0n, globalPosition: 0n },
          async () => {},
          null as unknown as undefined,
        );
        await sub.stop();
        expectCodeSync(
          () => store.subscribe({ transactionId: -1n, globalPosition: 0n }, async () => {}),
          'invalid-argument',
        );
        expectCodeSync(
          () =>
            store.subscribe({ transactionId: 0n, globalPosition: 0n }, async () => {}, {
              batchSize: 0,
            }),
          'invalid-argument',
        );
      });
    });

    describe('concurrency', () => {
      const n = options.concurrentAppends ?? 64;

      it(`${n} racing appends with exact versions: one winner per version, no gap, no duplicate`, async () => {
        const { stream } = scope();
        const s = stream('race');
        const writers = 16;
        let written = 0;
        const wins = new Map<number, number>();
        let conflicts = 0;
        await Promise.all(
          Array.from({ length: writers }, async (_, w) => {
            while (written < n) {
              const head = await store.streamHead(s);
              const expected = head?.version ?? 0;
              if (expected >= n) return;
              try {
                const r = await store.append(s, [event('Raced', { w, expected })], { expected });
                written += 1;
                expect(wins.has(r.nextExpectedVersion)).toBe(false);
                wins.set(r.nextExpectedVersion, w);
              } catch (error) {
                if (!(error instanceof VersionConflictError)) throw error;
                expect(error.actual).toBeGreaterThan(expected);
                conflicts += 1;
              }
            }
          }),
        );
        const events = await store.readStream(s);
        expect(events.map((e) => e.streamVersion)).toEqual(
          Array.from({ length: events.length }, (_, i) => i + 1),
        );
        expect(events.length).toBeGreaterThanOrEqual(n);
        for (const e of events) expect(e.data.expected).toBe(e.streamVersion - 1);
        expect(await store.verifyStream(s)).toMatchObject({ ok: true });
        if (writers > 1 && n > writers) expect(conflicts).toBeGreaterThan(0);
      });

      it("racing 'any' appends all land, in one unbroken chain", async () => {
        const { stream } = scope();
        const s = stream('any');
        const results = await Promise.all(
          Array.from({ length: 24 }, (_, i) =>
            store.append(s, [event('A', { i })], { expected: 'any' }),
          ),
        );
        expect(results.map((r) => r.nextExpectedVersion).sort((a, b) => a - b)).toEqual(
          Array.from({ length: 24 }, (_, i) => i + 1),
        );
        expect(await store.verifyStream(s)).toMatchObject({ ok: true, events: 24 });
      });
    });

    describe('lifecycle', () => {
      it('a closed store refuses work with store-unavailable', async () => {
        const { stream } = scope();
        const other = await harness.open();
        await other.close();
        await expectCode(
          other.append(stream('a'), [event('A', {})], { expected: 'any' }),
          'store-unavailable',
        );
        await expectCode(other.readStream(stream('a')), 'store-unavailable');
      });
    });

    faultConformance({ store: () => store, harness: () => harness, scope, commandId });
  });
}
