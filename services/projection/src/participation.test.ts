import {
  type Actor,
  type DiscussionCommand,
  discussionDecider,
  type EvaluationCommand,
  evaluationDecider,
  streams,
  type WishCommand,
  wishDecider,
} from '@yishi/domain';
import { formatCheckpoint, PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { type Principal, testAuth } from '@yishi/platform';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.ts';
import { createDb } from './db.ts';
import { migrateReadModels } from './migrations/index.ts';
import { discussionsProjection } from './projections/discussions.ts';
import { evaluationsProjection } from './projections/evaluations.ts';
import { timelineProjection } from './projections/timeline.ts';
import { wishesProjection } from './projections/wishes.ts';
import { Projector } from './runtime/projector.ts';
import type { Database } from './tables.ts';
import { Random } from './testing/random.ts';
import { Simulator } from './testing/simulate.ts';

// The participation read models through the query API: who reads a hidden comment, the wish
// list by state, and an evaluation's figures only once closed.

const auth = testAuth();
let store: PostgresEventStore;
let db: Kysely<Database>;
let projectors: Projector[];
let app: ReturnType<typeof createApp>;
let sim: Simulator;

const wang: Actor = { personId: 'wang', role: 'resident' };
const li: Actor = { personId: 'li', role: 'owner' };
const clerk: Actor = { personId: 'clerk1', role: 'clerk' };
const proposal = { open: true, items: [{ itemId: 'plan', optionIds: ['A', 'B'] }] };

const comment = (command: DiscussionCommand['type'], data: object, actor: Actor) =>
  sim.send(
    streams.discussion('c1', 'p1'),
    discussionDecider,
    (at) => ({ type: command, data, actor, at }) as DiscussionCommand,
    actor,
    'c1',
  );
const wish = (wishId: string, type: WishCommand['type'], data: object, actor: Actor) =>
  sim.send(
    streams.wish('c1', wishId),
    wishDecider,
    (at) => ({ type, data, actor, at }) as WishCommand,
    actor,
    'c1',
  );
const evaluation = (type: EvaluationCommand['type'], data: object, actor: Actor) =>
  sim.send(
    streams.evaluation('c1', 'e1'),
    evaluationDecider,
    (at) => ({ type, data, actor, at }) as EvaluationCommand,
    actor,
    'c1',
  );

beforeAll(async () => {
  const url = await testDatabaseUrl();
  store = new PostgresEventStore({ connectionString: url });
  db = createDb(url, 10);
  await migrateReadModels(db);
  projectors = [
    timelineProjection,
    discussionsProjection,
    wishesProjection,
    evaluationsProjection,
  ].map(
    (p) => new Projector(store, db, p, { pollIntervalMs: 50, lockRetryMs: 50, heartbeatMs: 200 }),
  );
  for (const p of projectors) await p.start();
  app = createApp({ db, store, verify: auth.verify, projectors, minPositionWaitMs: 5_000 });
  sim = new Simulator(store, new Random(7));

  await comment(
    'PostComment',
    { body: '支持方案A', itemId: 'plan', optionId: 'A', proposal },
    wang,
  );
  await comment('PostComment', { body: '某某家欠费不交，骂人', proposal }, li);
  await comment('PostComment', { body: '同意', parentId: 'c1', proposal }, li);
  await comment('HideComment', { commentId: 'c2', reason: '人身攻击' }, clerk);

  const post = (id: string, title: string) =>
    wish(
      id,
      'PostWish',
      {
        wishId: id,
        communityId: 'c1',
        kind: 'wish',
        category: 'children',
        title,
        description: '留守儿童',
      },
      wang,
    );
  await post('w1', '想要一个书包');
  await post('w2', '想学画画');
  await post('w3', '想要一双跑鞋');
  await wish('w2', 'ClaimWish', { claimant: { kind: 'person' } }, li);
  await wish(
    'w3',
    'ClaimWish',
    {
      claimant: {
        kind: 'party',
        partyId: 'sw',
        partyKind: 'social-organisation',
        name: '阳光社工',
      },
    },
    { personId: 'r1', role: 'party_representative', partyId: 'sw' },
  );
  await wish(
    'w3',
    'CompleteWish',
    { photo: 'https://img.example.cn/w3.jpg', note: '已送到' },
    { personId: 'r2', role: 'party_representative', partyId: 'sw' },
  );
  await wish('w3', 'RateWish', { stars: 5, comment: '谢谢' }, wang);

  await evaluation(
    'OpenEvaluation',
    {
      evaluationId: 'e1',
      communityId: 'c1',
      title: '物业服务评估',
      closesAt: '2099-01-01T00:00:00Z',
      questions: [{ questionId: 'clean', text: '保洁', kind: 'scale' }],
    },
    clerk,
  );
  for (const [n, value] of [
    [1, 5],
    [2, 4],
    [3, 4],
    [4, 2],
    [5, 5],
  ] as const) {
    await evaluation(
      'AnswerEvaluation',
      { answers: [{ questionId: 'clean', value }], respondent: { eligible: true } },
      { personId: `o${n}`, role: 'owner' },
    );
  }
});
afterAll(async () => {
  for (const p of projectors) await p.stop();
  await db.destroy();
  await store.close();
});

const read = async (path: string, principal: Principal) => {
  const token = await auth.token(principal);
  const sep = path.includes('?') ? '&' : '?';
  const res = await app.request(
    `${path}${sep}minPosition=${formatCheckpoint(sim.last!.checkpoint)}`,
    {
      headers: { authorization: `Bearer ${token}` },
    },
  );
  expect(res.status, path).toBe(200);
  return res.json() as Promise<Record<string, unknown>>;
};
const as = (personId: string, role: Principal['role']): Principal => ({
  personId,
  role,
  communities: ['c1'],
});

describe('discussion', () => {
  it('counts standing comments and shows a hidden one to moderators, officials and its author only', async () => {
    const path = '/v1/communities/c1/proposals/p1/discussion';
    const hiddenOf = (body: Record<string, unknown>) =>
      (body.comments as { commentId: string; body: string | null; hidden: unknown }[]).find(
        (c) => c.commentId === 'c2',
      )!;
    for (const [reader, sees] of [
      [as('wang', 'resident'), false],
      [as('x', 'owner'), false],
      [as('li', 'owner'), true],
      [as('clerk1', 'clerk'), true],
      [as('gov', 'official'), true],
      [as('root', 'admin'), true],
    ] as const) {
      const body = await read(path, reader);
      expect(body.counts, reader.role).toEqual({
        comments: 2,
        hidden: 1,
        byItem: [{ itemId: 'plan', count: 2 }],
        amendments: 0,
      });
      const hidden = hiddenOf(body);
      expect(hidden.body, `${reader.personId} ${reader.role}`).toBe(
        sees ? '某某家欠费不交，骂人' : null,
      );
      expect(hidden.hidden, reader.role).toMatchObject({ reason: sees ? '人身攻击' : null });
    }
    const body = await read(path, as('wang', 'resident'));
    expect((body.comments as { parentId: string | null }[]).map((c) => c.parentId)).toEqual([
      null,
      null,
      'c1',
    ]);
  });

  it('keeps comment texts out of the timeline for residents', async () => {
    const body = await read(
      '/v1/communities/c1/timeline?stream=discussion-c1.p1',
      as('wang', 'resident'),
    );
    const items = body.items as { type: string; details: Record<string, unknown> }[];
    expect(items.filter((i) => i.type === 'CommentPosted')).toHaveLength(3);
    expect(JSON.stringify(items)).not.toContain('骂人');
    expect(JSON.stringify(items)).not.toContain('人身攻击');
    const official = await read(
      '/v1/communities/c1/timeline?stream=discussion-c1.p1',
      as('gov', 'official'),
    );
    expect(JSON.stringify(official.items)).toContain('骂人');
    expect(JSON.stringify(official.items)).toContain('人身攻击');
  });
});

describe('micro-wishes', () => {
  it('lists what is open, claimed and done, and filters by state', async () => {
    const all = await read('/v1/communities/c1/wishes', as('x', 'resident'));
    expect(all.counts).toEqual({ open: 1, claimed: 1, done: 1, cancelled: 0 });
    const done = await read('/v1/communities/c1/wishes?status=done', as('x', 'resident'));
    expect(done.items).toEqual([
      expect.objectContaining({
        wishId: 'w3',
        status: 'done',
        claim: expect.objectContaining({ personId: 'r1', partyId: 'sw', partyName: '阳光社工' }),
        completion: expect.objectContaining({ photo: 'https://img.example.cn/w3.jpg' }),
        rating: expect.objectContaining({ stars: 5 }),
      }),
    ]);
    expect(await read('/v1/communities/c1/wishes/w2', as('x', 'resident'))).toMatchObject({
      status: 'claimed',
      claim: { personId: 'li', partyId: null },
    });
  });

  it('answers 404 wish-not-found for a wish that does not exist', async () => {
    const res = await app.request('/v1/communities/c1/wishes/nope', {
      headers: { authorization: `Bearer ${await auth.token(as('x', 'resident'))}` },
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'wish-not-found' });
  });
});

describe('evaluations', () => {
  it('shows who answered, and figures only once closed', async () => {
    const open = await read('/v1/communities/c1/evaluations/e1', as('x', 'resident'));
    expect(open).toMatchObject({ status: 'open', respondents: 5, results: null });
    expect((open.respondentList as unknown[]).length).toBe(5);
    await evaluation('CloseEvaluation', {}, clerk);
    const closed = await read('/v1/communities/c1/evaluations/e1', as('x', 'resident'));
    expect(closed).toMatchObject({
      status: 'closed',
      results: [
        { questionId: 'clean', kind: 'scale', counts: [0, 1, 0, 2, 2], sum: 20, answers: 5 },
      ],
      withheld: null,
    });
  });
});

describe('moderation undone', () => {
  it('shows a comment to everyone again once a moderator unhides it', async () => {
    const on = (command: DiscussionCommand['type'], data: object, actor: Actor) =>
      sim.send(
        streams.discussion('c1', 'p2'),
        discussionDecider,
        (at) => ({ type: command, data, actor, at }) as DiscussionCommand,
        actor,
        'c1',
      );
    await on('PostComment', { body: '物业费账目不清', proposal }, li);
    await on('HideComment', { commentId: 'c1', reason: '待核实' }, clerk);
    const path = '/v1/communities/c1/proposals/p2/discussion';
    const before = await read(path, as('wang', 'resident'));
    expect(before.counts).toMatchObject({ comments: 0, hidden: 1 });
    await on('UnhideComment', { commentId: 'c1', reason: '经核实属实' }, clerk);
    const after = await read(path, as('wang', 'resident'));
    expect(after.counts).toMatchObject({ comments: 1, hidden: 0 });
    expect(after.comments).toMatchObject([
      { commentId: 'c1', body: '物业费账目不清', hidden: null },
    ]);
  });
});
