import { createHmac } from 'node:crypto';
import {
  type Actor,
  type DiscussionCommand,
  discussionDecider,
  SYSTEM_ACTOR,
  streams,
  textHashOf,
  type WebhookEventKind,
  type WishCommand,
  wishDecider,
} from '@yishi/domain';
import { formatCheckpoint, PostgresEventStore, type RecordedEvent } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { testAuth } from '@yishi/platform';
import { type Kysely, sql } from 'kysely';
import { delay, HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createApp } from '../app.ts';
import { createDb } from '../db.ts';
import { migrateReadModels } from '../migrations/index.ts';
import { timelineProjection } from '../projections/timeline.ts';
import { activeGeneration } from '../runtime/generations.ts';
import { Projector } from '../runtime/projector.ts';
import { rebuild } from '../runtime/rebuild.ts';
import type { Database } from '../tables.ts';
import { Random } from '../testing/random.ts';
import { Simulator } from '../testing/simulate.ts';
import { Dispatcher, type DispatcherOptions } from './dispatcher.ts';
import type { NotificationBody } from './payload.ts';
import { notificationsProjection, STALE_AFTER_MS } from './projection.ts';

// The gateways (SMS, WeChat Work, DingTalk) are systems we do not run: msw stands in for them
// and checks every signature as a gateway would, from the deployment secret alone. Timeouts and
// backoff are tiny here; every wait is for a state, never for a time.

const SECRET = new TextEncoder().encode('test-webhook-secret-test-webhook-secret');
const admin: Actor = { personId: 'admin', role: 'admin' };
const convener: Actor = { personId: 'conv', role: 'convener' };
const auth = testAuth();
const server = setupServer();

let store: PostgresEventStore;
let db: Kysely<Database>;
let projectors: Projector[];
let app: ReturnType<typeof createApp>;
let sim: Simulator;
let dispatcher: Dispatcher | undefined;
const tokens: Record<'admin' | 'official' | 'clerk' | 'resident', string> = {
  admin: '',
  official: '',
  clerk: '',
  resident: '',
};

beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'error' });
  const url = await testDatabaseUrl();
  store = new PostgresEventStore({ connectionString: url });
  db = createDb(url, 20);
  await migrateReadModels(db);
  projectors = [timelineProjection, notificationsProjection].map(
    (p) =>
      new Projector(store, db, p, {
        pollIntervalMs: 20,
        lockRetryMs: 50,
        heartbeatMs: 200,
        switchCheckMs: 50,
        onBatch: () => dispatcher?.wake(),
      }),
  );
  for (const p of projectors) await p.start();
  app = createApp({ db, store, verify: auth.verify, projectors });
  for (const role of ['admin', 'official', 'clerk', 'resident'] as const) {
    tokens[role] = await auth.token({ personId: `${role}-1`, role, communities: ['*'] });
  }
  sim = new Simulator(store, new Random(77));
});
afterEach(() => server.resetHandlers());
afterAll(async () => {
  server.close();
  for (const p of projectors) await p.stop();
  await db.destroy();
  await store.close();
});

function startDispatcher(options: Partial<DispatcherOptions> = {}): Dispatcher {
  const started = new Dispatcher(db, {
    secret: SECRET,
    timeoutMs: 200,
    maxAttempts: 3,
    backoffBaseMs: 20,
    backoffMaxMs: 100,
    pollIntervalMs: 20,
    random: () => 0.5,
    ...options,
  });
  dispatcher = started;
  started.start();
  onTestFinished(async () => {
    await started.stop();
    if (dispatcher === started) dispatcher = undefined;
  });
  return started;
}

interface Call {
  body: NotificationBody;
  headers: Headers;
  signed: boolean;
}

/**
 * A gateway at `url` for webhook `webhookId` of `communityId`: it recomputes the signature
 * from the deployment secret (as `pnpm webhook-secret` gives it the key) and gives the answers
 * in turn, the last one from then on.
 */
function gateway(
  communityId: string,
  webhookId: string,
  url: string,
  answers: readonly (() => Response | Promise<Response>)[] = [ok],
): Call[] {
  const calls: Call[] = [];
  server.use(
    http.post(url, async ({ request }) => {
      const raw = await request.text();
      const key = createHmac('sha256', SECRET).update(`${communityId}:${webhookId}`).digest('hex');
      const timestamp = request.headers.get('x-yishi-timestamp') ?? '';
      const expected = createHmac('sha256', key).update(`${timestamp}.${raw}`).digest('hex');
      calls.push({
        body: JSON.parse(raw) as NotificationBody,
        headers: request.headers,
        signed: request.headers.get('x-yishi-signature') === `sha256=${expected}`,
      });
      return answers[Math.min(calls.length, answers.length) - 1]!();
    }),
  );
  return calls;
}
const ok = () => new HttpResponse(null, { status: 204 });
const status =
  (code: number, text = '') =>
  () =>
    new HttpResponse(text, { status: code });

async function configure(
  cid: string,
  webhookId: string,
  url: string,
  events: WebhookEventKind[] = ['session-notice'],
): Promise<void> {
  const accepted = await sim.community(
    cid,
    (at) => ({ type: 'ConfigureWebhook', data: { webhookId, url, events }, actor: admin, at }),
    admin,
  );
  expect(accepted).toBe(true);
}

async function removeWebhook(cid: string, webhookId: string): Promise<void> {
  const accepted = await sim.community(
    cid,
    (at) => ({ type: 'RemoveWebhook', data: { webhookId, reason: '停用' }, actor: admin, at }),
    admin,
  );
  expect(accepted).toBe(true);
}

/** Convenes a joint session and gives its notice (会议通知). */
async function notice(cid: string, sid: string): Promise<void> {
  const convened = await sim.session(
    cid,
    sid,
    'ConveneSession',
    {
      communityId: cid,
      sessionId: sid,
      kind: 'joint-session',
      title: `联席会议 ${sid}`,
      scheduledAt: '2026-03-07T01:00:00.000Z',
      parties: [
        { partyId: 'party', kind: 'party-organisation', name: '社区党委' },
        { partyId: 'rc', kind: 'residents-committee', name: '居委会' },
      ],
      agenda: [{ itemId: 'item1', title: '停车管理', concernedPartyIds: [] }],
    },
    convener,
  );
  expect(convened).toBeDefined();
  const given = await sim.session(
    cid,
    sid,
    'GiveSessionNotice',
    { text: '定于3月7日上午9时在社区活动室召开联席会议。' },
    convener,
  );
  expect(given).toBeDefined();
}

const position = () => formatCheckpoint(sim.last!.checkpoint);
const get = (path: string, token = tokens.admin) =>
  app.request(path, { headers: { authorization: `Bearer ${token}` } });
const post = (path: string, token = tokens.admin) =>
  app.request(path, { method: 'POST', headers: { authorization: `Bearer ${token}` } });

interface Delivery {
  deliveryId: string;
  webhookId: string;
  kind: string;
  event: string;
  status: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
}
interface Attempt {
  attempt: number;
  outcome: string;
  httpStatus: number | null;
  error: string | null;
  url: string | null;
}

/** The deliveries of a community as the query route lists them (after the last event). */
async function deliveries(cid: string, query = ''): Promise<Delivery[]> {
  const res = await get(
    `/v1/communities/${cid}/notifications/deliveries?minPosition=${position()}${query}`,
  );
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { items: Delivery[] }).items;
}

async function attemptLog(cid: string, deliveryId: string): Promise<Attempt[]> {
  const res = await get(`/v1/communities/${cid}/notifications/deliveries/${deliveryId}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { attemptLog: Attempt[] }).attemptLog;
}

/** Waits until the community's deliveries have these statuses (newest first). */
async function settled(cid: string, statuses: string[]): Promise<Delivery[]> {
  await expect
    .poll(async () => (await deliveries(cid)).map((d) => d.status), { timeout: 15_000 })
    .toEqual(statuses);
  return deliveries(cid);
}

describe('notifications', () => {
  it('delivers a signed notice to the subscribed webhooks only, from the time they are configured', async () => {
    await sim.registerCommunity('sig');
    await notice('sig', 'before'); // no webhook yet: never notified
    const sms = gateway('sig', 'sms', 'https://sms.gw.test/yishi');
    const ding = gateway('sig', 'ding', 'https://ding.gw.test/yishi');
    await configure('sig', 'sms', 'https://sms.gw.test/yishi', ['session-notice', 'decision']);
    await configure('sig', 'ding', 'https://ding.gw.test/yishi', ['decision']);
    startDispatcher();
    await notice('sig', 's1');

    const [delivered] = await settled('sig', ['delivered']);
    expect(delivered).toMatchObject({ webhookId: 'sms', kind: 'session-notice', attempts: 1 });
    expect(ding).toEqual([]);
    expect(sms).toHaveLength(1);
    const call = sms[0]!;
    expect(call.signed).toBe(true);
    expect(call.headers.get('x-yishi-delivery')).toBe(delivered!.deliveryId);
    expect(call.headers.get('x-yishi-event')).toBe('session-notice');
    expect(call.headers.get('x-yishi-attempt')).toBe('1');
    expect(call.headers.get('content-type')).toMatch(/^application\/json/);
    expect(call.body).toMatchObject({
      deliveryId: delivered!.deliveryId,
      communityId: 'sig',
      kind: 'session-notice',
      event: 'SessionNoticeGiven',
      streamId: 'session-sig.s1',
      streamVersion: 2,
      position: position(),
      data: {
        sessionId: 's1',
        title: '联席会议 s1',
        scheduledAt: '2026-03-07T01:00:00.000Z',
        text: '定于3月7日上午9时在社区活动室召开联席会议。',
      },
      links: {
        session: '/v1/communities/sig/sessions/s1',
        timeline: '/v1/communities/sig/timeline?stream=session-sig.s1',
      },
    });
    expect(delivered!.deliveryId).toBe(`${sim.last!.lastGlobalPosition}.sms`);
    // The webhooks as configured, with their deliveries; never a key.
    const res = await get(`/v1/communities/sig/notifications/webhooks?minPosition=${position()}`);
    const { items } = (await res.json()) as { items: Record<string, unknown>[] };
    expect(items).toEqual([
      expect.objectContaining({ webhookId: 'ding', events: ['decision'], active: true }),
      expect.objectContaining({
        webhookId: 'sms',
        url: 'https://sms.gw.test/yishi',
        deliveries: { pending: 0, delivered: 1, dead: 0, cancelled: 0 },
      }),
    ]);
    expect(JSON.stringify(items)).not.toMatch(/[0-9a-f]{64}/);
  });

  it('notifies an owners’ vote from notice to publication, with titles and without the electorate', async () => {
    await sim.registerCommunity('vote');
    const calls = gateway('vote', 'all', 'https://all.gw.test/hook');
    await configure('vote', 'all', 'https://all.gw.test/hook', [
      'session-notice',
      'vote-opened',
      'decision',
      'publication',
    ]);
    startDispatcher();
    await sim.ownersDecision('vote', 'lift', 6, true);
    await expect
      .poll(async () => (await deliveries('vote')).every((d) => d.status === 'delivered'), {
        timeout: 15_000,
      })
      .toBe(true);
    const byEvent = new Map(calls.map((c) => [c.body.event, c.body]));
    expect([...byEvent.keys()]).toEqual(
      expect.arrayContaining([
        'NoticeGiven',
        'VotingOpened',
        'ProposalDecided',
        'ProposalPublished',
      ]),
    );
    expect(calls.every((c) => c.signed)).toBe(true);
    const opened = byEvent.get('VotingOpened')!;
    expect(opened).toMatchObject({
      kind: 'vote-opened',
      data: { proposalId: 'lift', voters: 6, items: [expect.objectContaining({ itemId: 'fund' })] },
      links: { proposal: '/v1/communities/vote/proposals/lift' },
    });
    expect(typeof opened.data.title).toBe('string');
    expect(JSON.stringify(opened)).not.toContain('electorate');
    expect(byEvent.get('ProposalDecided')?.data).toMatchObject({
      proposalId: 'lift',
      outcome: expect.stringMatching(/adopted|rejected/),
    });
    expect(byEvent.get('ProposalPublished')?.kind).toBe('publication');
  });

  it('reminds each reachable non-voter once: consent on record, not opted out', async () => {
    await sim.registerCommunity('remind');
    const clerk: Actor = { personId: 'clerk1', role: 'clerk' };
    const registry = (type: string, data: object) =>
      sim.community('remind', (at) => ({ type, data, actor: clerk, at }) as never, clerk);
    for (const id of ['o1', 'o2', 'o3', 'o4', 'o5']) {
      expect(
        await registry('RegisterPerson', { personId: id, name: `业主${id}`, adult: true }),
      ).toBe(true);
    }
    // o1 will vote; o2 and o3 consented; o4 consented, then opted out; o5 never consented.
    for (const id of ['o1', 'o2', 'o3', 'o4']) {
      expect(await registry('RecordContactConsent', { personId: id, channels: ['sms'] })).toBe(
        true,
      );
    }
    expect(await registry('OptOutOfReminders', { personId: 'o4' })).toBe(true);
    const calls = gateway('remind', 'sms', 'https://remind.gw.test/hook');
    await configure('remind', 'sms', 'https://remind.gw.test/hook', ['reminder']);
    startDispatcher();
    await sim.openVote('remind', 'lift', 5, new Date('2031-03-01T00:00:00.000Z'));
    const vote = async (type: string, data: object, actor: Actor) =>
      sim.proposal('remind', 'lift', type as never, data, actor);
    expect(
      await vote(
        'CastBallot',
        { choices: [{ itemId: 'fund', choice: 'yes' }] },
        { personId: 'o1', role: 'owner' },
      ),
    ).toBeDefined();
    const opened = (await store.readStream('proposal-remind.lift')).find(
      (e) => e.type === 'VotingOpened',
    )!;
    const remind = { voteId: opened.data.voteId };
    expect(await vote('RemindNonVoters', remind, SYSTEM_ACTOR)).toBeDefined();
    // The scheduler asking again is refused by the proposal: nothing more is sent.
    expect(await vote('RemindNonVoters', remind, SYSTEM_ACTOR)).toBeUndefined();

    const done = await settled('remind', ['delivered', 'delivered']);
    expect(
      calls.map((c) => c.body.recipient).sort((a, b) => (a!.personId < b!.personId ? -1 : 1)),
    ).toEqual([
      { personId: 'o2', channels: ['sms'] },
      { personId: 'o3', channels: ['sms'] },
    ]);
    expect(calls.every((c) => c.signed && c.body.kind === 'reminder')).toBe(true);
    expect(calls[0]!.body.data).toMatchObject({ proposalId: 'lift', voteId: remind.voteId });
    expect(done.map((d) => d.deliveryId).every((id) => /^\d+\.sms\.o[23]$/.test(id))).toBe(true);
    const one = await get(`/v1/communities/remind/notifications/deliveries/${done[0]!.deliveryId}`);
    expect(one.status).toBe(200);
  });

  it('reminds the representative of each party that has not signed the minutes, once', async () => {
    await sim.registerCommunity('sign');
    const clerk: Actor = { personId: 'clerk1', role: 'clerk' };
    for (const id of ['rep1', 'rep2']) {
      const registered = await sim.community(
        'sign',
        (at) => ({
          type: 'RegisterPerson',
          data: { personId: id, name: `代表${id}`, adult: true },
          actor: clerk,
          at,
        }),
        clerk,
      );
      expect(registered).toBe(true);
      const consented = await sim.community(
        'sign',
        (at) => ({
          type: 'RecordContactConsent',
          data: { personId: id, channels: ['sms'] },
          actor: clerk,
          at,
        }),
        clerk,
      );
      expect(consented).toBe(true);
    }
    const calls = gateway('sign', 'sms', 'https://sign.gw.test/hook');
    await configure('sign', 'sms', 'https://sign.gw.test/hook', ['reminder']);
    startDispatcher();
    await notice('sign', 's1');
    const session = async (type: string, data: object, actor: Actor) =>
      expect(await sim.session('sign', 's1', type as never, data, actor)).toBeDefined();
    const reps = { party: 'rep1', rc: 'rep2' } as const;
    for (const [partyId, personId] of Object.entries(reps)) {
      await session(
        'RecordAttendance',
        { personId, partyId, partyRepresentativeIds: [personId] },
        clerk,
      );
    }
    for (const [partyId, personId] of Object.entries(reps)) {
      await session(
        'StatePosition',
        { itemId: 'item1', partyId, position: 'support' },
        { personId, role: 'party_representative', partyId },
      );
    }
    await session('ResolveItem', { itemId: 'item1' }, convener);
    await session('DraftMinutes', { text: '纪要' }, clerk);
    await session(
      'SignMinutes',
      { partyId: 'party', textHash: textHashOf('纪要') },
      { personId: 'rep1', role: 'party_representative', partyId: 'party' },
    );
    await session('RemindSigners', { version: 1 }, SYSTEM_ACTOR);
    // Asked again, the session refuses: nothing more is sent.
    expect(
      await sim.session('sign', 's1', 'RemindSigners', { version: 1 }, SYSTEM_ACTOR),
    ).toBeUndefined();

    await settled('sign', ['delivered']);
    expect(calls.map((c) => c.body.recipient)).toEqual([{ personId: 'rep2', channels: ['sms'] }]);
    expect(calls[0]!.body).toMatchObject({
      kind: 'reminder',
      event: 'SignersReminded',
      data: { sessionId: 's1', subject: 'minutes', minutesVersion: 1 },
    });
  });

  it('tells a comment’s author of a reply, and a wish’s requester of its claim and its end, once each', async () => {
    const cid = 'part';
    await sim.registerCommunity(cid);
    const clerk: Actor = { personId: 'clerk1', role: 'clerk' };
    const registry = (type: string, data: object) =>
      sim.community(cid, (at) => ({ type, data, actor: clerk, at }) as never, clerk);
    for (const id of ['r1', 'r2', 'r3', 'r4']) {
      expect(
        await registry('RegisterPerson', { personId: id, name: `居民${id}`, adult: true }),
      ).toBe(true);
    }
    // r1 and r3 consented; r2 consented, then opted out; r4 never consented.
    for (const id of ['r1', 'r2', 'r3']) {
      expect(await registry('RecordContactConsent', { personId: id, channels: ['sms'] })).toBe(
        true,
      );
    }
    expect(await registry('OptOutOfReminders', { personId: 'r2' })).toBe(true);
    const calls = gateway(cid, 'sms', 'https://part.gw.test/hook');
    await configure(cid, 'sms', 'https://part.gw.test/hook', ['participation']);
    startDispatcher();
    await sim.openVote(cid, 'lift', 3, new Date('2031-03-01T00:00:00.000Z'));

    const resident = (personId: string): Actor => ({ personId, role: 'resident' });
    const comment = async (by: string, parentId?: string) => {
      const posted = await sim.send(
        streams.discussion(cid, 'lift'),
        discussionDecider,
        (at): DiscussionCommand => ({
          type: 'PostComment',
          data: {
            body: `${by} 的留言`,
            ...(parentId ? { parentId } : {}),
            proposal: { open: true, items: [{ itemId: 'fund', optionIds: [] }] },
          },
          actor: resident(by),
          at,
        }),
        resident(by),
        cid,
      );
      expect(posted, `${by} → ${parentId}`).toBeDefined();
    };
    await comment('r2'); // c1, by r2 (opted out)
    await comment('r1'); // c2, by r1
    await comment('r4'); // c3, by r4 (never consented)
    await comment('r3', 'c1'); // to r2: opted out, not reached
    await comment('r3', 'c2'); // to r1: reached
    await comment('r1', 'c2'); // r1 answers in their own thread: told nothing
    await comment('r3', 'c3'); // to r4: no consent, not reached

    const wish = async (by: string, command: (at: string) => WishCommand) =>
      expect(
        await sim.send(streams.wish(cid, 'w1'), wishDecider, command, resident(by), cid),
      ).toBeDefined();
    await wish('r1', (at) => ({
      type: 'PostWish',
      data: {
        wishId: 'w1',
        communityId: cid,
        kind: 'wish',
        category: 'elderly-care',
        title: '陪老人去医院复诊',
        description: '周三上午需要有人陪同。',
      },
      actor: resident('r1'),
      at,
    }));
    const volunteer = resident('r3');
    await wish('r3', (at) => ({
      type: 'ClaimWish',
      data: { claimant: { kind: 'person' } },
      actor: volunteer,
      at,
    }));
    await wish('r3', (at) => ({
      type: 'CompleteWish',
      data: { photo: 'doc:visit-photo-1' },
      actor: volunteer,
      at,
    }));

    const done = await settled(cid, ['delivered', 'delivered', 'delivered']);
    // The requester alone, once for each: the reply, the claim, the request to rate.
    expect(calls.map((c) => c.body.recipient)).toEqual([
      { personId: 'r1', channels: ['sms'] },
      { personId: 'r1', channels: ['sms'] },
      { personId: 'r1', channels: ['sms'] },
    ]);
    expect(calls.every((c) => c.signed && c.body.kind === 'participation')).toBe(true);
    // In the order of the events (the dispatcher sends in parallel).
    const inOrder = [...calls].sort(
      (a, b) => Number(a.body.position.split(':')[1]) - Number(b.body.position.split(':')[1]),
    );
    expect(inOrder.map((c) => [c.body.event, c.body.data])).toEqual([
      [
        'CommentPosted',
        {
          proposalId: 'lift',
          title: '加装电梯',
          subject: 'reply',
          commentId: 'c5',
          parentId: 'c2',
        },
      ],
      [
        'WishClaimed',
        {
          wishId: 'w1',
          title: '陪老人去医院复诊',
          subject: 'claimed',
          claimant: { kind: 'person' },
        },
      ],
      ['WishCompleted', { wishId: 'w1', title: '陪老人去医院复诊', subject: 'rate' }],
    ]);
    expect(inOrder[2]!.body.links).toMatchObject({ wish: `/v1/communities/${cid}/wishes/w1` });
    expect(done.every((d) => /^\d+\.sms\.r1$/.test(d.deliveryId))).toBe(true);
    // Nothing more is queued: the outbox holds these three and no other.
    expect(await deliveries(cid)).toHaveLength(3);
  });

  it('retries 5xx, 429 and 408 with backoff, then delivers', async () => {
    await sim.registerCommunity('retry');
    const calls = gateway('retry', 'sms', 'https://retry.gw.test/hook', [
      status(503, 'maintenance'),
      status(429),
      status(408),
      ok,
    ]);
    await configure('retry', 'sms', 'https://retry.gw.test/hook');
    startDispatcher({ maxAttempts: 4 });
    await notice('retry', 's1');
    const [delivered] = await settled('retry', ['delivered']);
    expect(delivered!.attempts).toBe(4);
    expect(calls.map((c) => c.headers.get('x-yishi-attempt'))).toEqual(['1', '2', '3', '4']);
    // Every attempt is signed afresh, and the same delivery id lets the gateway drop repeats.
    expect(calls.every((c) => c.signed)).toBe(true);
    expect(new Set(calls.map((c) => c.body.deliveryId)).size).toBe(1);
    const log = await attemptLog('retry', delivered!.deliveryId);
    expect(log.map((a) => [a.outcome, a.httpStatus])).toEqual([
      ['retry', 503],
      ['retry', 429],
      ['retry', 408],
      ['delivered', 204],
    ]);
    // The status, never the gateway's answer ('maintenance').
    expect(log[0]!.error).toBe('HTTP 503 Service Unavailable');
  });

  it('retries a gateway that does not answer in time or cannot be reached', async () => {
    await sim.registerCommunity('slow');
    gateway('slow', 'sms', 'https://slow.gw.test/hook', [
      async () => {
        await delay(2_000);
        return ok();
      },
      () => HttpResponse.error(),
      ok,
    ]);
    await configure('slow', 'sms', 'https://slow.gw.test/hook');
    startDispatcher({ timeoutMs: 100 });
    await notice('slow', 's1');
    const [delivered] = await settled('slow', ['delivered']);
    const log = await attemptLog('slow', delivered!.deliveryId);
    expect(log.map((a) => a.outcome)).toEqual(['retry', 'retry', 'delivered']);
    expect(log[0]!.error).toBe('timeout: no answer within 100 ms');
    expect(log[1]!.error).toMatch(/^network: /);
  });

  it('dead-letters after the last attempt, visibly; an admin re-queues it', async () => {
    await sim.registerCommunity('dead');
    let up = false;
    const calls = gateway('dead', 'sms', 'https://dead.gw.test/hook', [
      () => (up ? ok() : status(500, 'gateway down')()),
    ]);
    await configure('dead', 'sms', 'https://dead.gw.test/hook');
    startDispatcher();
    await notice('dead', 's1');
    const [dead] = await settled('dead', ['dead']);
    expect(dead).toMatchObject({
      attempts: 3,
      lastStatus: 500,
      lastError: 'HTTP 500 Internal Server Error',
    });
    expect(calls).toHaveLength(3);
    expect((await deliveries('dead', '&status=dead')).map((d) => d.deliveryId)).toEqual([
      dead!.deliveryId,
    ]);
    expect(await deliveries('dead', '&status=pending')).toEqual([]);
    const log = await attemptLog('dead', dead!.deliveryId);
    expect(log.map((a) => a.outcome)).toEqual(['retry', 'retry', 'dead']);
    const webhooks = await get('/v1/communities/dead/notifications/webhooks');
    expect(await webhooks.json()).toMatchObject({
      items: [{ webhookId: 'sms', deliveries: { dead: 1, pending: 0 } }],
    });

    // Re-queuing is an admin's, and only for a dead letter.
    const path = `/v1/communities/dead/notifications/deliveries/${dead!.deliveryId}/requeue`;
    expect((await post(path, tokens.clerk)).status).toBe(403);
    up = true;
    const requeued = await post(path);
    expect(requeued.status).toBe(202);
    expect(await requeued.json()).toMatchObject({
      status: 'pending',
      attempts: 0,
      requeuedBy: 'admin-1',
    });
    await settled('dead', ['delivered']);
    expect((await attemptLog('dead', dead!.deliveryId)).map((a) => a.outcome)).toEqual([
      'retry',
      'retry',
      'dead',
      'delivered',
    ]);
    const again = await post(path);
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({
      code: 'delivery-not-dead',
      deliveryStatus: 'delivered',
    });
    expect(
      (await post('/v1/communities/dead/notifications/deliveries/1.nope/requeue')).status,
    ).toBe(404);
  });

  it('dead-letters at once on a 4xx that will not change by itself', async () => {
    await sim.registerCommunity('refused');
    const calls = gateway('refused', 'sms', 'https://refused.gw.test/hook', [
      status(401, 'bad signature'),
    ]);
    await configure('refused', 'sms', 'https://refused.gw.test/hook');
    startDispatcher();
    await notice('refused', 's1');
    const [dead] = await settled('refused', ['dead']);
    expect(dead).toMatchObject({
      attempts: 1,
      lastStatus: 401,
      lastError: 'HTTP 401 Unauthorized',
    });
    expect(calls).toHaveLength(1);
  });

  it('sends pending deliveries to a webhook’s new URL, and none to a removed webhook', async () => {
    await sim.registerCommunity('moved');
    const old = gateway('moved', 'sms', 'https://old.gw.test/hook');
    const moved = gateway('moved', 'sms', 'https://new.gw.test/hook');
    const gone = gateway('moved', 'gone', 'https://gone.gw.test/hook');
    await configure('moved', 'sms', 'https://old.gw.test/hook');
    await configure('moved', 'gone', 'https://gone.gw.test/hook');
    // No dispatcher runs while the notice waits: then the webhooks change.
    await notice('moved', 's1');
    await configure('moved', 'sms', 'https://new.gw.test/hook');
    await removeWebhook('moved', 'gone');
    expect((await deliveries('moved')).map((d) => d.status)).toEqual(['pending', 'pending']);
    const once = new Dispatcher(db, { secret: SECRET });
    expect(await once.dispatchOnce()).toBeGreaterThanOrEqual(2);
    const after = await deliveries('moved');
    expect(Object.fromEntries(after.map((d) => [d.webhookId, d.status]))).toEqual({
      sms: 'delivered',
      gone: 'cancelled',
    });
    expect([old.length, moved.length, gone.length]).toEqual([0, 1, 0]);
    const cancelled = after.find((d) => d.webhookId === 'gone')!;
    expect(cancelled).toMatchObject({ attempts: 0, lastError: 'the webhook was removed' });
    expect((await attemptLog('moved', cancelled.deliveryId)).map((a) => a.outcome)).toEqual([
      'cancelled',
    ]);
  });

  it('never delivers twice after a rebuild replays the events', async () => {
    await sim.registerCommunity('replay');
    const calls = gateway('replay', 'sms', 'https://replay.gw.test/hook');
    await configure('replay', 'sms', 'https://replay.gw.test/hook', ['session-notice']);
    startDispatcher();
    await notice('replay', 's1');
    await notice('replay', 's2');
    await settled('replay', ['delivered', 'delivered']);
    const outbox = async () =>
      Number(
        (
          await db
            .selectFrom('notification_deliveries')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await outbox();

    // (The old generation stays a little longer than queries cache which one is active.)
    const rebuilt = await rebuild(store, db, [notificationsProjection], { graceMs: 1_100 });
    expect(rebuilt.events).toBeGreaterThan(0);
    expect(await outbox()).toBe(before);
    // A notice after the rebuild is delivered by then; the replayed ones never again.
    await notice('replay', 's3');
    await settled('replay', ['delivered', 'delivered', 'delivered']);
    expect(calls.map((c) => c.body.data.sessionId).sort()).toEqual(['s1', 's2', 's3']);
    expect(await outbox()).toBe(before + 1);
  });

  it('commands never wait for notifications: the append path does not touch the outbox', async () => {
    await sim.registerCommunity('append');
    gateway('append', 'sms', 'https://append.gw.test/hook', [
      async () => {
        await delay(60_000);
        return ok();
      },
    ]);
    await configure('append', 'sms', 'https://append.gw.test/hook');
    startDispatcher({ timeoutMs: 5_000 });
    // With the outbox locked against everything, events are still appended.
    await db.transaction().execute(async (trx) => {
      await sql`LOCK TABLE notification_deliveries IN ACCESS EXCLUSIVE MODE`.execute(trx);
      await notice('append', 's1');
      await notice('append', 's2');
      expect(sim.last?.streamId).toBe('session-append.s2');
    });
    // The outbox catches up once it is free again.
    await expect.poll(async () => (await deliveries('append')).length, { timeout: 15_000 }).toBe(2);
  });

  it('dead-letters, without sending, an event projected long after it was recorded', async () => {
    // As after a long outage: the projection meets events recorded 8 days ago.
    const schema = (await activeGeneration(db, 'notifications'))!.schema;
    const recordedAt = new Date(Date.now() - STALE_AFTER_MS - 86_400_000);
    const at = recordedAt.toISOString();
    const base = 9_000_000_000n; // positions no real event has
    const event = (n: bigint, streamId: string, type: string, data: object): RecordedEvent => ({
      streamId,
      streamVersion: 1,
      globalPosition: base + n,
      transactionId: base + n,
      type,
      schemaVersion: 1,
      data: { ...data, at } as RecordedEvent['data'],
      metadata: {},
      recordedAt,
      prevHash: '',
      hash: '',
    });
    await db.transaction().execute((trx) =>
      notificationsProjection.apply({ db: trx, rm: trx.withSchema(schema), schema }, [
        event(1n, 'community-stale', 'WebhookConfigured', {
          webhookId: 'sms',
          url: 'https://stale.gw.test/hook',
          events: ['session-notice'],
          reconfigured: false,
          by: admin,
        }),
        event(2n, 'session-stale.s1', 'SessionNoticeGiven', { text: '旧通知', by: convener }),
      ]),
    );
    const row = await db
      .selectFrom('notification_deliveries')
      .selectAll()
      .where('delivery_id', '=', `${base + 2n}.sms`)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: 'dead',
      attempts: 0,
      last_error: 'not sent: projected 8 days after it was recorded',
    });
  });

  it('lets admins read the notifications (webhook configuration), no one else', async () => {
    for (const [role, expected] of [
      ['official', 403],
      ['admin', 200],
      ['clerk', 403],
      ['resident', 403],
    ] as const) {
      const res = await get('/v1/communities/sig/notifications/deliveries', tokens[role]);
      expect(res.status, role).toBe(expected);
      const hooks = await get('/v1/communities/sig/notifications/webhooks', tokens[role]);
      expect(hooks.status, role).toBe(expected);
    }
    const spec = (await (await get('/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/v1/communities/{communityId}/notifications/webhooks',
        '/v1/communities/{communityId}/notifications/deliveries',
        '/v1/communities/{communityId}/notifications/deliveries/{deliveryId}',
        '/v1/communities/{communityId}/notifications/deliveries/{deliveryId}/requeue',
      ]),
    );
  });
});
