import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Actor } from '@yishi/domain';
import { PostgresEventStore, type RecordedEvent, START } from '@yishi/event-store';
import { freePort } from '@yishi/local-postgres';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { closeServer, listen, testAuth } from '@yishi/platform';
import {
  eventLeafHash,
  Frontier,
  verifyCheckpoint,
  verifyConsistency,
  verifyInclusion,
} from '@yishi/transparency';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { runWitness, serverLog } from '../cli/witness.ts';
import { createDb } from '../db.ts';
import { migrateReadModels } from '../migrations/index.ts';
import { projections } from '../projections/index.ts';
import { Projector } from '../runtime/projector.ts';
import type { Database } from '../tables.ts';
import { Random } from '../testing/random.ts';
import { Simulator } from '../testing/simulate.ts';
import { startTreeBuilder, TEST_ORIGIN, testSigningKey } from '../testing/transparency.ts';
import type { TreeBuilder } from './builder.ts';
import { CheckpointLog } from './checkpoints.ts';
import { MerkleTree } from './tree.ts';

// The tree builder follows the store: one leaf per event in the global order, every batch with
// its subtrees and the tree's size in one transaction, a signed checkpoint soon after; the query
// service serves the checkpoints and proofs that verify against them.

const auth = testAuth();
const admin: Actor = { personId: 'admin', role: 'admin' };
const keyA = testSigningKey();
const keyB = testSigningKey();
let store: PostgresEventStore;
let db: Kysely<Database>;
let sim: Simulator;
let builder: TreeBuilder;
let projectors: Projector[];
let app: ReturnType<typeof createApp>;
let official: string;

/** How many events are committed (the store's readers may not see the last ones for a moment). */
async function committed(): Promise<number> {
  const { rows } = await store.pool.query<{ n: string }>('SELECT count(*) AS n FROM es_events');
  return Number(rows[0]!.n);
}

/** Every committed event in the global order, as the store's readers see it. */
async function globalOrder(): Promise<RecordedEvent[]> {
  const total = await committed();
  for (;;) {
    const events: RecordedEvent[] = [];
    let from = START;
    for (;;) {
      const batch = await store.readAll(from, 1000);
      if (batch.events.length === 0) break;
      events.push(...batch.events);
      from = batch.checkpoint;
    }
    if (events.length >= total) return events;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits until a checkpoint covers every event appended so far; returns that many. */
async function signedThrough(): Promise<number> {
  const total = await committed();
  await expect
    .poll(async () => (await new CheckpointLog(db).latest())?.treeSize, { timeout: 30_000 })
    .toBe(total);
  return total;
}

const get = async (path: string, token = official) => {
  const res = await app.request(path, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  const url = await testDatabaseUrl();
  store = new PostgresEventStore({ connectionString: url });
  db = createDb(url, 20);
  await migrateReadModels(db);
  sim = new Simulator(store, new Random(25));
  await sim.registerCommunity('c1');
  await sim.registerCommunity('c2');
  // A street office's gateway takes every checkpoint (通知: checkpoint-signed).
  await sim.community(
    'c1',
    (at) => ({
      type: 'ConfigureWebhook',
      data: {
        webhookId: 'jiedao',
        url: 'https://jiedao.gw.test/hook',
        events: ['checkpoint-signed'],
      },
      actor: admin,
      at,
    }),
    admin,
  );
  await sim.ownersDecision('c1', 'lift', 40, true);
  // The deliveries route reads the timeline; the outbox needs the webhooks' read model.
  projectors = projections
    .filter((p) => p.name === 'timeline' || p.name === 'notifications')
    .map((p) => new Projector(store, db, p, { pollIntervalMs: 20 }));
  for (const p of projectors) await p.start();
  for (const p of projectors) await p.waitFor(sim.last!.checkpoint, 30_000);
  builder = await startTreeBuilder(store, db, keyA, { batchSize: 37 });
  app = createApp({ db, store, verify: auth.verify, projectors: [] });
  official = await auth.token({ personId: 'o1', role: 'official', communities: ['*'] });
});
afterAll(async () => {
  await builder.stop();
  for (const p of projectors) await p.stop();
  await db.destroy();
  await store.close();
});

describe('the tree builder', () => {
  it('makes every event a leaf, in the global order, and signs a checkpoint of the tree', async () => {
    const total = await signedThrough();
    const events = await globalOrder();
    const frontier = Frontier.empty();
    for (const event of events) frontier.append(eventLeafHash(event));
    const state = await new MerkleTree(db).state();
    expect(state.size).toBe(total);
    expect(state.root.equals(frontier.root())).toBe(true);
    const leaves = await db
      .selectFrom('transparency_leaves')
      .select(['leaf_index', 'global_position', 'hash'])
      .orderBy('leaf_index')
      .execute();
    expect(leaves.map((l) => l.global_position)).toEqual(
      events.map((e) => e.globalPosition.toString()),
    );
    expect(leaves.every((l, i) => l.hash.equals(eventLeafHash(events[i]!)))).toBe(true);
    const latest = (await new CheckpointLog(db).latest())!;
    const verified = verifyCheckpoint(latest.note, [keyA.publicKey]);
    expect(verified).toMatchObject({
      ok: true,
      checkpoint: { origin: TEST_ORIGIN, treeSize: total },
    });
    expect(latest.rootHash.equals(frontier.root())).toBe(true);
  });

  it('proves inclusion in one statement: the path the stored subtrees give, in every tree size', async () => {
    const total = await signedThrough();
    const events = await globalOrder();
    const tree = new MerkleTree(db);
    const sizes = [
      ...Array.from({ length: Math.min(total, 40) }, (_, i) => i + 1),
      total - 1,
      total,
    ];
    for (const size of sizes) {
      for (let index = 0; index < size; index++) {
        const found = await tree.leafWithProof(events[index]!.globalPosition, size);
        const expected = (await tree.inclusionProofs([index], size)).get(index)!;
        expect(found?.leaf.leafIndex).toBe(index);
        expect(found?.size).toBe(total);
        expect(found?.path, `leaf ${index} of ${size}`).toEqual(expected);
      }
    }
    // Outside the tree: no path; an event not in the log: nothing.
    expect((await tree.leafWithProof(events[total - 1]!.globalPosition, total - 1))?.path).toBe(
      undefined,
    );
    expect(await tree.leafWithProof(10n ** 15n, total)).toBe(undefined);
  });

  it('serves the checkpoints, and proofs of inclusion and consistency that verify against them', async () => {
    const first = await signedThrough();
    await sim.jointSession('c1', 'parking', 's1');
    const total = await signedThrough();
    expect(total).toBeGreaterThan(first);

    const latest = await get('/v1/checkpoints/latest');
    expect(latest.status).toBe(200);
    const checkpoint = verifyCheckpoint(latest.body.note as string, [keyA.publicKey]);
    if (!checkpoint.ok) throw new Error(checkpoint.reason);
    expect(latest.body).toMatchObject({
      treeSize: total,
      rootHash: checkpoint.checkpoint.rootHash.toString('base64'),
      keyFingerprint: keyA.publicKey.fingerprint,
      shortHash: checkpoint.checkpoint.rootHash.subarray(0, 8).toString('hex'),
    });

    const events = await globalOrder();
    for (const index of [0, 1, first - 1, first, total - 1]) {
      const event = events[index]!;
      const position = `${event.transactionId}:${event.globalPosition}`;
      const proof = await get(`/v1/proofs/inclusion?position=${position}`);
      expect(proof.status, position).toBe(200);
      expect(proof.body).toMatchObject({ leafIndex: index, treeSize: total, position });
      const path = (proof.body.path as string[]).map((h) => Buffer.from(h, 'base64'));
      const leaf = eventLeafHash(event);
      expect(verifyInclusion(index, total, leaf, path, checkpoint.checkpoint.rootHash)).toBe(true);
      // By its global position alone, and to the earlier checkpoint.
      if (index < first) {
        const older = await get(
          `/v1/proofs/inclusion?position=${event.globalPosition}&treeSize=${first}`,
        );
        expect(older.body).toMatchObject({ treeSize: first, checkpoint: { treeSize: first } });
      }
    }

    const list = await get(`/v1/checkpoints?after=${first - 1}&limit=1`);
    expect(list.body).toMatchObject({ items: [{ treeSize: first }], next: String(first) });
    const older = verifyCheckpoint(
      ((list.body.items as { note: string }[])[0] as { note: string }).note,
      [keyA.publicKey],
    );
    if (!older.ok) throw new Error(older.reason);
    const consistency = await get(`/v1/proofs/consistency?from=${first}&to=${total}`);
    expect(consistency.status).toBe(200);
    const path = (consistency.body.path as string[]).map((h) => Buffer.from(h, 'base64'));
    expect(
      verifyConsistency(
        first,
        total,
        older.checkpoint.rootHash,
        checkpoint.checkpoint.rootHash,
        path,
      ),
    ).toBe(true);
  });

  it('answers proofs it cannot give with a clear 4xx naming the field', async () => {
    const total = await signedThrough();
    const [event] = await globalOrder();
    const resident = await auth.token({ personId: 'r', role: 'resident', communities: ['c2'] });
    const cases: [string, number, string, string?][] = [
      ['/v1/proofs/inclusion?position=999999999', 404, 'not-in-log'],
      [
        `/v1/proofs/inclusion?position=${event!.globalPosition}&treeSize=${total + 1}`,
        400,
        'invalid-input',
        'query.treeSize',
      ],
      [
        `/v1/proofs/inclusion?position=${event!.globalPosition}&treeSize=0`,
        400,
        'invalid-input',
        'query.treeSize',
      ],
      ['/v1/proofs/consistency?from=5&to=3', 400, 'invalid-input', 'query.from'],
      [`/v1/proofs/consistency?from=1&to=${total + 1}`, 400, 'invalid-input', 'query.to'],
      ['/v1/proofs/consistency?from=1', 400, 'invalid-input', 'query.to'],
      ['/v1/checkpoints?after=x', 400, 'invalid-input', 'query.after'],
    ];
    for (const [path, status, code, field] of cases) {
      const res = await get(path);
      expect(res.status, path).toBe(status);
      expect(res.body.code, path).toBe(code);
      if (field) expect(res.body.errors, path).toContainEqual(expect.objectContaining({ field }));
    }
    // An event of c1 is not c2's resident's to prove.
    const other = await get(`/v1/proofs/inclusion?position=${event!.globalPosition}`, resident);
    expect(other).toMatchObject({ status: 403, body: { code: 'community-forbidden' } });
  });

  it('sends each checkpoint to the webhooks that subscribed, signed as the API serves it', async () => {
    const total = await signedThrough();
    const rows = await db
      .selectFrom('notification_deliveries')
      .select(['delivery_id', 'kind', 'payload', 'global_position'])
      .where('kind', '=', 'checkpoint-signed')
      .orderBy('global_position', 'desc')
      .execute();
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const newest = rows[0]!;
    const events = await globalOrder();
    expect(newest.global_position).toBe(events[total - 1]!.globalPosition.toString());
    expect(newest.delivery_id).toBe(`${newest.global_position}.jiedao.checkpoint`);
    const payload = newest.payload as {
      kind: string;
      checkpoint: { note: string; treeSize: number };
    };
    expect(payload.kind).toBe('checkpoint-signed');
    expect(payload.checkpoint.treeSize).toBe(total);
    expect(verifyCheckpoint(payload.checkpoint.note, [keyA.publicKey]).ok).toBe(true);
    // An admin finds it among the community's deliveries, and by its id.
    const adminToken = await auth.token({ personId: 'a', role: 'admin', communities: ['c1'] });
    const one = await get(
      `/v1/communities/c1/notifications/deliveries/${newest.delivery_id}`,
      adminToken,
    );
    expect(one).toMatchObject({
      status: 200,
      body: { kind: 'checkpoint-signed', deliveryId: newest.delivery_id },
    });
    const page = await get('/v1/communities/c1/notifications/deliveries?limit=1', adminToken);
    const next = await get(
      `/v1/communities/c1/notifications/deliveries?limit=100&after=${page.body.next as string}`,
      adminToken,
    );
    expect(next.status).toBe(200);
    const listed = [
      ...(page.body.items as { deliveryId: string }[]),
      ...(next.body.items as { deliveryId: string }[]),
    ].map((d) => d.deliveryId);
    expect(listed).toEqual(rows.map((r) => r.delivery_id));
  });

  it('rotates keys: the next builder signs with the new key; the old checkpoints still verify', async () => {
    const before = await signedThrough();
    await builder.stop();
    builder = await startTreeBuilder(store, db, keyB);
    await sim.ownersDecision('c2', 'garden', 8, true);
    const after = await signedThrough();
    const log = new CheckpointLog(db);
    const [old, now] = [(await log.at(before))!, (await log.latest())!];
    expect(now.treeSize).toBe(after);
    expect(now.keyFingerprint).toBe(keyB.publicKey.fingerprint);
    expect(old.keyFingerprint).toBe(keyA.publicKey.fingerprint);
    // Verifiers keep both keys (the deployment's key ring): each checkpoint verifies by its own.
    const ring = [keyA.publicKey, keyB.publicKey];
    expect(verifyCheckpoint(old.note, ring).ok).toBe(true);
    expect(verifyCheckpoint(now.note, ring).ok).toBe(true);
    expect(verifyCheckpoint(now.note, [keyA.publicKey]).ok).toBe(false);
    const proof = await new MerkleTree(db).consistencyProof(before, after);
    expect(verifyConsistency(before, after, old.rootHash, now.rootHash, proof)).toBe(true);
    // The service lists every key that signed, as PEM a verifier can keep.
    const keys = await get('/v1/checkpoints/keys');
    const listed = (keys.body.items as { fingerprint: string; publicKey: string }[]).map(
      (k) => k.fingerprint,
    );
    expect(listed.sort()).toEqual([keyA.publicKey.fingerprint, keyB.publicKey.fingerprint].sort());
  });
  it('is witnessed over HTTP: a street office keeps its checkpoints with `--server`', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'witness-http-'));
    const file = join(dir, 'checkpoints.jsonl');
    const port = await freePort();
    const server = await listen(app.fetch, '127.0.0.1', port);
    const log = serverLog(`http://127.0.0.1:${port}`, official);
    const ring = [keyA.publicKey, keyB.publicKey];
    try {
      expect(await runWitness(file, ring, log)).toBe(0);
      await sim.ownersDecision('c2', 'bench', 6, true);
      const total = await signedThrough();
      expect(await runWitness(file, ring, log)).toBe(0);
      const kept = (await readFile(file, 'utf8')).trim().split('\n');
      expect(kept).toHaveLength(2);
      expect(JSON.parse(kept[1]!).note.split('\n')[1]).toBe(String(total));
      // A witness without the new key does not trust the latest checkpoint: nothing is kept.
      const other = join(dir, 'old-key-only.jsonl');
      expect(await runWitness(other, [keyA.publicKey], log)).toBe(1);
      expect(existsSync(other)).toBe(false);
    } finally {
      await closeServer(server);
    }
  });
});
