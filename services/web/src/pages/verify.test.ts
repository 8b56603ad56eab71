import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleClient, textOf } from '../testing/http-client.ts';
import { actor, type Stack, startStack } from '../testing/stack.ts';

// The verify page shows the log's latest signed checkpoint, as the projection service serves
// it, and how to keep it.

let stack: Stack;
const cid = 'vc';

beforeAll(async () => {
  stack = await startStack(await testDatabaseUrl());
  const admin = await actor(stack, cid, { personId: 'adm', role: 'admin' });
  await admin('', { name: '核验社区', kind: 'urban' });
});
afterAll(() => stack?.stop());

describe('the verify page', () => {
  it('shows the latest signed checkpoint and how to keep it', async () => {
    const token = await stack.token({ personId: 'o1', role: 'official', communities: ['*'] });
    const latest = async () => {
      const res = await fetch(`${stack.projectionUrl}/v1/checkpoints/latest`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return res.ok
        ? ((await res.json()) as { treeSize: number; shortHash: string; note: string })
        : undefined;
    };
    await expect.poll(latest, { timeout: 30_000 }).toBeDefined();
    const checkpoint = (await latest())!;
    // An official of the installation, signed in by phone as people sign in to the console.
    const phone = await stack.appointOfficial('o1', ['*']);
    const client = new ConsoleClient(stack.webUrl);
    await client.signIn(phone);
    const page = await client.get(`/c/${cid}/verify`);
    expect(page.status).toBe(200);
    const text = textOf(page.html);
    expect(text).toContain('最新签名检查点');
    expect(text).toContain(checkpoint.shortHash);
    expect(text).toContain('pnpm verify --witness checkpoints.jsonl');
    // The whole signed note, to copy and keep.
    const note = /<pre id="checkpoint-note">([\s\S]*?)<\/pre>/.exec(page.html)?.[1];
    expect(note?.split('\n').slice(0, 2)).toEqual(checkpoint.note.split('\n').slice(0, 2));
  });
});
