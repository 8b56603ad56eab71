import { readFileSync } from 'node:fs';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { silentLogger } from '@yishi/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoLoader } from './setup/demo.ts';
import { ConsoleClient, formOf, textOf } from './testing/http-client.ts';
import { actor, type Stack, startStack } from './testing/stack.ts';

// The first visit's edges over HTTP (#23.1): who is offered what, and what an upload or the
// demo button refuses. The browser tests walk the happy paths.

let stack: Stack;
let admin: ConsoleClient;

beforeAll(async () => {
  stack = await startStack(await testDatabaseUrl());
  admin = new ConsoleClient(stack.webUrl);
  const page = await admin.get('/');
  const hidden = formOf(page.html, { action: '/sign-in' })!.hidden;
  await admin.post('/bootstrap', {
    ...hidden,
    code: stack.bootstrapCode ?? '',
    personId: 'adm1',
    phone: '13911113333',
  });
});
afterAll(() => stack?.stop());

async function community(communityId: string): Promise<void> {
  const a = await actor(stack, communityId, { personId: 'adm1', role: 'admin' });
  const answer = await a('', { name: `社区${communityId}`, kind: 'urban' });
  await a('registry/register-person', { personId: 'o1', name: '业主一', adult: true });
  const last = await a('registry/register-unit', {
    unitId: 'u1',
    building: '1号楼',
    kind: 'home',
    areas: { registryCentiM2: 9000 },
    developerUnsold: false,
    ownerIds: ['o1'],
  });
  await stack.settled(a.token, communityId, last.position ?? answer.position);
}

describe('the first visit', () => {
  it('offers the registration of an unregistered community to an administrator only', async () => {
    const page = await admin.get('/c/ghost');
    expect(page.status).toBe(404);
    expect(formOf(page.html, 'register-community')?.action).toBe('/setup/register-community');
    await admin.get('/installation');
    await admin.submit('appoint-official', {
      personId: 'off1',
      office: '幸福街道办事处',
      communities: 'ghost',
      phone: '13911114444',
    });
    const viewer = new ConsoleClient(stack.webUrl);
    await viewer.signIn('13911114444');
    const seen = await viewer.get('/c/ghost');
    expect(seen.status).toBe(404);
    expect(textOf(seen.html)).toContain('社区未登记');
    expect(formOf(seen.html, 'register-community')).toBeUndefined();
  });

  it('revokes an administrator from the installation page', async () => {
    await admin.get('/installation');
    await admin.submit('appoint-admin', { personId: 'adm2', phone: '13911116666' });
    // Revoking is refused unless adm2 was appointed: the decider checks the person.
    const done = await admin.submit('revoke-admin', { personId: 'adm2', reason: '调离' });
    expect(textOf(done.html)).toContain('已记录：撤销管理员');
    // The installation's read model takes no minPosition: read until it has caught up.
    const token = await stack.token({ personId: 'adm1', role: 'admin', communities: ['*'] });
    let adminIds: string[] = [];
    for (let i = 0; i < 50; i++) {
      const res = await fetch(`${stack.projectionUrl}/v1/installation`, {
        headers: { authorization: `Bearer ${token}` },
      });
      adminIds = ((await res.json()) as { adminIds: string[] }).adminIds;
      if (!adminIds.includes('adm2')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(adminIds).toEqual(['adm1']);
  });

  it('shows the registry forms to its administrators, and none to an owner', async () => {
    await community('forms');
    const page = await admin.get('/c/forms/registry');
    expect(page.status).toBe(200);
    for (const id of ['register-person', 'register-unit', 'grant-proxy', 'define-procedure']) {
      expect(formOf(page.html, id), id).toBeDefined();
    }
    const owner = new ConsoleClient(stack.webUrl);
    await owner.signIn(await stack.link('forms', 'o1'));
    const seen = await owner.get('/c/forms/registry');
    expect(formOf(seen.html, 'register-person')).toBeUndefined();
    // A crafted post is the service's to refuse, with its reason.
    const home = await owner.get('/c/forms');
    const csrf = /name="_csrf" value="([^"]*)"/.exec(home.html)?.[1] ?? '';
    const refused = await owner.post('/c/forms/registry/register-person', {
      _csrf: csrf,
      _back: '/c/forms/registry',
      personId: 'x1',
      name: '某人',
    });
    expect(textOf(refused.html)).toContain('role-forbidden');
  });

  it('suggests persons from one list on the page when the register is large', async () => {
    await community('big');
    const a = await actor(stack, 'big', { personId: 'adm1', role: 'admin' });
    const residents = Array.from({ length: 250 }, (_, i) => ({
      row: i + 2,
      personId: `r${i}`,
      name: `居民${i}`,
      adult: true,
      householdId: `h${i}`,
    }));
    const imported = await a('registry/import', { documentRef: '名册', residents });
    await stack.settled(a.token, 'big', imported.position);
    const page = await admin.get('/c/big/registry');
    // One list of 251 persons, not one in each of the forms that name a person.
    expect(page.html.match(/<datalist id="registry-persons">/g)).toHaveLength(1);
    expect(page.html.match(/<option value="r1\d\d">/g)).toHaveLength(100);
    expect(page.html.length).toBeLessThan(400_000);
    const done = await admin.submit('appoint-clerk', { personId: 'r7' });
    expect(textOf(done.html)).toContain('已记录：任命书记员');
  });

  it('refuses an upload without the form’s token, or of a file it cannot read', async () => {
    await community('upl');
    const setup = await admin.get('/c/upl/setup');
    const csrf = /name="_csrf" value="([^"]*)"/.exec(setup.html)?.[1] ?? '';
    const post = async (fields: Record<string, string>, file: File) => {
      const body = new FormData();
      for (const [k, v] of Object.entries(fields)) body.append(k, v);
      body.append('files', file);
      const res = await fetch(`${stack.webUrl}/c/upl/setup/import`, {
        method: 'POST',
        headers: {
          origin: stack.webUrl,
          cookie: `yishi_session=${admin.cookie('yishi_session')}`,
        },
        body,
      });
      return { status: res.status, text: textOf(await res.text()) };
    };
    const csv = new File(['楼栋,单元编号\n'], '房屋.csv', { type: 'text/csv' });
    expect((await post({}, csv)).status).toBe(403);
    const wrong = await post(
      { _csrf: csrf },
      new File(['hello'], 'notes.txt', { type: 'text/plain' }),
    );
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('只支持 .xlsx 和 .csv');
  });

  it('reports the rows the import route refuses, each on its row and column', async () => {
    await community('svc');
    const setup = await admin.get('/c/svc/setup');
    const csrf = /name="_csrf" value="([^"]*)"/.exec(setup.html)?.[1] ?? '';
    const body = new FormData();
    body.append('_csrf', csrf);
    const csv = ['编号,姓名,是否成年,户号,居民小组', 'P1,张一,是,H1,', 'P2,李二,是,H2,G9'].join(
      '\n',
    );
    body.append('files', new File([csv], '居民.csv', { type: 'text/csv' }));
    const res = await fetch(`${stack.webUrl}/c/svc/setup/import`, {
      method: 'POST',
      headers: { origin: stack.webUrl, cookie: `yishi_session=${admin.cookie('yishi_session')}` },
      body,
    });
    const html = await res.text();
    expect(res.status).toBe(422);
    expect(textOf(html)).toContain('1 行有问题，什么都没有写入');
    // The service's problem (an unknown group), placed on the sheet's row and column.
    const row = /<tbody><tr>(.*?)<\/tr>/s.exec(html)?.[1] ?? '';
    expect(textOf(row)).toMatch(/^居民\.csv 3 居民小组 居民小组 G9 未登记/);
    const persons = await fetch(`${stack.projectionUrl}/v1/communities/svc/persons`, {
      headers: {
        authorization: `Bearer ${await stack.token({ personId: 'adm1', role: 'admin', communities: ['*'] })}`,
      },
    });
    expect(((await persons.json()) as { items: unknown[] }).items).toHaveLength(1);
  });

  it('checks an uploaded workbook (.xlsx) and, asked only to check, writes nothing', async () => {
    await community('xlsx');
    const setup = await admin.get('/c/xlsx/setup');
    const csrf = /name="_csrf" value="([^"]*)"/.exec(setup.html)?.[1] ?? '';
    const body = new FormData();
    body.append('_csrf', csrf);
    body.append('dryRun', 'on');
    const bytes = readFileSync(new URL('../../../scripts/examples/业主名册.xlsx', import.meta.url));
    body.append('files', new File([bytes], '业主名册.xlsx'));
    const res = await fetch(`${stack.webUrl}/c/xlsx/setup/import`, {
      method: 'POST',
      headers: { origin: stack.webUrl, cookie: `yishi_session=${admin.cookie('yishi_session')}` },
      body,
    });
    const text = textOf(await res.text());
    expect(res.status, text).toBe(200);
    expect(text).toContain('检查通过（未写入）');
    expect(text).toContain('登记专有部分');
    const reg = await admin.get('/c/xlsx/setup');
    expect(textOf(reg.html)).toContain('已登记 1 个专有部分');
  });

  it('loads the demo only where the simulated clock offers it', async () => {
    const page = await admin.get('/setup');
    expect(textOf(page.html)).not.toContain('载入演示社区');
    const csrf = /name="_csrf" value="([^"]*)"/.exec(page.html)?.[1] ?? '';
    const refused = await admin.post('/setup/demo', { _csrf: csrf });
    expect(refused.status).toBe(403);
  });
});

describe('the demo loader', () => {
  it('runs one load at a time, and says how it ended', async () => {
    let runs = 0;
    let finish: (id: string) => void = () => undefined;
    const loader = new DemoLoader(
      (log) =>
        new Promise<string>((resolve) => {
          runs += 1;
          log('登记居民');
          finish = resolve;
        }),
      silentLogger,
    );
    expect(loader.state()).toEqual({ kind: 'idle' });
    loader.start();
    loader.start();
    expect(runs).toBe(1);
    expect(loader.state()).toEqual({ kind: 'running', lines: ['登记居民'] });
    finish('xfl');
    await Promise.resolve();
    expect(loader.state()).toEqual({ kind: 'done', communityId: 'xfl' });

    const failing = new DemoLoader(() => Promise.reject(new Error('no clock')), silentLogger);
    failing.start();
    await new Promise((r) => setTimeout(r, 0));
    expect(failing.state()).toEqual({ kind: 'failed', detail: 'no clock' });
  });
});
