import { PostgresEventStore, type RecordedEvent } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { type Clock, testAuth } from '@yishi/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actingAs } from '../acting-as.ts';
import { createCommandService } from '../app.ts';

// The scheduler under a simulated clock: an admin advances the clock and what fell due fires
// as a command of the system actor; a restart between the due time and the firing, and two
// instances firing at once, still record each step exactly once.

const auth = testAuth();
const CID = 'sched';
const C = `/v1/communities/${CID}`;
let store: PostgresEventStore;
let now = new Date('2026-05-01T02:00:00.000Z');
/** One simulated clock for every instance here, as the demo's processes share the database. */
const clock: Clock = {
  now: () => now,
  simulated: true,
  advance(ms) {
    now = new Date(now.getTime() + ms);
    return now;
  },
};
const DAY = 86_400_000;
const instance = () => createCommandService({ store, verify: auth.verify, clock });
let service: ReturnType<typeof instance>;
const as = actingAs(() => service.app, auth, CID);

async function advance(days: number, hours = 0) {
  const token = await auth.token({ personId: 'adm', role: 'admin', communities: ['*'] });
  const res = await service.app.request('/v1/admin/clock/advance', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ days, hours }),
  });
  expect(res.status).toBe(200);
}

const proposalEvents = (pid: string): Promise<RecordedEvent[]> =>
  store.readStream(`proposal-${CID}.${pid}`);
const ofType = (events: RecordedEvent[], type: string) => events.filter((e) => e.type === type);

/** An owners' vote on `pid`, opened now and closing in `days`, with `voted` having voted. */
async function openVote(pid: string, days: number, voted: string[]) {
  const o1 = await as('owner', 'o1');
  await o1('proposals', {
    proposalId: pid,
    title: `维修资金 ${pid}`,
    description: '续筹',
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
  const convener = await as('convener', 'cv1');
  await convener(`proposals/${pid}/give-notice`, { text: '表决前公告' });
  clock.advance(15 * DAY);
  await convener(`proposals/${pid}/open-voting`, {
    rule: { kind: 'owners-278', deemedConsent: false, countParking: false },
    closesAt: new Date(now.getTime() + days * DAY).toISOString(),
  });
  for (const owner of voted) {
    await (await as('owner', owner))(`proposals/${pid}/cast-ballot`, {
      choices: [{ itemId: 'i1', choice: 'yes' }],
    });
  }
}

beforeAll(async () => {
  store = new PostgresEventStore({ connectionString: await testDatabaseUrl() });
  await store.init();
  service = instance();
  const admin = await as('admin', 'adm');
  await admin(C, { name: '定时社区', kind: 'urban', settings: { reminderDaysBeforeClose: 2 } });
  for (const id of ['k1', 'cv1', 'o1', 'o2', 'o3', 'o4']) {
    await admin('registry/register-person', { personId: id, name: `人${id}`, adult: true });
  }
  await admin('registry/appoint-clerk', { personId: 'k1' });
  const clerk = await as('clerk', 'k1');
  for (let i = 1; i <= 4; i++) {
    await clerk('registry/register-unit', {
      unitId: `u${i}`,
      building: '1号楼',
      kind: 'home',
      areas: { registryCentiM2: 9_000 },
      developerUnsold: false,
      ownerIds: [`o${i}`],
    });
  }
});
afterAll(() => store.close());

describe('the scheduler', () => {
  it('reminds the non-voters N days before closing and closes the vote at closesAt, once', async () => {
    await openVote('p1', 10, ['o1']);
    await advance(7); // three days left: no reminder yet
    expect(ofType(await proposalEvents('p1'), 'NonVotersReminded')).toEqual([]);

    await advance(1); // two days left: the reminder is due
    const [reminded] = ofType(await proposalEvents('p1'), 'NonVotersReminded');
    expect(reminded?.data).toMatchObject({ personIds: ['o2', 'o3', 'o4'] });
    expect(reminded?.metadata).toMatchObject({ actorRole: 'system', automatic: true });

    await advance(1, 23); // an hour before closing: still open
    expect(ofType(await proposalEvents('p1'), 'VotingClosed')).toEqual([]);

    await advance(0, 1); // closesAt
    const events = await proposalEvents('p1');
    const [closed] = ofType(events, 'VotingClosed');
    expect(closed?.data).toMatchObject({
      early: false,
      by: { personId: 'system', role: 'system' },
    });
    expect(closed?.metadata).toMatchObject({ actorRole: 'system', automatic: true });
    // Decided with the frozen rule: 1 of 4 owners took part, short of two thirds.
    expect(ofType(events, 'ProposalDecided')[0]?.data).toMatchObject({ outcome: 'rejected' });

    await advance(1);
    expect(ofType(await proposalEvents('p1'), 'NonVotersReminded')).toHaveLength(1);
    expect(ofType(await proposalEvents('p1'), 'VotingClosed')).toHaveLength(1);
  });

  it('fires after a restart between the due time and the firing', async () => {
    await openVote('p2', 3, ['o1', 'o2']);
    const before = await proposalEvents('p2');
    // The instance stops; the due time passes with nobody running (no advance, no tick).
    now = new Date(now.getTime() + 4 * DAY);
    service = instance();
    const firings = await service.scheduler.tick();
    expect(firings.map((f) => [f.timer.kind, f.timer.streamId, f.outcome])).toContainEqual([
      'close-vote',
      `proposal-${CID}.p2`,
      'ok',
    ]);
    const after = await proposalEvents('p2');
    expect(after.length).toBeGreaterThan(before.length);
    expect(ofType(after, 'VotingClosed')).toHaveLength(1);
    // The reminder's window passed while it was down: once closed, there is none to send.
    expect(ofType(after, 'NonVotersReminded')).toEqual([]);
  });

  it('convenes a standing body’s regular meeting with the items accepted since the last', async () => {
    const clerk = await as('clerk', 'k1');
    await clerk('registry/register-party', {
      partyId: 'dzb',
      kind: 'party-organisation',
      name: '党支部',
    });
    await clerk('registry/register-party', {
      partyId: 'jwh',
      kind: 'residents-committee',
      name: '居委会',
    });
    // 逢四说事: the 4th, 14th and 24th at 19:00 China time.
    await clerk('registry/establish-standing-body', {
      bodyId: 'yishihui',
      name: '居民议事会',
      kind: 'residents-council',
      partyIds: ['dzb', 'jwh'],
      memberIds: ['o1', 'o2', 'o3'],
      venue: '社区活动中心二楼',
      schedule: { kind: 'days-of-month', days: [4, 14, 24], time: '19:00' },
    });
    clock.advance(3_600_000); // items accepted after it was established
    const resident = await as('resident', 'o4');
    const convener = await as('convener', 'cv1');
    for (const [pid, title] of [
      ['m1', '楼道堆物清理'],
      ['m2', '增设电动车充电桩'],
    ]) {
      await resident('proposals', {
        proposalId: pid,
        title,
        description: title,
        procedure: 'community-consultation',
      });
      await convener(`proposals/${pid}/accept-onto-agenda`, { concernedPartyIds: ['jwh'] });
    }
    const sessions = async () =>
      (await store.readAll({ transactionId: 0n, globalPosition: 0n }, 10_000)).events.filter(
        (e) => e.type === 'SessionConvened',
      );
    // Up to the next 4th, 14th or 24th at 19:00 (11:00Z): one meeting, both items.
    for (let i = 0; i < 12 && (await sessions()).length === 0; i++) await advance(1);
    const [meeting] = await sessions();
    expect(meeting?.data).toMatchObject({
      kind: 'residents-council',
      venue: '社区活动中心二楼',
      standingBodyId: 'yishihui',
      memberIds: ['o1', 'o2', 'o3'],
      agenda: [
        { itemId: 'm1', proposalId: 'm1', title: '楼道堆物清理', concernedPartyIds: ['jwh'] },
        { itemId: 'm2', proposalId: 'm2', title: '增设电动车充电桩', concernedPartyIds: ['jwh'] },
      ],
    });
    expect(new Date(meeting!.data.scheduledAt as string).getUTCHours()).toBe(11);
    expect([4, 14, 24]).toContain(new Date(meeting!.data.scheduledAt as string).getUTCDate());
    expect(meeting?.metadata).toMatchObject({ actorRole: 'system', automatic: true });
    // Nothing accepted since: the next dates pass without a meeting.
    await advance(12);
    expect(await sessions()).toHaveLength(1);
  });

  it('two instances firing at once record the closing once', async () => {
    await openVote('p3', 5, ['o3']);
    const a = instance();
    const b = instance();
    // Both know the open vote before it falls due.
    await Promise.all([a.scheduler.catchUp(), b.scheduler.catchUp()]);
    now = new Date(now.getTime() + 6 * DAY);
    const [fa, fb] = await Promise.all([a.scheduler.tick(), b.scheduler.tick()]);
    const closings = [...fa, ...fb].filter(
      (f) => f.timer.kind === 'close-vote' && f.timer.streamId === `proposal-${CID}.p3`,
    );
    // Each fires, unless one's closing was visible to the other before it looked (a loaded
    // machine): then only one tried. Either way one appended; another was answered as a
    // duplicate or refused as already closed.
    expect(closings.length).toBeGreaterThanOrEqual(1);
    const fresh = closings.filter((f) => f.outcome === 'ok' && !f.duplicate);
    expect(fresh).toHaveLength(1);
    const events = await proposalEvents('p3');
    expect(ofType(events, 'VotingClosed')).toHaveLength(1);
    expect(ofType(events, 'ProposalDecided')).toHaveLength(1);
    // Asked again, neither fires anything new.
    await Promise.all([a.scheduler.tick(), b.scheduler.tick()]);
    expect(await proposalEvents('p3')).toHaveLength(events.length);
  });

  it('closes a campaign for refunds when its plan is rejected or its deadline passes short', async () => {
    const admin = await as('admin', 'adm');
    await admin('registry/appoint-treasurer', { personId: 'k1' });
    const convener = await as('convener', 'cv1');
    const treasurer = await as('clerk', 'k1');
    const campaignEvents = (id: string) => store.readStream(`crowdfunding-${CID}.${id}`);
    const open = async (id: string, pid: string, days: number) => {
      await convener('crowdfunding', {
        campaignId: id,
        title: `众筹 ${pid}`,
        proposalId: pid,
        itemId: 'i1',
        targetFen: 1_000_000,
        deadline: new Date(now.getTime() + days * DAY).toISOString(),
      });
      await (await as('owner', 'o2'))(`crowdfunding/${id}/pledge-to-crowdfunding`, {
        pledgeId: `${id}-o2`,
        amountFen: 50_000,
      });
      await treasurer(`crowdfunding/${id}/record-pledge-receipt`, {
        pledgeId: `${id}-o2`,
        amountFen: 50_000,
        documentRef: `收据 ${id}`,
      });
    };
    // cf8: its vote runs 30 days, its pledges close in 5, far short of the target.
    await openVote('p8', 30, []);
    await open('cf8', 'p8', 5);
    // cf7: one owner of four votes; the item will be rejected when the vote closes in 10 days.
    await openVote('p7', 10, ['o1']);
    await open('cf7', 'p7', 60);
    expect(ofType(await campaignEvents('cf8'), 'CrowdfundingClosed')).toEqual([]);

    // cf8's deadline passed during p7's notice period; p7's vote closes at the tick, rejected,
    // and the next tick sees the decision.
    await advance(10);
    await advance(0, 1);
    const [missed] = ofType(await campaignEvents('cf8'), 'CrowdfundingClosed');
    expect(missed?.data).toMatchObject({
      outcome: 'refunding',
      reason: 'target-missed',
      refundsOwed: [{ pledgeId: 'cf8-o2', amountFen: 50_000 }],
    });
    expect(missed?.metadata).toMatchObject({ actorRole: 'system', automatic: true });
    expect(ofType(await proposalEvents('p7'), 'ProposalDecided')[0]?.data).toMatchObject({
      outcome: 'rejected',
    });
    const [rejected] = ofType(await campaignEvents('cf7'), 'CrowdfundingClosed');
    expect(rejected?.data).toMatchObject({
      outcome: 'refunding',
      reason: 'not-adopted',
      decision: { proposalId: 'p7', outcome: 'rejected' },
      refundsOwed: [{ pledgeId: 'cf7-o2', amountFen: 50_000 }],
    });
    // Closed once each: later ticks find nothing to do.
    await advance(1);
    expect(ofType(await campaignEvents('cf7'), 'CrowdfundingClosed')).toHaveLength(1);
    expect(ofType(await campaignEvents('cf8'), 'CrowdfundingClosed')).toHaveLength(1);
  });
});
