import { type Actor, type DiscussionCommand, discussionDecider, streams } from '@yishi/domain';
import { formatCheckpoint, PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { testAuth } from '@yishi/platform';
import { describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { createDb } from '../db.ts';
import { projections } from '../main.ts';
import { migrateReadModels } from '../migrations/index.ts';
import { Projector } from '../runtime/projector.ts';
import { Random } from '../testing/random.ts';
import { Simulator } from '../testing/simulate.ts';

// The proposals list counts each proposal's standing comments (#26.2): hidden ones are not.

describe('proposals list', () => {
  it('counts the comments standing on each proposal', async () => {
    const auth = testAuth();
    const url = await testDatabaseUrl();
    const store = new PostgresEventStore({ connectionString: url });
    const db = createDb(url, 10 + projections.length);
    await migrateReadModels(db);
    const projectors = projections.map(
      (p) => new Projector(store, db, p, { pollIntervalMs: 50, lockRetryMs: 50 }),
    );
    try {
      for (const p of projectors) await p.start();
      const app = createApp({ db, store, verify: auth.verify, projectors });
      const sim = new Simulator(store, new Random(5));
      await sim.registerCommunity('cc');
      await sim.ownersDecision('cc', 'lift', 4, false, '加装电梯');
      await sim.ownersDecision('cc', 'quiet', 4, false, '安静的议题');
      const wang: Actor = { personId: 'wang', role: 'resident' };
      const clerk: Actor = { personId: 'k1', role: 'clerk' };
      const proposal = { open: true, items: [] };
      const on = (type: DiscussionCommand['type'], data: object, actor: Actor) =>
        sim.send(
          streams.discussion('cc', 'lift'),
          discussionDecider,
          (at) => ({ type, data, actor, at }) as DiscussionCommand,
          actor,
          'cc',
        );
      await on('PostComment', { body: '支持', proposal }, wang);
      await on('PostComment', { body: '骂人的话', proposal }, wang);
      await on('PostComment', { body: '同意', parentId: 'c1', proposal }, wang);
      await on('HideComment', { commentId: 'c2', reason: '人身攻击' }, clerk);
      const resident = await auth.token({
        personId: 'wang',
        role: 'resident',
        communities: ['cc'],
      });
      const res = await app.request(
        `/v1/communities/cc/proposals?minPosition=${formatCheckpoint(sim.last!.checkpoint)}`,
        { headers: { authorization: `Bearer ${resident}` } },
      );
      expect(res.status).toBe(200);
      const { items } = (await res.json()) as { items: { proposalId: string; comments: number }[] };
      expect(Object.fromEntries(items.map((p) => [p.proposalId, p.comments]))).toEqual({
        lift: 2,
        quiet: 0,
      });
    } finally {
      for (const p of projectors) await p.stop();
      await db.destroy();
      await store.close();
    }
  });
});
