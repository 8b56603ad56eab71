import { streams } from '@yishi/domain';
import { PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { testAuth } from '@yishi/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.ts';

// The installation's commands: routes of no community, for administrators with a token for
// every community; the first administrator is recorded once.

const auth = testAuth();
let store: PostgresEventStore;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  store = new PostgresEventStore({ connectionString: await testDatabaseUrl() });
  await store.init();
  app = createApp({ store, verify: auth.verify, clock: () => new Date('2026-12-01T00:00:00Z') });
});
afterAll(() => store.close());

async function post(path: string, body: unknown, personId: string, communities = ['*']) {
  const token = await auth.token({ personId, role: 'admin', communities });
  const res = await app.request(`/v1/installation/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('the installation’s routes', () => {
  it('needs a token for every community', async () => {
    const refused = await post('bootstrap-admin', { personId: 'adm1' }, 'adm1', ['c1']);
    expect(refused).toMatchObject({ status: 403, body: { code: 'community-forbidden' } });
    expect(await store.readStream(streams.installation())).toEqual([]);
  });

  it('records the first administrator once, then appoints officials', async () => {
    const first = await post('bootstrap-admin', { personId: 'adm1' }, 'adm1');
    expect(first).toMatchObject({ status: 201, body: { streamId: 'installation-_', version: 1 } });
    const again = await post('bootstrap-admin', { personId: 'adm2' }, 'adm2');
    expect(again).toMatchObject({ status: 409, body: { code: 'already-exists' } });
    const official = await post(
      'appoint-official',
      { personId: 'off1', communities: ['c1', 'c2'], office: '幸福街道办事处' },
      'adm1',
    );
    expect(official.status).toBe(201);
    // A token saying admin is not enough: the installation knows its administrators.
    const stranger = await post('revoke-official', { personId: 'off1', reason: '调离' }, 'x');
    expect(stranger).toMatchObject({ status: 403, body: { code: 'not-authorised' } });
    const bad = await post('appoint-official', { personId: 'off2', communities: [] }, 'adm1');
    expect(bad).toMatchObject({ status: 400 });
    const events = await store.readStream(streams.installation());
    expect(events.map((e) => e.type)).toEqual(['AdminBootstrapped', 'OfficialAppointed']);
    expect(events[1]!.metadata).toMatchObject({
      actorId: 'adm1',
      actorRole: 'admin',
      communityId: '*',
    });
  });
});
