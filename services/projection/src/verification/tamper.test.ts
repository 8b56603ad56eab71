import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chainHash, type JsonObject, PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { testAuth } from '@yishi/platform';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { createDb } from '../db.ts';
import { migrateReadModels } from '../migrations/index.ts';
import { projections } from '../projections/index.ts';
import { activeGeneration } from '../runtime/generations.ts';
import { Projector } from '../runtime/projector.ts';
import type { Database } from '../tables.ts';
import { Random } from '../testing/random.ts';
import { Simulator } from '../testing/simulate.ts';
import {
  publicKeyFile,
  startTreeBuilder,
  testLogProofs,
  testSigningKey,
} from '../testing/transparency.ts';
import type { TreeBuilder } from '../transparency/builder.ts';
import type { LogProofs } from '../transparency/proofs.ts';
import { type Dossier, exportDossier, verifyDossier } from './dossier.ts';
import { verifyScope, type Witness } from './verify.ts';

// Tamper: alter stored events by hand; verification names the event, and the dossier of a
// tampered proposal fails offline verification.

const auth = testAuth();
const key = testSigningKey();
const keys = [key.publicKey];
let builder: TreeBuilder;
let log: LogProofs;
let store: PostgresEventStore;
let db: Kysely<Database>;
let witness: Witness;
let original: Dossier;

/** Rewrites one stored event as someone with the database's superuser rights could. */
async function alter(
  streamId: string,
  version: number,
  data: JsonObject,
  hashes?: { prev: string; hash: string },
) {
  await db.connection().execute(async (conn) => {
    await sql`ALTER TABLE es_events DISABLE TRIGGER es_events_append_only`.execute(conn);
    try {
      await sql`UPDATE es_events SET data = ${JSON.stringify(data)}::jsonb,
                 prev_hash = coalesce(${hashes?.prev ?? null}, prev_hash), hash = coalesce(${hashes?.hash ?? null}, hash)
                 WHERE stream_id = ${streamId} AND stream_version = ${version}`.execute(conn);
    } finally {
      await sql`ALTER TABLE es_events ENABLE TRIGGER es_events_append_only`.execute(conn);
    }
  });
}

beforeAll(async () => {
  const url = await testDatabaseUrl();
  store = new PostgresEventStore({ connectionString: url });
  db = createDb(url, 20);
  await migrateReadModels(db);
  const sim = new Simulator(store, new Random(4));
  await sim.registerCommunity('c1');
  await sim.ownersDecision('c1', 'lift', 20, true);
  await sim.jointSession('c1', 'parking', 's1');
  const projectors = projections.map((p) => new Projector(store, db, p, { pollIntervalMs: 20 }));
  for (const p of projectors) await p.start();
  for (const p of projectors) await p.waitFor(sim.last!.checkpoint, 30_000);
  for (const p of projectors) await p.stop();
  witness = { db, schema: (await activeGeneration(db, 'timeline'))!.schema };
  builder = await startTreeBuilder(store, db, key);
  log = testLogProofs(db, builder);
  original = (await exportDossier(store, log, 'c1', 'lift', undefined))!;
});
afterAll(async () => {
  await builder.stop();
  await db.destroy();
  await store.close();
});

describe('tamper', () => {
  it('names an altered event; the tampered dossier fails offline, the copy exported before does not', async () => {
    expect(await verifyScope(store, { kind: 'all' }, witness)).toMatchObject({ ok: true });
    expect(verifyDossier(original, keys)).toMatchObject({ ok: true });
    const ballot = (await store.readStream('proposal-c1.lift')).find(
      (e) => e.type === 'BallotCast',
    )!;
    const choices = ballot.data.choices as { itemId: string; choice: string }[];
    const flipped = choices.map((c) => ({ ...c, choice: c.choice === 'yes' ? 'no' : 'yes' }));
    await alter('proposal-c1.lift', ballot.streamVersion, { ...ballot.data, choices: flipped });

    const broken = {
      ok: false,
      firstBroken: {
        streamId: 'proposal-c1.lift',
        streamVersion: ballot.streamVersion,
        reason: 'content does not match its hash',
      },
    };
    expect(
      await verifyScope(store, { kind: 'stream', streamId: 'proposal-c1.lift' }, witness),
    ).toMatchObject(broken);
    expect(
      await verifyScope(store, { kind: 'community', communityId: 'c1' }, witness),
    ).toMatchObject(broken);
    expect(await verifyScope(store, { kind: 'all' }, witness)).toMatchObject(broken);

    // The endpoint an official calls.
    const app = createApp({ db, store, verify: auth.verify, projectors: [] });
    const token = await auth.token({ personId: 'o1', role: 'official', communities: ['*'] });
    const res = await app.request('/v1/communities/c1/verification', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await res.json()).toMatchObject(broken);

    // The dossier exported now carries the altered event and fails offline.
    const tampered = (await exportDossier(store, log, 'c1', 'lift', undefined))!;
    expect(verifyDossier(tampered, keys)).toMatchObject(broken);
    // The copy an official kept from before is still whole.
    expect(verifyDossier(original, keys)).toMatchObject({ ok: true });

    // `pnpm verify dossier.json`, offline.
    const dir = await mkdtemp(join(tmpdir(), 'dossier-'));
    await writeFile(join(dir, 'tampered.json'), JSON.stringify(tampered));
    await writeFile(join(dir, 'original.json'), JSON.stringify(original));
    await writeFile(join(dir, 'log.pem'), publicKeyFile(key));
    const cli = fileURLToPath(new URL('../cli/verify.ts', import.meta.url));
    const run = (file: string) =>
      spawnSync(
        process.execPath,
        ['--import', 'tsx', cli, join(dir, file), '--key', join(dir, 'log.pem')],
        {
          encoding: 'utf8',
          env: { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
        },
      );
    const bad = run('tampered.json');
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain(`proposal-c1.lift version ${ballot.streamVersion}`);
    expect(run('original.json').status).toBe(0);
  });

  it('catches a dossier edited offline: a figure of the decision, or a ballot with its hashes redone', () => {
    const figures = JSON.parse(JSON.stringify(original)) as Dossier;
    const decision = figures.decisions[0] as { items: { outcome: string }[] };
    decision.items[0]!.outcome = decision.items[0]!.outcome === 'adopted' ? 'rejected' : 'adopted';
    expect(verifyDossier(figures, keys)).toMatchObject({
      ok: false,
      problem: 'the decision summary differs from what the events state',
    });

    // A forger who rewrites a ballot and recomputes every later hash keeps the chain whole, but
    // the recorded decision no longer follows from the ballots.
    const forged = JSON.parse(JSON.stringify(original)) as Dossier;
    const events = forged.streams[0]!.events;
    const index = events.findIndex((e) => e.type === 'BallotCast');
    const cast = events[index]!;
    const choices = cast.data.choices as { itemId: string; choice: string }[];
    cast.data = {
      ...cast.data,
      choices: choices.map((c) => ({ ...c, choice: c.choice === 'yes' ? 'no' : 'yes' })),
    };
    let prev = cast.prevHash;
    for (const e of events.slice(index)) {
      e.prevHash = prev;
      e.hash = chainHash(prev, {
        streamId: forged.streams[0]!.streamId,
        streamVersion: e.streamVersion,
        type: e.type,
        schemaVersion: e.schemaVersion,
        data: e.data as JsonObject,
        metadata: e.metadata as JsonObject,
      });
      prev = e.hash;
    }
    const report = verifyDossier(forged, keys);
    expect(report.ok).toBe(false);
    expect(report.problem).toMatch(/differs from its recomputation from the ballots/);
  });

  it('catches an event rewritten with its chain recomputed, by the hashes recorded when it was projected', async () => {
    const stream = 'proposal-c1.parking';
    const events = await store.readStream(stream);
    const target = events[1]!;
    let prev = target.prevHash;
    for (const e of events.slice(1)) {
      const data = e === target ? { ...e.data, concernedPartyIds: ['oc'] } : e.data;
      const hash = chainHash(prev, { ...e, data });
      await alter(stream, e.streamVersion, data, { prev, hash });
      prev = hash;
    }
    // The store's chain alone is whole again…
    expect(await verifyScope(store, { kind: 'stream', streamId: stream })).toMatchObject({
      ok: true,
    });
    // …but the read side recorded other hashes.
    expect(await verifyScope(store, { kind: 'stream', streamId: stream }, witness)).toMatchObject({
      ok: false,
      firstBroken: {
        streamId: stream,
        streamVersion: target.streamVersion,
        reason: 'hash differs from the one recorded when the event was projected',
      },
    });
  });
});
