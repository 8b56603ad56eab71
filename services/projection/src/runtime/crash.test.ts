import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, poolOf } from '../db.ts';
import { migrateReadModels } from '../migrations/index.ts';
import { projections } from '../projections/index.ts';
import type { Database } from '../tables.ts';
import { BulkWriter } from '../testing/bulk.ts';
import { bundleChild, type Child, startChild } from '../testing/child.ts';
import { differencesFromActive } from '../testing/compare.ts';
import { generateDistrict } from '../testing/generate.ts';
import { Random } from '../testing/random.ts';
import { Simulator } from '../testing/simulate.ts';
import { activeGeneration } from './generations.ts';
import { sleep } from './lease.ts';
import { rebuild } from './rebuild.ts';

// Kill the projector process (SIGKILL) at random moments, 20 times, during a run of 100,000
// events (80,000 there at the start, the rest arriving meanwhile); after a restart the tables
// equal a rebuild from zero, and the checkpoints count every event exactly once (an event
// applied twice would be counted twice).

const GENERATED = 80_000;
const TOTAL = 100_000;
const KILLS = 20;
let script: string;

let url: string;
let store: PostgresEventStore;
let db: Kysely<Database>;

beforeAll(async () => {
  script = await bundleChild(
    fileURLToPath(new URL('../testing/projector-process.ts', import.meta.url)),
  );
  url = await testDatabaseUrl();
  store = new PostgresEventStore({ connectionString: url });
  await store.init();
  db = createDb(url, 20);
  await migrateReadModels(db);
  const writer = new BulkWriter(poolOf(db));
  const sim = new Simulator(writer, new Random(2026));
  await generateDistrict(sim, {
    events: GENERATED,
    count: () => writer.count,
    random: new Random(11),
  });
  await writer.flush();
}, 300_000);
const children = new Set<ChildProcess>();
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await db?.destroy();
  await store?.close();
});

function startProjector(): Child {
  return startChild(script, [url], children);
}

/** For each active generation: events applied, and events up to its checkpoint. */
async function appliedCounts(): Promise<{ schema: string; events: number; upTo: number }[]> {
  const { rows } = await sql<{ schema_name: string; events: string; up_to: string }>`
    SELECT c.schema_name, c.events::text AS events,
           (SELECT count(*) FROM es_events e
             WHERE (e.transaction_id::text::int8, e.global_position)
                <= (c.transaction_id, c.global_position))::text AS up_to
      FROM projection_checkpoints c
      JOIN projection_generations g ON g.schema_name = c.schema_name AND g.status = 'active'
     ORDER BY c.schema_name`.execute(db);
  return rows.map((r) => ({
    schema: r.schema_name,
    events: Number(r.events),
    upTo: Number(r.up_to),
  }));
}

async function head(): Promise<number> {
  const { rows } = await sql<{ n: string }>`SELECT count(*)::text AS n FROM es_events`.execute(db);
  return Number(rows[0]!.n);
}

describe('crash', () => {
  it('survives 20 SIGKILLs of the projector process with every event applied exactly once', async () => {
    const random = new Random(99);
    const live = new Simulator(store, new Random(5), Date.parse('2027-01-01T00:00:00Z'));
    await live.registerCommunity('live');
    // Events keep arriving (about 250 a second) while the projector is killed.
    let appending = true;
    let proposals = 0;
    const appender = (async () => {
      const started = performance.now();
      while (appending) {
        await live.ownersDecision('live', `p${++proposals}`, random.int(50, 200));
        const ahead = live.accepted / 250 - (performance.now() - started) / 1000;
        if (ahead > 0) await sleep(ahead * 1000);
      }
    })();

    let midRun = 0;
    let running = startProjector();
    try {
      await running.started;
      // The next process starts (a standby, as in production) while the running one projects;
      // then the running one is killed at a random moment, often in the middle of a batch.
      for (let kill = 0; kill < KILLS; kill++) {
        const next = startProjector();
        await next.started;
        await sleep(random.int(0, 400));
        running.child.kill('SIGKILL');
        await running.exited;
        const counts = await appliedCounts();
        if (Math.min(...counts.map((c) => c.events)) < (await head())) midRun += 1;
        // Exactly once, whenever the process died.
        for (const c of counts) expect(c.events, c.schema).toBe(c.upTo);
        running = next;
      }
    } finally {
      appending = false;
      await appender;
    }
    while ((await head()) < TOTAL) await live.ownersDecision('live', `p${++proposals}`, 200);
    expect(midRun).toBeGreaterThan(KILLS / 2);

    const total = await head();
    await expect
      .poll(async () => (await appliedCounts()).map((c) => c.events), {
        timeout: 300_000,
        interval: 500,
      })
      .toEqual(projections.map(() => total));
    running.child.kill('SIGTERM');
    await running.exited;
    for (const c of await appliedCounts()) expect(c).toMatchObject({ events: total, upTo: total });

    const built = await rebuild(store, db, projections, { switch: false, batchSize: 5000 });
    for (const d of await differencesFromActive(db, projections, built.generations)) {
      expect(d, `${d.projection}.${d.table}`).toMatchObject({ onlyInFirst: 0, onlyInSecond: 0 });
    }
    const timeline = (await activeGeneration(db, 'timeline'))!.schema;
    const rows = await sql<{ n: string }>`
      SELECT count(*)::text AS n FROM ${sql.table(`${timeline}.timeline`)}`.execute(db);
    expect(Number(rows.rows[0]!.n)).toBe(total);
  }, 900_000);
});
