import type { Actor, CommunityEvent } from '@yishi/domain';
import { afterAll, describe, it } from 'vitest';
import { inStream, projectionSpec } from '../testing/projection-spec.ts';
import { standingBodiesProjection } from './standing-bodies.ts';

// The standing bodies projection as a specification: given these events, then these rows.

const given = projectionSpec(standingBodiesProjection);
afterAll(() => given.close());

const clerk: Actor = { personId: 'clerk1', role: 'clerk' };
const at = (day: number) => new Date(Date.UTC(2026, 5, day, 2)).toISOString();
const community = (...events: CommunityEvent[]) => inStream('community-c1', events);
const 逢四说事 = { kind: 'days-of-month' as const, days: [4, 14, 24], time: '19:00' };

const established: CommunityEvent = {
  type: 'StandingBodyEstablished',
  data: {
    bodyId: 'council',
    name: '居民议事会',
    kind: 'residents-council',
    partyIds: ['rc'],
    memberIds: ['m1', 'm2'],
    venue: '社区活动室',
    schedule: 逢四说事,
    at: at(1),
    by: clerk,
  },
};
const changed: CommunityEvent = {
  type: 'StandingBodyChanged',
  data: {
    bodyId: 'council',
    name: '居民议事会',
    partyIds: ['rc', 'pm'],
    memberIds: ['m1', 'm3'],
    venue: '党群服务中心',
    schedule: { kind: 'weekday-of-month', weekday: 1, nth: 1, time: '09:30' },
    reason: '换届',
    at: at(10),
    by: clerk,
  },
};
const dissolved: CommunityEvent = {
  type: 'StandingBodyDissolved',
  data: { bodyId: 'council', reason: '并入联席会议', at: at(20), by: clerk },
};

describe('standing bodies projection', () => {
  it('an established body: its kind, members, parties, venue and schedule', () =>
    given()
      .when(community(established))
      .then({
        standing_bodies: [
          {
            community_id: 'c1',
            body_id: 'council',
            name: '居民议事会',
            kind: 'residents-council',
            party_ids: ['rc'],
            member_ids: ['m1', 'm2'],
            venue: '社区活动室',
            schedule: 逢四说事,
            established_at: at(1),
            established_by: 'clerk1',
            changed_at: null,
            dissolved_at: null,
          },
        ],
      }));

  it('a change is a new version with the reason; dissolving keeps the body, marked', () =>
    given(community(established))
      .when(community(changed, dissolved))
      .thenVersions({
        standing_bodies: [
          { venue: '社区活动室', valid_from_pos: '1', valid_to_pos: '2', dissolved_at: null },
          {
            venue: '党群服务中心',
            member_ids: ['m1', 'm3'],
            party_ids: ['rc', 'pm'],
            schedule: changed.data.schedule,
            change_reason: '换届',
            valid_from_pos: '2',
            valid_to_pos: '3',
          },
          {
            venue: '党群服务中心',
            dissolved_at: at(20),
            dissolve_reason: '并入联席会议',
            valid_from_pos: '3',
            valid_to_pos: null,
          },
        ],
      }));

  it('reads no other community event', () =>
    given()
      .when(
        community({
          type: 'PersonRegistered',
          data: { personId: 'p1', name: '张三', adult: true, at: at(1), by: clerk },
        } as CommunityEvent),
      )
      .then({ standing_bodies: [] }));
});
