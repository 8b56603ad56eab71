import type { ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PostgresEventStore, type RecordedEvent, START } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import {
  eventLeafHash,
  Frontier,
  generateSigningKeyPem,
  signingKeyFromPem,
  verifyCheckpoint,
  verifyConsistency,
} from '@yishi/transparency';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, poolOf } from '../db.ts';
import { migrateReadModels } from '../migrations/index.ts';
import { sleep } from '../runtime/lease.ts';
import type { Database } from '../tables.ts';
import { BulkWriter } from '../testing/bulk.ts';
import { bundleChild, type Child, startChild } from '../testing/child.ts';
import { generateDistrict } from '../testing/generate.ts';
import { Random } from '../testing/random.ts';
import { Simulator } from '../testing/simulate.ts';
import { CheckpointLog } from './checkpoints.ts';
import { MerkleTree } from './tree.ts';

// Kill the tree builder's process (SIGKILL): between appending leaves and signing them, and at
// random moments while events arrive. After a restart nothing is lost: every event is a leaf,
// once, in the global order; a checkpoint covers them all; every checkpoint ever signed is
// extended by the last (the log never rewrote itself).

const GENERATED = 20_000;
const KILLS = 6;
let script: string;
const pem = generateSigningKeyPem();
const key = signingKeyFromPem(pem);
let keyFile: string;
let url: string;
let store: PostgresEventStore;
let db: Kysely<Database>;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  script = await bundleChild(
    fileURLToPath(new URL('../testing/tree-builder-process.ts', import.meta.url)),
  );
  url = await testDatabaseUrl();
  store = new PostgresEventStore({ connectionString: url });
  await store.init();
  db = createDb(url, 10);
  await migrateReadModels(db);
  keyFile = join(await mkdtemp(join(tmpdir(), 'tree-key-')), 'checkpoint-key');
  await writeFile(keyFile, pem);
  const writer = new BulkWriter(poolOf(db));
  await generateDistrict(new Simulator(writer, new Random(7)), {
    events: GENERATED,
    count: () => writer.count,
    random: new Random(8),
  });
  await writer.flush();
}, 300_000);
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await db?.destroy();
  await store?.close();
});

const startBuilder = (intervalMs: number): Child =>
  startChild(script, [url, keyFile, String(intervalMs)], children);

async function committed(): Promise<number> {
  const { rows } = await sql<{ n: string }>`SELECT count(*)::text AS n FROM es_events`.execute(db);
  return Number(rows[0]!.n);
}

const latest = () => new CheckpointLog(db).latest();

/** The tree as a crash left it: its size is its leaves, without a gap; its edge makes its root. */
async function assertWhole(): Promise<number> {
  // One statement, one snapshot: the next builder may be writing already.
  const { rows } = await sql<{ size: string | null; n: string; last: string | null }>`
    SELECT (SELECT size FROM transparency_tree)::text AS size, count(*)::text AS n,
           max(leaf_index)::text AS last
      FROM transparency_leaves`.execute(db);
  const size = Number(rows[0]!.size ?? 0);
  expect(Number(rows[0]!.n)).toBeGreaterThanOrEqual(size);
  expect(rows[0]!.n).toBe(rows[0]!.last === null ? '0' : String(Number(rows[0]!.last) + 1));
  // Recomputed from the stored edge, the root is the one recorded with the size.
  await new MerkleTree(db).state();
  return size;
}

/** Every event in the global order (once all committed ones are visible to readers). */
async function globalOrder(): Promise<RecordedEvent[]> {
  const total = await committed();
  for (;;) {
    const events: RecordedEvent[] = [];
    let from = START;
    for (;;) {
      const batch = await store.readAll(from, 5000);
      if (batch.events.length === 0) break;
      events.push(...batch.events);
      from = batch.checkpoint;
    }
    if (events.length >= total) return events;
    await sleep(20);
  }
}

/** A checkpoint covers every event, the tree is the global order, every checkpoint is extended. */
async function assertLogOfEverything(): Promise<void> {
  const total = await committed();
  await expect.poll(async () => (await latest())?.treeSize, { timeout: 120_000 }).toBe(total);
  const events = await globalOrder();
  const frontier = Frontier.empty();
  for (const event of events) frontier.append(eventLeafHash(event));
  const last = (await latest())!;
  expect(last.rootHash.equals(frontier.root())).toBe(true);
  const positions = await db
    .selectFrom('transparency_leaves')
    .select('global_position')
    .orderBy('leaf_index')
    .execute();
  expect(positions.map((p) => p.global_position)).toEqual(
    events.map((e) => e.globalPosition.toString()),
  );
  const tree = new MerkleTree(db);
  const all = await new CheckpointLog(db).after(0, 10_000);
  expect(all.length).toBeGreaterThan(1);
  for (const checkpoint of all) {
    expect(verifyCheckpoint(checkpoint.note, [key.publicKey]).ok).toBe(true);
    const proof = await tree.consistencyProof(checkpoint.treeSize, last.treeSize);
    expect(
      verifyConsistency(
        checkpoint.treeSize,
        last.treeSize,
        checkpoint.rootHash,
        last.rootHash,
        proof,
      ),
      `checkpoint ${checkpoint.treeSize}`,
    ).toBe(true);
  }
}

async function stop(running: Child): Promise<void> {
  running.child.kill('SIGTERM');
  await running.exited;
}

describe('the tree builder, killed', () => {
  it('between appending leaves and signing them, loses nothing: the next builder signs them', async () => {
    const first = startBuilder(20);
    await first.started;
    const generated = await committed();
    await expect.poll(async () => (await latest())?.treeSize, { timeout: 120_000 }).toBe(generated);
    await stop(first);
    // A builder that appends but, a checkpoint signed a moment ago, signs nothing for an hour.
    const slow = startBuilder(3_600_000);
    await slow.started;
    const signed = (await latest())!.treeSize;
    const sim = new Simulator(store, new Random(3), Date.parse('2027-01-01T00:00:00Z'));
    await sim.registerCommunity('late');
    await sim.ownersDecision('late', 'p1', 30, true);
    const total = await committed();
    await expect.poll(() => new MerkleTree(db).size(), { timeout: 60_000 }).toBe(total);
    slow.child.kill('SIGKILL');
    await slow.exited;
    // Leaves in the tree that no checkpoint covers: what the crash left.
    expect(await assertWhole()).toBe(total);
    expect((await latest())!.treeSize).toBe(signed);

    const next = startBuilder(20);
    await next.started;
    await assertLogOfEverything();
    await stop(next);
  }, 300_000);

  it('at random moments while events arrive, keeps every event once, in order, and one history', async () => {
    const random = new Random(42);
    const live = new Simulator(store, new Random(6), Date.parse('2027-02-01T00:00:00Z'));
    await live.registerCommunity('live');
    let appending = true;
    let proposals = 0;
    const appender = (async () => {
      while (appending) await live.ownersDecision('live', `p${++proposals}`, random.int(20, 80));
    })();
    let running = startBuilder(100);
    try {
      await running.started;
      for (let kill = 0; kill < KILLS; kill++) {
        // The next process waits as a standby while the running one builds, then takes over.
        const next = startBuilder(100);
        await next.started;
        await sleep(random.int(0, 400));
        running.child.kill('SIGKILL');
        await running.exited;
        await assertWhole();
        running = next;
      }
    } finally {
      appending = false;
      await appender;
    }
    await assertLogOfEverything();
    await stop(running);
  }, 600_000);
});
