import { MemoryEventStore } from '@yishi/event-store';
import { testAuth } from '@yishi/platform';
import { describe, expect, it } from 'vitest';
import { createApp } from './app.ts';

const app = createApp({ store: new MemoryEventStore(), verify: testAuth().verify });

describe('operations endpoints', () => {
  it('answers health and readiness', async () => {
    expect(await (await app.request('/healthz')).json()).toEqual({ status: 'ok' });
    expect(await (await app.request('/readyz')).json()).toEqual({ status: 'ready' });
  });

  it('counts requests by route pattern in Prometheus format', async () => {
    await app.request('/v1/communities/c1/proposals', { method: 'POST' });
    const text = await (await app.request('/metrics')).text();
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

  it('refuses a body over the limit with 413 before reading it', async () => {
    const res = await app.request('/v1/communities/c1/proposals', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ description: 'x'.repeat(300 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'payload-too-large' });
  });

  it('answers unknown routes with a 404 problem', async () => {
    const res = await app.request('/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});
