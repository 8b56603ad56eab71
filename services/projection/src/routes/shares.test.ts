import type { Actor, ProposalItem } from '@yishi/domain';
import { formatCheckpoint, PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { testAuth } from '@yishi/platform';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { createDb } from '../db.ts';
import { projections } from '../main.ts';
import { migrateReadModels } from '../migrations/index.ts';
import { Projector } from '../runtime/projector.ts';
import type { Database } from '../tables.ts';
import { Random } from '../testing/random.ts';
import { Simulator } from '../testing/simulate.ts';

// Issue #26.1 and #26.6 as an owner reads them: the scope of a lift vote (加装电梯) and each
// owner's share of its cost, computed over the electorate the vote froze.

const auth = testAuth();
let store: PostgresEventStore;
let db: Kysely<Database>;
let projectors: Projector[];
let app: ReturnType<typeof createApp>;
let sim: Simulator;
let token: string;

const convener: Actor = { personId: 'conv', role: 'convener' };
const lift: ProposalItem = {
  itemId: 'lift',
  title: '加装电梯',
  kind: 'motion',
  matter: 'rebuild',
  options: [],
  cost: { basis: 'area', totalFen: 30_000_000 },
};
const plans: ProposalItem = {
  itemId: 'brand',
  title: '电梯品牌',
  kind: 'plans',
  matter: 'rebuild',
  options: [
    { optionId: 'A', title: '国产', cost: { basis: 'rate', fenPerSquareMetre: 3_000 } },
    { optionId: 'B', title: '进口' },
  ],
};
const scope = { kind: 'building', building: '3号楼', entrance: '2单元' } as const;

beforeAll(async () => {
  const url = await testDatabaseUrl();
  store = new PostgresEventStore({ connectionString: url });
  db = createDb(url, 10);
  await migrateReadModels(db);
  projectors = projections.map(
    (p) => new Projector(store, db, p, { pollIntervalMs: 50, lockRetryMs: 50, heartbeatMs: 200 }),
  );
  for (const p of projectors) await p.start();
  app = createApp({ db, store, verify: auth.verify, projectors, minPositionWaitMs: 2000 });
  token = await auth.token({ personId: 'p2', role: 'owner', communities: ['sh'] });
  sim = new Simulator(store, new Random(7));
  await sim.registerCommunity('sh');
  const send = async (type: Parameters<Simulator['proposal']>[2], data: object, actor: Actor) => {
    const events = await sim.proposal('sh', 'lift', type, data, actor);
    if (!events) throw new Error(`${type} refused: ${[...sim.refusals.keys()].join(', ')}`);
  };
  await send(
    'SubmitProposal',
    {
      communityId: 'sh',
      proposalId: 'lift',
      title: '3号楼2单元加装电梯',
      description: '—',
      procedure: 'owners-joint-decision',
      items: [lift, plans],
      scope,
    },
    convener,
  );
  await send('GiveNotice', { text: '公告' }, convener);
  sim.advance(16);
  await send(
    'OpenVoting',
    {
      rule: { kind: 'owners-278' },
      communityRules: {
        communityKind: 'urban',
        deemedConsent: false,
        countParking: false,
        partyMembersMeeting: {
          quorum: { numerator: 2, denominator: 3, inclusive: true },
          approval: { numerator: 1, denominator: 2, inclusive: false },
        },
      },
      closesAt: '2027-01-01T00:00:00.000Z',
      planMethod: 'plurality',
      scope,
      // As electorateFor sorts it: p2 and p3 co-own two flats; p1 holds one; the developer one.
      electorate: [
        {
          voterId: 'developer',
          personIds: ['developer'],
          unitIds: ['3-2-301'],
          areaCentiM2: 8_950,
          heads: 1,
        },
        { voterId: 'p1', personIds: ['p1'], unitIds: ['3-2-101'], areaCentiM2: 8_950, heads: 1 },
        {
          voterId: 'p2',
          personIds: ['p2', 'p3'],
          unitIds: ['3-2-201', '3-2-202'],
          areaCentiM2: 12_000,
          heads: 1,
        },
      ],
    },
    convener,
  );
});
afterAll(async () => {
  for (const p of projectors) await p.stop();
  await db.destroy();
  await store.close();
});

const get = async (path: string) => {
  const res = await app.request(
    `${path}${path.includes('?') ? '&' : '?'}minPosition=${formatCheckpoint(sim.last!.checkpoint)}`,
    { headers: { authorization: `Bearer ${token}` } },
  );
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('cost shares and scope (#26.1, #26.6)', () => {
  it('shows the proposal’s scope', async () => {
    const { status, body } = await get('/v1/communities/sh/proposals/lift');
    expect(status).toBe(200);
    expect(body.scope).toEqual(scope);
  });

  it('gives every owner’s share, summing exactly to the cost', async () => {
    const { status, body } = await get('/v1/communities/sh/proposals/lift/shares');
    expect(status).toBe(200);
    expect(body).toMatchObject({ voteId: 'vote-1', scope, next: null });
    const costs = body.costs as {
      itemId: string;
      optionId: string | null;
      totalFen: number;
      shares: { voterId: string; amountFen: number }[];
    }[];
    expect(costs.map((c) => [c.itemId, c.optionId, c.totalFen])).toEqual([
      ['lift', null, 30_000_000],
      ['brand', 'A', 897_000],
    ]);
    expect(costs[0]!.shares.map((s) => [s.voterId, s.amountFen])).toEqual([
      ['developer', 8_979_933],
      ['p1', 8_979_933],
      ['p2', 12_040_134],
    ]);
    expect(costs[0]!.shares.reduce((sum, s) => sum + s.amountFen, 0)).toBe(30_000_000);
  });

  it('answers a co-owner their voter’s share alone', async () => {
    const { body } = await get('/v1/communities/sh/proposals/lift/shares?personId=p3');
    const costs = body.costs as { shares: { voterId: string; amountFen: number }[] }[];
    expect(costs.map((c) => c.shares)).toEqual([
      [
        {
          voterId: 'p2',
          personIds: ['p2', 'p3'],
          unitIds: ['3-2-201', '3-2-202'],
          areaCentiM2: 12_000,
          amountFen: 12_040_134,
        },
      ],
      [
        {
          voterId: 'p2',
          personIds: ['p2', 'p3'],
          unitIds: ['3-2-201', '3-2-202'],
          areaCentiM2: 12_000,
          amountFen: 360_000,
        },
      ],
    ]);
  });

  it('pages the voters, and answers 404 for a proposal without a vote', async () => {
    const first = await get('/v1/communities/sh/proposals/lift/shares?limit=2');
    expect(first.body.next).toBe('p1');
    const rest = await get('/v1/communities/sh/proposals/lift/shares?limit=2&after=p1');
    expect(rest.body.next).toBeNull();
    const costs = rest.body.costs as { shares: { voterId: string }[] }[];
    expect(costs[0]!.shares.map((s) => s.voterId)).toEqual(['p2']);
    const none = await get('/v1/communities/sh/proposals/nothing/shares');
    expect(none.status).toBe(404);
    expect(none.body.code).toBe('vote-not-found');
  });
});

describe('the register (#26.1)', () => {
  it('shows the scope of a building’s decision, in JSON and CSV', async () => {
    sim.advance(400);
    const closed = await sim.proposal('sh', 'lift', 'CloseVoting', {}, convener);
    expect(closed?.map((e) => e.type)).toEqual(['VotingClosed', 'ProposalDecided']);
    const { body } = await get('/v1/communities/sh/proposals/lift/decision');
    expect(body.scope).toEqual(scope);
    const res = await app.request(
      `/v1/communities/sh/decisions.csv?minPosition=${formatCheckpoint(sim.last!.checkpoint)}`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    const [header, line] = (await res.text()).split('\r\n');
    const column = header!.split(',').indexOf('scope');
    expect(column).toBeGreaterThan(0);
    expect(line!.split(',')[column]).toBe('3号楼 2单元');
  });
});
