import { PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { testAuth } from '@yishi/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actingAs } from './acting-as.ts';
import { createApp } from './app.ts';

// Issue #20.1 and #20.4 over HTTP, as a careless or hostile convener would try them: a vote's
// rule comes from the community's adopted settings, and a meeting rule from the law of the
// community's kind. Every refusal names the setting and writes nothing.

const auth = testAuth();
let store: PostgresEventStore;
let app: ReturnType<typeof createApp>;
let now = new Date('2026-03-01T08:00:00.000Z');
const C = '/v1/communities/vr';
const as = actingAs(() => app, auth, 'vr');
const owners = ['o1', 'o2', 'o3'];

async function eventsOf(streamId: string) {
  return store.readStream(streamId);
}

beforeAll(async () => {
  store = new PostgresEventStore({ connectionString: await testDatabaseUrl() });
  await store.init();
  app = createApp({ store, verify: auth.verify, clock: () => now });
  const admin = await as('admin', 'adm');
  await admin(C, { name: '规则社区', kind: 'urban' });
  for (const personId of [...owners, 'k1', 'cv1', 'w1']) {
    await admin('registry/register-person', { personId, name: `人员${personId}`, adult: true });
  }
  await admin('registry/appoint-clerk', { personId: 'k1' });
  const clerk = await as('clerk', 'k1');
  for (const [i, o] of owners.entries()) {
    await clerk('registry/register-unit', {
      unitId: `u${i}`,
      building: '1号楼',
      kind: 'home',
      areas: { registryCentiM2: 9_000 },
      developerUnsold: false,
      ownerIds: [o],
    });
  }
  // A parking space of o1's: counted only where the community adopted that.
  await clerk('registry/register-unit', {
    unitId: 'p1',
    building: '地下车库',
    kind: 'parking',
    areas: { registryCentiM2: 1_200 },
    developerUnsold: false,
    ownerIds: ['w1'],
  });
});
afterAll(() => store.close());

async function noticedOwnersProposal(proposalId: string) {
  now = new Date('2026-03-01T08:00:00.000Z');
  await (await as('owner', 'o1'))('proposals', {
    proposalId,
    title: '使用维修资金',
    description: '更换水泵',
    procedure: 'owners-joint-decision',
    items: [
      { itemId: 'i1', title: '同意', kind: 'motion', matter: 'maintenance-fund-use', options: [] },
    ],
  });
  const convener = await as('convener', 'cv1');
  await convener(`proposals/${proposalId}/give-notice`, { text: '表决前公告' });
  now = new Date('2026-03-17T08:00:00.000Z');
  return convener;
}

describe('a vote’s rule is the community’s, not the caller’s (#20.1)', () => {
  it('refuses deemed consent and counted parking spaces the community did not adopt', async () => {
    const convener = await noticedOwnersProposal('pa');
    const closesAt = '2026-04-01T08:00:00.000Z';
    const deemed = await convener(
      'proposals/pa/open-voting',
      { rule: { kind: 'owners-278', deemedConsent: true, countParking: false }, closesAt },
      409,
    );
    expect(deemed).toMatchObject({
      code: 'rule-not-adopted',
      details: { setting: 'deemedConsent', adopted: false, requested: true },
    });
    const parking = await convener(
      'proposals/pa/open-voting',
      { rule: { kind: 'owners-278', countParking: true }, closesAt },
      409,
    );
    expect(parking).toMatchObject({
      code: 'rule-not-adopted',
      details: { setting: 'countParking' },
    });
    // Nothing was written: the vote opens afterwards, under the community's settings.
    expect((await eventsOf('proposal-vr.pa')).map((e) => e.type)).toEqual([
      'ProposalSubmitted',
      'NoticeGiven',
    ]);
    await convener('proposals/pa/open-voting', { rule: { kind: 'owners-278' }, closesAt });
    const opened = (await eventsOf('proposal-vr.pa')).at(-1)!;
    expect(opened.data).toMatchObject({
      rule: { kind: 'owners-278', deemedConsent: false, countParking: false },
      totals: { voters: 3 },
    });
    // One yes of three owners: not adopted (the attack that deemed consent made pass).
    await (await as('owner', 'o1'))('proposals/pa/cast-ballot', {
      choices: [{ itemId: 'i1', choice: 'yes' }],
    });
    now = new Date('2026-04-01T08:00:00.000Z');
    await convener('proposals/pa/close-voting', {});
    const decided = (await eventsOf('proposal-vr.pa')).at(-1)!;
    expect(decided.data).toMatchObject({ outcome: 'rejected' });
  });
  it('takes the settings an administrator adopted, with the statute provision', async () => {
    const admin = await as('admin', 'adm');
    await admin('registry/change-community-settings', {
      deemedConsent: true,
      deemedConsentStatuteRef: '管理规约第 26 条',
      parkingSpacesVote: true,
    });
    const convener = await noticedOwnersProposal('pb');
    await convener('proposals/pb/open-voting', {
      rule: { kind: 'owners-278' },
      closesAt: '2026-04-01T08:00:00.000Z',
    });
    const opened = (await eventsOf('proposal-vr.pb')).at(-1)!;
    expect(opened.data).toMatchObject({
      rule: {
        kind: 'owners-278',
        deemedConsent: true,
        countParking: true,
        deemedConsentStatuteRef: '管理规约第 26 条',
      },
      // The parking space's owner votes too, as the community adopted.
      totals: { voters: 4 },
    });
    await admin('registry/change-community-settings', {
      deemedConsent: false,
      parkingSpacesVote: false,
    });
  });
});

describe('a meeting rule must be the law of the community’s kind (#20.4)', () => {
  it('refuses a villagers’ meeting in an urban community', async () => {
    now = new Date('2026-03-01T08:00:00.000Z');
    await (await as('resident', 'o2'))('proposals', {
      proposalId: 'pc',
      title: '楼道整治',
      description: '清理楼道杂物',
      procedure: 'community-consultation',
    });
    const convener = await as('convener', 'cv1');
    await convener('proposals/pc/accept-onto-agenda', { concernedPartyIds: [] });
    await convener('proposals/pc/give-notice', { text: '通知' });
    await convener('proposals/pc/record-deliberation', { summary: '协商' });
    const refused = await convener(
      'proposals/pc/open-voting',
      { rule: { kind: 'villagers-meeting' }, closesAt: '2026-03-05T08:00:00.000Z' },
      409,
    );
    expect(refused).toMatchObject({
      code: 'rule-not-applicable',
      details: { rule: 'villagers-meeting', communityKind: 'urban' },
    });
  });
});
