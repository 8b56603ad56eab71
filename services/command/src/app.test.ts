import { PostgresEventStore, START } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { testAuth } from '@yishi/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.ts';

const auth = testAuth();
let store: PostgresEventStore;
let app: ReturnType<typeof createApp>;
let admin: string;
let resident: string;
let ids = 0;

beforeAll(async () => {
  store = new PostgresEventStore({ connectionString: await testDatabaseUrl() });
  await store.init();
  app = createApp({
    store,
    verify: auth.verify,
    clock: () => new Date('2026-11-21T08:00:00.000Z'),
    newId: () => `gen-${++ids}`,
  });
  admin = await auth.token({ personId: 'admin-1', role: 'admin', communities: ['c1'] });
  resident = await auth.token({ personId: 'r1', role: 'resident', communities: ['c1'] });
});
afterAll(() => store.close());

function send(method: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const token = method === 'PUT' ? admin : resident;
  return app.request(path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const proposal = {
  proposalId: 'p1',
  title: '加装电梯',
  description: '3号楼加装电梯，费用分摊方案待议',
  procedure: 'community-consultation',
};

describe('command service: the walking-skeleton slice', () => {
  it('registers a community and submits a proposal as events', async () => {
    const registered = await send('PUT', '/v1/communities/c1', {
      name: '幸福里社区',
      kind: 'urban',
    });
    expect(registered.status).toBe(201);
    const submitted = await send('POST', '/v1/communities/c1/proposals', proposal, {
      'idempotency-key': 'submit-1',
    });
    expect(submitted.status).toBe(201);
    expect(submitted.headers.get('etag')).toBe('"1"');
    const body = await submitted.json();
    expect(body).toMatchObject({ streamId: 'proposal-c1.p1', version: 1, proposalId: 'p1' });
    const events = await store.readStream('proposal-c1.p1');
    expect(events).toHaveLength(1);
    expect(events[0]!.metadata).toMatchObject({
      actorId: 'r1',
      actorRole: 'resident',
      communityId: 'c1',
    });
  });

  it('answers a repeated Idempotency-Key with the first result and writes nothing', async () => {
    const before = (await store.readAll({ transactionId: 0n, globalPosition: 0n }, 100)).events
      .length;
    const again = await send('POST', '/v1/communities/c1/proposals', proposal, {
      'idempotency-key': 'submit-1',
    });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({
      streamId: 'proposal-c1.p1',
      version: 1,
      duplicate: true,
    });
    const after = (await store.readAll({ transactionId: 0n, globalPosition: 0n }, 100)).events
      .length;
    expect(after).toBe(before);
  });

  it('refuses a second submission of the same proposal id as a domain conflict', async () => {
    const res = await send('POST', '/v1/communities/c1/proposals', proposal);
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ code: 'already-exists' });
  });

  it('names each invalid field and writes nothing', async () => {
    const res = await send('POST', '/v1/communities/c1/proposals', { title: '' });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { code: string; errors: { field: string }[] };
    expect(problem.code).toBe('invalid-input');
    expect(problem.errors.map((e) => e.field)).toEqual(
      expect.arrayContaining(['body.title', 'body.description', 'body.procedure']),
    );
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const res = await send('POST', '/v1/communities/c1/proposals', '{"title":');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'invalid-json' });
  });

  it('needs a token, and a token for one community cannot act on another', async () => {
    const anonymous = await app.request('/v1/communities/c1/proposals', {
      method: 'POST',
      body: '{}',
    });
    expect(anonymous.status).toBe(401);
    const other = await send('POST', '/v1/communities/c2/proposals', proposal);
    expect(other.status).toBe(403);
    expect(await other.json()).toMatchObject({ code: 'community-forbidden' });
  });

  it('refuses a proposal for a community that is not registered', async () => {
    const token = await auth.token({ personId: 'r1', role: 'resident', communities: ['c9'] });
    const res = await app.request('/v1/communities/c9/proposals', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(proposal),
    });
    expect(res.status).toBe(404);
    expect(await store.streamHead('proposal-c9.p1')).toBeUndefined();
  });

  it('refuses a key reused for another proposal with 422, and writes nothing', async () => {
    const first = await send(
      'POST',
      '/v1/communities/c1/proposals',
      {
        ...proposal,
        proposalId: 'p-key-1',
      },
      { 'idempotency-key': 'reused-key' },
    );
    expect(first.status).toBe(201);
    const before = (await store.readAll(START, 1000)).events.length;
    const other = await send(
      'POST',
      '/v1/communities/c1/proposals',
      {
        ...proposal,
        proposalId: 'p-key-2',
        title: '另一个议题',
      },
      { 'idempotency-key': 'reused-key' },
    );
    expect(other.status).toBe(422);
    expect(other.headers.get('content-type')).toContain('application/problem+json');
    expect(await other.json()).toMatchObject({
      code: 'idempotency-key-reused',
      detail: expect.any(String),
      errors: [{ field: 'header.idempotency-key' }],
    });
    // The same key on another route and stream (refused there by the rules) is no replay either.
    const withdraw = await send(
      'POST',
      '/v1/communities/c1/proposals/p-key-3/withdraw-proposal',
      {
        reason: '撤回',
      },
      { 'idempotency-key': 'reused-key' },
    );
    expect(withdraw.status).toBe(422);
    expect(await withdraw.json()).toMatchObject({ code: 'idempotency-key-reused' });
    expect((await store.readAll(START, 1000)).events.length).toBe(before);
    expect(await store.streamHead('proposal-c1.p-key-2')).toBeUndefined();
    // The same request again is still a replay.
    const again = await send(
      'POST',
      '/v1/communities/c1/proposals',
      {
        ...proposal,
        proposalId: 'p-key-1',
      },
      { 'idempotency-key': 'reused-key' },
    );
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ streamId: 'proposal-c1.p-key-1', duplicate: true });
  });

  it('replays a generated proposal id: the retry is the same request', async () => {
    const { proposalId: _, ...withoutId } = proposal;
    const headers = { 'idempotency-key': 'generated-id' };
    const first = await send('POST', '/v1/communities/c1/proposals', withoutId, headers);
    expect(first.status).toBe(201);
    const again = await send('POST', '/v1/communities/c1/proposals', withoutId, headers);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({
      proposalId: ((await first.json()) as { proposalId: string }).proposalId,
      duplicate: true,
    });
  });

  it('two different requests with one key at once: one is taken, the other refused', async () => {
    const headers = { 'idempotency-key': 'racing-key' };
    const answers = await Promise.all(
      ['p-race-1', 'p-race-2'].map((proposalId) =>
        send('POST', '/v1/communities/c1/proposals', { ...proposal, proposalId }, headers),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 422]);
  });
});

describe('command service: what a request is checked for, in order', () => {
  const raw = (
    path: string,
    init: { body?: string | Uint8Array; headers?: Record<string, string> },
  ) =>
    app.request(path, {
      method: 'POST',
      ...init,
      headers: { authorization: `Bearer ${resident}`, ...init.headers },
    });
  const problemOf = async (res: Response) => {
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    return (await res.json()) as { code: string; title: string; errors?: { field: string }[] };
  };

  it('refuses a body that is not JSON by its content type, 415', async () => {
    const text = await raw('/v1/communities/c1/proposals', {
      body: JSON.stringify(proposal),
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    expect(await problemOf(text)).toMatchObject({
      code: 'unsupported-media-type',
      title: 'Unsupported media type',
    });
    // A body without any content type is no JSON either.
    const untyped = await raw('/v1/communities/c1/proposals', {
      body: new TextEncoder().encode(JSON.stringify(proposal)),
    });
    expect(untyped.status).toBe(415);
  });

  it('reads no content type and no body as an empty body, each missing field named', async () => {
    const res = await raw('/v1/communities/c1/proposals', {});
    expect(res.status).toBe(400);
    const problem = await problemOf(res);
    expect(problem.code).toBe('invalid-input');
    expect(problem.errors?.map((e) => e.field)).toEqual(
      expect.arrayContaining(['body.title', 'body.description', 'body.procedure']),
    );
  });

  it('takes JSON with parameters or a +json suffix as JSON', async () => {
    for (const [i, type] of [
      'application/json; charset=utf-8',
      'application/merge-patch+json',
    ].entries()) {
      const res = await raw('/v1/communities/c1/proposals', {
        body: JSON.stringify({ ...proposal, proposalId: `p-type-${i}` }),
        headers: { 'content-type': type },
      });
      expect(res.status, type).toBe(201);
    }
    const json5 = await raw('/v1/communities/c1/proposals', {
      body: JSON.stringify(proposal),
      headers: { 'content-type': 'application/jsonx' },
    });
    expect(json5.status).toBe(415);
  });

  it('checks the path before the body: a bad id is named, the body not looked at', async () => {
    const res = await raw('/v1/communities/c1/proposals/p%20x/withdraw-proposal', {
      body: '{"title":',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    const problem = await problemOf(res);
    expect(problem).toMatchObject({ code: 'invalid-input' });
    expect(problem.errors?.map((e) => e.field)).toEqual(['param.proposalId']);
  });

  it('checks the role before the body: a refused role learns nothing of the schema', async () => {
    const res = await raw('/v1/communities/c1/proposals/p1/open-voting', {
      body: '{"rule":',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(403);
    expect(await problemOf(res)).toMatchObject({ code: 'role-forbidden' });
  });
});
