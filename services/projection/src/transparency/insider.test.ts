import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chainHash, type JsonObject, PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import {
  eventLeafHash,
  Frontier,
  inclusionProof,
  nodeMap,
  recordPublicKey,
  signCheckpoint,
} from '@yishi/transparency';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../db.ts';
import { migrateReadModels } from '../migrations/index.ts';
import type { Database } from '../tables.ts';
import { Random } from '../testing/random.ts';
import { Simulator } from '../testing/simulate.ts';
import {
  startTreeBuilder,
  TEST_ORIGIN,
  testLogProofs,
  testSigningKey,
} from '../testing/transparency.ts';
import {
  type Dossier,
  type DossierEvent,
  exportDossier,
  verifyDossier,
} from '../verification/dossier.ts';
import type { TreeBuilder } from './builder.ts';
import { CheckpointLog } from './checkpoints.ts';

// The attacks of issue 25, by an insider who can write the database: a dossier rewritten with
// every hash recomputed, and an event rewritten in the store (the append-only trigger disabled
// as the database owner) with the log's tree rebuilt over it. The first fails offline against
// the deployment's key; the second is caught by a witness that kept a checkpoint before.

const key = testSigningKey();
const cli = fileURLToPath(new URL('../cli/verify.ts', import.meta.url));
let url: string;
let store: PostgresEventStore;
let db: Kysely<Database>;
let sim: Simulator;
let builder: TreeBuilder;
/** The deployment's data directory: its key ring holds the log's public key. */
let dataDir: string;

beforeAll(async () => {
  url = await testDatabaseUrl();
  store = new PostgresEventStore({ connectionString: url });
  db = createDb(url, 10);
  await migrateReadModels(db);
  sim = new Simulator(store, new Random(2025));
  await sim.registerCommunity('c1');
  await sim.ownersDecision('c1', 'lift', 20, true);
  builder = await startTreeBuilder(store, db, key);
  dataDir = await mkdtemp(join(tmpdir(), 'yishi-data-'));
  recordPublicKey(join(dataDir, 'checkpoint-keys.pem'), key.publicKey, new Date());
});
afterAll(async () => {
  await builder.stop();
  await db.destroy();
  await store.close();
});

/** `pnpm verify …` as an official runs it: the deployment's data directory, no key given. */
function verify(...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: url, DATA_DIR: dataDir },
  });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

/** Waits until a checkpoint covers every event committed so far. */
async function signedThroughAll(): Promise<void> {
  const { rows } = await store.pool.query<{ n: string }>('SELECT count(*) AS n FROM es_events');
  await expect
    .poll(async () => (await new CheckpointLog(db).latest())?.treeSize, { timeout: 30_000 })
    .toBe(Number(rows[0]!.n));
}

const exported = async () =>
  (await exportDossier(store, testLogProofs(db, builder), 'c1', 'lift', undefined))!;

/** Recomputes every hash of a stream from `from` on, as a forger who knows the format would. */
function rechain(streamId: string, events: DossierEvent[], from: number): void {
  let prev = events[from]!.prevHash;
  for (const e of events.slice(from)) {
    e.prevHash = prev;
    e.hash = chainHash(prev, {
      ...e,
      streamId,
      data: e.data as JsonObject,
      metadata: e.metadata as JsonObject,
    });
    prev = e.hash;
  }
}

describe('an insider', () => {
  it('cannot pass off a dossier whose description and a ballot’s castBy were rewritten, every hash recomputed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'forged-'));
    const genuine = await exported();
    expect(verifyDossier(genuine, [key.publicKey])).toMatchObject({ ok: true });

    const forged = structuredClone(genuine) as Dossier;
    const stream = forged.streams[0]!;
    const submitted = stream.events.findIndex((e) => e.type === 'ProposalSubmitted');
    const ballot = stream.events.findIndex((e) => e.type === 'BallotCast');
    stream.events[submitted]!.data = {
      ...stream.events[submitted]!.data,
      description: '不加装电梯',
    };
    stream.events[ballot]!.data = { ...stream.events[ballot]!.data, castBy: 'p12' };
    rechain(stream.streamId, stream.events, submitted);
    const caught = {
      ok: false,
      firstBroken: {
        streamId: stream.streamId,
        streamVersion: stream.events[submitted]!.streamVersion,
        reason: expect.stringMatching(/^not in the signed log/),
      },
    };
    expect(verifyDossier(forged, [key.publicKey])).toMatchObject(caught);

    // A forger who also builds a tree over the forged events and signs it with a key of their
    // own, naming that key: the verifier trusts the deployment's key, not the dossier's.
    const theirs = testSigningKey();
    const frontier = Frontier.empty();
    const nodes = new Map<string, Buffer>();
    const all = forged.streams.flatMap((s) =>
      s.events.map((e) => ({ ...e, streamId: s.streamId })),
    );
    for (const e of all) {
      for (const n of frontier.append(eventLeafHash(e))) nodes.set(`${n.level}:${n.index}`, n.hash);
    }
    const source = nodeMap(
      [...nodes].map(([k, h]) => {
        const [level, index] = k.split(':').map(Number);
        return [{ level: level!, index: index! }, h];
      }),
    );
    forged.streams
      .flatMap((s) => s.events)
      .forEach((e, i) => {
        e.leafIndex = i;
        e.inclusionProof = inclusionProof(i, all.length, source).map((h) => h.toString('base64'));
      });
    const signed = signCheckpoint(
      {
        origin: TEST_ORIGIN,
        treeSize: all.length,
        rootHash: frontier.root(),
        signedAt: new Date(),
      },
      theirs,
    );
    forged.log = { checkpoint: signed.note, keyFingerprint: theirs.publicKey.fingerprint };
    expect(verifyDossier(forged, [theirs.publicKey])).toMatchObject({ ok: true });
    expect(verifyDossier(forged, [key.publicKey])).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/^the log's checkpoint: not signed by a trusted key/),
    });
    // Or a dossier of the format before the log, which proved nothing.
    const { log: _log, ...unproven } = structuredClone(forged);
    expect(
      verifyDossier({ ...unproven, format: 'yishi-dossier/1' }, [key.publicKey]),
    ).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/carries no proof/),
    });

    // `pnpm verify dossier.json` without --key: the deployment's key, from its data directory.
    await writeFile(join(dir, 'genuine.json'), JSON.stringify(genuine));
    await writeFile(join(dir, 'forged.json'), JSON.stringify(forged));
    const good = verify(join(dir, 'genuine.json'));
    expect(good.status, good.out).toBe(0);
    expect(good.out).toContain('every event is in the log');
    const bad = verify(join(dir, 'forged.json'));
    expect(bad.status, bad.out).toBe(1);
    expect(bad.out).toContain('not signed by a trusted key');
  });

  it('who rewrites an event as the database owner and rebuilds the tree is caught by a witness', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'witness-'));
    const file = join(dir, 'checkpoints.jsonl');
    const before = await exported();
    let run = verify('--witness', file);
    expect(run.status, run.out).toBe(0);
    await sim.ownersDecision('c1', 'garden', 6, true);
    await signedThroughAll();
    run = verify('--witness', file);
    expect(run.status, run.out).toBe(0);
    expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(2);

    // As the database owner: the trigger off, a ballot rewritten, its stream's chain redone.
    const events = await store.readStream('proposal-c1.lift');
    const target = events.find((e) => e.type === 'BallotCast')!;
    await db.connection().execute(async (conn) => {
      await sql`ALTER TABLE es_events DISABLE TRIGGER es_events_append_only`.execute(conn);
      let prev = target.prevHash;
      for (const e of events.slice(target.streamVersion - 1)) {
        const data = e === target ? { ...e.data, castBy: 'p12' } : e.data;
        const hash = chainHash(prev, { ...e, data });
        await sql`UPDATE es_events SET data = ${JSON.stringify(data)}::json, prev_hash = ${prev}, hash = ${hash}
                   WHERE stream_id = ${e.streamId} AND stream_version = ${e.streamVersion}`.execute(
          conn,
        );
        prev = hash;
      }
      await sql`ALTER TABLE es_events ENABLE TRIGGER es_events_append_only`.execute(conn);
    });
    // The tree still holds the leaf of the event as it was: a dossier exported now fails.
    const altered = await exported();
    expect(verifyDossier(altered, [key.publicKey])).toMatchObject({
      ok: false,
      firstBroken: {
        streamVersion: target.streamVersion,
        reason: expect.stringMatching(/^not in the signed log/),
      },
    });

    // So the insider rebuilds the tree from the rewritten store, and the service signs it again.
    await builder.stop();
    await sql`TRUNCATE transparency_leaves, transparency_nodes, transparency_tree, transparency_checkpoints`.execute(
      db,
    );
    builder = await startTreeBuilder(store, db, key);
    await sim.ownersDecision('c1', 'bikes', 6, true);
    const rewritten = await exported();
    // Dossiers exported now verify: only what was kept before can tell.
    expect(verifyDossier(rewritten, [key.publicKey])).toMatchObject({ ok: true });
    expect(verifyDossier(before, [key.publicKey])).toMatchObject({ ok: true });

    run = verify('--witness', file);
    expect(run.status, run.out).toBe(1);
    expect(run.out).toContain('history changed');
    expect(run.out).toMatch(/first inconsistent: line 1, checkpoint of \d+ entries/);
    expect(run.out).toContain('history was rewritten');
    // Nothing inconsistent is kept.
    expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(2);
  });
});
