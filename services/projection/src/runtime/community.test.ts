import { PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, poolOf } from '../db.ts';
import { migrateReadModels } from '../migrations/index.ts';
import { projections } from '../projections/index.ts';
import type { Projection } from '../projections/projection.ts';
import type { Database } from '../tables.ts';
import { BulkWriter } from '../testing/bulk.ts';
import { generateDistrict } from '../testing/generate.ts';
import { Random } from '../testing/random.ts';
import { Simulator } from '../testing/simulate.ts';
import { applyBatch, batchLockSql } from './apply.ts';
import { NotPerCommunity, rebuildCommunity } from './community.ts';
import { activeGeneration, loadCheckpoint } from './generations.ts';
import { rebuild } from './rebuild.ts';

let store: PostgresEventStore;
let db: Kysely<Database>;

beforeAll(async () => {
  const url = await testDatabaseUrl();
  store = new PostgresEventStore({ connectionString: url });
  await store.init();
  db = createDb(url, 20);
  await migrateReadModels(db);
  const writer = new BulkWriter(poolOf(db));
  await generateDistrict(new Simulator(writer, new Random(27)), {
    events: 8_000,
    count: () => writer.count,
    random: new Random(3),
  });
  await writer.flush();
  await rebuild(store, db, projections, { graceMs: 0 });
}, 120_000);
afterAll(async () => {
  await db?.destroy();
  await store?.close();
});

/** Each table's rows, per community, as one digest. */
async function digests(projection: Projection): Promise<Map<string, string>> {
  const schema = (await activeGeneration(db, projection.name))!.schema;
  const out = new Map<string, string>();
  for (const table of projection.tables) {
    const { rows } = await sql<{ community_id: string; digest: string }>`
      SELECT r.community_id, md5(string_agg(to_jsonb(r)::text, ',' ORDER BY to_jsonb(r)::text)) AS digest
        FROM ${sql.table(`${schema}.${table}`)} r GROUP BY r.community_id`.execute(db);
    for (const row of rows) out.set(`${table} ${row.community_id}`, row.digest);
  }
  return out;
}

async function deleteCommunity(projection: Projection, communityId: string): Promise<void> {
  const schema = (await activeGeneration(db, projection.name))!.schema;
  for (const table of projection.tables) {
    await sql`DELETE FROM ${sql.table(`${schema}.${table}`)} WHERE community_id = ${communityId}`.execute(
      db,
    );
  }
}

describe('rebuildCommunity', () => {
  it("rebuilds one community's rows in the active generations and leaves the others", async () => {
    const before = new Map<string, Map<string, string>>();
    for (const p of projections) before.set(p.name, await digests(p));
    expect([...before.get('timeline')!.keys()]).toContain('timeline c2');
    // Lost rows of two communities (as a projection bug or a bad restore would leave them).
    for (const p of projections) {
      await deleteCommunity(p, 'c1');
      await deleteCommunity(p, 'c2');
    }
    const done = await rebuildCommunity(store, db, projections, 'c1', { batchSize: 500 });
    expect(done.map((d) => d.projection)).toEqual(projections.map((p) => p.name));
    expect(done.find((d) => d.projection === 'timeline')!.events).toBeGreaterThan(500);
    for (const p of projections) {
      const after = await digests(p);
      const expected = [...before.get(p.name)!].filter(([key]) => !key.endsWith(' c2'));
      expect(new Map([...after].sort()), p.name).toEqual(new Map(expected.sort()));
    }
  });

  it('writes nothing when the rows of the community are right', async () => {
    const before = new Map<string, Map<string, string>>();
    for (const p of projections) before.set(p.name, await digests(p));
    const done = await rebuildCommunity(store, db, projections, 'c1');
    expect(done.find((d) => d.projection === 'timeline')!.events).toBeGreaterThan(500);
    expect(done.map((d) => [d.projection, d.written])).toEqual(projections.map((p) => [p.name, 0]));
    for (const p of projections) expect(await digests(p), p.name).toEqual(before.get(p.name));
  });

  it("repairs a community's changed, lost and extra rows exactly, and writes only those", async () => {
    const timeline = projections.find((p) => p.name === 'timeline')!;
    const proposals = projections.find((p) => p.name === 'proposals')!;
    const before = new Map([
      [timeline, await digests(timeline)],
      [proposals, await digests(proposals)],
    ]);
    const timelineSchema = (await activeGeneration(db, 'timeline'))!.schema;
    const proposalsSchema = (await activeGeneration(db, 'proposals'))!.schema;
    const line = sql.table(`${timelineSchema}.timeline`);
    const presence = sql.table(`${proposalsSchema}.presence`);
    // presence has no unique key: compared as a multiset, replaced whole when it differs.
    const voted = await sql<{ community_id: string; n: number }>`
      SELECT community_id, count(*)::int AS n FROM ${presence} GROUP BY community_id
       ORDER BY n DESC, community_id LIMIT 2`.execute(db);
    expect(voted.rows).toHaveLength(2);
    const [damaged, other] = voted.rows.map((r) => r.community_id) as [string, string];
    const corrupt = async (cid: string) => {
      const lines = await sql<{ global_position: string }>`
        SELECT global_position FROM ${line} WHERE community_id = ${cid}
         ORDER BY global_position LIMIT 2`.execute(db);
      const [changed, lost] = lines.rows.map((r) => r.global_position) as [string, string];
      await sql`UPDATE ${line} SET details = '{"wrong":true}' WHERE global_position = ${changed}`.execute(
        db,
      );
      await sql`DELETE FROM ${line} WHERE global_position = ${lost}`.execute(db);
      // An extra line: a copy of one at a position no event has.
      await sql`INSERT INTO ${line} (global_position, transaction_id, stream_id, stream_version,
                  community_id, type, recorded_at, details, hash)
                SELECT -global_position, transaction_id, stream_id || '-extra', stream_version,
                       community_id, type, recorded_at, details, hash
                  FROM ${line} WHERE global_position = ${changed}`.execute(db);
      // A second copy of a presence row.
      await sql`INSERT INTO ${presence} SELECT * FROM ${presence} WHERE community_id = ${cid}
                 ORDER BY global_position LIMIT 1`.execute(db);
    };
    await corrupt(damaged);
    await corrupt(other);
    const presenceRows = voted.rows[0]!.n;
    const done = await rebuildCommunity(store, db, [timeline, proposals], damaged);
    // Timeline: the changed line replaced (2), the lost one inserted (1), the extra deleted (1).
    // Presence: every row of the community deleted (with the copy) and inserted again.
    expect(done.map((d) => [d.projection, d.written])).toEqual([
      ['timeline', 4],
      ['proposals', presenceRows + 1 + presenceRows],
    ]);
    for (const p of [timeline, proposals]) {
      const after = await digests(p);
      const expected = before.get(p)!;
      for (const [key, digest] of expected) {
        if (
          key.endsWith(` ${other}`) &&
          (key.startsWith('timeline ') || key.startsWith('presence '))
        )
          expect(after.get(key), key).not.toEqual(digest);
        else expect(after.get(key), key).toEqual(digest);
      }
      expect([...after.keys()].sort()).toEqual([...expected.keys()].sort());
    }
    // The other community's damage is its own rebuild's to repair.
    await rebuildCommunity(store, db, [timeline, proposals], other);
    for (const p of [timeline, proposals]) expect(await digests(p), p.name).toEqual(before.get(p));
  });

  it('refuses a projection with a table that has no community column', async () => {
    const timeline = projections.find((p) => p.name === 'timeline')!;
    const schema = (await activeGeneration(db, 'timeline'))!.schema;
    await sql`ALTER TABLE ${sql.table(`${schema}.timeline_agenda`)} RENAME COLUMN community_id TO cid`.execute(
      db,
    );
    try {
      await expect(rebuildCommunity(store, db, [timeline], 'c1')).rejects.toThrow(NotPerCommunity);
    } finally {
      await sql`ALTER TABLE ${sql.table(`${schema}.timeline_agenda`)} RENAME COLUMN cid TO community_id`.execute(
        db,
      );
    }
  });

  it("makes the live projector's next batch wait while a community is replaced", async () => {
    const timeline = projections.find((p) => p.name === 'timeline')!;
    const schema = (await activeGeneration(db, 'timeline'))!.schema;
    const checkpoint = await loadCheckpoint(db, schema);
    const holder = await poolOf(db).connect();
    try {
      await holder.query(`BEGIN; ${batchLockSql([schema], false)}`);
      let applied = false;
      const batch = applyBatch(
        db,
        [{ projection: timeline, schema, checkpoint }],
        [],
        checkpoint,
      ).then(() => {
        applied = true;
      });
      // The batch's session waits on the advisory lock (seen by the database, not by a timer).
      for (;;) {
        const { rows } = await holder.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE wait_event_type = 'Lock' AND wait_event = 'advisory' AND datname = current_database()`,
        );
        if (rows[0].n > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(applied).toBe(false);
      await holder.query('COMMIT');
      await batch;
      expect(applied).toBe(true);
    } finally {
      holder.release();
    }
  });
});
