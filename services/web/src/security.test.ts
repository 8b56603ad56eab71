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
