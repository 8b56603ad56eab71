import { freePort } from '@yishi/local-postgres';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStoreError, VersionConflictError } from '../errors.ts';
import { openEventStore } from '../open.ts';
import type { Checkpoint, Json, JsonObject, NewEvent, RecordedEvent } from '../types.ts';
import { checkpointReached, START } from '../types.ts';
import { MAX_EVENT_BYTES, prepareAppend } from '../validation.ts';
import { PostgresEventStore } from './postgres-event-store.ts';
import { APPEND_ONE_SQL, SCHEMA_VERSION } from './schema.ts';

const meta = (commandId: string): JsonObject => ({
  commandId,
  actorId: 'p1',
  actorRole: 'clerk',
  occurredAt: '2026-11-21T00:00:00.000Z',
  correlationId: 'r1',
  causationId: commandId,
});

const ev = (type: string, data: JsonObject, commandId = 'c'): NewEvent => ({
  type,
  data,
  metadata: meta(commandId),
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Appends one event inside a transaction the caller controls (BEGIN before, COMMIT after). */
async function appendInOpenTransaction(
  client: pg.ClientBase,
  streamId: string,
  event: NewEvent,
): Promise<{ transactionId: bigint; globalPosition: bigint }> {
  const [prepared] = prepareAppend(streamId, [{ events: [event] }]);
  const { rows } = await client.query<{ global_position: string; txid: string }>(APPEND_ONE_SQL, [
    streamId,
    -1,
    null,
    prepared!.type,
    prepared!.schemaVersion,
    prepared!.canonicalData,
    prepared!.canonicalMetadata,
    prepared!.tail,
  ]);
  return { transactionId: BigInt(rows[0]!.txid), globalPosition: BigInt(rows[0]!.global_position) };
}

function after(a: { transactionId: bigint; globalPosition: bigint }, b: Checkpoint): boolean {
  return (
    a.transactionId > b.transactionId ||
    (a.transactionId === b.transactionId && a.globalPosition > b.globalPosition)
  );
}

/**
 * Reads from `from` until `n` events arrived. The visibility horizon is the whole server's
 * oldest running transaction, so other test files' transactions may delay (never reorder)
 * what a reader sees: poll instead of expecting it in one read.
 */
async function readUntil(
  store: PostgresEventStore,
  from: Checkpoint,
  n: number,
): Promise<{ events: RecordedEvent[]; checkpoint: Checkpoint }> {
  const events: RecordedEvent[] = [];
  let checkpoint = from;
  const deadline = Date.now() + 20_000;
  while (events.length < n && Date.now() < deadline) {
    const batch = await store.readAll(checkpoint, 100);
    if (batch.events.length === 0) {
      await sleep(10);
      continue;
    }
    events.push(...batch.events);
    checkpoint = batch.checkpoint;
  }
  return { events, checkpoint };
}

/** Follows the global order until stopped; records every event it sees. */
function follower(store: PostgresEventStore, batchSize: number) {
  const seen: RecordedEvent[] = [];
  let checkpoint: Checkpoint = START;
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const batch = await store.readAll(checkpoint, batchSize);
      if (batch.events.length === 0) {
        await sleep(2);
        continue;
      }
      for (const e of batch.events) {
        // Never backwards, never the same position twice.
        expect(after(e, checkpoint)).toBe(true);
        checkpoint = { transactionId: e.transactionId, globalPosition: e.globalPosition };
        seen.push(e);
      }
      expect(batch.checkpoint).toEqual(checkpoint);
    }
  })();
  return {
    seen,
    checkpoint: () => checkpoint,
    async stop() {
      stopped = true;
      await done;
    },
  };
}

describe('PostgresEventStore', () => {
  let url: string;
  let store: PostgresEventStore;
  let admin: pg.Pool;
  const count = async (where = 'true', values: unknown[] = []) =>
    Number(
      (
        await admin.query<{ n: string }>(
          `SELECT count(*) AS n FROM es_events WHERE ${where}`,
          values,
        )
      ).rows[0]!.n,
    );

  beforeAll(async () => {
    url = await testDatabaseUrl();
    store = new PostgresEventStore({ connectionString: url, maxConnections: 64 });
    await store.init();
    admin = new pg.Pool({ connectionString: url, max: 60 });
  });
  afterAll(async () => {
    await store?.close();
    await admin?.end();
  });

  it('64 concurrent appenders with exact versions: one winner per version, typed conflicts with the actual version', async () => {
    const s = 'race-exact';
    const rounds = 8;
    for (let v = 0; v < rounds; v++) {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 64 }, (_, w) =>
          store.append(s, [ev('Raced', { w, v })], { expected: v, commandId: `race-${v}-${w}` }),
        ),
      );
      const winners = outcomes.filter((o) => o.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      expect(
        (winners[0] as PromiseFulfilledResult<{ nextExpectedVersion: number }>).value
          .nextExpectedVersion,
      ).toBe(v + 1);
      for (const o of outcomes) {
        if (o.status === 'fulfilled') continue;
        expect(o.reason).toBeInstanceOf(VersionConflictError);
        expect(o.reason).toMatchObject({
          code: 'version-conflict',
          streamId: s,
          expected: String(v),
          actual: v + 1,
        });
      }
    }
    const events = await store.readStream(s);
    expect(events.map((e) => e.streamVersion)).toEqual(
      Array.from({ length: rounds }, (_, i) => i + 1),
    );
    expect(events.map((e) => e.data.v)).toEqual(Array.from({ length: rounds }, (_, i) => i));
    expect(await count('stream_id = $1', [s])).toBe(rounds);
    // Losers wrote nothing, not even their command ids.
    expect(await count('stream_id = $1 AND command_id IS NOT NULL', [s])).toBe(rounds);
    expect(await store.verifyStream(s)).toMatchObject({ ok: true, events: rounds });
  });

  it('64 free-running appenders (read head, append exact) leave no gap and no duplicate', async () => {
    const s = 'race-free';
    const target = 200;
    let conflicts = 0;
    const won: number[] = [];
    await Promise.all(
      Array.from({ length: 64 }, async (_, w) => {
        for (;;) {
          const head = (await store.streamHead(s))?.version ?? 0;
          if (head >= target) return;
          try {
            const r = await store.append(s, [ev('Raced', { w, head })], { expected: head });
            won.push(r.nextExpectedVersion);
          } catch (error) {
            expect(error).toBeInstanceOf(VersionConflictError);
            expect((error as VersionConflictError).actual).toBeGreaterThan(head);
            conflicts += 1;
          }
        }
      }),
    );
    won.sort((a, b) => a - b);
    expect(won).toEqual(Array.from({ length: won.length }, (_, i) => i + 1));
    const events = await store.readStream(s);
    expect(events).toHaveLength(won.length);
    for (const e of events) expect(e.data.head).toBe(e.streamVersion - 1);
    expect(conflicts).toBeGreaterThan(0);
    expect(await store.verifyStream(s)).toMatchObject({ ok: true });
  });

  describe('late commits', () => {
    it('a reader does not pass an open append, and sees every event exactly once when it commits', async () => {
      const base = await store.append('late-base', [ev('Base', {})], { expected: 'any' });
      const reader = new PostgresEventStore({ connectionString: url, maxConnections: 2 });
      const open = await admin.connect();
      try {
        // Case 1: the open transaction holds the lower position.
        await open.query('BEGIN');
        const held = await appendInOpenTransaction(open, 'late-a', ev('Held', { n: 0 }));
        const later = [];
        for (let i = 1; i <= 5; i++) {
          later.push(await store.append('late-b', [ev('Later', { n: i })], { expected: 'any' }));
        }
        for (const l of later) expect(after(l.checkpoint, held)).toBe(true);
        // Committed later appends are not visible past the open one.
        const during = await reader.readAll(base.checkpoint, 100);
        expect(during.events).toEqual([]);
        expect(during.checkpoint).toEqual(base.checkpoint);
        await open.query('COMMIT');
        const afterCommit = await readUntil(reader, base.checkpoint, 6);
        expect(afterCommit.events.map((e) => e.data.n)).toEqual([0, 1, 2, 3, 4, 5]);
        expect(afterCommit.events[0]!.globalPosition).toBe(held.globalPosition);

        // Case 2: the open transaction started first (smaller id) but inserts again after others
        // committed (larger position). Ordering by position alone would skip it.
        const from = afterCommit.checkpoint;
        await open.query('BEGIN');
        await appendInOpenTransaction(open, 'late-c2', ev('Early', { n: 0 }));
        const committed = await store.append('late-c', [ev('First', { n: 2 })], {
          expected: 'any',
        });
        const late = await appendInOpenTransaction(open, 'late-c2', ev('Late', { n: 1 }));
        expect(late.globalPosition).toBeGreaterThan(committed.lastGlobalPosition);
        expect(late.transactionId).toBeLessThan(committed.checkpoint.transactionId);
        expect((await reader.readAll(from, 100)).events).toEqual([]);
        await open.query('COMMIT');
        const both = await readUntil(reader, from, 3);
        expect(both.events.map((e) => e.data.n)).toEqual([0, 1, 2]);
        expect(both.events.map((e) => e.type)).toEqual(['Early', 'Late', 'First']);
      } finally {
        await open.query('ROLLBACK').catch(() => {});
        open.release();
        await reader.close();
      }
    });

    it('a reader is not held back by a long transaction that appends nothing', async () => {
      const base = await store.append('unheld-base', [ev('Base', {})], { expected: 'any' });
      const reader = new PostgresEventStore({ connectionString: url, maxConnections: 2 });
      const other = await admin.connect();
      try {
        // Another table's write: the transaction has an id, older than the appends below, and
        // stays open (a rebuild's batch, an index build, an operator's psql session).
        await other.query('CREATE TABLE IF NOT EXISTS unrelated_work (n int)');
        await other.query('BEGIN');
        await other.query('INSERT INTO unrelated_work VALUES (1)');
        const appended = await store.append(
          'unheld-a',
          [ev('Seen', { n: 1 }), ev('Seen', { n: 2 })],
          {
            expected: 'any',
          },
        );
        // (Polled: another test file's transaction may hold readers back a moment.)
        const read = await readUntil(reader, base.checkpoint, 2);
        expect(read.events.map((e) => e.data.n)).toEqual([1, 2]);
        expect(read.checkpoint).toEqual(appended.checkpoint);
        expect((await reader.head())?.checkpoint).toEqual(appended.checkpoint);
        expect(await reader.visibleEnd()).toEqual(appended.checkpoint);
        // It cannot append now: its events could commit behind the readers that passed it.
        await expect(appendInOpenTransaction(other, 'unheld-late', ev('Late', {}))).rejects.toThrow(
          /append in a transaction that wrote before/,
        );
      } finally {
        await other.query('ROLLBACK').catch(() => {});
        other.release();
        await reader.close();
      }
    });

    it('a transaction that will append, holding the lock but no id yet, is passed without a skip', async () => {
      const base = await store.append('nolock-base', [ev('Base', {})], { expected: 'any' });
      const reader = new PostgresEventStore({ connectionString: url, maxConnections: 2 });
      const open = await admin.connect();
      try {
        // As an append between its statement's planning (the lock) and its first row (the id).
        await open.query('BEGIN');
        await open.query('LOCK TABLE es_events IN ROW EXCLUSIVE MODE');
        const before = await store.append('nolock-a', [ev('Before', { n: 1 })], {
          expected: 'any',
        });
        const read = await readUntil(reader, base.checkpoint, 1);
        expect(read.events.map((e) => e.data.n)).toEqual([1]);
        // Its id, taken now, is newer than every event read: it comes after them.
        const held = await appendInOpenTransaction(open, 'nolock-late', ev('After', { n: 2 }));
        expect(held.transactionId).toBeGreaterThan(before.checkpoint.transactionId);
        const after = await store.append('nolock-a', [ev('Later', { n: 3 })], { expected: 'any' });
        expect((await reader.readAll(read.checkpoint, 100)).events).toEqual([]);
        await open.query('COMMIT');
        const rest = await readUntil(reader, read.checkpoint, 2);
        expect(rest.events.map((e) => e.data.n)).toEqual([2, 3]);
        expect(rest.checkpoint).toEqual(after.checkpoint);
      } finally {
        await open.query('ROLLBACK').catch(() => {});
        open.release();
        await reader.close();
      }
    });

    it('10,000 appends from 50 writers with random delays: a following reader and a subscription see each exactly once', async () => {
      const db = await testDatabaseUrl();
      const writerStore = new PostgresEventStore({ connectionString: db, maxConnections: 40 });
      await writerStore.init();
      const readerStore = new PostgresEventStore({ connectionString: db, maxConnections: 4 });
      const slow = new pg.Pool({ connectionString: db, max: 10 });
      const total = 10_000;
      const writers = 50;
      const perWriter = total / writers;
      const reader = follower(readerStore, 500);
      const subscribed = new Map<string, number>();
      const subscription = readerStore.subscribe(
        START,
        async (events) => {
          for (const e of events)
            subscribed.set(e.data.id as string, (subscribed.get(e.data.id as string) ?? 0) + 1);
        },
        { batchSize: 1000, pollIntervalMs: 200 },
      );
      try {
        await Promise.all(
          Array.from({ length: writers }, async (_, w) => {
            let own = 0;
            for (let i = 0; i < perWriter; i++) {
              const id = `${w}.${i}`;
              const roll = Math.random();
              if (roll < 0.1) {
                // A slow committer: the append's transaction stays open a while.
                const client = await slow.connect();
                try {
                  await client.query('BEGIN');
                  // Its own stream: this raw append does not retry a lost race.
                  await appendInOpenTransaction(client, `slow-${w}`, ev('Slow', { id }));
                  await sleep(Math.random() * 15);
                  await client.query('COMMIT');
                } finally {
                  client.release();
                }
              } else if (roll < 0.4) {
                await writerStore.append(`shared-${w % 7}`, [ev('Shared', { id })], {
                  expected: 'any',
                  commandId: `cmd-${id}`,
                });
              } else {
                await writerStore.append(`own-${w}`, [ev('Own', { id })], {
                  expected: own,
                  commandId: `cmd-${id}`,
                });
                own += 1;
              }
              if (Math.random() < 0.3) await sleep(Math.random() * 3);
            }
          }),
        );
        const deadline = Date.now() + 30_000;
        while ((reader.seen.length < total || subscribed.size < total) && Date.now() < deadline) {
          await sleep(20);
        }
      } finally {
        await reader.stop();
        await subscription.stop();
      }
      const ids = reader.seen.map((e) => e.data.id as string);
      expect(ids).toHaveLength(total);
      expect(new Set(ids).size).toBe(total);
      expect(subscribed.size).toBe(total);
      expect([...subscribed.values()].every((n) => n === 1)).toBe(true);
      // Per stream, the reader saw versions in order without gaps.
      const versions = new Map<string, number>();
      for (const e of reader.seen) {
        expect(e.streamVersion).toBe((versions.get(e.streamId) ?? 0) + 1);
        versions.set(e.streamId, e.streamVersion);
      }
      expect(await writerStore.verifyAll()).toMatchObject({ ok: true, events: total });
      await Promise.all([writerStore.close(), readerStore.close(), slow.end()]);
    });
  });

  describe('tampering', () => {
    it('refuses UPDATE, DELETE and TRUNCATE of stored events', async () => {
      await store.append('tamper-guard', [ev('A', { v: 1 })], { expected: 'noStream' });
      await expect(
        admin.query(`UPDATE es_events SET data = '{}' WHERE stream_id = 'tamper-guard'`),
      ).rejects.toThrow(/append-only/);
      await expect(
        admin.query(`DELETE FROM es_events WHERE stream_id = 'tamper-guard'`),
      ).rejects.toThrow(/append-only/);
      await expect(admin.query('TRUNCATE es_events')).rejects.toThrow(/append-only/);
      expect(await store.verifyStream('tamper-guard')).toMatchObject({ ok: true, events: 1 });
    });

    const bypass = async (sql: string, values: unknown[] = []) => {
      const client = await admin.connect();
      try {
        await client.query('BEGIN');
        await client.query('ALTER TABLE es_events DISABLE TRIGGER es_events_append_only');
        await client.query(sql, values);
        await client.query('ALTER TABLE es_events ENABLE TRIGGER es_events_append_only');
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    };

    it('an UPDATE of one stored row by hand is found by verifyStream, naming stream and position', async () => {
      const s = 'proposal-tamper.1';
      await store.append(
        s,
        [ev('ProposalSubmitted', { title: '加装电梯' }), ev('OptionAdded', { label: 'A' })],
        { expected: 'noStream' },
      );
      await store.append(s, [ev('BallotCast', { option: 'A', area: 89.5 })], { expected: 2 });
      await store.append('proposal-tamper.2', [ev('ProposalSubmitted', {})], {
        expected: 'noStream',
      });
      expect(await store.verifyStream(s)).toMatchObject({ ok: true, events: 3 });
      await bypass(
        `UPDATE es_events SET data = '{"option":"B","area":89.5}' WHERE stream_id = $1 AND stream_version = 3`,
        [s],
      );
      const result = await store.verifyStream(s);
      expect(result).toMatchObject({
        ok: false,
        firstBroken: { streamId: s, streamVersion: 3, reason: 'content does not match its hash' },
      });
      const all = await store.verifyAll({ streamPrefix: 'proposal-tamper.' });
      expect(all.firstBroken).toMatchObject({ streamId: s, streamVersion: 3 });
      expect(await store.verifyStream('proposal-tamper.2')).toMatchObject({ ok: true });
    });

    it('finds altered metadata, a deleted event, and a recomputed hash', async () => {
      const mk = async (s: string) =>
        store.append(s, [ev('A', { n: 1 }), ev('B', { n: 2 }), ev('C', { n: 3 })], {
          expected: 'noStream',
        });
      await mk('tamper-meta');
      await bypass(
        `UPDATE es_events SET metadata = (metadata::jsonb || '{"actorId":"someone-else"}')::json WHERE stream_id = 'tamper-meta' AND stream_version = 1`,
      );
      expect((await store.verifyStream('tamper-meta')).firstBroken).toMatchObject({
        streamId: 'tamper-meta',
        streamVersion: 1,
      });
      await mk('tamper-delete');
      await bypass(
        `DELETE FROM es_events WHERE stream_id = 'tamper-delete' AND stream_version = 2`,
      );
      expect((await store.verifyStream('tamper-delete')).firstBroken).toMatchObject({
        streamId: 'tamper-delete',
        streamVersion: 3,
        reason: 'expected version 2, found 3',
      });
      // Rewriting an event and its own hash still breaks the link from the next event.
      await mk('tamper-rehash');
      await bypass(
        `UPDATE es_events SET data = '{"n":20}', hash = repeat('a', 64) WHERE stream_id = 'tamper-rehash' AND stream_version = 2`,
      );
      expect((await store.verifyStream('tamper-rehash')).firstBroken).toMatchObject({
        streamId: 'tamper-rehash',
        streamVersion: 2,
      });
    });
  });

  describe('bad input', () => {
    it('typed errors and not a single row written', async () => {
      const before = await count();
      const attempts: Promise<unknown>[] = [
        store.append('proposal-ok', [ev('A', { big: 'x'.repeat(MAX_EVENT_BYTES + 1) })], {
          expected: 'any',
        }),
        store.append('Bad Stream', [ev('A', {})], { expected: 'any' }),
        store.append("proposal-x'; DROP TABLE es_events; --", [ev('A', {})], { expected: 'any' }),
        store.append(
          'proposal-ok',
          [{ type: 'A', data: { when: new Date() } as unknown as JsonObject, metadata: {} }],
          {
            expected: 'any',
          },
        ),
        store.append('proposal-ok', [{ type: 'A', data: { s: 'a\u0000b' }, metadata: {} }], {
          expected: 'any',
        }),
        store.append('proposal-ok', [{ type: 'A', data: { s: '\udfff' }, metadata: {} }], {
          expected: 'any',
        }),
        store.append(
          'proposal-ok',
          [ev('A', {}), { type: 'B', data: { n: Number.NaN }, metadata: {} }],
          {
            expected: 'any',
          },
        ),
        store.append('proposal-ok', 'not events' as unknown as NewEvent[], { expected: 'any' }),
        store.append('proposal-ok', [ev('A', {})], null as unknown as { expected: 'any' }),
      ];
      for (const attempt of attempts) {
        await expect(attempt).rejects.toBeInstanceOf(EventStoreError);
      }
      expect(await count()).toBe(before);
    });

    it('an unreachable server is a typed store-unavailable error', async () => {
      const port = await freePort();
      const down = new PostgresEventStore({
        connectionString: `postgres://postgres:x@127.0.0.1:${port}/none`,
      });
      await expect(
        down.append('proposal-x', [ev('A', {})], { expected: 'any' }),
      ).rejects.toMatchObject({
        code: 'store-unavailable',
      });
      await expect(down.readAll(START, 10)).rejects.toMatchObject({ code: 'store-unavailable' });
      await down.close();
    });
  });

  describe('wake-up hints', () => {
    it('a NOTIFY from another store instance wakes a subscription long before its poll', async () => {
      const writer = new PostgresEventStore({ connectionString: url });
      const start = await writer.append('notify-a', [ev('A', {})], { expected: 'any' });
      const seen: string[] = [];
      const subscription = store.subscribe(
        start.checkpoint,
        async (events) => {
          for (const e of events) seen.push(e.type);
        },
        { pollIntervalMs: 60_000 },
      );
      try {
        await sleep(300); // catch-up done, listening
        const t0 = Date.now();
        await writer.append('notify-a', [ev('B', {})], { expected: 'any' });
        while (seen.length === 0 && Date.now() - t0 < 10_000) await sleep(5);
        expect(seen).toEqual(['B']);
        expect(Date.now() - t0).toBeLessThan(5_000);
      } finally {
        await subscription.stop();
        await writer.close();
      }
    });

    it('without notifications, polling still delivers', async () => {
      const quiet = new PostgresEventStore({ connectionString: url, notify: false });
      const start = await quiet.append('notify-b', [ev('A', {})], { expected: 'any' });
      const reader = new PostgresEventStore({ connectionString: url });
      const seen: string[] = [];
      const subscription = reader.subscribe(
        start.checkpoint,
        async (events) => {
          for (const e of events) seen.push(e.type);
        },
        { pollIntervalMs: 100 },
      );
      try {
        await sleep(150);
        await quiet.append('notify-b', [ev('B', {})], { expected: 'any' });
        const t0 = Date.now();
        while (seen.length === 0 && Date.now() - t0 < 10_000) await sleep(10);
        expect(seen).toEqual(['B']);
      } finally {
        await subscription.stop();
        await Promise.all([quiet.close(), reader.close()]);
      }
    });
  });

  describe('schema', () => {
    it('migrates concurrently and repeatedly without harm', async () => {
      const db = await testDatabaseUrl();
      const stores = Array.from(
        { length: 5 },
        () => new PostgresEventStore({ connectionString: db }),
      );
      await Promise.all(stores.map((s) => s.init()));
      await stores[0]!.append('schema-a', [ev('A', {})], { expected: 'noStream' });
      const again = new PostgresEventStore({ connectionString: db });
      await again.init();
      expect(await again.readStream('schema-a')).toHaveLength(1);
      await Promise.all([...stores, again].map((s) => s.close()));
    });

    it('upgrades a version 1 schema (jsonb columns) in place', async () => {
      const db = await testDatabaseUrl();
      const raw = new pg.Client({ connectionString: db });
      await raw.connect();
      await raw.query(`
        CREATE TABLE es_schema (version integer NOT NULL);
        INSERT INTO es_schema VALUES (1);
        CREATE TABLE es_events (
          global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
          stream_id text COLLATE "C" NOT NULL, stream_version bigint NOT NULL,
          type text NOT NULL, schema_version integer NOT NULL,
          data jsonb NOT NULL, metadata jsonb NOT NULL, command_id text COLLATE "C",
          recorded_at timestamptz NOT NULL DEFAULT now(), prev_hash text NOT NULL, hash text NOT NULL,
          CONSTRAINT es_events_stream_version UNIQUE (stream_id, stream_version));
        CREATE FUNCTION es_append(text, bigint, text[], text[], boolean)
          RETURNS TABLE (head bigint, positions bigint[], txid text) LANGUAGE sql AS 'SELECT 0::bigint, NULL::bigint[], NULL::text';`);
      const v1 = new PostgresEventStore({ connectionString: db });
      await v1.init();
      await v1.append('upgrade-a', [ev('A', { n: 1 }), ev('B', { n: 2 })], {
        expected: 'noStream',
      });
      expect(await v1.verifyStream('upgrade-a')).toMatchObject({ ok: true, events: 2 });
      const { rows } = await raw.query(
        `SELECT data_type FROM information_schema.columns WHERE table_name = 'es_events' AND column_name IN ('data', 'metadata')`,
      );
      expect(rows.map((r) => r.data_type)).toEqual(['json', 'json']);
      expect((await raw.query('SELECT max(version) AS v FROM es_schema')).rows[0].v).toBe(
        SCHEMA_VERSION,
      );
      await raw.end();
      await v1.close();
    });

    it('upgrades a version 3 schema: the community of every stored event, indexed', async () => {
      const db = await testDatabaseUrl();
      const v3 = new PostgresEventStore({ connectionString: db });
      await v3.init();
      await v3.append('proposal-c1.p1', [ev('A', {})], { expected: 'noStream' });
      await v3.append('registry-c2', [ev('B', {})], { expected: 'noStream' });
      await v3.append('audit-Upper', [ev('C', {})], { expected: 'noStream' });
      const raw = new pg.Client({ connectionString: db });
      await raw.connect();
      await raw.query(`DROP INDEX es_events_community;
        ALTER TABLE es_events DROP COLUMN community_id; UPDATE es_schema SET version = 3`);
      await v3.close();
      const v4 = new PostgresEventStore({ connectionString: db });
      await v4.init();
      const { rows } = await raw.query(
        'SELECT stream_id, community_id FROM es_events ORDER BY global_position',
      );
      expect(rows).toEqual([
        { stream_id: 'proposal-c1.p1', community_id: 'c1' },
        { stream_id: 'registry-c2', community_id: 'c2' },
        { stream_id: 'audit-Upper', community_id: null },
      ]);
      expect(
        (await raw.query(`SELECT to_regclass('es_events_community') IS NOT NULL AS ok`)).rows[0].ok,
      ).toBe(true);
      expect((await raw.query('SELECT max(version) AS v FROM es_schema')).rows[0].v).toBe(
        SCHEMA_VERSION,
      );
      await raw.end();
      await v4.close();
    });

    it('keeps the events in EVENTS_DATABASE_URL when it is given, apart from the read models', async () => {
      const [readModels, events] = await Promise.all([testDatabaseUrl(), testDatabaseUrl()]);
      const opened = await openEventStore({ databaseUrl: readModels, eventsDatabaseUrl: events });
      await opened.append('apart-a', [ev('A', {})], { expected: 'noStream' });
      await opened.close();
      const tableIn = async (url: string) => {
        const raw = new pg.Client({ connectionString: url });
        await raw.connect();
        const { rows } = await raw.query(`SELECT to_regclass('es_events') IS NOT NULL AS found`);
        await raw.end();
        return rows[0].found as boolean;
      };
      expect(await tableIn(events)).toBe(true);
      expect(await tableIn(readModels)).toBe(false);
    });

    it('refuses a pre-release layout with a message that says what to do', async () => {
      const db = await testDatabaseUrl();
      const raw = new pg.Client({ connectionString: db });
      await raw.connect();
      await raw.query('CREATE TABLE es_events (global_position bigint)');
      await raw.end();
      const old = new PostgresEventStore({ connectionString: db });
      await expect(old.init()).rejects.toThrow(/pre-release layout/);
      await old.close();
    });
  });

  it('reads one community in the global order, up to a checkpoint, in batches', async () => {
    const a1 = await store.append('proposal-rc1.p1', [ev('A', { n: 1 })], { expected: 'any' });
    await store.append('proposal-rc2.p1', [ev('A', { n: 2 })], { expected: 'any' });
    await store.append('registry-rc1', [ev('B', { n: 3 }), ev('B', { n: 4 })], {
      expected: 'any',
    });
    const last = await store.append('session-rc1.s1', [ev('C', { n: 5 })], { expected: 'any' });
    await store.append('session-rc1.s2', [ev('C', { n: 6 })], { expected: 'any' });
    const until = last.checkpoint;
    await readUntil(store, until, 1);
    const first = await store.readCommunity('rc1', START, until, 2);
    expect(first.events.map((e) => e.data.n)).toEqual([1, 3]);
    const rest = await store.readCommunity('rc1', first.checkpoint, until, 2);
    expect(rest.events.map((e) => e.data.n)).toEqual([4, 5]);
    const end = await store.readCommunity('rc1', rest.checkpoint, until, 2);
    expect(end).toEqual({ events: [], checkpoint: until });
    expect(a1.checkpoint.globalPosition).toBeLessThan(until.globalPosition);
  });

  it('readers of the same batch at the same time share one read, but never an empty one', async () => {
    const before = await store.append('share-a', [ev('A', {})], { expected: 'any' });
    await store.append('share-a', [ev('B', {}), ev('C', {})], { expected: 'any' });
    await readUntil(store, before.checkpoint, 2);
    const [a, b] = await Promise.all([
      store.readAll(before.checkpoint, 2),
      store.readAll(before.checkpoint, 2),
    ]);
    expect(a.events.map((e) => e.type)).toEqual(['B', 'C']);
    expect(b).toBe(a);
    expect(Object.isFrozen(a.events)).toBe(true);
    // At the head: the first answer is empty, and the second reader asks for itself.
    const [x, y] = await Promise.all([
      store.readAll(a.checkpoint, 2),
      store.readAll(a.checkpoint, 2),
    ]);
    expect(x.events).toHaveLength(0);
    expect(y.events).toHaveLength(0);
    expect(y).not.toBe(x);
  });

  it('reads only the given event types up to a bound, and a short batch ends at the bound', async () => {
    const from = (await store.head())?.checkpoint ?? START;
    await store.append('types-a', [ev('Kept', { n: 1 }), ev('Other', {}), ev('Kept', { n: 2 })], {
      expected: 'any',
    });
    const until = (await store.head())!;
    await store.append('types-a', [ev('Kept', { n: 3 })], { expected: 'any' });
    const first = await store.readAllOfTypes(from, until.checkpoint, 1, ['Kept']);
    expect(first.events.map((e) => e.data.n)).toEqual([1]);
    expect(first.checkpoint).toEqual({
      transactionId: first.events[0]!.transactionId,
      globalPosition: first.events[0]!.globalPosition,
    });
    // Past the event of another type, up to the bound and not beyond it.
    const rest = await store.readAllOfTypes(first.checkpoint, until.checkpoint, 10, ['Kept']);
    expect(rest.events.map((e) => e.data.n)).toEqual([2]);
    expect(rest.checkpoint).toEqual(until.checkpoint);
    const all = await store.readAllOfTypes(from, until.checkpoint, 10, undefined);
    expect(all.events.map((e) => e.type)).toEqual(['Kept', 'Other', 'Kept']);
    // The head counts every event up to it (not the one appended after).
    expect(until.events).toBe(
      await count('(transaction_id, global_position) <= ($1::xid8, $2::bigint)', [
        until.checkpoint.transactionId.toString(),
        until.checkpoint.globalPosition.toString(),
      ]),
    );
    // Another pool on the same database is recognised; one on another database is not.
    const same = new pg.Pool({ connectionString: url, max: 1 });
    try {
      expect(await store.sharesDatabaseWith((text) => same.query<{ id: string }>(text))).toBe(true);
      const elsewhere = new URL(url);
      elsewhere.pathname = '/postgres';
      const other = new pg.Pool({ connectionString: elsewhere.toString(), max: 1 });
      try {
        expect(await store.sharesDatabaseWith((text) => other.query<{ id: string }>(text))).toBe(
          false,
        );
      } finally {
        await other.end();
      }
    } finally {
      await same.end();
    }
  });

  it('leaves out the members a reader of a type says it never reads, and nothing else', async () => {
    const from = (await store.head())?.checkpoint ?? START;
    const electorate: Json[] = [
      { voterId: 'o1', name: '业主 "甲" ]}' },
      { voterId: 'o2', heads: 1 },
    ];
    await store.append(
      'omit-a',
      [
        ev('Opened', { voteId: 'v1', electorate, nested: { electorate: [1] }, at: 'x' }),
        ev('Other', { electorate, n: 2 }),
      ],
      { expected: 'any' },
    );
    const until = (await store.head())!.checkpoint;
    const read = await store.readAllOfTypes(from, until, 10, undefined, {
      Opened: ['electorate'],
    });
    expect(read.events.map((e) => [e.type, e.data])).toEqual([
      ['Opened', { voteId: 'v1', nested: { electorate: [1] }, at: 'x' }],
      ['Other', { electorate, n: 2 }],
    ]);
    // The rest of the event is as a read without omissions has it.
    const whole = await store.readAllOfTypes(from, until, 10, undefined);
    expect(read.events.map(({ data: _, ...rest }) => rest)).toEqual(
      whole.events.map(({ data: _, ...rest }) => rest),
    );
    expect(whole.events[0]!.data.electorate).toEqual(electorate);
  });

  it('a checkpoint from an append is reached by a reader exactly when the append is visible', async () => {
    const before = await store.append('cp-a', [ev('A', {})], { expected: 'any' });
    const r = await store.append('cp-a', [ev('B', {}), ev('C', {})], { expected: 'any' });
    const { events, checkpoint } = await readUntil(store, before.checkpoint, 2);
    expect(events.map((e) => e.type)).toEqual(['B', 'C']);
    expect(checkpoint).toEqual(r.checkpoint);
    expect(checkpointReached(checkpoint, r.checkpoint)).toBe(true);
  });
});
