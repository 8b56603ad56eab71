import type { Actor, CommunityCommand } from '@yishi/domain';
import { formatCheckpoint, PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { testAuth } from '@yishi/platform';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import type { StandingBodyList, StandingBodyView } from '../contract.ts';
import { createDb } from '../db.ts';
import { migrateReadModels } from '../migrations/index.ts';
import { standingBodiesProjection } from '../projections/standing-bodies.ts';
import { timelineProjection } from '../projections/timeline.ts';
import { Projector } from '../runtime/projector.ts';
import type { Database } from '../tables.ts';
import { Random } from '../testing/random.ts';
import { Simulator } from '../testing/simulate.ts';

// A community's standing bodies over HTTP: members, schedule, the next meeting by the schedule
// as of the time asked about, and the dissolved ones after the active.

const auth = testAuth();
const admin: Actor = { personId: 'admin', role: 'admin' };
const clerk: Actor = { personId: 'k1', role: 'clerk' };
let store: PostgresEventStore;
let db: Kysely<Database>;
let projectors: Projector[];
let app: ReturnType<typeof createApp>;
let sim: Simulator;

const 逢四说事 = { kind: 'days-of-month', days: [4, 14, 24], time: '19:00' } as const;
const steps: [Actor, CommunityCommand['type'], Record<string, unknown>][] = [
  [admin, 'RegisterPerson', { personId: 'k1', name: '书记员', adult: true }],
  [admin, 'AppointClerk', { personId: 'k1' }],
  [clerk, 'RegisterPerson', { personId: 'm1', name: '议事员一', adult: true }],
  [clerk, 'RegisterPerson', { personId: 'm2', name: '议事员二', adult: true }],
  [clerk, 'RegisterParty', { partyId: 'rc', kind: 'residents-committee', name: '居委会' }],
  [clerk, 'RegisterParty', { partyId: 'pm', kind: 'property-company', name: '物业公司' }],
  [
    clerk,
    'EstablishStandingBody',
    {
      bodyId: 'old',
      name: '原联席会议',
      kind: 'joint-session',
      partyIds: ['rc', 'pm'],
      memberIds: [],
      venue: '居委会会议室',
      schedule: { kind: 'weekday-of-month', weekday: 1, nth: 1, time: '09:30' },
    },
  ],
  [
    clerk,
    'EstablishStandingBody',
    {
      bodyId: 'council',
      name: '居民议事会',
      kind: 'residents-council',
      partyIds: ['rc'],
      memberIds: ['m1', 'm2'],
      venue: '社区活动室',
      schedule: 逢四说事,
    },
  ],
  [clerk, 'DissolveStandingBody', { bodyId: 'old', reason: '并入居民议事会' }],
];

beforeAll(async () => {
  const url = await testDatabaseUrl();
  store = new PostgresEventStore({ connectionString: url });
  db = createDb(url, 10);
  await migrateReadModels(db);
  projectors = [timelineProjection, standingBodiesProjection].map(
    (p) => new Projector(store, db, p, { pollIntervalMs: 20, lockRetryMs: 50, heartbeatMs: 200 }),
  );
  for (const p of projectors) await p.start();
  app = createApp({ db, store, verify: auth.verify, projectors });
  sim = new Simulator(store, new Random(5), Date.parse('2026-06-01T01:00:00.000Z'));
  await sim.registerCommunity('sb');
  for (const [actor, type, data] of steps) {
    const ok = await sim.community(
      'sb',
      (at) => ({ type, data, actor, at }) as CommunityCommand,
      actor,
    );
    expect(ok, `${type}: ${JSON.stringify([...sim.refusals])}`).toBe(true);
  }
});
afterAll(async () => {
  for (const p of projectors) await p.stop();
  await db.destroy();
  await store.close();
});

async function get<T>(path: string, query = '') {
  const token = await auth.token({ personId: 'r1', role: 'resident', communities: ['sb'] });
  const position = formatCheckpoint(sim.last!.checkpoint);
  const res = await app.request(
    `/v1/communities/sb/standing-bodies${path}?minPosition=${position}${query}`,
    { headers: { authorization: `Bearer ${token}` } },
  );
  return { status: res.status, body: (await res.json()) as T & { code?: string } };
}

// A time after every event: the bodies as they stand, the next meeting after that time.
const asOf = `&asOf=${encodeURIComponent('2030-06-05T00:00:00+08:00')}`;

/**
 * `asOf` is resolved in the timeline, which a query waits for only when it reads it: wait for
 * it to hold the demo's last event first, else the time may resolve to an earlier position.
 */
async function timelineCaughtUp(): Promise<void> {
  const token = await auth.token({ personId: 'r1', role: 'resident', communities: ['sb'] });
  const position = formatCheckpoint(sim.last!.checkpoint);
  const res = await app.request(`/v1/communities/sb/timeline?minPosition=${position}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(200);
}

describe('standing bodies over HTTP', () => {
  it('lists the active bodies first, with members, schedule and their next meeting', async () => {
    await timelineCaughtUp();
    const { status, body } = await get<StandingBodyList>('', asOf);
    expect(status).toBe(200);
    expect(body.items.map((b) => [b.bodyId, b.dissolved, b.nextMeetingAt])).toEqual([
      // 逢四说事 at 19:00 China time: after 5 June 2030, the 14th at 11:00Z.
      ['council', false, '2030-06-14T11:00:00.000Z'],
      ['old', true, null],
    ]);
    expect(body.items[0]).toMatchObject({
      name: '居民议事会',
      kind: 'residents-council',
      memberIds: ['m1', 'm2'],
      partyIds: ['rc'],
      venue: '社区活动室',
      schedule: 逢四说事,
    });
    expect(body.items[1]).toMatchObject({ dissolveReason: '并入居民议事会' });
  });

  it('answers one body, and 404 standing-body-not-found for an unknown one', async () => {
    const { status, body } = await get<StandingBodyView>('/council', asOf);
    expect(status).toBe(200);
    expect(body).toMatchObject({ bodyId: 'council', nextMeetingAt: '2030-06-14T11:00:00.000Z' });
    const unknown = await get<StandingBodyView>('/nobody');
    expect(unknown).toMatchObject({ status: 404, body: { code: 'standing-body-not-found' } });
  });
});
