import { MemoryEventStore } from '@yishi/event-store';
import { testAuth } from '@yishi/platform';
import { describe, expect, it } from 'vitest';
import { createApp, MAX_BODY_BYTES } from './app.ts';

const app = createApp({ store: new MemoryEventStore(), verify: testAuth().verify });

describe('operations endpoints', () => {
  it('answers health and readiness', async () => {
    expect(await (await app.request('/healthz')).json()).toEqual({ status: 'ok' });
    expect(await (await app.request('/readyz')).json()).toEqual({ status: 'ready' });
  });

  it('counts requests by route pattern in Prometheus format, for officials and admins', async () => {
    await app.request('/v1/communities/c1/proposals', { method: 'POST' });
    expect((await app.request('/metrics')).status).toBe(401);
    const official = await testAuth().token({
      personId: 'o',
      role: 'official',
      communities: ['*'],
    });
    const res = await app.request('/metrics', { headers: { authorization: `Bearer ${official}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(
      /yishi_http_requests_total\{[^}]*route="\/v1\/communities\/:communityId\/proposals"[^}]*status="401"/,
    );
    expect(text).toContain('yishi_commands_per_append');
  });

  it('serves the OpenAPI 3.1 document and a self-contained reference page', async () => {
    const spec = (await (await app.request('/openapi.json')).json()) as {
      openapi: string;
      paths: object;
    };
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths)).toContain('/v1/communities/{communityId}/proposals');
    const page = await (await app.request('/docs')).text();
    expect(page).toContain('/openapi.json');
    expect(page).not.toMatch(/<script[^>]+src=/);
  });

  it('documents Idempotency-Key and If-Match on every command, and still refuses bad ones', async () => {
    const spec = (await (await app.request('/openapi.json')).json()) as {
      paths: Record<
        string,
        Record<
          string,
          { parameters?: { name: string; in: string }[]; responses?: Record<string, unknown> }
        >
      >;
    };
    const ballot = spec.paths['/v1/communities/{communityId}/proposals/{proposalId}/cast-ballot'];
    expect(ballot?.post?.parameters?.filter((p) => p.in === 'header').map((p) => p.name)).toEqual([
      'idempotency-key',
      'if-match',
    ]);
    expect(JSON.stringify(ballot?.post?.responses?.['422'])).toContain('idempotency-key-reused');
    const auth = testAuth();
    const owner = await auth.token({ personId: 'o1', role: 'owner', communities: ['c1'] });
    const withApp = createApp({ store: new MemoryEventStore(), verify: auth.verify });
    const cast = (headers: Record<string, string>) =>
      withApp.request('/v1/communities/c1/proposals/p1/cast-ballot', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${owner}`,
          'content-type': 'application/json',
          ...headers,
        },
        body: JSON.stringify({ choices: [{ itemId: 'i1', choice: 'yes' }] }),
      });
    const badKey = await cast({ 'idempotency-key': 'spaces are not allowed' });
    expect(badKey.status).toBe(400);
    expect(await badKey.json()).toMatchObject({ code: 'invalid-idempotency-key' });
    const badMatch = await cast({ 'if-match': 'three' });
    expect(badMatch.status).toBe(400);
    expect(await badMatch.json()).toMatchObject({ code: 'invalid-if-match' });
  });

  it('never takes a context field from the body, even when the service fills in none', async () => {
    const auth = testAuth();
    const store = new MemoryEventStore();
    const own = createApp({
      store,
      verify: auth.verify,
      clock: () => new Date('2026-03-01T08:00:00.000Z'),
    });
    const admin = await auth.token({ personId: 'a', role: 'admin', communities: ['c1'] });
    const owner = await auth.token({ personId: 'o1', role: 'owner', communities: ['c1'] });
    const send = (token: string, method: string, path: string, body: unknown) =>
      own.request(path, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect(
      (await send(admin, 'PUT', '/v1/communities/c1', { name: '社区', kind: 'urban' })).status,
    ).toBe(201);
    const lift = {
      title: '加装电梯',
      description: '3号楼加装电梯',
      procedure: 'owners-joint-decision',
      onBehalfOf: { partyId: 'committee', partyKind: 'owners-committee' },
    };
    // An owner token whose person owns nothing in the registry: the body's units do not count.
    const unowned = await send(owner, 'POST', '/v1/communities/c1/proposals', {
      ...lift,
      proposalId: 'p0',
      submitterUnitIds: ['u-forged'],
    });
    expect(unowned.status).toBe(403);
    expect(await unowned.json()).toMatchObject({ code: 'not-eligible' });
    await send(admin, 'POST', '/v1/communities/c1/registry/register-person', {
      personId: 'o1',
      name: '业主一',
      adult: true,
    });
    await send(admin, 'POST', '/v1/communities/c1/registry/register-unit', {
      unitId: 'u1',
      building: '3号楼',
      kind: 'home',
      areas: { registryCentiM2: 9_000 },
      developerUnsold: false,
      ownerIds: ['o1'],
    });
    // An owner is no party's representative: the service sets no onBehalfOf, the body's is ignored;
    // the units on record are the registry's, not the body's.
    const submitted = await send(owner, 'POST', '/v1/communities/c1/proposals', {
      ...lift,
      proposalId: 'p1',
      submitterUnitIds: ['u-forged'],
    });
    expect(submitted.status).toBe(201);
    const [event] = await store.readStream('proposal-c1.p1');
    expect(event?.data).not.toHaveProperty('onBehalfOf');
    expect(event?.data).toMatchObject({ submitterUnitIds: ['u1'] });
  });

  it('refuses a body over the limit with 413 before reading it', async () => {
    const res = await app.request('/v1/communities/c1/proposals', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ description: 'x'.repeat(MAX_BODY_BYTES) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'payload-too-large' });
  });

  it('takes the largest command: minutes of 100,000 Chinese characters, \\u-escaped', async () => {
    const auth = testAuth();
    const clerk = await auth.token({ personId: 'k1', role: 'clerk', communities: ['c1'] });
    const withAuth = createApp({ store: new MemoryEventStore(), verify: auth.verify });
    // A client that escapes every non-ASCII character sends 6 bytes for each.
    const escaped = (text: string) =>
      JSON.stringify(text).replace(
        /[^ -~]/g,
        (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
      );
    const body = `{"text":${escaped('议'.repeat(100_000))},"reason":${escaped('改'.repeat(2000))}}`;
    expect(body.length).toBeGreaterThan(600_000);
    const res = await withAuth.request('/v1/communities/c1/sessions/s1/correct-minutes', {
      method: 'POST',
      headers: { authorization: `Bearer ${clerk}`, 'content-type': 'application/json' },
      body: body.replace('{', '{"correctionId":"k1",'),
    });
    // Past the limit and the body's validation: the community is what is missing.
    expect(await res.json()).toMatchObject({ code: 'community-not-found' });
  });

  it('stops reading a streamed body of unknown length at the limit', async () => {
    let sent = 0;
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += chunk.length;
        // Far past the limit: a service that buffered it all would read 64 MiB.
        if (sent > 64 * 1024 * 1024) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const res = await app.request('/v1/communities/c1/proposals', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: endless,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'payload-too-large' });
    expect(sent).toBeLessThan(MAX_BODY_BYTES + 4 * chunk.length);
  });

  it('answers unknown routes with a 404 problem', async () => {
    const res = await app.request('/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('clock', () => {
  it('tells the time; a simulated clock advances for an admin and marks events', async () => {
    const { simulatedClock } = await import('@yishi/platform');
    const auth = testAuth();
    const clock = simulatedClock(new Date('2026-03-01T00:00:00.000Z'));
    const store = new MemoryEventStore();
    const demo = createApp({ store, verify: auth.verify, clock });
    const admin = await auth.token({ personId: 'a', role: 'admin', communities: ['*'] });
    const owner = await auth.token({ personId: 'o', role: 'owner', communities: ['c1'] });
    const post = (token: string, path: string, body: unknown) =>
      demo.request(path, {
        method: path.endsWith('/c1') ? 'PUT' : 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post(owner, '/v1/admin/clock/advance', { days: 16 })).status).toBe(403);
    const advanced = (await (
      await post(admin, '/v1/admin/clock/advance', { days: 16 })
    ).json()) as { now: string };
    expect(advanced.now >= '2026-03-17T00:00:00.000Z').toBe(true);
    await post(admin, '/v1/communities/c1', { name: '演示社区', kind: 'urban' });
    const [event] = await store.readStream('community-c1');
    expect(event?.metadata).toMatchObject({ simulatedClock: true });
    // The system clock has no advance route at all.
    const real = await app.request('/v1/admin/clock/advance', {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: '{"days":1}',
    });
    expect(real.status).toBe(404);
  });
});
