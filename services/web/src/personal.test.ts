import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleClient, formOf, textOf } from './testing/http-client.ts';
import { actor, type Stack, startStack } from './testing/stack.ts';

// 我的: an owner authorises a proxy online and revokes it, and opts out of reminders, on their
// own page: the commands the catalogue gives owners and residents for themselves (#23.2).

let stack: Stack;
const cid = 'c8';

beforeAll(async () => {
  stack = await startStack(await testDatabaseUrl());
  const admin = await actor(stack, cid, { personId: 'adm8', role: 'admin' });
  await admin('', { name: '安居社区', kind: 'urban' });
  for (const [id, phone] of [
    ['o1', '+8613822220001'],
    ['p2', '+8613822220002'],
  ] as const) {
    await admin('registry/register-person', { personId: id, name: `人${id}`, adult: true, phone });
  }
  const last = await admin('registry/register-unit', {
    unitId: 'u1',
    building: '1号楼',
    kind: 'home',
    areas: { registryCentiM2: 9_000 },
    developerUnsold: false,
    ownerIds: ['o1'],
  });
  await stack.settled(admin.token, cid, last.position);
});
afterAll(() => stack?.stop());

describe('my page', () => {
  it('lets an owner authorise a proxy, see it, revoke it, and opt out of reminders', async () => {
    const owner = new ConsoleClient(stack.webUrl);
    await owner.signIn('+8613822220001');
    expect(owner.last!.url).toBe(`${stack.webUrl}/c/${cid}`);
    await owner.get(`/c/${cid}/me`);
    expect(textOf(owner.last!.html)).toContain('没有生效的委托');
    await owner.submit('grant-proxy', { proxyId: 'p2', proposalId: 'roof', itemId: 'i1' });
    expect(textOf(owner.last!.html)).toContain('已记录：');
    expect(textOf(owner.last!.html)).toContain('我委托 p2 代为投票：roof 第 i1 项');

    // The proxy sees it on their own page, and is offered no revoke form for it.
    const proxy = new ConsoleClient(stack.webUrl);
    await proxy.signIn('+8613822220002');
    await proxy.get(`/c/${cid}/me`);
    expect(textOf(proxy.last!.html)).toContain('o1 委托我代为投票：roof 第 i1 项');
    expect(proxy.last!.html).not.toContain('revoke-pa');
    expect(formOf(proxy.last!.html, { action: `/c/${cid}/me/grant-proxy` })).toBeUndefined();

    const revoke = /id="(revoke-pa[^"]*)"/.exec(owner.last!.html)?.[1];
    expect(revoke).toBeDefined();
    await owner.submit(revoke!);
    expect(textOf(owner.last!.html)).toContain('没有生效的委托');

    await owner.submit('opt-out-of-reminders');
    expect(textOf(owner.last!.html)).toContain('已记录：退订提醒');
  });
});
