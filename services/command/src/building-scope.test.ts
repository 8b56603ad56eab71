import { streams } from '@yishi/domain';
import { PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { testAuth } from '@yishi/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actingAs } from './acting-as.ts';
import { createApp } from './app.ts';

// Issue #26.1 over HTTP: a matter of one building or entrance (加装电梯) is decided by the
// owners of that part (domain.md 3.1b). The scope is fixed at submission, the electorate
// counted for it from the registry, and both frozen when voting opens.

const auth = testAuth();
let store: PostgresEventStore;
let app: ReturnType<typeof createApp>;
let now = new Date('2026-03-01T08:00:00.000Z');
const C = '/v1/communities/bs';
const as = actingAs(() => app, auth, 'bs');

beforeAll(async () => {
  store = new PostgresEventStore({ connectionString: await testDatabaseUrl() });
  await store.init();
  app = createApp({ store, verify: auth.verify, clock: () => now });
  const admin = await as('admin', 'adm');
  await admin(C, { name: '楼栋社区', kind: 'urban' });
  for (const personId of ['a', 'b', 'c', 'd', 'k1', 'cv1']) {
    await admin('registry/register-person', { personId, name: `人员${personId}`, adult: true });
  }
  await admin('registry/appoint-clerk', { personId: 'k1' });
  const clerk = await as('clerk', 'k1');
  // Building 3, entrance 2: a, b; entrance 1: a (again) and c. Building 5: d.
  const units: [string, string, string | undefined, string, number][] = [
    ['3-2-101', '3号楼', '2单元', 'a', 9_000],
    ['3-2-201', '3号楼', '2单元', 'b', 12_000],
    ['3-1-101', '3号楼', '1单元', 'a', 8_000],
    ['3-1-201', '3号楼', '1单元', 'c', 8_500],
    ['5-1-101', '5号楼', undefined, 'd', 10_000],
  ];
  for (const [unitId, building, entrance, owner, area] of units) {
    await clerk('registry/register-unit', {
      unitId,
      building,
      ...(entrance === undefined ? {} : { entrance }),
      kind: 'home',
      areas: { registryCentiM2: area },
      developerUnsold: false,
      ownerIds: [owner],
    });
  }
});
afterAll(() => store.close());

const lift = {
  itemId: 'lift',
  title: '加装电梯',
  kind: 'motion',
  matter: 'rebuild',
  options: [],
  cost: { basis: 'area', totalFen: 42_000_000 },
};
const entrance2 = { kind: 'building', building: '3号楼', entrance: '2单元' };

describe('decisions of one building or entrance (#26.1)', () => {
  it('counts the entrance’s owners only, each with their units there, and freezes the scope', async () => {
    now = new Date('2026-03-01T08:00:00.000Z');
    await (await as('owner', 'b'))('proposals', {
      proposalId: 'lift32',
      title: '3号楼2单元加装电梯',
      description: '加装电梯一部',
      procedure: 'owners-joint-decision',
      items: [lift],
      scope: entrance2,
    });
    const convener = await as('convener', 'cv1');
    await convener('proposals/lift32/give-notice', { text: '表决前公告' });
    now = new Date('2026-03-17T08:00:00.000Z');
    await convener('proposals/lift32/open-voting', {
      rule: { kind: 'owners-278' },
      closesAt: '2026-04-01T08:00:00.000Z',
    });
    const events = await store.readStream(streams.proposal('bs', 'lift32'));
    const opened = events.find((e) => e.type === 'VotingOpened');
    expect(opened?.data).toMatchObject({
      scope: entrance2,
      totals: { voters: 2, heads: 2, areaCentiM2: 21_000 },
    });
    // a owns units in both entrances: here they count with 3-2-101 alone.
    const electorate = (opened?.data.electorate ?? []) as { voterId: string; unitIds: string[] }[];
    expect(electorate.map((v) => [v.voterId, v.unitIds])).toEqual([
      ['a', ['3-2-101']],
      ['b', ['3-2-201']],
    ]);
    // c (entrance 1) and d (building 5) are not voters of this vote.
    await (await as('owner', 'c'))(
      'proposals/lift32/cast-ballot',
      { choices: [{ itemId: 'lift', choice: 'yes' }] },
      403,
    );
  });

  it('refuses a building the registry has no unit in, naming the field; writes nothing', async () => {
    now = new Date('2026-03-01T08:00:00.000Z');
    const answer = await (await as('convener', 'cv1'))(
      'proposals',
      {
        proposalId: 'nowhere',
        title: '9号楼加装电梯',
        description: '—',
        procedure: 'owners-joint-decision',
        items: [lift],
        scope: { kind: 'building', building: '9号楼' },
      },
      422,
    );
    expect(answer).toMatchObject({ code: 'scope-not-found' });
    expect(String(answer.detail)).toContain('9号楼');
    expect(await store.readStream(streams.proposal('bs', 'nowhere'))).toEqual([]);
  });

  it('refuses an owner with no unit in the building, and a procedure the owners do not decide', async () => {
    const d = await as('owner', 'd');
    const refused = await d(
      'proposals',
      {
        proposalId: 'notmine',
        title: '3号楼加装电梯',
        description: '—',
        procedure: 'owners-joint-decision',
        items: [lift],
        scope: { kind: 'building', building: '3号楼' },
      },
      403,
    );
    expect(refused).toMatchObject({ code: 'not-eligible' });
    const consultation = await (await as('resident', 'a'))(
      'proposals',
      {
        proposalId: 'talk',
        title: '楼道整治',
        description: '—',
        procedure: 'community-consultation',
        scope: { kind: 'building', building: '3号楼' },
      },
      422,
    );
    expect(consultation).toMatchObject({ code: 'scope-not-applicable' });
  });

  it('takes the scope from the proposal, never from the opening request', async () => {
    now = new Date('2026-03-01T08:00:00.000Z');
    await (await as('owner', 'a'))('proposals', {
      proposalId: 'whole',
      title: '全体业主：使用维修资金',
      description: '—',
      procedure: 'owners-joint-decision',
      items: [{ ...lift, matter: 'maintenance-fund-use' }],
    });
    const convener = await as('convener', 'cv1');
    await convener('proposals/whole/give-notice', { text: '公告' });
    now = new Date('2026-03-17T08:00:00.000Z');
    // The scope sent is not the client's to give: it is read from the proposal (stripped).
    await convener('proposals/whole/open-voting', {
      rule: { kind: 'owners-278' },
      closesAt: '2026-04-01T08:00:00.000Z',
      scope: entrance2,
    });
    const events = await store.readStream(streams.proposal('bs', 'whole'));
    const opened = events.find((e) => e.type === 'VotingOpened')?.data;
    expect(opened).toMatchObject({ totals: { voters: 4, areaCentiM2: 47_500 } });
    expect(opened).not.toHaveProperty('scope');
  });
});
