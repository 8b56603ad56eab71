import {
  checkpointReached,
  PostgresEventStore,
  type RecordedEvent,
  START,
} from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createDb, poolOf } from '../db.ts';
import { migrateReadModels } from '../migrations/index.ts';
import { isBallot } from '../projections/ballots.ts';
import { projections } from '../projections/index.ts';
import type { Projection } from '../projections/projection.ts';
import { proposalsProjection } from '../projections/proposals.ts';
import { registryProjection } from '../projections/registry.ts';
import type { Database } from '../tables.ts';
import { differencesFromActive } from '../testing/compare.ts';
import { Random } from '../testing/random.ts';
import { Simulator } from '../testing/simulate.ts';
import { catchUp } from './catch-up.ts';
import {
  activeGeneration,
  dropDiscontinued,
  dropGeneration,
  ensureActiveGeneration,
  generationStatus,
  indexGeneration,
  listGenerations,
  startBuilding,
  switchTo,
} from './generations.ts';
import { Projector } from './projector.ts';
import { rebuild } from './rebuild.ts';

let store: PostgresEventStore;
let db: Kysely<Database>;
let url: string;

/** Read models the random commands fill (others may have tables they never reach). */
const EXERCISED = ['timeline', 'registry', 'proposals', 'electorates', 'sessions'];

const fast = {
  pollIntervalMs: 20,
  lockRetryMs: 50,
  heartbeatMs: 100,
  leaseMs: 1000,
  switchCheckMs: 50,
};

beforeAll(async () => {
  url = await testDatabaseUrl();
  store = new PostgresEventStore({ connectionString: url });
  db = createDb(url, 30);
  await migrateReadModels(db);
});
afterAll(async () => {
  await db.destroy();
  await store.close();
});

async function caughtUp(projectors: readonly Projector[], sim: Simulator): Promise<void> {
  const target = sim.last!.checkpoint;
  for (const p of projectors) expect(await p.waitFor(target, 20_000)).toBe(true);
}

describe('projector runtime', () => {
  it('builds the same tables live as a rebuild from zero (random valid command sequences)', async () => {
    const sim = new Simulator(store, new Random(20261122));
    // Small, varied batches live; one big read in the rebuild.
    const live = projections.map(
      (p, i) => new Projector(store, db, p, { ...fast, batchSize: 3 + i * 4 }),
    );
    for (const p of live) await p.start();
    try {
      for (const cid of ['c1', 'c2', 'c3']) await sim.registerCommunity(cid);
      for (let i = 0; i < 1200; i++) {
        const cid = `c${1 + (i % 3)}`;
        if (i % 100 === 0) await sim.ownersDecision(cid, `p${i}`, 5 + (i % 30));
        else if (i % 100 === 50) await sim.jointSession(cid, `p${i}`, `s${i}`);
        else if (i % 100 === 75) await sim.residentsMeeting(cid, `p${i}`, 10 + (i % 7));
        else await sim.randomRegistryCommand(cid);
      }
      expect(sim.accepted).toBeGreaterThan(600);
      await caughtUp(live, sim);
    } finally {
      for (const p of live) await p.stop();
    }

    const before = new Map<string, string>();
    for (const p of projections) before.set(p.name, (await activeGeneration(db, p.name))!.schema);
    const built = await rebuild(store, db, projections, { switch: false, batchSize: 5000 });
    expect(checkpointReached(built.checkpoint, sim.last!.checkpoint)).toBe(true);
    // Those that can are built set-based in the database, the others from filtered reads: the
    // comparison below holds their SQL to what `apply` writes live.
    expect(built.builtInDatabase.sort()).toEqual(['electorates', 'timeline']);
    for (const d of await differencesFromActive(db, projections, built.generations)) {
      expect(d, `${d.projection}.${d.table}`).toMatchObject({ onlyInFirst: 0, onlyInSecond: 0 });
      // The simulation reaches every table of these read models.
      if (EXERCISED.includes(d.projection)) expect(d.rows, d.table).toBeGreaterThan(0);
    }
    // Both the live and the rebuilt generations carry the projections' extended statistics.
    for (const [i, projection] of projections.entries()) {
      for (const schema of [before.get(projection.name)!, built.generations[i]!.schema]) {
        const { rows: stats } = await sql<{ name: string }>`
          SELECT s.stxname AS name FROM pg_statistic_ext s
            JOIN pg_namespace n ON n.oid = s.stxnamespace WHERE n.nspname = ${schema}`.execute(db);
        expect(stats.map((r) => r.name).sort(), schema).toEqual(
          (projection.statistics ?? []).map((st) => st.name).sort(),
        );
      }
    }
    await switchTo(db, built.generations);
    const statuses = await listGenerations(db);
    expect(
      statuses
        .filter((g) => g.status === 'active')
        .map((g) => g.schema_name)
        .sort(),
    ).toEqual(built.generations.map((g) => g.schema).sort());
    // Exactly once: each checkpoint counts the events up to it (a live projector writes the
    // checkpoint of batches with nothing for it later, so it may stand a little behind).
    const { rows } = await sql<{ schema_name: string; events: string; n: string }>`
      SELECT c.schema_name, c.events::text AS events, (SELECT count(*) FROM es_events e
        WHERE (e.transaction_id::text::int8, e.global_position) <= (c.transaction_id, c.global_position))::text AS n
        FROM projection_checkpoints c`.execute(db);
    expect(rows.length).toBeGreaterThanOrEqual(projections.length * 2);
    for (const r of rows) expect(r.events, r.schema_name).toBe(r.n);
  });

  it('runs one active instance per projection; a standby takes over when it stops', async () => {
    const sim = new Simulator(store, new Random(7), Date.parse('2026-06-01T00:00:00Z'));
    const first = new Projector(store, db, registryProjection, fast);
    const second = new Projector(store, db, registryProjection, fast);
    await first.start();
    await second.start();
    onTestFinished(async () => {
      await first.stop();
      await second.stop();
    });
    await sim.registerCommunity('lease');
    await caughtUp([first], sim);
    await expect.poll(() => [first.state, second.state].sort()).toEqual(['active', 'standby']);
    const [active, standby] = first.state === 'active' ? [first, second] : [second, first];
    await active.stop();
    for (let i = 0; i < 20; i++) await sim.randomRegistryCommand('lease');
    await expect.poll(() => standby.state, { timeout: 10_000 }).toBe('active');
    await caughtUp([standby], sim);
    await standby.stop();
    const gen = (await activeGeneration(db, 'registry'))!;
    const { rows } = await sql<{ events: string; n: string }>`
      SELECT c.events::text AS events, (SELECT count(*) FROM es_events e
        WHERE (e.transaction_id::text::int8, e.global_position) <= (c.transaction_id, c.global_position))::text AS n
        FROM projection_checkpoints c WHERE c.schema_name = ${gen.schema}`.execute(db);
    expect(rows[0]!.events).toBe(rows[0]!.n);
  });

  it('writes nothing for a batch of events its projection does not read, and counts them with the next', async () => {
    // Ballots are in proposal streams but the proposals projection reads none of them
    // (eventTypes): under a vote's load it must not run a transaction for each batch of them.
    const sim = new Simulator(store, new Random(9), Date.parse('2026-06-15T00:00:00Z'));
    const applied: string[] = [];
    const spy: Projection = {
      ...proposalsProjection,
      apply: (ctx, events) => {
        applied.push(...events.map((e) => e.type));
        return proposalsProjection.apply(ctx, events);
      },
    };
    // The idle checkpoint is not written on a timer during the test: only a batch with rows
    // moves it.
    const projector = new Projector(store, db, spy, { ...fast, idleCheckpointMs: 600_000 });
    await projector.start();
    onTestFinished(() => projector.stop());
    await sim.registerCommunity('skip');
    await sim.openVote('skip', 'p1', 5, new Date(Date.parse('2026-08-01T00:00:00Z')));
    await caughtUp([projector], sim);
    const gen = (await activeGeneration(db, 'proposals'))!;
    const stored = async () => {
      const { rows } = await sql<{ at: string; events: string; n: string }>`
        SELECT c.global_position::text AS at, c.events::text AS events,
               (SELECT count(*) FROM es_events e WHERE (e.transaction_id::text::int8,
                  e.global_position) <= (c.transaction_id, c.global_position))::text AS n
          FROM projection_checkpoints c WHERE c.schema_name = ${gen.schema}`.execute(db);
      return rows[0]!;
    };
    const opened = await stored();
    expect(opened.at).toBe(sim.last!.checkpoint.globalPosition.toString());

    const owner = (id: string) => ({ personId: id, role: 'owner' as const });
    for (const id of ['o1', 'o2', 'o3', 'o4']) {
      const cast = await sim.proposal(
        'skip',
        'p1',
        'CastBallot',
        {
          choices: [{ itemId: 'fund', choice: 'yes' }],
        },
        owner(id),
      );
      expect(cast?.[0]?.type).toBe('BallotCast');
    }
    await caughtUp([projector], sim);
    // Followed in memory (read-your-writes waits on it), not written.
    expect(checkpointReached(projector.position, sim.last!.checkpoint)).toBe(true);
    expect(await stored()).toEqual(opened);
    expect(applied.filter(isBallot)).toEqual([]);

    // The next batch with rows writes the checkpoint, counting the skipped events once.
    await sim.openVote('skip', 'p2', 5, new Date(Date.parse('2026-08-01T00:00:00Z')));
    await caughtUp([projector], sim);
    await expect
      .poll(async () => (await stored()).at)
      .toBe(sim.last!.checkpoint.globalPosition.toString());
    const after = await stored();
    expect(after.events).toBe(after.n);
    await projector.stop();
  });

  it('writes no transaction for the events a target does not read, and counts them all', async () => {
    // A rebuild's filtered read gives every projection the events of all the others: a batch
    // with none it reads waits for the next transaction (or the end of the catch-up) to count
    // its events.
    const parts: string[][] = [];
    const spy: Projection = {
      ...registryProjection,
      name: 'skips_probe',
      concerns: undefined,
      eventTypes: ['ProbeRead'],
      apply: async (_ctx, events) => {
        parts.push(events.map((e) => String(e.data.n)));
      },
    };
    const generation = await startBuilding(db, spy, { fresh: true });
    onTestFinished(() => dropGeneration(db, generation));
    let position = 0n;
    const probe = (type: string, n: number): RecordedEvent => ({
      streamId: 'probe-2',
      streamVersion: Number(position) + 1,
      globalPosition: ++position,
      transactionId: 5n,
      type,
      schemaVersion: 1,
      data: { n },
      metadata: {},
      recordedAt: new Date(0),
      prevHash: '',
      hash: '',
    });
    const batches = [
      [1, 2, 3].map((n) => probe('ProbeSkipped', n)),
      [probe('ProbeSkipped', 4), probe('ProbeSkipped', 5)],
      [probe('ProbeRead', 6), probe('ProbeSkipped', 7), probe('ProbeRead', 8)],
      [probe('ProbeSkipped', 9)],
    ].map((events, i, all) => ({
      events,
      // The last one's is past its last event (events no projection reads were left out).
      checkpoint: {
        transactionId: 5n,
        globalPosition: i === all.length - 1 ? 20n : events.at(-1)!.globalPosition,
      },
    }));
    const counted = createDb(url, 2);
    onTestFinished(() => counted.destroy());
    let transactions = 0;
    poolOf(counted).on('acquire', () => {
      transactions += 1;
    });
    const target = { projection: spy, schema: generation.schema, checkpoint: START };
    let read = 0;
    await catchUp(store, counted, [target], {
      batchSize: 100,
      read: async (from) => batches[read++] ?? { events: [], checkpoint: from },
    });
    // 6 and 8 after the five skipped, then 9 alone at the end.
    expect(parts).toEqual([['6', '8']]);
    expect(transactions).toBe(2);
    const end = batches.at(-1)!.checkpoint;
    expect(target.checkpoint).toEqual(end);
    const { rows } = await sql<{ at: string; events: string }>`
      SELECT global_position::text AS at, events::text AS events FROM projection_checkpoints
       WHERE schema_name = ${generation.schema}`.execute(db);
    expect(rows[0]).toEqual({ at: end.globalPosition.toString(), events: '9' });
  });

  it('builds a new version beside the old one and switches when it has caught up', async () => {
    const sim = new Simulator(store, new Random(8), Date.parse('2026-07-01T00:00:00Z'));
    await sim.registerCommunity('upgrade');
    const old = (await activeGeneration(db, 'registry'))!;
    const v2: Projection = { ...registryProjection, version: registryProjection.version + 1 };
    const projector = new Projector(store, db, v2, { ...fast, dropGraceMs: 50 });
    await projector.start();
    onTestFinished(() => projector.stop());
    await expect
      .poll(async () => (await activeGeneration(db, 'registry'))?.version, { timeout: 20_000 })
      .toBe(v2.version);
    const next = (await activeGeneration(db, 'registry'))!;
    expect(next.schema).not.toBe(old.schema);
    await expect.poll(() => projector.schema, { timeout: 10_000 }).toBe(next.schema);
    await sim.randomRegistryCommand('upgrade');
    await caughtUp([projector], sim);
    // The old generation is dropped after its grace period.
    await expect.poll(() => generationStatus(db, old.schema), { timeout: 10_000 }).toBe('dropped');
    await projector.stop();
  });

  it('stops when asked while it is becoming active', async () => {
    // stop() lands after the subscription is made and before the projector waits on it: the
    // abort has fired by the time the projector listens for it.
    let projector: Projector | undefined;
    let stopping: Promise<void> | undefined;
    const racing = new Proxy(store, {
      get(target, key, receiver) {
        if (key !== 'subscribe') return Reflect.get(target, key, receiver);
        return (...args: Parameters<PostgresEventStore['subscribe']>) => {
          const subscription = target.subscribe(...args);
          stopping ??= projector!.stop();
          return subscription;
        };
      },
    });
    // One no other test here moves to a version of its own.
    const convocations = projections.find((p) => p.name === 'convocations')!;
    projector = new Projector(racing, db, convocations, fast);
    await projector.start();
    await expect.poll(() => stopping !== undefined, { timeout: 10_000 }).toBe(true);
    await stopping;
    expect(projector.state).toBe('stopped');
  });
});

describe('discontinued projections', () => {
  it('drops the generations of a projection the service no longer runs, and only those', async () => {
    // As the ballots read model was once: built, active, then folded into the timeline.
    const ballots: Projection = { ...registryProjection, name: 'discontinued' };
    const old = await ensureActiveGeneration(db, ballots);
    const kept = await ensureActiveGeneration(db, registryProjection);
    const running = projections.map((p) => p.name);
    const dropped = await dropDiscontinued(db, running);
    expect(dropped.map((g) => g.schema)).toEqual([old.schema]);
    const { rows } = await sql<{ name: string }>`
      SELECT nspname AS name FROM pg_namespace WHERE nspname IN (${old.schema}, ${kept.schema})`.execute(
      db,
    );
    expect(rows.map((r) => r.name)).toEqual([kept.schema]);
    expect(await activeGeneration(db, 'discontinued')).toBeUndefined();
    expect(await dropDiscontinued(db, running)).toEqual([]);
  });
});

describe('query indexes', () => {
  it('stop at the first that fails, once the builds under way have ended', async () => {
    const failing: Projection = {
      ...registryProjection,
      name: 'failing_indexes',
      indexes: (db) => [
        // Two lanes: the first is busy for a while, the second fails at once.
        db.selectNoFrom(sql`pg_sleep(0.3)`.as('slept')),
        db.schema.createIndex('bad').on('persons').column('no_such_column'),
        db.schema.createIndex('never_built').on('persons').column('name'),
      ],
    };
    const generation = await startBuilding(db, failing, { fresh: true });
    try {
      await expect(indexGeneration(db, failing, generation.schema)).rejects.toThrow(
        /no_such_column/,
      );
      const { rows: running } = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE state = 'active' AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()`.execute(
        db,
      );
      expect(running[0]!.n).toBe(0);
      const { rows: built } = await sql`
        SELECT indexname FROM pg_indexes
         WHERE schemaname = ${generation.schema} AND indexname = 'never_built'`.execute(db);
      expect(built).toEqual([]);
    } finally {
      await dropGeneration(db, generation);
    }
  });
});
