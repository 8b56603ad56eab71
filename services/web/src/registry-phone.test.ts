import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleClient, textOf } from './testing/http-client.ts';
import { actor, type Stack, startStack } from './testing/stack.ts';

// A person signs in with the phone number the clerk recorded in the registry (sealed there):
// no number linked by hand. A corrected number replaces the old one; an erased person's number
// signs no one in. Against the real services.

let stack: Stack;
const OLD = '+8613811112222';
const NEW = '+8613811113333';
const UNREGISTERED = '这个手机号没有登记在任何社区';

beforeAll(async () => {
  stack = await startStack(await testDatabaseUrl());
});
afterAll(() => stack?.stop());

describe('signing in with the number the registry keeps', () => {
  it('follows registration, correction and erasure', async () => {
    const admin = await actor(stack, 'c7', { personId: 'adm7', role: 'admin' });
    const settle = async (answer: { position: string }) =>
      stack.settled(admin.token, 'c7', answer.position);
    await admin('', { name: '和平里社区', kind: 'urban' });
    await admin('registry/register-person', { personId: 'chair', name: '主任', adult: true });
    await admin('registry/register-person', {
      personId: 'zhao',
      name: '赵大妈',
      adult: true,
      phone: OLD,
    });
    await admin('registry/create-household', { householdId: 'h1', address: '1号楼101室' });
    await settle(await admin('registry/add-resident', { personId: 'zhao', householdId: 'h1' }));

    const zhao = new ConsoleClient(stack.webUrl);
    await zhao.signIn('138 1111 2222');
    expect(zhao.last!.url).toBe(`${stack.webUrl}/c/c7`);
    expect(textOf(zhao.last!.html)).toMatch(/当前身份： zhao/);

    await settle(
      await admin('registry/correct-person', { personId: 'zhao', phone: NEW, reason: '本人换号' }),
    );
    const withOld = new ConsoleClient(stack.webUrl);
    await withOld.signIn(OLD);
    expect(textOf(withOld.last!.html)).toContain(UNREGISTERED);
    const withNew = new ConsoleClient(stack.webUrl);
    await withNew.signIn(NEW);
    expect(withNew.last!.url).toBe(`${stack.webUrl}/c/c7`);

    await settle(
      await admin('registry/erase-personal-data', {
        personId: 'zhao',
        legalBasis: { ground: 'consent-withdrawn', explanation: '本人撤回同意' },
        approvedBy: 'chair',
      }),
    );
    const erased = new ConsoleClient(stack.webUrl);
    await erased.signIn(NEW);
    expect(textOf(erased.last!.html)).toContain(UNREGISTERED);
  });
});
