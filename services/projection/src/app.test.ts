import { type ProposalEvent, pentries, proposalDecider } from '@yishi/domain';
import { formatCheckpoint, PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { testAuth } from '@yishi/platform';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.ts';
import { createDb } from './db.ts';
import { projections } from './main.ts';
import { migrateReadModels } from './migrations/index.ts';
import { resolveAsOf } from './routes/common.ts';
import { activeGeneration } from './runtime/generations.ts';
import { Projector } from './runtime/projector.ts';
import { ReadModels } from './runtime/read-models.ts';
import type { Database } from './tables.ts';
import { Random } from './testing/random.ts';
import { Simulator } from './testing/simulate.ts';
import { startTreeBuilder, testSigningKey } from './testing/transparency.ts';
import type { TreeBuilder } from './transparency/builder.ts';
import { verifyDossier } from './verification/dossier.ts';

const auth = testAuth();
let store: PostgresEventStore;
let db: Kysely<Database>;
let projectors: Projector[];
let treeBuilder: TreeBuilder;
const logKey = testSigningKey();
let app: ReturnType<typeof createApp>;
let sim: Simulator;
let resident: string;
let official: string;

let url: string;

beforeAll(async () => {
  url = await testDatabaseUrl();
  store = new PostgresEventStore({ connectionString: url });
  db = createDb(url, 20);
  await migrateReadModels(db);
  projectors = projections.map(
    (p) => new Projector(store, db, p, { pollIntervalMs: 50, lockRetryMs: 50, heartbeatMs: 200 }),
  );
  for (const p of projectors) await p.start();
  treeBuilder = await startTreeBuilder(store, db, logKey);
  app = createApp({
    db,
    store,
    verify: auth.verify,
    projectors,
    minPositionWaitMs: 3000,
    treeBuilder,
    checkpointWaitMs: 30_000,
  });
  resident = await auth.token({ personId: 'r1', role: 'resident', communities: ['c1'] });
  official = await auth.token({ personId: 'o1', role: 'official', communities: ['*'] });
  sim = new Simulator(store, new Random(1));
  await sim.registerCommunity('c1');
  await sim.registerCommunity('c2');
  await sim.ownersDecision('c1', 'lift', 30, true);
  await sim.jointSession('c1', 'parking', 's1');
});
afterAll(async () => {
  await treeBuilder.stop();
  for (const p of projectors) await p.stop();
  await db.destroy();
  await store.close();
});

const readModels = () => new ReadModels(db);
const get = (path: string, token = resident) =>
  app.request(path, { headers: { authorization: `Bearer ${token}` } });
const position = () => formatCheckpoint(sim.last!.checkpoint);

describe('query API', () => {
  it("reads officials' queries without minPosition from READ_REPLICA_URL, and only those", async () => {
    // The same database through another pool stands for the replica: what is counted is which
    // pool a query goes to.
    let replicaQueries = 0;
    const replica = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }),
      log: () => {
        replicaQueries += 1;
      },
    });
    const withReplica = createApp({ db, replica, store, verify: auth.verify, projectors });
    const ask = async (path: string, token: string) => {
      const before = replicaQueries;
      const res = await withReplica.request(path, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      return replicaQueries - before;
    };
    try {
      expect(await ask('/v1/communities/c1/proposals', official)).toBeGreaterThan(0);
      expect(await ask('/v1/communities/c1/decisions', official)).toBeGreaterThan(0);
      expect(await ask(`/v1/communities/c1/proposals?minPosition=${position()}`, official)).toBe(0);
      expect(await ask('/v1/communities/c1/proposals', resident)).toBe(0);
    } finally {
      await replica.destroy();
    }
  });

  it('serves the registry once the projectors have passed minPosition', async () => {
    const res = await get(`/v1/communities/c1?minPosition=${position()}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      communityId: 'c1',
      kind: 'urban',
      clerkIds: ['clerk1'],
      counts: { units: 8, owners: 8, persons: 13, areaCentiM2: '67600' },
    });
  });

  it('answers as the record stood at asOf (a position or a time)', async () => {
    const before = position();
    const beforeTime = new Date(Date.now() + 0).toISOString();
    await new Promise((r) => setTimeout(r, 20));
    const admin = { personId: 'admin', role: 'admin' as const };
    await sim.community(
      'c1',
      (at) => ({ type: 'ChangeCommunitySettings', data: { proxyLimit: 5 }, actor: admin, at }),
      admin,
    );
    const now = await get(`/v1/communities/c1?minPosition=${position()}`);
    expect(((await now.json()) as { settings: { proxyLimit: number } }).settings.proxyLimit).toBe(
      5,
    );
    for (const asOf of [before, encodeURIComponent(beforeTime)]) {
      const then = await get(`/v1/communities/c1?asOf=${asOf}`);
      expect(then.status).toBe(200);
      const body = (await then.json()) as { settings: { proxyLimit: number }; asOf: unknown };
      expect(body.settings.proxyLimit).toBe(3);
      expect(body.asOf).toMatchObject({ position: before });
    }
    const beforeAll = await get('/v1/communities/c1?asOf=2020-01-01T00:00:00Z');
    expect(beforeAll.status).toBe(404);
  });

  it('answers an asOf only once every read model it reads has passed it', async () => {
    // Just written and asked for without minPosition: the answer at that time still holds it.
    const admin = { personId: 'admin', role: 'admin' as const };
    await sim.community(
      'c2',
      (at) => ({ type: 'ChangeCommunitySettings', data: { proxyLimit: 4 }, actor: admin, at }),
      admin,
    );
    const justNow = encodeURIComponent(new Date().toISOString());
    const fresh = await get(`/v1/communities/c2?asOf=${justNow}`, official);
    expect(fresh.status).toBe(200);
    expect(await fresh.json()).toMatchObject({
      settings: { proxyLimit: 4 },
      asOf: { position: position() },
    });
    // Read models that have not got there answer 409, never an older state under that position.
    const idle = projections
      .filter((p) => p.name === 'registry' || p.name === 'timeline')
      .map((p) => new Projector(store, db, p));
    const behind = createApp({
      db,
      store,
      verify: auth.verify,
      projectors: idle,
      minPositionWaitMs: 100,
    });
    for (const [asOf, projection] of [
      [position(), 'registry'],
      [justNow, 'timeline'],
    ]) {
      const res = await behind.request(`/v1/communities/c2?asOf=${asOf}`, {
        headers: { authorization: `Bearer ${official}` },
      });
      expect(res.status, asOf).toBe(409);
      expect(await res.json()).toMatchObject({ code: 'position-not-reached', projection });
    }
  });

  it('dates a position by the last event at or before it, whether or not one is there', async () => {
    const schema = (await readModels().schemaOf('timeline'))!;
    const last = await db
      .withSchema(schema)
      .selectFrom('timeline')
      .select(['transaction_id', 'global_position', 'recorded_at'])
      .orderBy('transaction_id', 'desc')
      .orderBy('global_position', 'desc')
      .limit(2)
      .execute();
    const [latest, earlier] = [last[0]!, last[1]!];
    const at = (tx: string, pos: string | bigint) => resolveAsOf(db, schema, `${tx}:${pos}`);
    expect((await at(latest.transaction_id, latest.global_position))?.time).toEqual(
      latest.recorded_at,
    );
    expect((await at(earlier.transaction_id, earlier.global_position))?.time).toEqual(
      earlier.recorded_at,
    );
    // No event there: the last one before it in the global order.
    const past = BigInt(latest.global_position) + 1000n;
    expect((await at(latest.transaction_id, past))?.time).toEqual(latest.recorded_at);
    expect((await at('0', '0'))?.time).toEqual(new Date(0));
  });

  it('pages the human-readable timeline of a stream', async () => {
    const res = await get(
      `/v1/communities/c1/timeline?stream=community-c1&limit=5&minPosition=${position()}`,
    );
    const page = (await res.json()) as {
      items: {
        summary: string;
        streamVersion: number;
        actor: { id: string | null; role: string | null };
        commandId: string | null;
      }[];
      next: string;
    };
    expect(page.items.map((i) => i.streamVersion)).toEqual([1, 2, 3, 4, 5]);
    expect(page.items[0]!.summary).toContain('登记社区');
    // Who and by which command, from the event's metadata.
    expect(page.items[0]).toMatchObject({ actor: { id: 'admin', role: 'admin' } });
    expect(page.items[0]!.commandId).toMatch(/-1$/);
    const next = await get(
      `/v1/communities/c1/timeline?stream=community-c1&limit=5&after=${page.next}`,
    );
    expect(
      ((await next.json()) as { items: { streamVersion: number }[] }).items[0]!.streamVersion,
    ).toBe(6);
  });

  it('waits for minPosition only so long, then answers 409 with the current position', async () => {
    const res = await get('/v1/communities/c1?minPosition=99999999:1');
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({
      code: 'position-not-reached',
      currentPosition: expect.stringMatching(/^\d+:\d+$/),
    });
  });

  it('scopes tokens to their communities; officials read every community they are granted', async () => {
    expect((await get('/v1/communities/c2')).status).toBe(403);
    expect((await get(`/v1/communities/c2?minPosition=${position()}`, official)).status).toBe(200);
    const mine = (await (await get('/v1/communities')).json()) as {
      items: { communityId: string }[];
    };
    expect(mine.items.map((c) => c.communityId)).toEqual(['c1']);
    const all = (await (await get('/v1/communities', official)).json()) as { items: unknown[] };
    expect(all.items).toHaveLength(2);
    expect((await get('/v1/verification')).status).toBe(403);
    expect((await app.request('/v1/communities/c1')).status).toBe(401);
  });

  it('serves /metrics to officials and admins only, never without sign-in', async () => {
    expect((await app.request('/metrics')).status).toBe(401);
    expect((await get('/metrics')).status).toBe(403);
    const metrics = await get('/metrics', official);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('yishi_http_requests_total');
  });

  it('answers bad input with problem+json, never 500', async () => {
    for (const path of [
      '/v1/communities/c1?asOf=yesterday',
      '/v1/communities/c1?minPosition=abc',
      '/v1/communities/C!/timeline',
      '/v1/communities/c1/timeline?limit=0',
      '/v1/communities/c1/units?limit=x',
      '/v1/communities/c1/verification?stream=community-c2',
      '/v1/communities/c1?asOf=99999999999999999999:1',
      '/v1/communities/c1?asOf=0000-01-01T00:00:00Z',
      '/v1/communities/c1?asOf=123456789012',
      '/v1/communities/c1?minPosition=99999999999999999999:1',
      '/v1/communities/c1/timeline?after=99999999999999999999:1',
      '/v1/communities/c1/decisions?from=0000-01-01',
      '/v1/communities/c1/decisions?to=tomorrow&overdue=maybe',
      `/v1/communities/c1/verification?stream=proposal-c1.${'x'.repeat(400)}`,
      '/v1/communities/c1/verification?stream=proposal-c1.a%20b',
      '/v1/communities/c1/proposals?limit=-1',
      '/v1/communities/c1/proposals?offset=abc',
      '/v1/communities/c1/proposals/nope',
      '/v1/communities/c1/proposals/nope/history',
      '/v1/communities/c1/proposals/nope/tally',
      '/v1/communities/c1/proposals/..%2Fx/tally',
      '/v1/communities/c1/proposals/lift/ballots?voteId=%00',
      '/v1/communities/c1/sessions/nope',
      '/v1/communities/c1/proposals/nope/dossier',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
      expect(res.headers.get('content-type'), path).toContain('application/problem+json');
    }
    expect((await get('/v1/communities/c1/nothing-here')).status).toBe(404);
  });

  it('verifies the whole store only for officials and admins granted every community', async () => {
    for (const [role, communities, expected] of [
      ['resident', ['*'], 'role-forbidden'],
      ['clerk', ['*'], 'role-forbidden'],
      ['owner', ['*'], 'role-forbidden'],
      ['official', ['c1'], 'community-forbidden'],
      ['official', ['*'], 200],
      ['admin', ['*'], 200],
    ] as const) {
      const token = await auth.token({ personId: 'v1', role, communities: [...communities] });
      const res = await get('/v1/verification', token);
      const label = `${role} ${communities}`;
      if (expected === 200) {
        expect(res.status, label).toBe(200);
      } else {
        expect(res.status, label).toBe(403);
        expect(await res.json(), label).toMatchObject({ code: expected });
      }
    }
    // A resident still verifies the streams of their own community.
    const everyone = await auth.token({ personId: 'r9', role: 'resident', communities: ['*'] });
    expect((await get('/v1/communities/c1/verification', everyone)).status).toBe(200);
  });

  it('verifies the hash chains of a stream, a community and everything', async () => {
    const stream = (await (
      await get('/v1/communities/c1/verification?stream=community-c1')
    ).json()) as {
      ok: boolean;
      events: number;
    };
    expect(stream).toMatchObject({ ok: true, witnessed: true });
    expect(stream.events).toBeGreaterThan(20);
    expect(await (await get('/v1/communities/c1/verification')).json()).toMatchObject({ ok: true });
    expect(await (await get('/v1/verification', official)).json()).toMatchObject({
      ok: true,
      streams: 5,
    });
  });

  it('shows a proposal with its stage, items, deadlines and decision', async () => {
    const res = await get(`/v1/communities/c1/proposals/lift?minPosition=${position()}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      proposalId: 'lift',
      procedure: { template: 'owners-joint-decision' },
      status: 'active',
      vote: { voteId: expect.any(String), totals: { voters: 30 } },
    });
    const list = (await (await get('/v1/communities/c1/proposals')).json()) as { items: unknown[] };
    expect(list.items).toHaveLength(2);
  });

  it('answers proposal and register queries as they stood before the decision (asOf)', async () => {
    const history = (await (
      await get('/v1/communities/c1/proposals/lift/history?limit=10000')
    ).json()) as {
      items: { type: string; position: string }[];
    };
    const decided = history.items.findIndex((i) => i.type === 'ProposalDecided');
    const before = history.items[decided - 1]!.position;
    const then = (await (await get(`/v1/communities/c1/proposals/lift?asOf=${before}`)).json()) as {
      outcome: string | null;
      stage: { kind: string };
    };
    expect(then).toMatchObject({ outcome: null, stage: { kind: 'decision' } });
    const tally = (await (
      await get(`/v1/communities/c1/proposals/lift/tally?asOf=${before}`)
    ).json()) as {
      provisional: boolean;
    };
    expect(tally.provisional).toBe(true);
    const register = (await (await get(`/v1/communities/c1/decisions?asOf=${before}`)).json()) as {
      items: { proposalId: string }[];
    };
    expect(register.items.map((d) => d.proposalId)).not.toContain('lift');
  });

  it('keeps what followed a decision in the register as its events tell it, at every position', async () => {
    // Publication, objections, reports, feedback and ratings version a small row apart from the
    // decision (proposals version 4): folded here from the proposal's own events instead.
    const events = await store.readStream('proposal-c1.lift');
    const decided = events.findIndex((e) => e.type === 'ProposalDecided');
    expect(decided).toBeGreaterThan(0);
    const expected = (upTo: number) => {
      const raised = new Set<string>();
      const answered = new Set<string>();
      const ratings = new Map<string, number>();
      let reports = 0;
      let progress: number | null = null;
      let feedbackAt: string | null = null;
      for (const e of events.slice(decided + 1, upTo)) {
        const d = e.data as Record<string, unknown>;
        if (e.type === 'ObjectionRaised') raised.add(String(d.objectionId));
        if (e.type === 'ObjectionAnswered') answered.add(String(d.objectionId));
        if (e.type === 'ImplementationReported') {
          reports += 1;
          progress = d.progressPercent as number;
        }
        if (e.type === 'FeedbackReported') feedbackAt = String(d.at);
        if (e.type === 'SatisfactionRated') {
          ratings.set((d.by as { personId: string }).personId, d.rating as number);
        }
      }
      const sum = [...ratings.values()].reduce((a, b) => a + b, 0);
      return {
        objections: { raised: raised.size, answered: answered.size },
        implementation: { reports, progressPercent: progress },
        feedbackAt,
        satisfaction: {
          count: ratings.size,
          sum,
          average: ratings.size ? sum / ratings.size : null,
        },
      };
    };
    let checked = 0;
    for (let upTo = decided + 1; upTo <= events.length; upTo++) {
      const asOf = formatCheckpoint(events[upTo - 1]!);
      const register = (await (
        await get(`/v1/communities/c1/decisions?asOf=${asOf}&minPosition=${position()}`)
      ).json()) as { items: { proposalId: string }[] };
      const lift = register.items.find((d) => d.proposalId === 'lift');
      expect(lift, asOf).toMatchObject(expected(upTo));
      checked += 1;
    }
    // The simulated decision was followed by objections, reports and ratings.
    expect(checked).toBeGreaterThan(5);
    expect(expected(events.length)).toMatchObject({ implementation: { reports: 3 } });
    expect(expected(events.length).satisfaction.count).toBeGreaterThan(0);
  });

  it("lists each voter's current ballot as the decider holds it, now and at any position", async () => {
    await sim.changedBallots('c1', 'changes');
    const events = await store.readStream('proposal-c1.changes');
    const expected = (upTo: number) => {
      let state = proposalDecider.initialState();
      for (const e of events.slice(0, upTo)) {
        state = proposalDecider.evolve(state, { type: e.type, data: e.data } as ProposalEvent);
      }
      const vote = state.status === 'none' ? undefined : state.vote;
      const out: Record<string, unknown>[] = [];
      for (const [voterId, items] of vote ? pentries(vote.ballots) : []) {
        for (const [itemId, b] of Object.entries(items)) {
          out.push({
            voterId,
            itemId,
            choice: b.choice ?? null,
            ranking: b.ranking ?? null,
            via: b.via,
            castBy: b.castBy,
            authorisationId: b.authorisationId ?? null,
            documentRef: b.documentRef ?? null,
            versions: b.versions,
          });
        }
      }
      return out.sort((a, b) => (`${a.voterId}/${a.itemId}` < `${b.voterId}/${b.itemId}` ? -1 : 1));
    };
    const listed = async (asOf?: string) => {
      const items: Record<string, unknown>[] = [];
      let after: string | null = null;
      // Pages of 2 voters: a page never splits a voter's items.
      do {
        const res = await get(
          `/v1/communities/c1/proposals/changes/ballots?limit=2&minPosition=${position()}${after ? `&after=${after}` : ''}${asOf ? `&asOf=${asOf}` : ''}`,
        );
        expect(res.status).toBe(200);
        const page = (await res.json()) as {
          items: Record<string, unknown>[];
          next: string | null;
        };
        items.push(...page.items.map(({ castAt: _, ...b }) => b));
        after = page.next;
      } while (after);
      return items;
    };
    const changes = events
      .map((e, i) => [e, i] as const)
      .filter(([e]) => e.type === 'BallotChanged' || e.type === 'PaperBallotCorrected');
    expect(changes.length).toBeGreaterThan(0);
    const now = await listed();
    expect(now).toEqual(expected(events.length));
    expect(now.some((b) => (b.versions as number) > 1)).toBe(true);
    // Just before a change and just after it: the earlier version, then the changed one.
    const [changed, at] = changes[0]!;
    const before = formatCheckpoint(events[at - 1]!);
    expect(await listed(before)).toEqual(expected(at));
    expect(await listed(formatCheckpoint(changed))).toEqual(expected(at + 1));
    expect(await listed(before)).not.toEqual(await listed(formatCheckpoint(changed)));
  });

  it('tallies under the frozen rule; the recorded decision is what the read model recomputes', async () => {
    const tally = (await (
      await get(`/v1/communities/c1/proposals/lift/tally?minPosition=${position()}`)
    ).json()) as {
      provisional: boolean;
      items: unknown[];
      recorded: unknown[];
    };
    expect(tally.provisional).toBe(false);
    expect(tally.items).toEqual(tally.recorded);
  });

  it('gives the full history of a proposal, sessions included, and the decision register', async () => {
    const history = (await (
      await get('/v1/communities/c1/proposals/lift/history?limit=1000')
    ).json()) as {
      items: { type: string; summary: string }[];
    };
    expect(history.items[0]).toMatchObject({ type: 'ProposalSubmitted' });
    expect(history.items.filter((i) => i.type === 'BallotCast').length).toBeGreaterThan(10);
    const joint = (await (
      await get('/v1/communities/c1/proposals/parking/history?limit=1000')
    ).json()) as {
      items: { type: string }[];
    };
    const types = new Set(joint.items.map((i) => i.type));
    for (const t of [
      'ProposalSubmitted',
      'SessionConvened',
      'StatementRecorded',
      'PositionStated',
      'ItemResolved',
      'MinutesSigned',
      'ProposalDecided',
    ]) {
      expect(types, t).toContain(t);
    }
    const register = (await (await get('/v1/communities/c1/decisions?from=2026-01-01')).json()) as {
      items: { proposalId: string; rule: unknown; items: unknown[] }[];
    };
    expect(register.items.map((d) => d.proposalId).sort()).toEqual(['lift', 'parking']);
    expect(register.items.find((d) => d.proposalId === 'lift')?.rule).toMatchObject({
      kind: 'owners-278',
    });
    const csv = await get('/v1/communities/c1/decisions.csv');
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toContain('proposal_id,title');
    expect(lines).toHaveLength(3);
  });

  it('shows a joint session with attendance, positions, resolution and signed minutes', async () => {
    const res = await get(`/v1/communities/c1/sessions/s1?minPosition=${position()}`);
    const session = (await res.json()) as {
      attendance: unknown[];
      agenda: { positions: unknown[]; resolution: unknown }[];
      minutes: { versions: { signatures: unknown[]; final: boolean }[] };
    };
    expect(session.attendance).toHaveLength(4);
    expect(session.agenda[0]!.positions).toHaveLength(4);
    expect(session.agenda[0]!.resolution).not.toBeNull();
    expect(session.minutes.versions.at(-1)).toMatchObject({ final: true });
    expect(session.minutes.versions.at(-1)!.signatures).toHaveLength(4);
  });

  it('lists only the sessions with a proposal on their agenda, when asked for one', async () => {
    const sessionsOf = async (proposalId: string) =>
      (
        (await (
          await get(
            `/v1/communities/c1/sessions?proposalId=${proposalId}&minPosition=${position()}`,
          )
        ).json()) as { items: { sessionId: string }[] }
      ).items.map((s) => s.sessionId);
    expect(await sessionsOf('parking')).toEqual(['s1']);
    expect(await sessionsOf('lift')).toEqual([]);
    const bad = await get('/v1/communities/c1/sessions?proposalId=..%2Fx');
    expect(bad.status).toBe(400);
  });

  it('exports a dossier that verifies offline', async () => {
    const res = await get('/v1/communities/c1/proposals/parking/dossier');
    expect(res.status).toBe(200);
    const dossier = (await res.json()) as { streams: { streamId: string }[]; decisions: unknown[] };
    expect(dossier.streams.map((s) => s.streamId)).toEqual([
      'proposal-c1.parking',
      'session-c1.s1',
    ]);
    expect(dossier.decisions).toHaveLength(1);
    expect(verifyDossier(dossier, [logKey.publicKey])).toMatchObject({ ok: true });
  });

  it('documents itself: /openapi.json and a self-contained /docs page', async () => {
    const spec = (await (await app.request('/openapi.json')).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/v1/communities/{communityId}',
        '/v1/communities/{communityId}/timeline',
      ]),
    );
    const docs = await (await app.request('/docs')).text();
    expect(docs).toContain('/openapi.json');
    expect(docs).not.toMatch(/<script[^>]+src=["']https?:/);
  });

  it('tallies from a generation of electorates version 1 (vote id and electorate) as from version 2', async () => {
    await sim.changedBallots('c1', 'older');
    const url = `/v1/communities/c1/proposals/older/tally?minPosition=${position()}`;
    const res = await get(url);
    expect(res.status).toBe(200);
    const tally = (await res.json()) as { voters: number };
    expect(tally.voters).toBeGreaterThan(0);
    // The rows as version 1 wrote them (this test's database only; read models are never edited).
    const { schema } = (await activeGeneration(db, 'electorates'))!;
    const changed = await sql`
      UPDATE ${sql.table(`${schema}.electorates`)}
         SET vote_id = opened ->> 'voteId', electorate = opened -> 'electorate', opened = NULL
       WHERE proposal_id = 'older'`.execute(db);
    expect(Number(changed.numAffectedRows)).toBe(1);
    expect(await (await get(url)).json()).toEqual(tally);
  });

  it('answers 503, not a tally against nobody, while a vote’s electorate is not projected yet', async () => {
    // The electorates are a projection of their own: the vote can be seen before its electorate.
    await sim.changedBallots('c1', 'pending');
    const url = `/v1/communities/c1/proposals/pending/tally?minPosition=${position()}`;
    expect((await get(url)).status).toBe(200);
    const electorates = projectors.find((p) => p.projection.name === 'electorates')!;
    await electorates.stop();
    const { schema } = (await activeGeneration(db, 'electorates'))!;
    await db
      .withSchema(schema)
      .deleteFrom('electorates')
      .where('proposal_id', '=', 'pending')
      .execute();
    const res = await get('/v1/communities/c1/proposals/pending/tally');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: 'read-model-unavailable' });
  });
});

describe('residents’ meeting requests (Art. 10)', () => {
  it('counts signatures, shows the threshold reached with its figures, and the meeting; asOf too', async () => {
    const electorate = { adults: 10, households: 15, groups: 6 };
    const facts = (id: string) => ({ personId: id, adultResident: true });
    const resident = (id: string) => ({ personId: id, role: 'resident' as const });
    await sim.convocation(
      'c1',
      'r1',
      (at) => ({
        type: 'RequestResidentsMeeting',
        data: {
          requestId: 'r1',
          communityId: 'c1',
          communityKind: 'urban',
          matters: '小区东门封闭改道，请召开居民会议讨论。',
          capacity: 'adult-resident',
          signer: facts('a'),
          electorate,
        },
        actor: resident('a'),
        at,
      }),
      resident('a'),
    );
    const oneSignature = position();
    await sim.convocation(
      'c1',
      'r1',
      (at) => ({
        type: 'SignResidentsMeetingRequest',
        data: { capacity: 'adult-resident', signer: facts('b'), electorate },
        actor: resident('b'),
        at,
      }),
      resident('b'),
    );
    const convener = { personId: 'cv', role: 'convener' as const };
    await sim.convocation(
      'c1',
      'r1',
      (at) => ({
        type: 'RecordResidentsMeetingConvened',
        data: { meetingAt: '2026-12-01T19:00:00.000Z', place: '社区活动室' },
        actor: convener,
        at,
      }),
      convener,
    );
    const now = await get(
      `/v1/communities/c1/residents-meeting-requests/r1?minPosition=${position()}`,
    );
    expect(now.status).toBe(200);
    expect(await now.json()).toMatchObject({
      requestId: 'r1',
      requestedBy: 'a',
      status: 'convened',
      signatures: { adults: 2, households: 0, groups: 0 },
      // 2 of 10 adults: exactly one fifth suffices (以上).
      mustConvene: {
        passed: ['request-adults'],
        figures: { adults: { total: 10, requesting: 2 } },
      },
      meeting: { meetingAt: '2026-12-01T19:00:00.000Z', place: '社区活动室' },
      signatureList: [
        { capacity: 'adult-resident', signerId: 'a', countedId: 'a' },
        { capacity: 'adult-resident', signerId: 'b', countedId: 'b' },
      ],
    });
    const then = await get(`/v1/communities/c1/residents-meeting-requests/r1?asOf=${oneSignature}`);
    expect(await then.json()).toMatchObject({
      status: 'collecting',
      signatures: { adults: 1 },
      mustConvene: null,
      meeting: null,
      signatureList: [{ signerId: 'a' }],
    });
    const list = await get('/v1/communities/c1/residents-meeting-requests');
    expect(((await list.json()) as { items: { requestId: string }[] }).items).toEqual([
      expect.objectContaining({ requestId: 'r1', status: 'convened' }),
    ]);
    expect((await get('/v1/communities/c1/residents-meeting-requests/nope')).status).toBe(404);
    expect((await get('/v1/communities/c2/residents-meeting-requests/r1')).status).toBe(403);
  });
});

describe('what a page needs, in one query each', () => {
  const asOfficial = (path: string) => get(path, official);
  const json = async <T>(res: Response | Promise<Response>): Promise<T> => {
    const answer = await res;
    expect(answer.status, await answer.clone().text()).toBe(200);
    return (await answer.json()) as T;
  };

  it("gives a vote's facts with the proposal: may ballots change, how plans are chosen", async () => {
    await sim.openVote('c2', 'bench', 3, new Date(Date.now() + 30 * 86_400_000), {
      allowBallotChange: true,
    });
    await sim.residentsMeeting('c2', 'seats', 6);
    const seen: unknown[] = [];
    for (const [cid, pid] of [
      ['c1', 'lift'],
      ['c2', 'bench'],
      ['c2', 'seats'],
    ] as const) {
      const opened = (await store.readStream(`proposal-${cid}.${pid}`))
        .filter((e) => e.type === 'VotingOpened')
        .at(-1)!.data as { allowBallotChange: boolean; planMethod?: string };
      const proposal = await json<{ vote: unknown }>(
        asOfficial(`/v1/communities/${cid}/proposals/${pid}?minPosition=${position()}`),
      );
      const facts = {
        allowBallotChange: opened.allowBallotChange,
        planMethod: opened.planMethod ?? null,
      };
      expect(proposal.vote, pid).toMatchObject(facts);
      seen.push(facts);
    }
    // Not vacuous: each fact is seen set and unset.
    expect(seen).toEqual([
      { allowBallotChange: false, planMethod: null },
      { allowBallotChange: true, planMethod: null },
      { allowBallotChange: false, planMethod: 'plurality' },
    ]);
  });

  it('filters ballots by voter and by who cast their current version, page by page', async () => {
    await sim.changedBallots('c2', 'mixed');
    type Ballot = { voterId: string; itemId: string; castBy: string };
    const ballots = async (query: string) => {
      const items: Ballot[] = [];
      let after: string | null = null;
      do {
        const page: { items: Ballot[]; next: string | null } = await json(
          asOfficial(
            `/v1/communities/c2/proposals/mixed/ballots?limit=1&minPosition=${position()}${query}${after ? `&after=${after}` : ''}`,
          ),
        );
        items.push(...page.items);
        after = page.next;
      } while (after);
      return items;
    };
    const all = await ballots('');
    expect(new Set(all.map((b) => b.voterId)).size).toBe(6);
    const filters: [query: string, keep: (b: Ballot) => boolean][] = [
      ['&voterId=o2', (b) => b.voterId === 'o2'],
      ['&voterId=o6', (b) => b.voterId === 'o6'],
      ['&castBy=zhou', (b) => b.castBy === 'zhou'],
      ['&castBy=clerk1', (b) => b.castBy === 'clerk1'],
      ['&castBy=o6', (b) => b.castBy === 'o6'],
      ['&voterId=o5&castBy=zhou', (b) => b.voterId === 'o5' && b.castBy === 'zhou'],
      ['&voterId=o1&castBy=zhou', () => false],
      ['&castBy=nobody', () => false],
    ];
    for (const [query, keep] of filters) {
      expect(await ballots(query), query).toEqual(all.filter(keep));
    }
    // The proxy signed o5's paper ballot; o6's, cast by the proxy online, o6 changed since.
    expect(new Set((await ballots('&castBy=zhou')).map((b) => b.voterId))).toEqual(new Set(['o5']));
    expect((await ballots('&castBy=o6')).map((b) => b.voterId)).toContain('o6');
  });

  it("gives a proposal's decision as the register holds it; none before it is decided", async () => {
    const register = await json<{ items: { proposalId: string }[] }>(
      get(`/v1/communities/c1/decisions?minPosition=${position()}`),
    );
    const decision = await json(get('/v1/communities/c1/proposals/lift/decision'));
    expect(decision).toEqual(register.items.find((d) => d.proposalId === 'lift'));
    const open = await asOfficial(`/v1/communities/c2/proposals/bench/decision`);
    expect(open.status).toBe(404);
    expect(await open.json()).toMatchObject({ code: 'decision-not-found' });
    const history = await json<{ items: { type: string; position: string }[] }>(
      get('/v1/communities/c1/proposals/lift/history?limit=10000'),
    );
    const decided = history.items.findIndex((i) => i.type === 'ProposalDecided');
    const before = history.items[decided - 1]!.position;
    expect((await get(`/v1/communities/c1/proposals/lift/decision?asOf=${before}`)).status).toBe(
      404,
    );
    const at = history.items[decided]!.position;
    expect(await json(get(`/v1/communities/c1/proposals/lift/decision?asOf=${at}`))).toMatchObject({
      proposalId: 'lift',
      outcome: expect.any(String),
      asOf: { position: at },
    });
  });

  it('names persons by name only to clerks, officials and admins; others see their ids', async () => {
    const clerk = await auth.token({ personId: 'clerk1', role: 'clerk', communities: ['c1'] });
    const ids = '/v1/communities/c1/persons?ids=p1,clerk1,nobody';
    expect(await json(get(ids, clerk))).toEqual({
      items: [
        { personId: 'clerk1', displayName: '登记员', erased: false },
        { personId: 'p1', displayName: '居民1', erased: false },
      ],
      next: null,
    });
    expect(await json(get(ids, official))).toMatchObject({
      items: [{ displayName: '登记员' }, { displayName: '居民1' }],
    });
    expect(await json(get(ids))).toEqual({
      items: [
        { personId: 'clerk1', displayName: 'clerk1', erased: false },
        { personId: 'p1', displayName: 'p1', erased: false },
      ],
      next: null,
    });
    // Page by page, every person of the registry.
    const names: string[] = [];
    let after: string | null = null;
    do {
      const page: { items: { displayName: string }[]; next: string | null } = await json(
        get(
          `/v1/communities/c1/persons?limit=5&minPosition=${position()}${after ? `&after=${after}` : ''}`,
          clerk,
        ),
      );
      names.push(...page.items.map((p) => p.displayName));
      after = page.next;
    } while (after);
    const community = await json<{ counts: { persons: number } }>(get('/v1/communities/c1'));
    expect(names).toHaveLength(community.counts.persons);
    expect(names).toContain('居民12');
    for (const bad of ['p1,,p2', `${'p,'.repeat(200)}p`, 'p1;p2']) {
      const res = await get(`/v1/communities/c1/persons?ids=${encodeURIComponent(bad)}`);
      expect(res.status, bad).toBe(400);
      expect(await res.json()).toMatchObject({ errors: [{ field: 'query.ids' }] });
    }
  });
});
