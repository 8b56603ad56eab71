import { textHashOf } from '@yishi/domain';
import { PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { testAuth } from '@yishi/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actingAs } from './acting-as.ts';
import { createApp } from './app.ts';

// Whole procedures through the HTTP API, as clerks, conveners, owners, proxies and party
// representatives would drive them: the context the service fills in (electorate, proxy
// authorisations, parties) must let the domain decide.

const auth = testAuth();
let store: PostgresEventStore;
let app: ReturnType<typeof createApp>;
let now = new Date('2026-03-01T08:00:00.000Z');
const C = '/v1/communities/c1';

const as = actingAs(() => app, auth, 'c1');

beforeAll(async () => {
  store = new PostgresEventStore({ connectionString: await testDatabaseUrl() });
  await store.init();
  app = createApp({ store, verify: auth.verify, clock: () => now });
  const admin = await as('admin', 'adm');
  await admin(C, { name: '幸福里社区', kind: 'urban' });
  for (const [personId, name] of [
    ['k1', '王书记员'],
    ['o1', '张一'],
    ['o2', '李二'],
    ['o3', '赵三'],
    ['o4', '钱四'],
    ['o5', '孙五'],
    ['o6', '周六'],
    ['x1', '吴代理'],
    ['r1', '党支部代表'],
    ['r2', '居委会代表'],
    ['r3', '业委会代表'],
    ['r4', '物业代表'],
    ['cv1', '居委会召集人'],
  ]) {
    await admin('registry/register-person', { personId, name, adult: true });
  }
  await admin('registry/appoint-clerk', { personId: 'k1' });
});
afterAll(() => store.close());

describe('an owners’ vote under Art. 278, with a proxy and a paper ballot', () => {
  it('runs from submission to a decision holding every figure', async () => {
    const clerk = await as('clerk', 'k1');
    for (let i = 1; i <= 6; i++) {
      await clerk('registry/register-unit', {
        unitId: `u${i}`,
        building: '3号楼',
        kind: 'home',
        areas: { registryCentiM2: 8_000 },
        developerUnsold: false,
        ownerIds: [`o${i}`],
      });
    }
    const o1 = await as('owner', 'o1');
    await o1('proposals', {
      proposalId: 'p1',
      title: '续筹专项维修资金',
      description: '3号楼专项维修资金余额不足，按面积续筹',
      procedure: 'owners-joint-decision',
      items: [
        {
          itemId: 'i1',
          title: '同意续筹',
          kind: 'motion',
          matter: 'maintenance-fund-raise',
          options: [],
        },
      ],
    });
    await o1('registry/grant-proxy', {
      authorisationId: 'a1',
      ownerId: 'o1',
      proxyId: 'x1',
      proposalId: 'p1',
      itemId: 'i1',
    });
    const convener = await as('convener', 'cv1');
    await convener('proposals/p1/give-notice', { text: '表决前公告：续筹维修资金' });
    // The vote may open only 15 days after the notice (物业管理条例 Art. 14).
    await convener(
      'proposals/p1/open-voting',
      {
        rule: { kind: 'owners-278', deemedConsent: false, countParking: false },
        closesAt: '2026-04-01T08:00:00.000Z',
      },
      409,
    );
    now = new Date('2026-03-17T08:00:00.000Z');
    await convener('proposals/p1/open-voting', {
      rule: { kind: 'owners-278', deemedConsent: false, countParking: false },
      closesAt: '2026-04-01T08:00:00.000Z',
    });
    const yes = [{ itemId: 'i1', choice: 'yes' }];
    await (await as('owner', 'o2'))('proposals/p1/cast-ballot', { choices: yes });
    await (await as('owner', 'o3'))('proposals/p1/cast-ballot', { choices: yes });
    await (await as('owner', 'o3'))('proposals/p1/cast-ballot', { choices: yes }, 409);
    await (await as('proxy', 'x1'))('proposals/p1/cast-proxy-ballot', {
      voterId: 'o1',
      choices: yes,
    });
    await (await as('proxy', 'x1'))(
      'proposals/p1/cast-proxy-ballot',
      { voterId: 'o5', choices: yes },
      403,
    );
    await clerk('proposals/p1/enter-paper-ballot', {
      voterId: 'o4',
      choices: yes,
      documentRef: '表决票 No.0004',
      signedBy: 'o4',
    });
    await (await as('owner', 'o5'))('proposals/p1/cast-ballot', { choices: yes });
    await (await as('owner', 'o6'))('proposals/p1/cast-ballot', {
      choices: [{ itemId: 'i1', choice: 'no' }],
    });
    await convener('proposals/p1/close-voting', {});

    const events = await store.readStream('proposal-c1.p1');
    const decided = events.find((e) => e.type === 'ProposalDecided');
    expect(decided, events.map((e) => e.type).join(',')).toBeDefined();
    expect(JSON.stringify(decided!.data)).toContain('adopted');
    const ballots = events.filter((e) => /Ballot/.test(e.type));
    expect(ballots.map((e) => e.metadata.actorId).sort()).toEqual([
      'k1',
      'o2',
      'o3',
      'o5',
      'o6',
      'x1',
    ]);
    expect(await store.verifyStream('proposal-c1.p1')).toMatchObject({ ok: true });
  });
});

describe('a joint session on parking fees', () => {
  it('reaches minutes signed by every attending party, with the dissent recorded', async () => {
    const admin = await as('admin', 'adm');
    const parties: [string, string, string, string][] = [
      ['dzb', 'party-organisation', '社区党支部', 'r1'],
      ['jwh', 'residents-committee', '居民委员会', 'r2'],
      ['ywh', 'owners-committee', '业主委员会', 'r3'],
      ['wy', 'property-company', '物业服务企业', 'r4'],
    ];
    for (const [partyId, kind, name, rep] of parties) {
      await admin('registry/register-party', { partyId, kind, name });
      await admin('registry/appoint-party-representative', { partyId, personId: rep });
    }
    const convener = await as('convener', 'cv1');
    await convener('sessions', {
      sessionId: 's1',
      kind: 'joint-session',
      title: '停车收费联席会议',
      scheduledAt: '2026-03-20T14:00:00.000Z',
      agenda: [{ itemId: 'a1', title: '地面停车收费标准', concernedPartyIds: ['ywh', 'wy'] }],
      resolutionRule: {
        kind: 'qualified-majority',
        threshold: { numerator: 2, denominator: 3, inclusive: true },
      },
    });
    await convener('sessions/s1/give-session-notice', { text: '3月20日14时召开联席会议' });
    const reps = await Promise.all(
      parties.map(([partyId, , , rep]) => as('party_representative', rep, partyId)),
    );
    for (const [i, [partyId, , , rep]] of parties.entries()) {
      await reps[i]!('sessions/s1/record-attendance', { personId: rep, partyId });
    }
    await reps[3]!('sessions/s1/record-statement', {
      itemId: 'a1',
      text: '收费用于车位维护',
      speakerPersonId: 'r4',
    });
    const positions = ['support', 'support', 'support', 'oppose'];
    for (const [i, [partyId]] of parties.entries()) {
      await reps[i]!('sessions/s1/state-position', {
        itemId: 'a1',
        partyId,
        position: positions[i],
        reason: '意见',
      });
    }
    // A representative states only their own party's position.
    await reps[0]!(
      'sessions/s1/state-position',
      { itemId: 'a1', partyId: 'wy', position: 'support' },
      403,
    );
    await convener('sessions/s1/resolve-item', { itemId: 'a1' });
    const clerk = await as('clerk', 'k1');
    const v1 = '会议纪要：通过地面停车收费标准，物业服务企业持异议。';
    await clerk('sessions/s1/draft-minutes', { text: v1 });
    await reps[0]!('sessions/s1/sign-minutes', {
      partyId: parties[0]![0],
      textHash: textHashOf(v1),
    });
    // The property company amends the text: the signature of v1 is void, and a party that
    // read v1 cannot have its signature counted for v2 (#20.2).
    const v2 = `${v1}物业服务企业补充：收费用于车位维护。`;
    await reps[3]!('sessions/s1/amend-minutes', { text: v2, reason: '补充异议理由' });
    const stale = await reps[1]!(
      'sessions/s1/sign-minutes',
      { partyId: parties[1]![0], textHash: textHashOf(v1) },
      409,
    );
    expect(stale).toMatchObject({
      code: 'minutes-changed',
      details: { version: 2, textHash: textHashOf(v2) },
    });
    for (const [i, [partyId]] of parties.entries()) {
      await reps[i]!('sessions/s1/sign-minutes', { partyId, textHash: textHashOf(v2) });
    }
    await convener('sessions/s1/publish-minutes', {});
    const events = await store.readStream('session-c1.s1');
    const resolved = events.find((e) => e.type === 'ItemResolved');
    expect(resolved?.data).toMatchObject({ outcome: 'adopted', dissentingPartyIds: ['wy'] });
    expect(events.filter((e) => e.type === 'MinutesSigned')).toHaveLength(5);
    expect(events.find((e) => e.type === 'MinutesFinalised')?.data).toMatchObject({
      version: 2,
      textHash: textHashOf(v2),
    });
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['MinutesFinalised', 'MinutesPublished']),
    );
  });
});
