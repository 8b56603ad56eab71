// First: the OpenAPI extension of zod must be installed before the domain builds its schemas.
import '@hono/zod-openapi';
import { type CommunityRegistry, pget } from '@yishi/domain';
import { PostgresEventStore, START } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { memoryPersonalData } from '@yishi/personal-data';
import { testAuth } from '@yishi/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { readRegistry } from '../context.ts';
import { MAX_IMPORT_ROWS, type RegistryImportInput } from '../registry-import/rows.ts';
import { StateReader } from '../state-reader.ts';

const auth = testAuth();
const { vault } = memoryPersonalData();
let store: PostgresEventStore;
let app: ReturnType<typeof createApp>;
let clerk: string;
const C = '/v1/communities/c1';

async function as(role: 'admin' | 'clerk' | 'resident', personId: string) {
  return auth.token({ personId, role, communities: ['c1', 'c2'] });
}

function send(
  token: string,
  body: unknown,
  headers: Record<string, string> = {},
  path = `${C}/registry/import`,
) {
  return app.request(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function registry(): Promise<CommunityRegistry> {
  // A reader of its own: what is stored, not what the app cached.
  return (await readRegistry(new StateReader(store, undefined, vault), 'c1'))!;
}

async function eventCount(): Promise<number> {
  return (await store.readAll(START, 10_000)).events.length;
}

const units: RegistryImportInput['units'] = [
  {
    sheet: '房屋',
    row: 2,
    unitId: '3-101',
    building: '3号楼',
    label: '3号楼1单元101室',
    kind: 'home',
    areas: { registryCentiM2: 8825 },
    developerUnsold: false,
    owners: [
      { personId: 'P001', name: '张伟' },
      { personId: 'P002', name: '王芳' },
    ],
  },
  {
    sheet: '房屋',
    row: 3,
    unitId: '3-102',
    building: '3号楼',
    kind: 'home',
    areas: { registryCentiM2: 9010 },
    developerUnsold: false,
    owners: [{ personId: 'P003', name: '李娜' }],
  },
  {
    sheet: '房屋',
    row: 4,
    unitId: 'S-01',
    building: '3号楼',
    kind: 'shop',
    areas: { registryCentiM2: 4550 },
    developerUnsold: true,
    owners: [],
  },
];

const residents: RegistryImportInput['residents'] = [
  {
    sheet: '居民',
    row: 2,
    personId: 'P001',
    name: '张伟',
    birthDate: '1975-04-12',
    householdId: 'H3-101',
    unitId: '3-101',
    groupId: 'G1',
    groupName: '第一居民小组',
  },
  {
    sheet: '居民',
    row: 3,
    personId: 'P004',
    name: '张小明',
    birthDate: '2012-09-01',
    householdId: 'H3-101',
    unitId: '3-101',
    groupId: 'G1',
  },
  {
    sheet: '居民',
    row: 4,
    personId: 'P005',
    name: '赵敏',
    adult: true,
    householdId: 'H3-102',
    unitId: '3-102',
    groupId: 'G1',
  },
];

const file = { documentRef: '幸福里业主名册2026.xlsx', units, residents };

beforeAll(async () => {
  store = new PostgresEventStore({ connectionString: await testDatabaseUrl() });
  await store.init();
  app = createApp({
    store,
    verify: auth.verify,
    clock: () => new Date('2026-05-01T08:00:00.000Z'),
    personalData: vault,
  });
  const admin = await as('admin', 'adm');
  const setup: [string, string, unknown][] = [
    ['PUT', C, { name: '幸福里社区', kind: 'urban' }],
    ['POST', `${C}/registry/register-person`, { personId: 'k1', name: '王书记员', adult: true }],
    ['POST', `${C}/registry/appoint-clerk`, { personId: 'k1' }],
    ['PUT', '/v1/communities/c2', { name: '明月村', kind: 'rural' }],
  ];
  for (const [method, path, body] of setup) {
    const res = await app.request(path, {
      method,
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status, await res.clone().text()).toBe(201);
  }
  clerk = await as('clerk', 'k1');
});
afterAll(() => store.close());

describe('registry import', () => {
  it('a dry run answers what would change and writes nothing', async () => {
    const before = await eventCount();
    const res = await send(clerk, file, {}, `${C}/registry/import?dryRun=true`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { dryRun: boolean; changes: Record<string, number> };
    expect(body.dryRun).toBe(true);
    expect(body.changes.unitsRegistered).toBe(3);
    expect(await eventCount()).toBe(before);
  });

  it('creates persons, units with owners, a group, households and residents in one append', async () => {
    const res = await send(clerk, file, { 'idempotency-key': 'import-1' });
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body).toMatchObject({
      streamId: 'community-c1',
      duplicate: false,
      changes: {
        personsRegistered: 5,
        personsCorrected: 0,
        unitsRegistered: 3,
        unitAreasCorrected: 0,
        unitsTransferred: 0,
        residentGroupsCreated: 1,
        householdsCreated: 2,
        residentsAdded: 3,
        residentsMoved: 0,
      },
    });
    expect(body.details).toContainEqual({
      change: 'unitsRegistered',
      id: '3-101',
      sheet: '房屋',
      row: 2,
    });

    const r = await registry();
    expect(pget(r.units, '3-101')).toMatchObject({
      building: '3号楼',
      label: '3号楼1单元101室',
      kind: 'home',
      areas: { registryCentiM2: 8825 },
      ownerIds: ['P001', 'P002'],
      developerUnsold: false,
    });
    expect(pget(r.units, 'S-01')).toMatchObject({ developerUnsold: true, ownerIds: [] });
    expect(pget(r.persons, 'P001')).toMatchObject({
      name: '张伟',
      birthDate: '1975-04-12',
      householdId: 'H3-101',
    });
    expect(pget(r.persons, 'P002')).toEqual({ personId: 'P002', name: '王芳' });
    expect(pget(r.persons, 'P005')).toMatchObject({ adult: true, householdId: 'H3-102' });
    expect(pget(r.households, 'H3-101')).toMatchObject({
      unitId: '3-101',
      residentGroupId: 'G1',
      active: true,
    });
    expect(r.groups.G1).toMatchObject({ name: '第一居民小组', active: true });

    // One atomic append: one transaction, every event carries who, the command and its row.
    const events = (await store.readStream('community-c1')).slice(3);
    expect(events).toHaveLength(14);
    expect(new Set(events.map((e) => e.transactionId)).size).toBe(1);
    expect(events[0]!.metadata).toMatchObject({
      actorId: 'k1',
      actorRole: 'clerk',
      idempotencyKey: 'import-1',
      occurredAt: '2026-05-01T08:00:00.000Z',
      communityId: 'c1',
      importCommand: 'RegisterPerson',
      importSheet: '房屋',
      importRow: 2,
    });
    expect(new Set(events.map((e) => e.metadata.commandId)).size).toBe(1);
    // Names and birth dates are stored sealed, never in clear.
    const stored = JSON.stringify(events.map((e) => e.data));
    for (const clear of ['张伟', '王芳', '1975-04-12']) expect(stored).not.toContain(clear);
    expect(events[0]).toMatchObject({
      type: 'PersonRegistered',
      data: { personId: 'P001', name: expect.stringMatching(/^pii:v1:/) },
    });
  });

  it('re-importing the same rows changes nothing and writes nothing', async () => {
    const before = await eventCount();
    const res = await send(clerk, file);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { changes: Record<string, number>; duplicate: boolean };
    expect(Object.values(body.changes).every((n) => n === 0)).toBe(true);
    expect(body.duplicate).toBe(false);
    expect(await eventCount()).toBe(before);
  });

  it('a repeated Idempotency-Key answers the first result', async () => {
    const before = await eventCount();
    const res = await send(clerk, file, { 'idempotency-key': 'import-1' });
    expect(res.status).toBe(200);
    expect(res.headers.get('idempotent-replayed')).toBe('true');
    expect(await res.json()).toMatchObject({
      duplicate: true,
      changes: { personsRegistered: 5, unitsRegistered: 3, residentsAdded: 3 },
    });
    expect(await eventCount()).toBe(before);
  });

  it('the same Idempotency-Key with other rows answers 422, and writes nothing', async () => {
    const before = await eventCount();
    const res = await send(
      clerk,
      { ...file, residents: [{ ...residents[2]!, personId: 'P099' }] },
      { 'idempotency-key': 'import-1' },
    );
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({
      code: 'idempotency-key-reused',
      errors: [{ field: 'header.idempotency-key' }],
    });
    expect(await eventCount()).toBe(before);
  });

  it('a refused row answers 422 with its row and field, and nothing is written', async () => {
    const before = await eventCount();
    const bad = {
      ...file,
      units: [
        ...units,
        {
          sheet: '房屋',
          row: 5,
          unitId: '3-201',
          building: '3号楼',
          kind: 'home',
          areas: { registryCentiM2: 8800 },
          developerUnsold: false,
          owners: [{ personId: 'P006', name: '孙丽' }],
        },
      ],
      residents: [
        ...residents,
        {
          sheet: '居民',
          row: 5,
          personId: 'P006',
          name: '孙丽',
          adult: true,
          householdId: 'H9-999',
          unitId: '9-999',
        },
      ],
    };
    const res = await send(clerk, bad);
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await res.json()) as { code: string; rows: unknown[] };
    expect(problem.code).toBe('invalid-rows');
    expect(problem.rows).toEqual([
      {
        sheet: '居民',
        row: 5,
        field: 'householdId',
        code: 'not-found',
        message: expect.stringContaining('unit 9-999 is not registered'),
      },
      // The resident cannot be added to the household that could not be created.
      expect.objectContaining({ sheet: '居民', row: 5, code: 'not-found' }),
    ]);
    expect(await eventCount()).toBe(before);
    expect(pget((await registry()).units, '3-201')).toBeUndefined();
  });

  it('reports rows that contradict each other or the registry', async () => {
    const res = await send(clerk, {
      documentRef: 'x.csv',
      units: [
        { ...units[0]!, building: '5号楼' },
        { ...units[1]!, owners: [{ personId: 'P001', name: '张三' }] },
        { ...units[1]!, row: 9 },
      ],
    });
    expect(res.status).toBe(422);
    const { rows } = (await res.json()) as { rows: { row: number; field: string; code: string }[] };
    expect(rows.map(({ row, field, code }) => ({ row, field, code }))).toEqual([
      { row: 3, field: 'owners.0.name', code: 'name-conflict' },
      { row: 9, field: 'unitId', code: 'duplicate-unit' },
      { row: 2, field: 'building', code: 'cannot-change' },
    ]);
  });

  it('a changed area becomes CorrectUnitArea, changed owners a TransferUnit', async () => {
    const changed = {
      documentRef: '幸福里业主名册2026-06.xlsx',
      units: [
        { ...units[0]!, areas: { registryCentiM2: 8830 } },
        { ...units[1]!, owners: [{ personId: 'P007', name: '周杰' }] },
        { ...units[2]!, developerUnsold: false, owners: [{ personId: 'P003', name: '李娜' }] },
      ],
    };
    const res = await send(clerk, changed);
    const body = (await res.json()) as { changes: Record<string, number> };
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body.changes).toMatchObject({
      personsRegistered: 1,
      unitAreasCorrected: 1,
      unitsTransferred: 2,
      unitsRegistered: 0,
    });
    const events = await store.readStream('community-c1');
    const corrected = events.find((e) => e.type === 'UnitAreaCorrected');
    expect(corrected?.data).toMatchObject({
      unitId: '3-101',
      areas: { registryCentiM2: 8830 },
      previous: { registryCentiM2: 8825 },
      documentRef: '幸福里业主名册2026-06.xlsx',
    });
    const transfers = events.filter((e) => e.type === 'UnitTransferred').map((e) => e.data);
    expect(transfers).toEqual([
      expect.objectContaining({
        unitId: '3-102',
        ownerIds: ['P007'],
        previousOwnerIds: ['P003'],
        reason: 'correction',
      }),
      expect.objectContaining({
        unitId: 'S-01',
        ownerIds: ['P003'],
        wasDeveloperUnsold: true,
        reason: 'delivery',
      }),
    ]);
    const r = await registry();
    expect(pget(r.unitsByOwner, 'P003')).toEqual(['S-01']);
  });

  it('moves a resident and corrects a name', async () => {
    const res = await send(clerk, {
      documentRef: '居民变动.csv',
      residents: [{ ...residents[2]!, name: '赵敏敏', householdId: 'H3-101', unitId: '3-101' }],
    });
    const body = (await res.json()) as { changes: Record<string, number> };
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body.changes).toMatchObject({ personsCorrected: 1, residentsMoved: 1 });
    expect(pget((await registry()).persons, 'P005')).toMatchObject({
      name: '赵敏敏',
      householdId: 'H3-101',
    });
  });

  it('only an appointed clerk or an admin imports', async () => {
    const resident = await send(await as('resident', 'r1'), file);
    expect(resident.status).toBe(403);
    expect(await resident.json()).toMatchObject({ code: 'role-forbidden' });
    const stranger = await send(await as('clerk', 'nobody'), file);
    expect(stranger.status).toBe(403);
    expect(await stranger.json()).toMatchObject({ code: 'role-not-registered' });
    const unknown = await send(
      await as('admin', 'adm'),
      file,
      {},
      '/v1/communities/c9/registry/import',
    );
    expect(unknown.status).toBe(403); // the token is not for c9
    const other = await app.request('/v1/communities/c3/registry/import', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await auth.token({ personId: 'adm', role: 'admin', communities: ['*'] })}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(file),
    });
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ code: 'community-not-found' });
  });

  it('names invalid fields with 400', async () => {
    const res = await send(clerk, {
      documentRef: 'x',
      units: [{ ...units[0]!, areas: { registryCentiM2: 88.25 } }],
    });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { errors: { field: string }[] };
    expect(problem.errors.map((e) => e.field)).toContain('body.units.0.areas.registryCentiM2');
  });

  it('refuses a sheet name the store cannot hold (NUL) with 400 naming the field', async () => {
    const before = await eventCount();
    const res = await send(clerk, {
      documentRef: 'x',
      units: [{ ...units[0]!, sheet: '房屋\u0000' }],
    });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { errors: { field: string }[] };
    expect(problem.errors.map((e) => e.field)).toEqual(['body.units.0.sheet']);
    expect(await eventCount()).toBe(before);
  });

  it('takes a register of 2,000 units (beyond the default body limit) and refuses over 8 MiB', async () => {
    const admin = await as('admin', 'adm');
    const many = Array.from({ length: 2000 }, (_, i) => ({
      sheet: '房屋',
      row: i + 2,
      unitId: `B${Math.floor(i / 100) + 1}-${(i % 100) + 1}`,
      building: `${Math.floor(i / 100) + 1}号楼`,
      label: `${Math.floor(i / 100) + 1}号楼${(i % 100) + 1}室`,
      kind: 'home',
      areas: { registryCentiM2: 8000 + i },
      developerUnsold: false,
      owners: [{ personId: `M${i + 1}`, name: `业主${i + 1}` }],
    }));
    const body = JSON.stringify({ documentRef: '明月村名册.xlsx', units: many });
    expect(body.length).toBeGreaterThan(256 * 1024);
    const res = await send(admin, body, {}, '/v1/communities/c2/registry/import');
    const answer = (await res.json()) as { changes: Record<string, number> };
    expect(res.status, JSON.stringify(answer).slice(0, 500)).toBe(201);
    expect(answer.changes).toMatchObject({ unitsRegistered: 2000, personsRegistered: 2000 });

    const huge = `{"documentRef":"x","units":[],"pad":"${'x'.repeat(8 * 1024 * 1024)}"}`;
    const tooBig = await send(admin, huge, {}, '/v1/communities/c2/registry/import');
    expect(tooBig.status).toBe(413);
    expect(await tooBig.json()).toMatchObject({ code: 'payload-too-large' });
  });

  it('refuses more rows of a kind than one import takes, naming the field and the limit', async () => {
    const row = units[2]!;
    const many = Array.from({ length: MAX_IMPORT_ROWS + 1 }, (_, i) => ({
      ...row,
      row: i + 2,
      unitId: `N${i}`,
    }));
    const res = await send(clerk, { documentRef: 'x', units: many });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { errors: { field: string; message: string }[] };
    expect(problem.errors).toEqual([
      { field: 'body.units', message: expect.stringContaining('split the file') },
    ]);
  });

  it('refuses an import larger than one append (10,000 events) with 413, writing nothing', async () => {
    const admin = await as('admin', 'adm');
    const before = await eventCount();
    // Each new resident is a person, a household and a residence: 3,400 of them, 10,200 events.
    const many = Array.from({ length: 3400 }, (_, i) => ({
      sheet: '居民',
      row: i + 2,
      personId: `R${i + 1}`,
      name: `居民${i + 1}`,
      adult: true,
      householdId: `HH${i + 1}`,
    }));
    const res = await send(
      admin,
      { documentRef: '明月村居民.xlsx', residents: many },
      {},
      '/v1/communities/c2/registry/import',
    );
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'import-too-large', events: 10_200 });
    expect(await eventCount()).toBe(before);
  });

  it('two imports of the same rows at once write them once', async () => {
    const admin = await auth.token({ personId: 'adm', role: 'admin', communities: ['*'] });
    const path = '/v1/communities/c4/registry/import';
    const put = await app.request('/v1/communities/c4', {
      method: 'PUT',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: '青松社区', kind: 'urban' }),
    });
    expect(put.status).toBe(201);
    const [a, b] = await Promise.all([send(admin, file, {}, path), send(admin, file, {}, path)]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    const events = await store.readStream('community-c4');
    expect(events.filter((e) => e.type === 'UnitRegistered')).toHaveLength(3);
  });
});
