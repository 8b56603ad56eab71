import { PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { testAuth } from '@yishi/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actingAs } from './acting-as.ts';
import { createApp } from './app.ts';

// Discussion, amendments, micro-wishes and evaluations over HTTP on PostgreSQL: the context the
// service reads (the proposal a comment is about, the party a representative claims for, whether
// a respondent lives in the community) is never the body's.

const auth = testAuth();
let store: PostgresEventStore;
let app: ReturnType<typeof createApp>;
const as = actingAs(() => app, auth, 'c1');
const typesOf = async (streamId: string) => (await store.readStream(streamId)).map((e) => e.type);

beforeAll(async () => {
  store = new PostgresEventStore({ connectionString: await testDatabaseUrl() });
  await store.init();
  app = createApp({ store, verify: auth.verify, clock: () => new Date('2026-03-01T08:00:00Z') });
  const admin = await as('admin', 'adm');
  await admin('/v1/communities/c1', { name: '幸福里社区', kind: 'urban' });
  await admin('registry/create-household', { householdId: 'h1' });
  for (const personId of ['wang', 'li', 'cv']) {
    await admin('registry/register-person', { personId, name: `居民${personId}`, adult: true });
  }
  await admin('registry/add-resident', { personId: 'wang', householdId: 'h1' });
  await admin('registry/register-party', {
    partyId: 'sw',
    kind: 'social-organisation',
    name: '阳光社工',
  });
  await admin('registry/appoint-party-representative', { partyId: 'sw', personId: 'li' });
  const convener = await as('convener', 'cv');
  await convener('proposals', {
    proposalId: 'p1',
    title: '改造小花园',
    description: '拟改造三号楼前小花园',
    procedure: 'community-consultation',
  });
});
afterAll(() => store.close());

describe('discussion and amendments', () => {
  it('comments on a proposal that exists, and hides a comment', async () => {
    const wang = await as('resident', 'wang');
    await wang('proposals/p1/discussion/post-comment', { body: '希望多种树' });
    // The body cannot say the proposal is open or list items: the service reads them.
    const refused = await wang(
      'proposals/p1/discussion/post-comment',
      {
        body: 'x',
        itemId: 'ghost',
        proposal: { open: true, items: [{ itemId: 'ghost', optionIds: [] }] },
      },
      404,
    );
    expect(refused).toMatchObject({ code: 'not-found' });
    await wang('proposals/nope/discussion/post-comment', { body: 'x' }, 404);
    const clerkless = await as('convener', 'cv');
    await clerkless('proposals/p1/discussion/hide-comment', { commentId: 'c1', reason: '测试' });
    expect(await typesOf('discussion-c1.p1')).toEqual(['CommentPosted', 'CommentHidden']);
    await clerkless('proposals/p1/discussion/unhide-comment', { commentId: 'c1', reason: '误判' });
    expect(await typesOf('discussion-c1.p1')).toEqual([
      'CommentPosted',
      'CommentHidden',
      'CommentUnhidden',
    ]);
    const nul = await wang('proposals/p1/discussion/post-comment', { body: 'a\u0000b' }, 400);
    expect(nul).toMatchObject({
      code: 'invalid-input',
      errors: [expect.objectContaining({ field: 'body.body' })],
    });
  });

  it('a resident’s amendment, accepted by the convener, amends the proposal', async () => {
    const wang = await as('resident', 'wang');
    await wang('proposals/p1/propose-amendment', {
      title: '改造小花园并加装座椅',
      reason: '老人需要休息',
    });
    const convener = await as('convener', 'cv');
    await convener('proposals/p1/accept-amendment', { amendmentId: 'a1', reason: '采纳' });
    expect((await typesOf('proposal-c1.p1')).slice(-3)).toEqual([
      'AmendmentProposed',
      'AmendmentAccepted',
      'ProposalAmended',
    ]);
  });
});

describe('micro-wishes', () => {
  it('is posted, claimed for a party by its representative, done and rated', async () => {
    const wang = await as('resident', 'wang');
    const posted = await wang('wishes', {
      kind: 'wish',
      category: 'elderly-care',
      title: '想要老花镜',
      description: '看报吃力',
    });
    const wishId = posted.wishId as string;
    const li = await as('party_representative', 'li', 'sw');
    await li(`wishes/${wishId}/claim-wish`, { claimant: { kind: 'person' } });
    const [, claimed] = await store.readStream(`wish-c1.${wishId}`);
    expect(claimed?.data.claimant).toEqual({
      kind: 'party',
      partyId: 'sw',
      partyKind: 'social-organisation',
      name: '阳光社工',
    });
    const bad = await li(
      `wishes/${wishId}/complete-wish`,
      { photo: 'http://plain.example/a.jpg' },
      400,
    );
    expect(bad).toMatchObject({ errors: [expect.objectContaining({ field: 'body.photo' })] });
    await li(`wishes/${wishId}/complete-wish`, { photo: 'https://img.example.cn/a.jpg' });
    await wang(`wishes/${wishId}/rate-wish`, { stars: 5 });
    await wang(`wishes/${wishId}/rate-wish`, { stars: 6 }, 400);
    expect(await typesOf(`wish-c1.${wishId}`)).toEqual([
      'WishPosted',
      'WishClaimed',
      'WishCompleted',
      'WishRated',
    ]);
  });
});

describe('evaluations', () => {
  it('takes answers from residents of the community only, once', async () => {
    const convener = await as('convener', 'cv');
    await convener('evaluations', {
      evaluationId: 'e1',
      title: '物业服务评估',
      closesAt: '2026-04-01T00:00:00+08:00',
      questions: [{ questionId: 'q1', text: '总体满意度', kind: 'scale' }],
    });
    const answers = { answers: [{ questionId: 'q1', value: 4 }] };
    const wang = await as('resident', 'wang');
    await wang('evaluations/e1/answer-evaluation', { ...answers, respondent: { eligible: false } });
    await wang('evaluations/e1/answer-evaluation', answers, 409);
    // Registered, but living in no household and owning nothing: not a respondent.
    const li = await as('resident', 'li');
    const refused = await li(
      'evaluations/e1/answer-evaluation',
      { ...answers, respondent: { eligible: true } },
      403,
    );
    expect(refused).toMatchObject({ code: 'not-eligible' });
  });
});
