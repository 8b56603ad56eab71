/**
 * The conformance suite's tests of unknown outcomes and long runs: an append whose answer was
 * lost is retried (with the same or another expected version, `any`, other content, in another
 * group); many writers retry while a reader and a subscription follow; the global order holds
 * long runs of events that are not the port's; subscriptions survive a dropped connection.
 * Tests that need a fault hook the harness leaves out are reported as not applicable.
 */
import { describe, expect, it, type TestContext } from 'vitest';
import { EventStoreError, VersionConflictError } from '../errors.ts';
import { seededRandom } from '../seeded-random.ts';
import type {
  AppendGroup,
  AppendResult,
  Checkpoint,
  EventStore,
  ExpectedVersion,
  RecordedEvent,
} from '../types.ts';
import { checkpointOf, checkpointReached, START } from '../types.ts';
import type { ConformanceHarness, FaultHook } from './suite.ts';
import { event, expectCode, meta, waitFor } from './support.ts';

export interface FaultContext {
  store(): EventStore;
  harness(): ConformanceHarness;
  scope(): { prefix: string; stream(suffix: string): string };
  commandId(label: string): string;
}

/** Retries after a lost answer stand for a client that lost it: another occurredAt, always. */
const retried = (type: string, data: Record<string, string | number>, id: string) => ({
  type,
  data,
  metadata: meta(id, { occurredAt: '2026-11-21T08:00:09.000Z' }),
});

export function faultConformance(ctx: FaultContext): void {
  /** The harness's hook, or the test is skipped as not applicable, with the harness's reason. */
  function hook<K extends FaultHook>(
    test: TestContext,
    name: K,
  ): NonNullable<ConformanceHarness[K]> {
    const found = ctx.harness()[name];
    if (!found) {
      const reason = ctx.harness().notApplicable?.[name] ?? `the harness has no ${name} hook`;
      test.skip(`not applicable: ${reason}`);
    }
    return found as NonNullable<ConformanceHarness[K]>;
  }

  /** Appends whose answer is lost: they reject with store-unavailable, having written. */
  async function lost(test: TestContext, append: () => Promise<unknown>): Promise<void> {
    hook(test, 'loseNextAnswer')(ctx.store());
    await expectCode(append(), 'store-unavailable');
  }

  describe('unknown outcomes: events landed, answer lost', () => {
    it('a retry with the same expected version writes nothing and returns the stored result', async (test) => {
      const store = ctx.store();
      const s = ctx.scope().stream('a');
      const id = ctx.commandId('x');
      await store.append(s, [event('Opened', {})], { expected: 'noStream' });
      await lost(test, () =>
        store.append(s, [event('Voted', { choice: 'yes' }, id)], { expected: 1, commandId: id }),
      );
      const retry = await store.append(s, [retried('Voted', { choice: 'yes' }, id)], {
        expected: 1,
        commandId: id,
      });
      const events = await store.readStream(s);
      expect(events.map((e) => e.type)).toEqual(['Opened', 'Voted']);
      expect(retry).toEqual({
        streamId: s,
        nextExpectedVersion: 2,
        lastGlobalPosition: events[1]!.globalPosition,
        checkpoint: checkpointOf(events[1]!),
        duplicate: true,
      });
      expect(await store.findCommand(id)).toEqual(retry);
    });

    it('a retry with the version after its own events, or with any, is recognised too', async (test) => {
      const store = ctx.store();
      const s = ctx.scope().stream('a');
      const id = ctx.commandId('x');
      await store.append(s, [event('Opened', {})], { expected: 'noStream' });
      await lost(test, () =>
        store.append(s, [event('Voted', { n: 1 }, id), event('Counted', { n: 1 }, id)], {
          expected: 1,
          commandId: id,
        }),
      );
      // The client read the stream again (its own events included) and decided again.
      const fresh = await store.append(s, [retried('Voted', { n: 1 }, id)], {
        expected: 3,
        commandId: id,
      });
      expect(fresh).toMatchObject({ nextExpectedVersion: 3, duplicate: true });
      const viaAny = await store.append(s, [retried('Voted', { n: 1 }, id)], {
        expected: 'any',
        commandId: id,
      });
      expect(viaAny).toEqual(fresh);
      const viaExists = await store.append(s, [retried('Voted', { n: 1 }, id)], {
        expected: 'streamExists',
        commandId: id,
      });
      expect(viaExists).toEqual(fresh);
      expect((await store.readStream(s)).map((e) => e.type)).toEqual([
        'Opened',
        'Voted',
        'Counted',
      ]);
    });

    it('a retry with other content returns the first result; the chain goes on from what is stored', async (test) => {
      const store = ctx.store();
      const s = ctx.scope().stream('a');
      const id = ctx.commandId('x');
      await store.append(s, [event('Opened', {})], { expected: 'noStream' });
      await lost(test, () =>
        store.append(s, [event('Voted', { choice: 'yes' }, id)], { expected: 1, commandId: id }),
      );
      const retry = await store.append(s, [retried('Voted', { choice: 'no' }, id)], {
        expected: 1,
        commandId: id,
      });
      await store.append(s, [event('Closed', {})], { expected: 2 });
      expect(await store.verifyStream(s)).toEqual({ ok: true, streams: 1, events: 3 });
      const events = await store.readStream(s);
      expect(events.map((e) => [e.type, e.data])).toEqual([
        ['Opened', {}],
        ['Voted', { choice: 'yes' }],
        ['Closed', {}],
      ]);
      expect(events[1]!.metadata).toEqual(meta(id));
      expect(events[2]!.prevHash).toBe(events[1]!.hash);
      expect(retry).toMatchObject({ nextExpectedVersion: 2, duplicate: true });
    });

    it('a group commit retried command by command, in another order, finds each command', async (test) => {
      const store = ctx.store();
      const s = ctx.scope().stream('a');
      const [a, b, c] = [ctx.commandId('a'), ctx.commandId('b'), ctx.commandId('c')];
      await store.append(s, [event('Opened', {})], { expected: 'noStream' });
      await lost(test, () =>
        store.appendGroups(
          s,
          [
            { commandId: a, events: [event('A1', {}, a), event('A2', {}, a)] },
            { commandId: b, events: [event('B1', {}, b)] },
          ],
          { expected: 1 },
        ),
      );
      const againB = await store.appendGroups(
        s,
        [{ commandId: b, events: [retried('B1', {}, b)] }],
        { expected: 4 },
      );
      const againA = await store.append(s, [retried('A1', {}, a)], {
        expected: 'any',
        commandId: a,
      });
      expect(againB).toEqual([
        expect.objectContaining({ nextExpectedVersion: 4, duplicate: true }),
      ]);
      expect(againA).toMatchObject({ nextExpectedVersion: 3, duplicate: true });
      // One atomic append: one transaction, b's events after a's.
      expect(againA.checkpoint.transactionId).toBe(againB[0]!.checkpoint.transactionId);
      expect(checkpointReached(againB[0]!.checkpoint, againA.checkpoint)).toBe(true);
      // Regrouped with a new command: refused as a whole, nothing written.
      await expect(
        store.appendGroups(
          s,
          [
            { commandId: c, events: [event('C1', {}, c)] },
            { commandId: a, events: [retried('A1', {}, a)] },
          ],
          { expected: 4 },
        ),
      ).rejects.toBeInstanceOf(EventStoreError);
      expect(await store.findCommand(c)).toBeUndefined();
      const newC = await store.appendGroups(s, [{ commandId: c, events: [event('C1', {}, c)] }], {
        expected: 4,
      });
      expect(newC).toEqual([expect.objectContaining({ nextExpectedVersion: 5, duplicate: false })]);
      expect((await store.readStream(s)).map((e) => e.type)).toEqual([
        'Opened',
        'A1',
        'A2',
        'B1',
        'C1',
      ]);
      expect(await store.verifyStream(s)).toMatchObject({ ok: true, events: 5 });
    });

    it('a command refused in a group is never reported done because its group-mate landed', async (test) => {
      const store = ctx.store();
      const s = ctx.scope().stream('a');
      const [a, b] = [ctx.commandId('a'), ctx.commandId('b')];
      await store.append(s, [event('Opened', {})], { expected: 'noStream' });
      await lost(test, () => store.append(s, [event('B1', {}, b)], { expected: 1, commandId: b }));
      // A batch decided before b landed, b among its commands: a's events never land.
      await expect(
        store.appendGroups(
          s,
          [
            { commandId: a, events: [event('A1', {}, a)] },
            { commandId: b, events: [retried('B1', {}, b)] },
          ],
          { expected: 1 },
        ),
      ).rejects.toBeInstanceOf(EventStoreError);
      expect(await store.findCommand(a)).toBeUndefined();
      expect((await store.readStream(s)).map((e) => e.type)).toEqual(['Opened', 'B1']);
      const first = await store.append(s, [event('A1', {}, a)], { expected: 2, commandId: a });
      expect(first).toMatchObject({ nextExpectedVersion: 3, duplicate: false });
    });
  });

  describe('many writers, a reader and a subscription', () => {
    it('writers retrying lost answers and conflicts: each command once, each follower sees each event once, in order', async () => {
      const store = ctx.store();
      const random = seededRandom(27);
      const { prefix, stream } = ctx.scope();
      const loseAnswers = ctx.harness().loseNextAnswer;
      const writers = 6;
      const commandsPerWriter = 20;
      const streams = [stream('s0'), stream('s1'), stream('s2')];
      const followerOf = (): { seen: string[]; checkpoint: Checkpoint } => ({
        seen: [],
        checkpoint: START,
      });
      const reader = followerOf();
      const subscriber = followerOf();
      let writing = true;
      const keep = (events: RecordedEvent[], into: { seen: string[] }) => {
        for (const e of events) {
          if (e.streamId.startsWith(prefix)) into.seen.push(`${e.streamId}@${e.streamVersion}`);
        }
      };
      const subscription = store.subscribe(
        START,
        async (events, checkpoint) => {
          keep(events, subscriber);
          subscriber.checkpoint = checkpoint;
        },
        { batchSize: 5, pollIntervalMs: 20, onError: () => {} },
      );
      const storedCount = async () =>
        (await Promise.all(streams.map((s) => store.readStream(s)))).flat().length;
      const reading = (async () => {
        let total = Number.POSITIVE_INFINITY;
        const deadline = Date.now() + 30_000;
        while (writing || reader.seen.length < total) {
          if (Date.now() > deadline) throw new Error('the reader did not reach the end');
          const batch = await store.readAll(reader.checkpoint, 7);
          if (batch.events.length === 0) {
            if (!writing && total === Number.POSITIVE_INFINITY) total = await storedCount();
            await new Promise((r) => setTimeout(r, 10));
            continue;
          }
          keep(batch.events, reader);
          reader.checkpoint = batch.checkpoint;
        }
      })();

      /** Appends one batch until it is known to be stored, as a client retrying would. */
      const appendUntilKnown = async (s: string, groups: AppendGroup[], w: number) => {
        let expected: ExpectedVersion =
          w % 2 === 0 ? 'any' : ((await store.streamHead(s))?.version ?? 0);
        for (let attempt = 0; attempt < 200; attempt++) {
          try {
            if (loseAnswers && random() < 0.15) loseAnswers(store);
            const results: AppendResult[] = await store.appendGroups(s, groups, { expected });
            return results;
          } catch (error) {
            if (error instanceof VersionConflictError) {
              expected = error.actual;
              continue;
            }
            if (error instanceof EventStoreError && error.code === 'store-unavailable') {
              // Outcome unknown: retry the same commands, decided again on a fresh read.
              expected = random() < 0.5 ? 'any' : ((await store.streamHead(s))?.version ?? 0);
              groups = groups.map((g) => ({
                ...g,
                events: g.events.map((e) =>
                  retried(e.type, { ...(e.data as { i: number }) }, g.commandId),
                ),
              }));
              continue;
            }
            if (error instanceof EventStoreError && error.code === 'invalid-event') {
              // Part of a retried group landed before: one command at a time.
              for (const g of groups) await appendUntilKnown(s, [g], w);
              return [];
            }
            throw error;
          }
        }
        throw new Error('no progress');
      };

      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          for (let i = 0; i < commandsPerWriter; i++) {
            const s = streams[(w + i) % streams.length]!;
            const ids = [ctx.commandId(`w${w}.${i}`), ctx.commandId(`w${w}.${i}b`)];
            const groups = ids.slice(0, i % 4 === 3 ? 2 : 1).map((id, k) => ({
              commandId: id,
              events: [event('Written', { i: w * 1000 + i * 10 + k }, id)],
            }));
            await appendUntilKnown(s, groups, w);
          }
        }),
      );
      writing = false;
      await reading;
      const stored = (await Promise.all(streams.map((s) => store.readStream(s)))).flat();
      const perCommand = new Map<string, number>();
      for (const e of stored) {
        const id = String(e.metadata.commandId);
        perCommand.set(id, (perCommand.get(id) ?? 0) + 1);
      }
      const expectedCommands = writers * (commandsPerWriter + Math.floor(commandsPerWriter / 4));
      expect(perCommand.size).toBe(expectedCommands);
      expect([...perCommand.values()].every((n) => n === 1)).toBe(true);
      await waitFor(() => subscriber.seen.length >= stored.length, 20_000);
      await subscription.stop();
      expect(new Set(reader.seen).size).toBe(stored.length);
      expect(reader.seen).toHaveLength(stored.length);
      expect(subscriber.seen).toEqual(reader.seen);
      for (const s of streams) {
        const versions = reader.seen
          .filter((k) => k.startsWith(`${s}@`))
          .map((k) => Number(k.split('@')[1]));
        expect(versions).toEqual(versions.map((_, i) => i + 1));
      }
      expect(await store.verifyAll({ streamPrefix: prefix })).toEqual({
        ok: true,
        streams: streams.length,
        events: stored.length,
      });
    });
  });

  describe('long runs of events that are not the port’s', () => {
    it('readAll, verifyAll and a subscription pass them and reach what follows', async () => {
      const store = ctx.store();
      const { prefix, stream } = ctx.scope();
      const before = await store.append(stream('a'), [event('Before', {})], { expected: 'any' });
      // A group commit of many commands, and refused commands: an adapter keeping records of
      // commands beside the events (KurrentDB) fills the global order with them. More than 200
      // in a row: what a reader asking for one event at a time must read through.
      const groups = Array.from({ length: 250 }, (_, i) => {
        const id = ctx.commandId(`g${i}`);
        return { commandId: id, events: [event('Grouped', { i }, id)] };
      });
      await store.appendGroups(stream('b'), groups, { expected: 'noStream' });
      for (let i = 0; i < 30; i++) {
        const id = ctx.commandId(`r${i}`);
        await expectCode(
          store.append(stream('b'), [event('Late', { i }, id)], { expected: 1, commandId: id }),
          'version-conflict',
        );
      }
      await ctx.harness().appendForeign?.(store, 300);
      const after = await store.append(stream('c'), [event('After', {})], { expected: 'any' });
      const seen: RecordedEvent[] = [];
      const subscription = store.subscribe(
        before.checkpoint,
        async (events) => {
          seen.push(...events.filter((e) => e.streamId.startsWith(prefix)));
        },
        { batchSize: 1, pollIntervalMs: 20 },
      );
      try {
        const read = await readAllToStrictly(store, before.checkpoint, after.checkpoint, prefix);
        expect(read.map((e) => e.type)).toEqual([...groups.map(() => 'Grouped'), 'After']);
        await waitFor(() => seen.length >= 251, 20_000);
        expect(seen.map((e) => e.type)).toEqual(read.map((e) => e.type));
      } finally {
        await subscription.stop();
      }
      expect(await store.verifyAll({ streamPrefix: prefix })).toEqual({
        ok: true,
        streams: 3,
        events: 252,
      });
    });
  });

  describe('subscriptions after a dropped connection', () => {
    it('resume from the last delivered checkpoint: each event once, in order', async (test) => {
      const drop = hook(test, 'dropConnections');
      const store = ctx.store();
      const { prefix, stream } = ctx.scope();
      const s = stream('a');
      const start = await store.append(s, [event('E', { n: 0 })], { expected: 'noStream' });
      const seen: number[] = [];
      const subscription = store.subscribe(
        start.checkpoint,
        async (events) => {
          for (const e of events) if (e.streamId.startsWith(prefix)) seen.push(e.data.n as number);
        },
        { batchSize: 2, pollIntervalMs: 20, onError: () => {} },
      );
      try {
        for (let n = 1; n <= 5; n++) await store.append(s, [event('E', { n })], { expected: n });
        await waitFor(() => seen.length >= 5);
        await drop(store);
        for (let n = 6; n <= 10; n++) await store.append(s, [event('E', { n })], { expected: n });
        await waitFor(() => seen.length >= 10);
        await new Promise((r) => setTimeout(r, 100));
        expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      } finally {
        await subscription.stop();
      }
    });
  });
}

/**
 * Reads the global order from `from` in batches of one until `until`. An empty batch before
 * `until` means "nothing more", which is false here: allowed only briefly (events not yet
 * visible), never as an answer to a long run of skipped records.
 */
async function readAllToStrictly(
  store: EventStore,
  from: Checkpoint,
  until: Checkpoint,
  prefix: string,
): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  let checkpoint = from;
  let emptySince: number | undefined;
  while (!checkpointReached(checkpoint, until)) {
    const batch = await store.readAll(checkpoint, 1);
    if (batch.events.length === 0) {
      emptySince ??= Date.now();
      if (Date.now() - emptySince > 5000) {
        throw new Error(
          `readAll found nothing after ${checkpoint.transactionId}:${checkpoint.globalPosition}, though events follow`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    emptySince = undefined;
    checkpoint = batch.checkpoint;
    events.push(...batch.events.filter((e) => e.streamId.startsWith(prefix)));
  }
  return events;
}
