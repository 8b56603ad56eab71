import { PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { testAuth } from '@yishi/platform';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.ts';
import { createDb, type Database } from './db.ts';
import { projections } from './main.ts';
import { migrateReadModels } from './migrations/index.ts';
import { Projector } from './projector.ts';

const auth = testAuth();
let store: PostgresEventStore;
let db: Kysely<Database>;
let projectors: Projector[];
let app: ReturnType<typeof createApp>;
let token: string;

const metadata = {
  commandId: 'cmd-1',
  actorId: 'r1',
  actorRole: 'resident',
  occurredAt: '2026-11-21T08:00:00.000Z',
  correlationId: 'req-1',
  causationId: 'cmd-1',
};

beforeAll(async () => {
  const url = await testDatabaseUrl();
  store = new PostgresEventStore({ connectionString: url });
  db = createDb(url);
  await migrateReadModels(db);
  projectors = projections.map((p) => new Projector(store, db, p, { pollIntervalMs: 50 }));
  for (const p of projectors) await p.start();
  app = createApp({ db, verify: auth.verify, projectors });
  token = await auth.token({ personId: 'r1', role: 'resident', communities: ['c1'] });
});
afterAll(async () => {
  for (const p of projectors) await p.stop();
  await db.destroy();
  await store.close();
});

const get = (path: string) => app.request(path, { headers: { authorization: `Bearer ${token}` } });

describe('projection service: proposals read model', () => {
  it('serves a submitted proposal once the projector has passed its position', async () => {
    const appended = await store.append(
      'proposal-c1.p1',
      [
        {
          type: 'ProposalSubmitted',
          data: {
            communityId: 'c1',
            proposalId: 'p1',
            title: '老旧小区改造',
            description: '选择改造方案',
            procedure: { template: 'community-consultation', version: 1 },
            submittedBy: { personId: 'r1', role: 'resident' },
            submittedAt: '2026-11-21T08:00:00.000Z',
          },
          metadata,
        },
      ],
      { expected: 'noStream', commandId: 'cmd-1' },
    );
    const position = `${appended.checkpoint.transactionId}:${appended.checkpoint.globalPosition}`;
    const res = await get(`/v1/communities/c1/proposals/p1?minPosition=${position}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      proposalId: 'p1',
      title: '老旧小区改造',
      stage: 'submitted',
    });
    const list = await get(`/v1/communities/c1/proposals?minPosition=${position}`);
    expect(((await list.json()) as { items: unknown[] }).items).toHaveLength(1);
  });

  it('answers 404 problem for an unknown proposal and 400 for a malformed position', async () => {
    expect((await get('/v1/communities/c1/proposals/nope')).status).toBe(404);
    expect((await get('/v1/communities/c1/proposals/p1?minPosition=abc')).status).toBe(400);
  });

  it('writes the checkpoint with the rows, so a restarted projector resumes where it was', async () => {
    const rows = await db.selectFrom('projection_checkpoints').selectAll().execute();
    expect(rows.map((r) => r.projection).sort()).toEqual(['proposals', 'registry']);
    const restarted = new Projector(store, db, projections[1]!, { pollIntervalMs: 50 });
    await restarted.start();
    expect(restarted.position.globalPosition).toBeGreaterThan(0n);
    await restarted.stop();
  });
});
