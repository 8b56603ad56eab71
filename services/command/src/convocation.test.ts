import { PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { testAuth } from '@yishi/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actingAs } from './acting-as.ts';
import { createApp } from './app.ts';

// Requests to convene a residents' meeting (城市居民委员会组织法 Art. 10) and owners' proposals
// (民法典 Art. 278) over HTTP on PostgreSQL: who may sign or submit is the registry's to say,
// read by the service, never taken from the body.

const auth = testAuth();
let store: PostgresEventStore;
let app: ReturnType<typeof createApp>;
const C = '/v1/communities/c1';
const R = `${C}/residents-meeting-requests`;

const as = actingAs(() => app, auth, 'c1');
const resident = (id: string) => as('resident', id);
const eventsOf = async (requestId: string) =>
  (await store.readStream(`convocation-c1.${requestId}`)).map((e) => ({
    type: e.type,
    data: e.data,
  }));

// 11 adults (and a child) in 6 households and 4 resident groups: 1/5 of the adults is 3
// (2 * 5 = 10 < 11), 1/5 of the households is 2, 1/3 of the groups is 2 (1 * 3 < 4).
const households: [string, string, string[]][] = [
  ['h1', 'g1', ['r1', 'r2', 'kid']],
  ['h2', 'g1', ['r3', 'r4']],
  ['h3', 'g2', ['r5']],
  ['h4', 'g2', ['r6', 'r7']],
  ['h5', 'g3', ['r8', 'r9']],
  ['h6', 'g4', ['r10', 'r11']],
];

beforeAll(async () => {
  store = new PostgresEventStore({ connectionString: await testDatabaseUrl() });
  await store.init();
  app = createApp({ store, verify: auth.verify, clock: () => new Date('2026-03-01T08:00:00Z') });
  const admin = await as('admin', 'adm');
  await admin(C, { name: '幸福里社区', kind: 'urban' });
  for (const groupId of ['g1', 'g2', 'g3', 'g4']) {
    await admin('registry/create-resident-group', { groupId, name: `${groupId} 居民小组` });
  }
  for (const [householdId, residentGroupId, members] of households) {
    await admin('registry/create-household', { householdId, residentGroupId });
    for (const personId of members) {
      await admin(
        'registry/register-person',
        personId === 'kid'
          ? { personId, name: '小明', birthDate: '2015-05-01' }
          : { personId, name: `居民${personId}`, adult: true },
      );
      await admin('registry/add-resident', { personId, householdId });
    }
  }
  await admin('registry/designate-household-representative', { householdId: 'h1', personId: 'r1' });
  for (const [groupId, personId] of [
    ['g1', 'r1'],
    ['g1', 'r3'],
    ['g2', 'r5'],
    ['g3', 'r8'],
  ]) {
    await admin('registry/elect-group-representative', { groupId, personId });
  }
  await admin('registry/register-person', { personId: 'o1', name: '业主一', adult: true });
  await admin('registry/register-person', { personId: 'o2', name: '业主二', adult: true });
  await admin('registry/register-person', { personId: 'cv1', name: '居委会召集人', adult: true });
  await admin('registry/register-unit', {
    unitId: 'u1',
    building: '1号楼',
    kind: 'home',
    areas: { registryCentiM2: 9_000 },
    developerUnsold: false,
    ownerIds: ['o1'],
  });
  await admin('registry/register-party', {
    partyId: 'ywh',
    kind: 'owners-committee',
    name: '业主委员会',
  });
  await admin('registry/register-party', { partyId: 'wy', kind: 'property-company', name: '物业' });
  await admin('registry/appoint-party-representative', { partyId: 'ywh', personId: 'o2' });
  await admin('registry/appoint-party-representative', { partyId: 'wy', personId: 'r11' });
});
afterAll(() => store.close());

const matters = { matters: '小区东门封闭改道，请召开居民会议讨论。' };

describe('a residents’ meeting requested by 1/5 of the adults', () => {
  it('must be convened at the third of 11 adults, and the convener records the meeting', async () => {
    const created = await (await resident('r1'))('residents-meeting-requests', {
      ...matters,
      requestId: 'q1',
      capacity: 'adult-resident',
    });
    expect(created).toMatchObject({ requestId: 'q1', streamId: 'convocation-c1.q1' });
    const sign = (id: string, expected = 201) =>
      resident(id).then((send) =>
        send(`${R}/q1/sign-residents-meeting-request`, { capacity: 'adult-resident' }, expected),
      );
    await sign('r1', 409);
    // A child, and a person who lives elsewhere, even with a resident's token and a forged body.
    await (await resident('kid'))(
      `${R}/q1/sign-residents-meeting-request`,
      {
        capacity: 'adult-resident',
        signer: { adultResident: true, householdId: 'h1' },
        electorate: { adults: 1, households: 1, groups: 1 },
      },
      403,
    );
    await sign('o1', 403);
    await sign('r2');
    expect((await eventsOf('q1')).map((e) => e.type)).not.toContain(
      'ResidentsMeetingMustBeConvened',
    );
    await sign('r6');
    const events = await eventsOf('q1');
    expect(events.at(-1)).toMatchObject({
      type: 'ResidentsMeetingMustBeConvened',
      data: {
        passed: ['request-adults'],
        figures: {
          adults: { total: 11, requesting: 3 },
          households: { total: 6, requesting: 0 },
          groups: { total: 4, requesting: 0 },
        },
        signatures: { adults: 3, households: 0, groups: 0 },
      },
    });
    await sign('r7', 409);
    await (await as('owner', 'o1'))(
      `${R}/q1/sign-residents-meeting-request`,
      { capacity: 'adult-resident' },
      403,
    );
    const convener = await as('convener', 'cv1');
    await convener(`${R}/q1/record-residents-meeting-convened`, {
      meetingAt: '2026-03-15T06:00:00.000Z',
      place: '社区活动中心',
    });
    await convener(
      `${R}/q1/record-residents-meeting-convened`,
      { meetingAt: '2026-03-15T06:00:00.000Z' },
      409,
    );
    expect(await store.verifyStream('convocation-c1.q1')).toMatchObject({ ok: true });
  });
});

describe('households and resident groups sign once each', () => {
  it('1/5 of the households: a household speaks through its representative', async () => {
    const request = { ...matters, requestId: 'q2', capacity: 'household' };
    // h1's representative is r1, not r2.
    await (await resident('r2'))('residents-meeting-requests', request, 403);
    await (await resident('r1'))('residents-meeting-requests', request);
    // h2 has no representative: any adult of it speaks for it, once.
    await (await resident('r3'))(`${R}/q2/sign-residents-meeting-request`, {
      capacity: 'household',
    });
    expect((await eventsOf('q2')).at(-1)).toMatchObject({
      type: 'ResidentsMeetingMustBeConvened',
      data: {
        passed: ['request-households'],
        figures: { households: { total: 6, requesting: 2 } },
      },
    });
  });

  it('1/3 of the groups: one of the elected representatives signs for the group', async () => {
    await (await resident('r1'))('residents-meeting-requests', {
      ...matters,
      requestId: 'q3',
      capacity: 'resident-group',
    });
    const sign = async (id: string, expected = 201) =>
      (await resident(id))(
        `${R}/q3/sign-residents-meeting-request`,
        { capacity: 'resident-group' },
        expected,
      );
    await sign('r3', 409); // g1 has signed through r1
    await sign('r6', 403); // not a representative
    await sign('r5');
    expect((await eventsOf('q3')).at(-1)).toMatchObject({
      type: 'ResidentsMeetingMustBeConvened',
      data: { passed: ['request-groups'], figures: { groups: { total: 4, requesting: 2 } } },
    });
    await sign('r8', 409);
  });

  it('refuses a request id that exists, and a request that does not', async () => {
    await (await resident('r4'))(
      'residents-meeting-requests',
      { ...matters, requestId: 'q1', capacity: 'adult-resident' },
      409,
    );
    await (await resident('r4'))(
      `${R}/none/sign-residents-meeting-request`,
      { capacity: 'adult-resident' },
      404,
    );
  });
});

describe('who puts a matter to the owners (Art. 278)', () => {
  const lift = (proposalId: string) => ({
    proposalId,
    title: '加装电梯',
    description: '1号楼加装电梯',
    procedure: 'owners-joint-decision',
  });
  it('an owner the registry lists a unit for; the units are the registry’s', async () => {
    await (await as('owner', 'o1'))('proposals', { ...lift('p1'), submitterUnitIds: ['u9'] });
    const [submitted] = await store.readStream('proposal-c1.p1');
    expect(submitted?.data).toMatchObject({ submitterUnitIds: ['u1'] });
  });
  it('refuses an owner token for a person who owns nothing, and a resident', async () => {
    const refused = await (await as('owner', 'r1'))(
      'proposals',
      { ...lift('p2'), submitterUnitIds: ['u1'] },
      403,
    );
    expect(refused).toMatchObject({ code: 'not-eligible' });
    await (await resident('r1'))('proposals', lift('p2'), 403);
  });
  it('the owners’ committee through its representative, not another party', async () => {
    await (await as('party_representative', 'o2', 'ywh'))('proposals', lift('p3'));
    await (await as('party_representative', 'r11', 'wy'))('proposals', lift('p4'), 403);
  });
});
