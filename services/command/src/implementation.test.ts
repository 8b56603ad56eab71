import { streams } from '@yishi/domain';
import { PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { testAuth } from '@yishi/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actingAs } from './acting-as.ts';
import { createApp } from './app.ts';

// Issue #24: the person responsible for implementation (落实责任人) is a person of the registry,
// named when the decision is published and changed later with a reason. The registry is read
// by the service; an unknown person is refused and nothing is written.

const auth = testAuth();
let store: PostgresEventStore;
let app: ReturnType<typeof createApp>;
let now = new Date('2026-03-01T08:00:00.000Z');
const as = actingAs(() => app, auth, 'im');
const at = (iso: string) => {
  now = new Date(iso);
};
const door = {
  itemId: 'door',
  title: '更换单元门禁',
  kind: 'motion',
  matter: 'other-major',
  options: [],
};
const events = async () => store.readStream(streams.proposal('im', 'p1'));

beforeAll(async () => {
  store = new PostgresEventStore({ connectionString: await testDatabaseUrl() });
  await store.init();
  app = createApp({ store, verify: auth.verify, clock: () => now });
  const admin = await as('admin', 'adm');
  await admin('/v1/communities/im', { name: '落实社区', kind: 'urban' });
  for (const personId of ['a', 'b', 'k1', 'cv1', 'wang', 'li']) {
    await admin('registry/register-person', { personId, name: `人员${personId}`, adult: true });
  }
  await admin('registry/appoint-clerk', { personId: 'k1' });
  const clerk = await as('clerk', 'k1');
  for (const [unitId, owner] of [
    ['1-101', 'a'],
    ['1-201', 'b'],
  ] as const) {
    await clerk('registry/register-unit', {
      unitId,
      building: '1号楼',
      kind: 'home',
      areas: { registryCentiM2: 9_000 },
      developerUnsold: false,
      ownerIds: [owner],
    });
  }
  await (await as('owner', 'a'))('proposals', {
    proposalId: 'p1',
    title: '更换单元门禁',
    description: '—',
    procedure: 'owners-joint-decision',
    items: [door],
  });
  const convener = await as('convener', 'cv1');
  await convener('proposals/p1/give-notice', { text: '公告' });
  at('2026-03-17T08:00:00.000Z');
  await convener('proposals/p1/open-voting', {
    rule: { kind: 'owners-278' },
    closesAt: '2026-04-01T08:00:00.000Z',
  });
  for (const owner of ['a', 'b']) {
    await (await as('owner', owner))('proposals/p1/cast-ballot', {
      choices: [{ itemId: 'door', choice: 'yes' }],
    });
  }
  at('2026-04-01T08:00:00.000Z');
  await convener('proposals/p1/close-voting', {});
});
afterAll(() => store.close());

describe('the person responsible for implementation over HTTP (#24)', () => {
  it('refuses an unregistered person with 422 naming the field, writing nothing', async () => {
    at('2026-04-02T08:00:00.000Z');
    const convener = await as('convener', 'cv1');
    const before = (await events()).length;
    const refused = await convener(
      'proposals/p1/publish',
      {
        text: '表决结果公告',
        implementationDueAt: '2026-06-01T08:00:00.000Z',
        implementationResponsibleId: 'nobody',
      },
      422,
    );
    expect(refused).toMatchObject({
      code: 'person-not-registered',
      details: { field: 'implementationResponsibleId' },
    });
    // The registry's answer is the service's to give: a client saying "registered" is refused.
    const claimed = await convener(
      'proposals/p1/publish',
      { text: '公告', implementationResponsibleId: 'nobody', responsibleRegistered: true },
      422,
    );
    expect(claimed).toMatchObject({ code: 'person-not-registered' });
    expect((await events()).length).toBe(before);
  });

  it('names a registered person at publication, and another later with a reason', async () => {
    const convener = await as('convener', 'cv1');
    await convener('proposals/p1/publish', {
      text: '表决结果公告',
      implementationDueAt: '2026-06-01T08:00:00.000Z',
      implementationResponsibleId: 'wang',
    });
    const clerk = await as('clerk', 'k1');
    await clerk(
      'proposals/p1/assign-implementation',
      { responsibleId: 'ghost', reason: '王某调离' },
      422,
    );
    at('2026-04-10T08:00:00.000Z');
    await clerk('proposals/p1/assign-implementation', { responsibleId: 'li', reason: '王某调离' });
    const last = (await events()).at(-1)!;
    expect(last).toMatchObject({
      type: 'ImplementationAssigned',
      data: { responsibleId: 'li', previousResponsibleId: 'wang', reason: '王某调离' },
    });
    expect(last.data).not.toHaveProperty('responsibleRegistered');
    await (await as('owner', 'a'))(
      'proposals/p1/assign-implementation',
      { responsibleId: 'a', reason: '自荐' },
      403,
    );
  });
});
