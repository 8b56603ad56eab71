import { request } from 'node:http';
import { freePort } from '@yishi/local-postgres';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { closeServer, listen, loadConfig, silentLogger } from '@yishi/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebApp, type WebAppDeps } from './app.ts';
import { startWebService } from './main.ts';
import { ConsoleClient, devCodeOf, formOf, textOf } from './testing/http-client.ts';
import {
  phoneOf,
  relaxedCodes,
  StaticRegistry,
  TEST_SECRET,
  type TestIdentity,
  testIdentity,
} from './testing/identity.ts';

// The console's defences, without the services: forms are refused before any command is sent,
// so no upstream is needed (the one configured refuses connections); the registry's answers
// are a table. Issue #20, items 6-9.

const BASE = 'http://console.test';
const NOWHERE = 'http://127.0.0.1:9';
const registry = new StaticRegistry()
  .give('c1', 'r1', { kind: 'resident' })
  .give('c1', 'r2', { kind: 'resident' });
let databaseUrl: string;
let sign: TestIdentity;

beforeAll(async () => {
  databaseUrl = await testDatabaseUrl();
  sign = await testIdentity(databaseUrl, registry);
  await sign.link('c1', 'r1');
  await sign.link('c1', 'r2');
});
afterAll(() => sign?.identity.close());

function consoleApp(deps: Partial<WebAppDeps> = {}) {
  return createWebApp({
    upstreams: { commandUrl: NOWHERE, projectionUrl: NOWHERE },
    identity: sign.identity,
    ...deps,
  });
}

/** A browser on the console app, in process. */
function browser(app = consoleApp(), base = BASE, origin = base): ConsoleClient {
  return new ConsoleClient(base, (url, init) => app.request(url, init), origin);
}

async function signedIn(client = browser(), personId = 'r1') {
  await client.signIn(phoneOf(personId, 'c1'));
  return client;
}

/** The hidden fields every form of the signed-in user carries (those of the sign-out form). */
async function sessionFields(client: ConsoleClient): Promise<Record<string, string>> {
  const page = await client.get('/no/such/page');
  return formOf(page.html, { action: '/sign-out' })?.hidden ?? {};
}

/** The sign-in's first two steps by hand: the code's page for `phone`, posted from `client`. */
async function codeFor(client: ConsoleClient, phone: string) {
  const page = await client.get('/');
  const hidden = formOf(page.html, { action: '/sign-in' })!.hidden;
  const codePage = await client.post('/sign-in', { ...hidden, phone });
  return {
    code: devCodeOf(codePage.html)!,
    hidden: formOf(codePage.html, { action: '/sign-in/code' })!.hidden,
  };
}

describe('actions are the console’s own (issue #20 item 9)', () => {
  it('answers 404, not 500, for names of Object.prototype', async () => {
    const client = await signedIn();
    const fields = await sessionFields(client);
    const names = [
      'constructor',
      '__proto__',
      'toString',
      'valueOf',
      'hasOwnProperty',
      'isPrototypeOf',
      'propertyIsEnumerable',
      'toLocaleString',
      '__defineGetter__',
      '__lookupSetter__',
    ];
    for (const resource of ['proposals/p1', 'sessions/s1']) {
      for (const name of names) {
        const res = await client.postRaw(`/c/c1/${resource}/${name}`, fields);
        expect(res.status, `${resource}/${name}`).toBe(404);
        expect(textOf(await res.text())).toContain('没有找到这个页面。');
      }
    }
  });
});

describe('`_back` and `back` stay on the console (issue #20 item 8)', () => {
  const refused = [
    '//evil.example/x',
    '/\\evil.example/x',
    '/\\/evil.example/x',
    '/..//evil.example/x',
    '/.//evil.example/x',
    '/a/../..//evil.example/x',
    '/%2e%2e//evil.example/x',
    '%2F%2Fevil.example/x',
    'https://evil.example/x',
    'http:evil.example/x',
    'evil.example/x',
    '/\t/evil.example/x',
    '/\n/evil.example/x',
    '/\r\n/evil.example/x',
    '\t//evil.example/x',
    ' //evil.example/x',
    '',
  ];

  function expectOnConsole(location: string | null, payload: string) {
    expect(location, JSON.stringify(payload)).toMatch(/^\/(?![/\\])/);
    expect(new URL(location!, BASE).origin, JSON.stringify(payload)).toBe(BASE);
  }

  it('refuses every other address in a form’s `_back` and returns to the community', async () => {
    const client = await signedIn();
    const fields = await sessionFields(client);
    for (const payload of refused) {
      // No choice made: the form is refused before any command, and sent back to `_back`.
      const res = await client.postRaw('/c/c1/proposals/p1/cast-ballot', {
        ...fields,
        _form: 'ballot',
        _back: payload,
      });
      expect(res.status, JSON.stringify(payload)).toBe(303);
      const location = res.headers.get('location');
      expectOnConsole(location, payload);
      expect(new URL(location!, BASE).pathname, JSON.stringify(payload)).toBe('/c/c1');
    }
  });

  it('keeps the console’s own paths, normalised', async () => {
    const client = await signedIn();
    const fields = await sessionFields(client);
    for (const [payload, path] of [
      ['/c/c1/proposals/p1?tab=votes', '/c/c1/proposals/p1'],
      ['/c/c1/sessions/../proposals/p1', '/c/c1/proposals/p1'],
      // An encoded backslash is a character of a path here, not a separator.
      ['/%5Cevil.example/x', '/%5Cevil.example/x'],
    ] as const) {
      const res = await client.postRaw('/c/c1/proposals/p1/cast-ballot', {
        ...fields,
        _form: 'ballot',
        _back: payload,
      });
      const location = res.headers.get('location');
      expectOnConsole(location, payload);
      expect(new URL(location!, BASE).pathname).toBe(path);
    }
  });

  it('refuses them in the language switch’s `back` too', async () => {
    const app = consoleApp();
    for (const payload of refused) {
      const res = await app.request(`${BASE}/lang/en?back=${encodeURIComponent(payload)}`);
      expect(res.status, JSON.stringify(payload)).toBe(303);
      expectOnConsole(res.headers.get('location'), payload);
      expect(res.headers.get('location'), JSON.stringify(payload)).toBe('/');
    }
  });
});

describe('forms are refused from anywhere but the console (issue #20 item 7)', () => {
  it('puts a token bound to the session in every form, and refuses a post without it', async () => {
    const client = browser();
    const signInPage = await client.get('/');
    const before = formOf(signInPage.html, { action: '/sign-in' })?.hidden._csrf;
    expect(before).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    await client.signIn(phoneOf('r1', 'c1'));
    const fields = await sessionFields(client);
    expect(fields._csrf).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(fields._csrf).not.toBe(before);
    const other = await sessionFields(await signedIn(browser(), 'r2'));
    expect(other._csrf).not.toBe(fields._csrf);

    const form = { _form: 'ballot', 'choice.i1': 'yes' };
    for (const [what, extra] of [
      ['no token', {}],
      ['another session’s token', { _csrf: other._csrf! }],
      ['a forged token', { _csrf: 'A'.repeat(43) }],
    ] as const) {
      const res = await client.postRaw('/c/c1/proposals/p1/cast-ballot', { ...form, ...extra });
      expect(res.status, what).toBe(403);
      expect(res.headers.get('content-type'), what).toContain('text/html');
      expect(textOf(await res.text()), what).toContain('这个表单已失效');
    }
    const res = await client.postRaw('/c/c1/proposals/p1/cast-ballot', { ...form, ...fields });
    expect(res.status).toBe(303);
  });

  it('refuses a post whose Origin is missing, opaque or another site’s', async () => {
    const client = await signedIn();
    const fields = await sessionFields(client);
    for (const origin of [null, 'null', 'http://evil.example', 'https://console.test']) {
      const res = await client.postRaw('/c/c1/proposals/p1/cast-ballot', fields, origin);
      expect(res.status, String(origin)).toBe(403);
      expect(textOf(await res.text())).toContain('拒绝了来自其他网站的提交。');
    }
    const signOut = await client.postRaw('/sign-out', {}, null);
    expect(signOut.status).toBe(403);
  });

  it('refuses a sign-in posted without the sign-in page’s token (login CSRF)', async () => {
    const client = browser();
    const res = await client.postRaw('/sign-in', { phone: phoneOf('r1', 'c1') });
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie()).toEqual([]);
    const { code } = await codeFor(client, phoneOf('r1', 'c1'));
    const forged = await client.postRaw('/sign-in/code', { phone: phoneOf('r1', 'c1'), code });
    expect(forged.status).toBe(403);
    expect(forged.headers.getSetCookie()).toEqual([]);
    await client.signIn(phoneOf('r1', 'c1'));
    expect(client.last!.url).toBe(`${BASE}/c/c1`);
  });

  it('over HTTPS: Secure __Host- cookies, and the public origin behind a proxy', async () => {
    const app = consoleApp({ publicUrl: 'https://console.example' });
    // The proxy reaches the console over plain HTTP; browsers send the public origin.
    const client = browser(app, 'http://10.0.0.2:3002', 'https://console.example');
    const { code, hidden } = await codeFor(client, phoneOf('r1', 'c1'));
    const res = await client.postRaw('/sign-in/code', { ...hidden, code });
    expect(res.status).toBe(303);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('__Host-yishi_session='));
    expect(cookie).toMatch(/; Path=\/;.*HttpOnly/);
    expect(cookie).toContain('Secure');
    expect(cookie).toContain('SameSite=Strict');
    expect(client.cookie('__Host-yishi_session')).toBeDefined();
    const fields = await sessionFields(client);
    expect(fields._csrf).toBeDefined();
    const form = { ...fields, _form: 'ballot' };
    const path = '/c/c1/proposals/p1/cast-ballot';
    expect((await client.postRaw(path, form)).status).toBe(303);
    // The address the proxy uses is not the console's origin for browsers.
    expect((await client.postRaw(path, form, 'http://10.0.0.2:3002')).status).toBe(403);
    expect((await client.postRaw(path, form, 'http://console.example')).status).toBe(403);

    // A cookie without the prefix (which a sibling site could have set) is not a session.
    const tossed = await app.request('http://10.0.0.2:3002/', {
      headers: { cookie: `yishi_session=${client.cookie('__Host-yishi_session')}` },
    });
    expect(textOf(await tossed.text())).toContain('获取验证码');
  });
});

describe('a form that cannot be read', () => {
  it('is a 400 page, not a 500', async () => {
    const app = consoleApp();
    const client = await signedIn(browser(app));
    for (const path of ['/sign-in', '/c/c1/proposals/p1/cast-ballot']) {
      const res = await app.request(`${BASE}${path}`, {
        method: 'POST',
        headers: {
          origin: BASE,
          cookie: `yishi_session=${client.cookie('yishi_session')}`,
          'content-type': 'multipart/form-data; boundary=x',
        },
        body: 'not multipart at all',
      });
      expect(res.status, path).toBe(400);
      expect(textOf(await res.text())).toContain('无法读取提交的表单。');
    }
  });
});

describe('the console’s public address (WEB_PUBLIC_URL)', () => {
  it('is where posts must come from, and https gives Secure __Host- cookies', async () => {
    const port = await freePort();
    const config = loadConfig({
      HOST: '127.0.0.1',
      WEB_PORT: String(port),
      WEB_PUBLIC_URL: 'https://console.example',
      // Behind https no code is ever shown: this one shows them, to sign in without a gateway.
      NODE_ENV: 'test',
      JWT_SECRET: TEST_SECRET,
      LOG_LEVEL: 'silent',
    });
    const { phones, identity } = sign;
    const service = await startWebService(config, silentLogger, {
      databaseUrl,
      identity: {
        registry,
        codes: relaxedCodes(identity.deps.db, identity.deps.key),
        directory: phones,
        phones,
        showCodes: true,
      },
    });
    try {
      const local = `http://127.0.0.1:${port}`;
      const client = new ConsoleClient(local, fetch, 'https://console.example');
      await client.signIn(phoneOf('r1', 'c1'));
      expect(client.cookie('__Host-yishi_session')).toBeDefined();
      const refused = new ConsoleClient(local);
      await refused.get('/');
      const hidden = formOf(refused.last!.html, { action: '/sign-in' })!.hidden;
      const res = await refused.postRaw('/sign-in', { ...hidden, phone: phoneOf('r1', 'c1') });
      expect(res.status).toBe(403);
    } finally {
      await service.close();
    }
  });
});

describe('form bodies are limited (issue #20 item 6)', () => {
  let server: Awaited<ReturnType<typeof listen>>;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    server = await listen(consoleApp().fetch, '127.0.0.1', port);
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(() => closeServer(server));

  it('answers 413 with a page for a sign-in or a form over its limit', async () => {
    const client = new ConsoleClient(base);
    await client.get('/');
    const hidden = formOf(client.last!.html, { action: '/sign-in' })!.hidden;
    const big = await client.postRaw('/sign-in', { ...hidden, phone: 'x'.repeat(64 * 1024) });
    expect(big.status).toBe(413);
    expect(big.headers.get('content-type')).toContain('text/html');
    expect(textOf(await big.text())).toContain('提交的内容太大');

    await client.signIn(phoneOf('r1', 'c1'));
    const fields = await sessionFields(client);
    const path = '/c/c1/sessions/s1/draft-minutes';
    // The longest minutes the domain takes, 100,000 characters, percent-encoded (~900 kB).
    const longest = await client.postRaw(path, { ...fields, text: '纪'.repeat(100_000) });
    expect(longest.status).toBe(303);
    const over = await client.postRaw(path, { ...fields, text: '纪'.repeat(130_000) });
    expect(over.status).toBe(413);
    expect(textOf(await over.text())).toContain('提交的内容太大');
  });

  it('stops reading a streamed body at the limit instead of buffering it', async () => {
    const total = 64 * 1024 * 1024;
    const answer = await streamUntilAnswered(`${base}/sign-in`, total, {
      origin: base,
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(answer.status).toBe(413);
    // The console answered long before the client could send the body: it did not wait for it.
    expect(answer.sent).toBeLessThan(total / 4);
  });
});

/**
 * Posts a chunked body of `total` bytes, written as fast as the server reads it, and stops
 * writing when the answer comes: how many bytes were sent by then says how much was read.
 */
function streamUntilAnswered(
  url: string,
  total: number,
  headers: Record<string, string>,
): Promise<{ status: number; sent: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(url, { method: 'POST', headers }, (res) => {
      answered = true;
      const status = res.statusCode ?? 0;
      const at = sent;
      res.resume();
      res.on('end', () => {
        req.destroy();
        resolve({ status, sent: at });
      });
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const pump = () => {
      while (!answered && sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    req.write('phone=');
    pump();
  });
}
