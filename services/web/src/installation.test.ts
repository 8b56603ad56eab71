import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleClient, formOf, textOf } from './testing/http-client.ts';
import { actor, type Stack, startStack } from './testing/stack.ts';

// The installation through the console: the first administrator records themselves with the
// code printed at start (once), appoints an official, and the official signs in by phone to the
// community they oversee. Against the real services.

let stack: Stack;

beforeAll(async () => {
  stack = await startStack(await testDatabaseUrl());
});
afterAll(() => stack?.stop());

async function bootstrap(client: ConsoleClient, code: string, personId: string, phone: string) {
  const page = await client.get('/');
  const hidden = formOf(page.html, { action: '/sign-in' })!.hidden;
  return client.post('/bootstrap', { ...hidden, code, personId, phone });
}

describe('the installation', () => {
  it('records the first administrator once with the printed code; they appoint an official who signs in by phone', async () => {
    const code = stack.bootstrapCode;
    expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    const admin = new ConsoleClient(stack.webUrl);
    expect(textOf((await admin.get('/')).html)).toContain('首次使用：设立管理员');
    const wrong = await bootstrap(admin, 'AAAA-BBBB-CCCC', 'adm1', '13911110000');
    expect(wrong.status).toBe(400);
    expect(textOf(wrong.html)).toContain('代码不正确或已使用过');
    const done = await bootstrap(admin, code!, 'adm1', '13911110000');
    expect(done.url).toBe(`${stack.webUrl}/installation`);
    expect(textOf(done.html)).toContain('系统管理');

    // Used: the code records no one else, and the sign-in page no longer offers it.
    const other = new ConsoleClient(stack.webUrl);
    const again = await bootstrap(other, code!, 'adm2', '13911110001');
    expect(again.status).toBe(400);
    expect(textOf(again.html)).toContain('代码不正确或已使用过');
    expect(textOf((await other.get('/')).html)).not.toContain('首次使用');

    const community = await actor(stack, 'c9', { personId: 'adm1', role: 'admin' });
    await community('', { name: '幸福里社区', kind: 'urban' });
    await admin.get('/installation');
    await admin.submit('appoint-official', {
      personId: 'off1',
      office: '幸福街道办事处',
      communities: 'c9',
      phone: '139 1111 2222',
    });
    expect(textOf(admin.last!.html)).toContain('已记录：任命街道/民政工作人员');
    expect(textOf(admin.last!.html)).toContain('off1 · 幸福街道办事处：c9');

    // The event records the administrator, in the capacity they signed in as.
    const db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ type: string; actor: string; role: string }>(
        `SELECT type, metadata->>'actorId' AS actor, metadata->>'actorRole' AS role
           FROM es_events WHERE stream_id = 'installation-_' ORDER BY stream_version`,
      );
      expect(rows).toEqual([
        { type: 'AdminBootstrapped', actor: 'adm1', role: 'admin' },
        { type: 'OfficialAppointed', actor: 'adm1', role: 'admin' },
      ]);
    } finally {
      await db.end();
    }

    const official = new ConsoleClient(stack.webUrl);
    await official.signIn('+8613911112222');
    expect(official.last!.url).toBe(`${stack.webUrl}/c/c9`);
    expect(textOf(official.last!.html)).toContain('以街道/民政工作人员身份 · 幸福街道办事处');
    // An official is no administrator: the installation's page is not theirs.
    expect((await official.get('/installation')).status).toBe(403);

    // The administrator signs in again by phone.
    const fields = formOf(admin.last!.html, { action: '/sign-out' })!.hidden;
    await admin.post('/sign-out', fields);
    await admin.signIn('+8613911110000');
    expect(admin.last!.url).toBe(`${stack.webUrl}/installation`);
  });
});
