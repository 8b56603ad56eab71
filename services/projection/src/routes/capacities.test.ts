import type { Actor, CommunityCommand } from '@yishi/domain';
import { formatCheckpoint, PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { type Principal, testAuth } from '@yishi/platform';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import type { CapacityList } from '../contract.ts';
import { createDb } from '../db.ts';
import { migrateReadModels } from '../migrations/index.ts';
import { registryProjection } from '../projections/registry.ts';
import { timelineProjection } from '../projections/timeline.ts';
import { Projector } from '../runtime/projector.ts';
import type { Database } from '../tables.ts';
import { Random } from '../testing/random.ts';
import { Simulator } from '../testing/simulate.ts';

// A person's capacities as the registry gives them: what the console lets them act as.

const auth = testAuth();
const admin: Actor = { personId: 'admin', role: 'admin' };
let store: PostgresEventStore;
let db: Kysely<Database>;
let projectors: Projector[];
let app: ReturnType<typeof createApp>;
let sim: Simulator;

const registry: [CommunityCommand['type'], Record<string, unknown>][] = [
  ['RegisterPerson', { personId: 'wang', name: '王业主', adult: true }],
  ['RegisterPerson', { personId: 'li', name: '李居民', birthDate: '1980-05-01' }],
  ['RegisterPerson', { personId: 'kid', name: '小李', birthDate: '2020-05-01' }],
  ['RegisterPerson', { personId: 'zhao', name: '赵委员', adult: true }],
  ['RegisterPerson', { personId: 'k1', name: '书记员', adult: true }],
  ['AppointClerk', { personId: 'k1' }],
  [
    'RegisterUnit',
    {
      unitId: 'cap-u1',
      building: '1号楼',
      kind: 'home',
      areas: { registryCentiM2: 9000 },
      developerUnsold: false,
      ownerIds: ['wang'],
    },
  ],
  ['CreateHousehold', { householdId: 'cap-h1', unitId: 'cap-u1' }],
  ['AddResident', { personId: 'wang', householdId: 'cap-h1' }],
  ['AddResident', { personId: 'li', householdId: 'cap-h1' }],
  ['AddResident', { personId: 'kid', householdId: 'cap-h1' }],
  ['DesignateHouseholdRepresentative', { householdId: 'cap-h1', personId: 'wang' }],
  [
    'GrantProxy',
    {
      authorisationId: 'a1',
      ownerId: 'wang',
      proxyId: 'li',
      proposalId: 'fund',
      itemId: 'i1',
      documentRef: '委托书 1',
    },
  ],
  ['RegisterParty', { partyId: 'jwh', kind: 'residents-committee', name: '居民委员会' }],
  ['RegisterParty', { partyId: 'wy', kind: 'property-company', name: '物业公司' }],
  ['AppointPartyRepresentative', { partyId: 'jwh', personId: 'zhao' }],
  ['AppointPartyRepresentative', { partyId: 'wy', personId: 'zhao' }],
];

beforeAll(async () => {
  const url = await testDatabaseUrl();
  store = new PostgresEventStore({ connectionString: url });
  db = createDb(url, 10);
  await migrateReadModels(db);
  projectors = [timelineProjection, registryProjection].map(
    (p) => new Projector(store, db, p, { pollIntervalMs: 20, lockRetryMs: 50, heartbeatMs: 200 }),
  );
  for (const p of projectors) await p.start();
  app = createApp({ db, store, verify: auth.verify, projectors });
  sim = new Simulator(store, new Random(3), Date.parse('2026-06-01T01:00:00.000Z'));
  await sim.registerCommunity('c1');
  for (const [type, data] of registry) {
    const ok = await sim.community(
      'c1',
      (at) => ({ type, data, actor: admin, at }) as CommunityCommand,
      admin,
    );
    expect(ok, `${type}: ${JSON.stringify([...sim.refusals])}`).toBe(true);
  }
});
afterAll(async () => {
  for (const p of projectors) await p.stop();
  await db.destroy();
  await store.close();
});

async function capacities(personId: string, reader: Partial<Principal> = {}) {
  const token = await auth.token({ personId, role: 'resident', communities: ['c1'], ...reader });
  const position = formatCheckpoint(sim.last!.checkpoint);
  const res = await app.request(
    `/v1/communities/c1/persons/${personId}/capacities?minPosition=${position}`,
    { headers: { authorization: `Bearer ${token}` } },
  );
  return { status: res.status, body: (await res.json()) as CapacityList & { code?: string } };
}

const kinds = (list: CapacityList) => list.capacities.map((c) => [c.kind, c.role, c.partyId]);

describe('a person’s capacities', () => {
  it('owner and household representative (one capacity for residence), from units and households', async () => {
    const { status, body } = await capacities('wang');
    expect(status).toBe(200);
    expect(kinds(body)).toEqual([
      ['owner', 'owner', undefined],
      ['household-representative', 'resident', undefined],
    ]);
    expect(body.capacities[0]).toMatchObject({ unitIds: ['cap-u1'] });
  });

  it('an adult resident holding authorisations; a child resident has none', async () => {
    expect(kinds((await capacities('li')).body)).toEqual([
      ['resident', 'resident', undefined],
      ['proxy', 'proxy', undefined],
    ]);
    expect((await capacities('kid')).body.capacities).toEqual([]);
  });

  it('a representative of each party, and a convener for a convening body only', async () => {
    const { body } = await capacities('zhao');
    expect(kinds(body)).toEqual([
      ['party-representative', 'party_representative', 'jwh'],
      ['party-representative', 'party_representative', 'wy'],
      ['convener', 'convener', undefined],
    ]);
    expect(body.capacities.at(-1)).toMatchObject({ convenes: ['jwh'] });
    expect(kinds((await capacities('k1')).body)).toEqual([['clerk', 'clerk', undefined]]);
  });

  it('is read by the person and by those who keep the registry, no one else', async () => {
    const other = await capacities('wang', { personId: 'li' });
    expect(other).toMatchObject({ status: 403, body: { code: 'role-forbidden' } });
    const clerk = await capacities('wang', { personId: 'k1', role: 'clerk' });
    expect(clerk.status).toBe(200);
    const unknown = await capacities('nobody', { personId: 'k1', role: 'clerk' });
    expect(unknown).toMatchObject({ status: 404, body: { code: 'person-not-found' } });
  });
});
