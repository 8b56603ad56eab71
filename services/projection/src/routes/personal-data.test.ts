import { type Actor, type CommunityCommand, communityOfStream } from '@yishi/domain';
import { formatCheckpoint, PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import {
  generateMasterKey,
  openPersonalData,
  type PersonalData,
  SEALED_PREFIX,
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
import type { Database } from '../tables.ts';
import { Random } from '../testing/random.ts';
import { Simulator } from '../testing/simulate.ts';

// Personal fields on the read side: kept sealed in the read models, opened per answer for
// clerks, officials and admins (officials' reads logged), exported to the person, and shown
// as erased once the person's key is destroyed.

const auth = testAuth();
const clerk = { personId: 'clerk1', role: 'clerk' } as const satisfies Actor;
const QIAN = { personId: 'qian', name: '钱多多', birthDate: '1961-02-03', phone: '+8613812345678' };
const WANG = { personId: 'wang', name: '王小二', birthDate: '1970-07-07', phone: '+8613900000001' };

let store: PostgresEventStore;
let db: Kysely<Database>;
let projectors: Projector[];
let app: ReturnType<typeof createApp>;
let sim: Simulator;
let personal: PersonalData;

const position = () => formatCheckpoint(sim.last!.checkpoint);
const token = (principal: Partial<Principal> & Pick<Principal, 'personId' | 'role'>) =>
  auth.token({ communities: ['c1'], ...principal });
async function get(path: string, principal: Parameters<typeof token>[0]) {
  const join = path.includes('?') ? '&' : '?';
  return app.request(`${path}${join}minPosition=${position()}`, {
    headers: { authorization: `Bearer ${await token(principal)}` },
  });
}
async function json<T = Record<string, unknown>>(res: Response | Promise<Response>): Promise<T> {
  const answer = await res;
  const text = await answer.text();
  expect(answer.status, text).toBe(200);
  return JSON.parse(text) as T;
}
const registry = (command: (at: string) => CommunityCommand) => sim.community('c1', command, clerk);

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
  app = createApp({ db, store, verify: auth.verify, projectors, personalData: personal });
  sim = new Simulator(
    {
      append: async (streamId, events, options) =>
        store.append(
          streamId,
          await sealEvents(personal.vault, communityOfStream(streamId)!, events),
          options,
        ),
    },
    new Random(7),
  );
  await sim.registerCommunity('c1');
  for (const person of [QIAN, WANG, { personId: 'chair', name: '主任', adult: true }]) {
    await registry((at) => ({ type: 'RegisterPerson', data: person, actor: clerk, at }));
  }
  await registry((at) => ({
    type: 'CreateHousehold',
    data: { householdId: 'h1', address: '3号楼1单元101室' },
    actor: clerk,
    at,
  }));
  await registry((at) => ({
    type: 'AddResident',
    data: { personId: 'qian', householdId: 'h1' },
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

interface Persons {
  items: { personId: string; displayName: string; erased: boolean }[];
}
interface Timeline {
  items: { type: string; summary: string; details: Record<string, unknown> }[];
}

describe('personal fields on the read side', () => {
  it('keeps them sealed in the read model', async () => {
    await json(get('/v1/communities/c1/persons', clerk));
    const { rows } = await personal.pool!.query<{ schema_name: string }>(
      `SELECT schema_name FROM projection_generations WHERE projection = 'registry' AND status = 'active'`,
    );
    const persons = await db
      .withSchema(rows[0]!.schema_name)
      .selectFrom('persons')
      .selectAll()
      .where('person_id', '=', 'qian')
      .execute();
    expect(persons[0]).toMatchObject({
      name: expect.stringMatching(/^pii:v1:/),
      birth_date: expect.stringMatching(/^pii:v1:/),
      phone: expect.stringMatching(/^pii:v1:/),
    });
  });

  it('names persons to clerks, officials and admins; others see ids, never a sealed value', async () => {
    const ids = '/v1/communities/c1/persons?ids=qian,p1';
    for (const role of ['clerk', 'official', 'admin'] as const) {
      expect(await json<Persons>(get(ids, { personId: 'x', role })), role).toMatchObject({
        items: [
          { personId: 'p1', displayName: '居民1', erased: false },
          { personId: 'qian', displayName: QIAN.name, erased: false },
        ],
      });
    }
    const res = await get(ids, { personId: 'r1', role: 'resident' });
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({
      items: [{ displayName: 'p1' }, { displayName: 'qian' }],
    });
    for (const secret of [QIAN.name, SEALED_PREFIX]) expect(text).not.toContain(secret);
  });

  it('logs what officials read, and shows the log to admins only', async () => {
    const official = { personId: 'gov1', role: 'official' as const, communities: ['*'] };
    await json(get('/v1/communities/c1/persons?ids=qian,p1', official));
    await json(get('/v1/communities/c1/timeline?stream=community-c1&limit=1000', official));
    // A clerk keeps the registry: their reads are not what the log is for.
    await json(get('/v1/communities/c1/persons?ids=wang', clerk));
    const admin = { personId: 'adm', role: 'admin' as const, communities: ['*'] };
    const log = await json<{ items: Record<string, unknown>[]; next: string | null }>(
      get('/v1/personal-data/access-log', admin),
    );
    // The official of the test before (`x`) was logged too.
    expect(log.items.map((i) => i.readerId)).toEqual(['x', 'gov1', 'gov1']);
    expect(log.items.slice(1)).toEqual([
      expect.objectContaining({
        readerId: 'gov1',
        readerRole: 'official',
        communityId: 'c1',
        personIds: ['p1', 'qian'],
        route: '/v1/communities/{communityId}/persons',
        at: expect.any(String),
      }),
      expect.objectContaining({
        readerId: 'gov1',
        route: '/v1/communities/{communityId}/timeline',
        personIds: expect.arrayContaining(['qian', 'wang', 'clerk1']),
      }),
    ]);
    const wang = await json<{ items: unknown[] }>(
      get('/v1/personal-data/access-log?personId=wang', admin),
    );
    expect(wang.items).toHaveLength(1);
    const elsewhere = await json<{ items: unknown[] }>(
      get('/v1/personal-data/access-log', { ...admin, communities: ['c2'] }),
    );
    expect(elsewhere.items).toEqual([]);
    const refused = await get('/v1/personal-data/access-log', official);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'role-forbidden' });
  });

  it('exports a person their own data as a JSON download', async () => {
    const path = '/v1/communities/c1/persons/qian/personal-data';
    const res = await get(path, { personId: 'qian', role: 'resident' });
    expect(res.headers.get('content-disposition')).toBe(
      'attachment; filename="personal-data-c1-qian.json"',
    );
    const data = await json<Record<string, unknown>>(res);
    expect(data).toMatchObject({
      communityId: 'c1',
      personId: 'qian',
      person: { name: QIAN.name, birthDate: QIAN.birthDate, phone: QIAN.phone, erased: false },
      household: { householdId: 'h1', address: '3号楼1单元101室', representative: false },
      clerk: false,
      truncated: false,
    });
    const events = data.events as Timeline['items'];
    expect(events.map((e) => e.type)).toEqual(['PersonRegistered', 'ResidentAdded']);
    expect(events[0]!.details).toMatchObject({ name: QIAN.name, phone: QIAN.phone });
    // Nothing of anyone else.
    expect(JSON.stringify(data)).not.toContain(WANG.name);

    const other = await get(path, { personId: 'wang', role: 'resident' });
    expect(other.status).toBe(403);
    expect(await other.json()).toMatchObject({ code: 'not-own-data' });
    const official = await get(path, { personId: 'gov1', role: 'official', communities: ['*'] });
    expect(official.status).toBe(403);
    // A clerk may, and is logged.
    await json(get(path, clerk));
    const admin = { personId: 'adm', role: 'admin' as const, communities: ['*'] };
    const log = await json<{ items: Record<string, unknown>[] }>(
      get('/v1/personal-data/access-log?personId=qian', admin),
    );
    expect(log.items.at(-1)).toMatchObject({
      readerId: 'clerk1',
      readerRole: 'clerk',
      route: '/v1/communities/{communityId}/persons/{personId}/personal-data',
    });
    const missing = await get('/v1/communities/c1/persons/nobody/personal-data', clerk);
    expect(missing.status).toBe(404);
  });

  it('shows an erased person as 个人信息已删除 everywhere, and a destroyed key never breaks a read', async () => {
    await registry((at) => ({
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
    // A key destroyed with no erasure event (say, restored from elsewhere): reads still answer.
    await personal.vault.destroy('c1/p2');

    const persons = await json<Persons>(get('/v1/communities/c1/persons?ids=wang,p2', clerk));
    expect(persons.items).toEqual([
      { personId: 'p2', displayName: '个人信息已删除', erased: false },
      { personId: 'wang', displayName: '个人信息已删除', erased: true },
    ]);
    const resident = await json<Persons>(
      get('/v1/communities/c1/persons?ids=wang', { personId: 'r1', role: 'resident' }),
    );
    expect(resident.items).toEqual([{ personId: 'wang', displayName: 'wang', erased: true }]);
    const timeline = await json<Timeline>(
      get('/v1/communities/c1/timeline?stream=community-c1&limit=1000', clerk),
    );
    const registered = timeline.items.find(
      (i) => i.type === 'PersonRegistered' && i.details.personId === 'wang',
    )!;
    expect(registered.details).toMatchObject({
      name: '个人信息已删除',
      birthDate: '个人信息已删除',
      phone: '个人信息已删除',
    });
    expect(registered.summary).toBe('登记人员 个人信息已删除（wang）');
    const erased = timeline.items.find((i) => i.type === 'PersonalDataErased')!;
    expect(erased.summary).toBe(
      '依《个人信息保护法》第四十七条删除人员 wang 的个人信息（chair 批准）',
    );
    const exported = await json<Record<string, unknown>>(
      get('/v1/communities/c1/persons/wang/personal-data', clerk),
    );
    expect(exported.person).toEqual({
      name: null,
      birthDate: null,
      phone: null,
      adult: true,
      erased: true,
    });
    expect(JSON.stringify(exported)).not.toContain(WANG.name);
  });
});
