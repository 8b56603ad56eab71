import { type Actor, installationDecider, streams } from '@yishi/domain';
import { PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { type Principal, testAuth } from '@yishi/platform';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import type { InstallationView } from '../contract.ts';
import { createDb } from '../db.ts';
import { migrateReadModels } from '../migrations/index.ts';
import type { Database } from '../tables.ts';
import { Random } from '../testing/random.ts';
import { Simulator } from '../testing/simulate.ts';

const auth = testAuth();
const first: Actor = { personId: 'adm1', role: 'admin' };
let store: PostgresEventStore;
let db: Kysely<Database>;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  const url = await testDatabaseUrl();
  store = new PostgresEventStore({ connectionString: url });
  db = createDb(url, 5);
  await migrateReadModels(db);
  app = createApp({ db, store, verify: auth.verify, projectors: [] });
  const sim = new Simulator(store, new Random(1));
  const send = (command: Parameters<typeof installationDecider.decide>[0]) =>
    sim.send(streams.installation(), installationDecider, (at) => ({ ...command, at }), first, '*');
  await send({ type: 'BootstrapAdmin', data: { personId: 'adm1' }, actor: first, at: '' });
  await send({
    type: 'AppointOfficial',
    data: { personId: 'off1', communities: ['c1'], office: '幸福街道办事处' },
    actor: first,
    at: '',
  });
});
afterAll(async () => {
  await db.destroy();
  await store.close();
});

async function read(principal: Principal) {
  const res = await app.request('/v1/installation', {
    headers: { authorization: `Bearer ${await auth.token(principal)}` },
  });
  return { status: res.status, body: (await res.json()) as InstallationView & { code?: string } };
}

describe('the installation', () => {
  it('is read by administrators of every community, as the stream stands', async () => {
    expect(await read({ personId: 'adm1', role: 'admin', communities: ['*'] })).toEqual({
      status: 200,
      body: {
        bootstrapped: true,
        adminIds: ['adm1'],
        officials: [{ personId: 'off1', communities: ['c1'], office: '幸福街道办事处' }],
        version: 2,
      },
    });
    for (const [principal, code] of [
      [{ personId: 'a', role: 'admin', communities: ['c1'] }, 'community-forbidden'],
      [{ personId: 'off1', role: 'official', communities: ['*'] }, 'role-forbidden'],
    ] as const) {
      const refused = await read(principal);
      expect(refused).toMatchObject({ status: 403, body: { code } });
    }
  });
});
