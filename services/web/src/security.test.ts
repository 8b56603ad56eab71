import { issueToken, type Principal } from '@yishi/platform';
import { describe, expect, it } from 'vitest';
import { createWebApp, type WebAppDeps } from './app.ts';
import { ConsoleClient, formOf, textOf } from './testing/http-client.ts';

// The console's defences, without the services: forms are refused before any command is sent,
// so no upstream is needed (the one configured refuses connections). Issue #20, items 6-9.

const BASE = 'http://console.test';
const NOWHERE = 'http://127.0.0.1:9';
const secretText = 'security-test-secret-0123456789abcdef';
const secret = new TextEncoder().encode(secretText);

function consoleApp(deps: Partial<WebAppDeps> = {}) {
  return createWebApp({ upstreams: { commandUrl: NOWHERE, projectionUrl: NOWHERE }, ...deps });
}

function token(principal: Partial<Principal> = {}): Promise<string> {
  return issueToken(
    { issuer: 'yishi', audience: 'yishi', secret },
    { personId: 'r1', role: 'resident', communities: ['c1'], ...principal },
  );
}

/** A browser on the console app, in process. */
function browser(app = consoleApp(), base = BASE, origin = base): ConsoleClient {
  return new ConsoleClient(base, (url, init) => app.request(url, init), origin);
}

async function signedIn(client = browser(), principal: Partial<Principal> = {}) {
  await client.signIn(await token(principal));
  return client;
}

/** The hidden fields every form of the signed-in user carries (those of the sign-out form). */
async function sessionFields(client: ConsoleClient): Promise<Record<string, string>> {
  const page = await client.get('/no/such/page');
  return formOf(page.html, { action: '/sign-out' })?.hidden ?? {};
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
