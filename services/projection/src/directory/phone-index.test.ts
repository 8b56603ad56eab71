import { randomBytes } from 'node:crypto';
import { type Actor, type CommunityCommand, communityOfStream } from '@yishi/domain';
import { PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import {
  generateMasterKey,
  openPersonalData,
  type PersonalData,
  sealEvents,
} from '@yishi/personal-data';
import { type Principal, testAuth } from '@yishi/platform';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { createDb } from '../db.ts';
import { projections } from '../main.ts';
import { migrateReadModels } from '../migrations/index.ts';
import { Projector } from '../runtime/projector.ts';
import { ReadModels } from '../runtime/read-models.ts';
import type { Database } from '../tables.ts';
import { Random } from '../testing/random.ts';
import { Simulator } from '../testing/simulate.ts';
import { PhoneIndex } from './phone-index.ts';

// Sign-in finds a person by the phone number the registry keeps sealed: a number registered or
// corrected by a clerk is found; the number it replaced, or an erased person's, is not.

const auth = testAuth();
const clerk = { personId: 'clerk1', role: 'clerk' } as const satisfies Actor;
const QIAN = '+8613812345678';
const NEW = '+8613812340000';
const WANG = '+8613900000001';

let store: PostgresEventStore;
let db: Kysely<Database>;
let projectors: Projector[];
let personal: PersonalData;
let index: PhoneIndex;
let app: ReturnType<typeof createApp>;
let sim: Simulator;
const key = randomBytes(32);

async function registry(communityId: string, command: (at: string) => CommunityCommand) {
  expect(await sim.community(communityId, command, clerk)).toBe(true);
  const registryProjector = projectors.find((p) => p.projection.name === 'registry')!;
  expect(await registryProjector.waitFor(sim.last!.checkpoint, 10_000)).toBe(true);
}

async function lookup(
  phone: string,
  principal: Partial<Principal> = { personId: 'console', role: 'admin', communities: ['*'] },
) {
  const token = await auth.token({
    personId: 'x',
    role: 'admin',
    communities: ['*'],
    ...principal,
  });
  return app.request('/v1/directory/phone-lookup', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ phone }),
  });
}
async function found(phone: string): Promise<string[]> {
  const res = await lookup(phone);
  const body = (await res.json()) as { identities: { communityId: string; personId: string }[] };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.identities.map((i) => `${i.communityId}/${i.personId}`);
}

beforeAll(async () => {
  const url = await testDatabaseUrl();
  store = new PostgresEventStore({ connectionString: url });
  db = createDb(url, 20);
  await migrateReadModels(db);
  projectors = projections.map(
    (p) => new Projector(store, db, p, { pollIntervalMs: 50, lockRetryMs: 50, heartbeatMs: 200 }),
  );
  for (const p of projectors) await p.start();
  personal = await openPersonalData({ databaseUrl: url, masterKey: generateMasterKey() });
  index = new PhoneIndex(db, new ReadModels(db), personal.vault, key);
  app = createApp({
    db,
    store,
    verify: auth.verify,
    projectors,
    personalData: personal,
    phoneIndex: index,
  });
  sim = new Simulator(
    {
      append: async (streamId, events, options) =>
        store.append(
          streamId,
          await sealEvents(personal.vault, communityOfStream(streamId)!, events),
          options,
        ),
    },
    new Random(11),
  );
  for (const cid of ['c1', 'c2']) await sim.registerCommunity(cid);
  await registry('c1', (at) => ({
    type: 'RegisterPerson',
    data: { personId: 'qian', name: '钱多多', phone: QIAN },
    actor: clerk,
    at,
  }));
  await registry('c1', (at) => ({
    type: 'RegisterPerson',
    data: { personId: 'wang', name: '王小二', phone: WANG },
    actor: clerk,
    at,
  }));
  await registry('c1', (at) => ({
    type: 'RegisterPerson',
    data: { personId: 'chair', name: '主任', adult: true },
    actor: clerk,
    at,
  }));
  // The same person, registered in a second community with the same number.
  await registry('c2', (at) => ({
    type: 'RegisterPerson',
    data: { personId: 'q2', name: '钱多多', phone: QIAN },
    actor: clerk,
    at,
  }));
});
afterAll(async () => {
  for (const p of projectors) await p.stop();
  await db.destroy();
  await store.close();
  await personal.close();
});

describe('the phone index', () => {
  it('finds every person a registered number belongs to, in any community', async () => {
    expect(await found(QIAN)).toEqual(['c1/qian', 'c2/q2']);
    expect(await found(WANG)).toEqual(['c1/wang']);
    expect(await found('+8613700000000')).toEqual([]);
  });

  it('keeps digests, never the numbers', async () => {
    const rows = await db.selectFrom('phone_index').selectAll().execute();
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const row of rows) {
      expect(row.phone_digest).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(JSON.stringify(row)).not.toContain('138');
    }
  });

  it('follows a corrected number: the old one finds no one', async () => {
    await registry('c1', (at) => ({
      type: 'CorrectPerson',
      data: { personId: 'qian', phone: NEW, reason: '本人换号' },
      actor: clerk,
      at,
    }));
    expect(await found(NEW)).toEqual(['c1/qian']);
    expect(await found(QIAN)).toEqual(['c2/q2']);
  });

  it('forgets an erased person’s number', async () => {
    await registry('c1', (at) => ({
      type: 'ErasePersonalData',
      data: {
        personId: 'wang',
        legalBasis: { ground: 'consent-withdrawn', explanation: '本人撤回同意' },
        approvedBy: 'chair',
      },
      actor: clerk,
      at,
    }));
    await personal.vault.destroy('c1/wang');
    expect(await found(WANG)).toEqual([]);
    const rows = await db
      .selectFrom('phone_index')
      .selectAll()
      .where('person_id', '=', 'wang')
      .execute();
    expect(rows).toEqual([]);
  });

  it('rebuilt from the registry, gives the same index; a destroyed key opens nothing', async () => {
    const before = await db.selectFrom('phone_index').selectAll().orderBy('person_id').execute();
    await db.deleteFrom('phone_index').execute();
    await db.deleteFrom('phone_index_watermark').execute();
    // Without the erasure event's version, the destroyed key alone keeps the number closed.
    await personal.vault.destroy('c2/q2');
    const fresh = new PhoneIndex(db, new ReadModels(db), personal.vault, key);
    await fresh.sync();
    const after = await db.selectFrom('phone_index').selectAll().orderBy('person_id').execute();
    expect(after).toEqual(before.filter((r) => r.person_id !== 'q2'));
  });

  it('answers administrators of every community only, and refuses a number that is none', async () => {
    const official = await lookup(QIAN, { role: 'official' });
    expect(official.status).toBe(403);
    expect(await official.json()).toMatchObject({ code: 'role-forbidden' });
    const narrow = await lookup(QIAN, { communities: ['c1'] });
    expect(narrow.status).toBe(403);
    expect(await narrow.json()).toMatchObject({ code: 'community-forbidden' });
    const bad = await lookup('110');
    expect(bad.status).toBe(400);
    const problem = await bad.json();
    expect(problem, JSON.stringify(problem)).toMatchObject({
      code: 'invalid-input',
      errors: [expect.objectContaining({ field: 'body.phone' })],
    });
  });
});
