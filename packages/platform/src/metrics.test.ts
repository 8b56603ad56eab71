import { describe, expect, it } from 'vitest';
import { createRouter, installFallbacks } from './http.ts';
import { createMetrics, serveMetrics } from './metrics.ts';
import { testAuth } from './test-auth.ts';

// /metrics tells how a service is used and by whom (routes, rates, errors): for monitoring with
// its own token, or for officials and admins, never without sign-in.

const auth = testAuth();
const METRICS_TOKEN = 'metrics-token-metrics-token-metrics-token';

function app(token?: string) {
  const router = createRouter();
  const metrics = createMetrics('test');
  router.use('*', metrics.middleware);
  serveMetrics(router, metrics, { verify: auth.verify, ...(token ? { token } : {}) });
  installFallbacks(router);
  return router;
}
const get = (a: ReturnType<typeof app>, authorization?: string) =>
  a.request('/metrics', authorization ? { headers: { authorization } } : {});

describe('serveMetrics', () => {
  it('answers 401 problem+json without a bearer token or with a wrong one', async () => {
    const withToken = app(METRICS_TOKEN);
    for (const authorization of [undefined, 'Bearer nope', `Bearer ${METRICS_TOKEN}x`, 'Basic x']) {
      const res = await get(withToken, authorization);
      expect(res.status, authorization).toBe(401);
      expect(res.headers.get('content-type'), authorization).toContain('application/problem+json');
      expect(res.headers.get('www-authenticate'), authorization).toMatch(/^Bearer/);
      expect(await res.text(), authorization).not.toContain('yishi_http_requests_total');
    }
    expect((await get(app(), undefined)).status).toBe(401);
  });

  it('serves the figures for METRICS_TOKEN, and for officials and admins by their JWT', async () => {
    const withToken = app(METRICS_TOKEN);
    const ok = await get(withToken, `Bearer ${METRICS_TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('text/plain');
    expect(await ok.text()).toContain('yishi_http_requests_total');
    for (const role of ['official', 'admin'] as const) {
      const jwt = await auth.token({ personId: 'p', role, communities: ['c1'] });
      expect((await get(withToken, `Bearer ${jwt}`)).status, role).toBe(200);
      expect((await get(app(), `Bearer ${jwt}`)).status, role).toBe(200);
    }
  });

  it('labels every series with the service, its own and the process defaults', async () => {
    const metrics = createMetrics('test');
    metrics.histogram('yishi_test_seconds', 'a histogram of the service', [1]).observe(0.5);
    const router = app(METRICS_TOKEN);
    await get(router, `Bearer ${METRICS_TOKEN}`);
    const text = await (await get(router, `Bearer ${METRICS_TOKEN}`)).text();
    const series = text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    expect(series.length).toBeGreaterThan(10);
    for (const line of series) expect(line).toMatch(/[{,]service="test"[,}]/);
    expect(text).toMatch(/^yishi_http_requests_total\{[^}]*route="\/metrics"/m);
    expect(text).toMatch(/^nodejs_active_resources\{type="[^"]+",service="test"\}/m);
    const own = (await metrics.registry.metrics()).split('\n');
    expect(own).toContain('yishi_test_seconds_count{service="test"} 1');
  });

  it('refuses other roles with 403', async () => {
    for (const role of ['resident', 'owner', 'clerk', 'convener'] as const) {
      const jwt = await auth.token({ personId: 'p', role, communities: ['*'] });
      const res = await get(app(METRICS_TOKEN), `Bearer ${jwt}`);
      expect(res.status, role).toBe(403);
      expect(await res.json(), role).toMatchObject({ code: 'role-forbidden' });
    }
  });
});
