import { tables } from '@yishi/identity';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { loadConfig, verifySignature, webhookKey, webhookSecret } from '@yishi/platform';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createWebApp, type WebAppDeps } from './app.ts';
import { ConsoleClient, devCodeOf, formOf, textOf } from './testing/http-client.ts';
import { phoneOf, StaticRegistry, TEST_SECRET, testIdentity } from './testing/identity.ts';

// Signing in to the console (issue #22): a code to a phone number, the same answer whatever the
// number, limits, the capacities the registry gives and no other, sign-out and timeouts. The
// registry's answers are a table; the SMS gateway, a system we do not run, is msw.

const BASE = 'http://console.test';
const NOWHERE = 'http://127.0.0.1:9';
const GATEWAY = 'https://sms.gateway.test/yishi';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'bypass' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const registry = new StaticRegistry()
  .give('c1', 'wang', { kind: 'owner' }, { kind: 'resident' })
  .give('c1', 'li', { kind: 'resident' });

/** A console on a fresh database; `env` as the deployment's (NODE_ENV=production: no codes shown). */
async function setup(
  options: { env?: Record<string, string>; deps?: Partial<WebAppDeps>; relaxed?: boolean } = {},
) {
  const sign = await testIdentity(await testDatabaseUrl(), registry, {
    ...(options.env ? { env: options.env } : {}),
    limits: options.relaxed === false ? 'deployed' : 'relaxed',
  });
  await sign.link('c1', 'wang');
  await sign.link('c1', 'li');
  const app = createWebApp({
    upstreams: { commandUrl: NOWHERE, projectionUrl: NOWHERE },
    identity: sign.identity,
    ...options.deps,
  });
  const client = () => new ConsoleClient(BASE, (url, init) => app.request(url, init));
  return { sign, app, client };
}

async function askCode(client: ConsoleClient, phone: string) {
  const page = await client.get('/');
  const hidden = formOf(page.html, { action: '/sign-in' })!.hidden;
  const res = await client.postRaw('/sign-in', { ...hidden, phone });
  return { status: res.status, html: await res.text() };
}

const UNKNOWN = '+8613000000000';

describe('a sign-in code', () => {
  it('is answered alike for a registered and an unknown number, and texted only to the registered, after the answer', async () => {
    const { sign, client } = await setup({ env: { NODE_ENV: 'production' } });
    registry.gateway = { communityId: 'c1', webhookId: 'sms', url: GATEWAY };
    const secret = webhookSecret(loadConfig({ JWT_SECRET: TEST_SECRET }));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const texts: { phone: string; code: string; signed: boolean }[] = [];
    server.use(
      http.post(GATEWAY, async ({ request }) => {
        const raw = await request.text();
        const body = JSON.parse(raw) as { phone: string; code: string };
        texts.push({
          ...body,
          signed: verifySignature(
            webhookKey(secret, 'c1', 'sms'),
            {
              timestamp: request.headers.get('x-yishi-timestamp'),
              signature: request.headers.get('x-yishi-signature'),
            },
            raw,
          ),
        });
        // The gateway answers only when the test says: the console must not wait for it.
        await gate;
        return HttpResponse.json({ ok: true });
      }),
    );
    try {
      const browser = client();
      const registered = await askCode(browser, phoneOf('wang', 'c1'));
      const unknown = await askCode(client(), UNKNOWN);
      expect(registered.status).toBe(200);
      expect(unknown.status).toBe(200);
      const shown = (answer: { html: string }, phone: string) =>
        textOf(answer.html).replace(phone.slice(3, 6), 'XXX').replace(phone.slice(-4), 'YYYY');
      expect(shown(registered, phoneOf('wang', 'c1'))).toBe(shown(unknown, UNKNOWN));
      expect(devCodeOf(registered.html)).toBeUndefined();
      // Both numbers got a code (the same work), stored as hashes.
      expect(
        await tables(sign.identity.deps.db).selectFrom('otp_codes').select('id').execute(),
      ).toHaveLength(2);
      release();
      await vi.waitFor(() => expect(texts).toHaveLength(1));
      expect(texts[0]).toMatchObject({ phone: phoneOf('wang', 'c1'), signed: true });
      // The texted code signs the owner in.
      const hidden = formOf(registered.html, { action: '/sign-in/code' })!.hidden;
      const answer = await browser.post('/sign-in/code', { ...hidden, code: texts[0]!.code });
      expect(answer.url).toBe(`${BASE}/capacity`);
    } finally {
      release();
      registry.gateway = undefined;
      await sign.identity.close();
    }
  });

  it('is shown on the page in development when no gateway takes it; a wrong one is refused', async () => {
    const { sign, client } = await setup();
    try {
      const browser = client();
      const page = await askCode(browser, phoneOf('li', 'c1'));
      expect(textOf(page.html)).toContain('开发模式');
      const code = devCodeOf(page.html)!;
      const hidden = formOf(page.html, { action: '/sign-in/code' })!.hidden;
      const wrong = code === '000000' ? '111111' : '000000';
      const refused = await browser.post('/sign-in/code', { ...hidden, code: wrong });
      expect(refused.status).toBe(400);
      expect(textOf(refused.html)).toContain('验证码不正确或已过期');
      const done = await browser.post('/sign-in/code', { ...hidden, code });
      // One capacity: straight to the community, acting in it.
      expect(done.url).toBe(`${BASE}/c/c1`);
      expect(browser.cookie('yishi_session')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    } finally {
      await sign.identity.close();
    }
  });

  it('is limited per number and per address, alike for registered and unknown numbers', async () => {
    const now = { value: new Date('2026-12-08T02:00:00.000Z') };
    const { sign, client } = await setup({ relaxed: false, deps: { now: () => now.value } });
    try {
      for (const phone of [phoneOf('wang', 'c1'), UNKNOWN]) {
        expect((await askCode(client(), phone)).status, phone).toBe(200);
        const again = await askCode(client(), phone);
        expect(again.status, phone).toBe(429);
        expect(textOf(again.html)).toContain('请求过于频繁');
      }
      // 20 an hour from one address: 4 asked above, 16 more pass, the next does not.
      for (let i = 0; i < 16; i++) {
        expect((await askCode(client(), `+861370000${String(i).padStart(4, '0')}`)).status).toBe(
          200,
        );
      }
      expect((await askCode(client(), '+8613799999999')).status).toBe(429);
      // The next hour's window takes new requests again.
      now.value = new Date('2026-12-08T03:00:00.000Z');
      expect((await askCode(client(), '+8613799999999')).status).toBe(200);
    } finally {
      await sign.identity.close();
    }
  });
});

describe('capacities', () => {
  it('offers only those the registry gives, and refuses a crafted choice of any other', async () => {
    const { sign, client } = await setup();
    try {
      const browser = client();
      await browser.signIn(phoneOf('wang', 'c1'));
      expect(browser.last!.url).toBe(`${BASE}/capacity`);
      const offered = textOf(browser.last!.html);
      expect(offered).toContain('以业主身份');
      expect(offered).toContain('以居民身份');
      expect(offered).not.toContain('以书记员身份');
      // Not yet chosen: the community's pages wait for a choice.
      expect((await browser.get('/c/c1')).url).toBe(`${BASE}/capacity`);
      await browser.choose('以业主身份');
      expect(browser.last!.url).toBe(`${BASE}/c/c1`);
      const fields = formOf(browser.last!.html, { action: '/sign-out' })!.hidden;
      for (const key of ['c1|wang|clerk|', 'c1|li|resident|', 'c2|wang|owner|', '||admin|']) {
        const res = await browser.postRaw('/capacity', { ...fields, capacity: key });
        expect(res.status, key).toBe(403);
        expect(textOf(await res.text())).toContain('您不具有这个身份');
      }
      // Still the owner: the switch offers the two held, the owner chosen.
      const page = await browser.get('/c/c1');
      expect(page.html).toMatch(/<option value="c1\|wang\|owner\|" selected>以业主身份/);
      expect(page.html).not.toContain('clerk');
    } finally {
      await sign.identity.close();
    }
  });
});

describe('a session', () => {
  it('ends at sign-out: its cookie opens nothing after', async () => {
    const { sign, client } = await setup();
    try {
      const browser = client();
      await browser.signIn(phoneOf('li', 'c1'));
      const id = browser.cookie('yishi_session')!;
      const fields = formOf(browser.last!.html, { action: '/sign-out' })!.hidden;
      await browser.post('/sign-out', fields);
      expect(await sign.identity.resume(id, new Date())).toBeUndefined();
      const page = await client().get('/', { cookie: `yishi_session=${id}` });
      expect(textOf(page.html)).toContain('登录已过期');
    } finally {
      await sign.identity.close();
    }
  });

  it('ends after 30 idle minutes and 12 hours after sign-in (the clock is the test’s)', async () => {
    const now = { value: new Date('2026-12-08T02:00:00.000Z') };
    const later = (minutes: number) => {
      now.value = new Date(now.value.getTime() + minutes * 60_000);
    };
    const { sign, client } = await setup({ deps: { now: () => now.value } });
    try {
      const idle = client();
      await idle.signIn(phoneOf('li', 'c1'));
      later(29);
      expect((await idle.get('/c/c1')).url).toBe(`${BASE}/c/c1`);
      later(31);
      const ended = await idle.get('/c/c1');
      expect(ended.url).toBe(`${BASE}/`);
      expect(textOf(ended.html)).toContain('登录已过期');

      const busy = client();
      await busy.signIn(phoneOf('li', 'c1'));
      for (let minute = 20; minute < 12 * 60; minute += 20) {
        later(20);
        expect((await busy.get('/c/c1')).url, `minute ${minute}`).toBe(`${BASE}/c/c1`);
      }
      later(20);
      expect(textOf((await busy.get('/c/c1')).html)).toContain('登录已过期');
    } finally {
      await sign.identity.close();
    }
  });
});
