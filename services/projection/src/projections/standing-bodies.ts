import { type CommunityEvent, communityOfStream } from '@yishi/domain';
import type { RecordedEvent } from '@yishi/event-store';
import { applyThroughRows, type Projection } from './projection.ts';
import { createTemporalTable, TEXT_ARRAY, versionsIndexes } from './schema.ts';
import { type At, VersionedRows } from './temporal.ts';

// 常设议事机构 (居民议事会, 联席会议): each standing body of a community as it stands, with its
// members, parties, venue and schedule, and whether it was dissolved. Its next meeting is the
// schedule's, worked out when asked (routes/standing-bodies.ts), not stored.

const STANDING_BODY_EVENTS = [
  'StandingBodyEstablished',
  'StandingBodyChanged',
  'StandingBodyDissolved',
] as const satisfies readonly CommunityEvent['type'][];

function batchRows() {
  return { bodies: new VersionedRows('standing_bodies', ['community_id', 'body_id']) };
}
type Rows = ReturnType<typeof batchRows>;

function handle(rows: Rows, event: RecordedEvent, at: At): void {
  const cid = communityOfStream(event.streamId);
  if (!cid || !event.streamId.startsWith('community-')) return;
  const e = { type: event.type, data: event.data } as CommunityEvent;
  switch (e.type) {
    case 'StandingBodyEstablished': {
      const d = e.data;
      rows.bodies.put(
        {
          community_id: cid,
          body_id: d.bodyId,
          name: d.name,
          kind: d.kind,
          party_ids: d.partyIds,
          member_ids: d.memberIds,
          venue: d.venue,
          schedule: d.schedule,
          established_at: d.at,
          established_by: d.by.personId,
          changed_at: null,
          change_reason: null,
          dissolved_at: null,
          dissolve_reason: null,
        },
        at,
      );
      return;
    }
    case 'StandingBodyChanged': {
      const d = e.data;
      rows.bodies.update([cid, d.bodyId], at, (r) => ({
        ...r,
        name: d.name,
        party_ids: d.partyIds,
        member_ids: d.memberIds,
        venue: d.venue,
        schedule: d.schedule,
        changed_at: d.at,
        change_reason: d.reason,
      }));
      return;
    }
    case 'StandingBodyDissolved':
      rows.bodies.update([cid, e.data.bodyId], at, (r) => ({
        ...r,
        dissolved_at: e.data.at,
        dissolve_reason: e.data.reason,
      }));
      return;
    default:
      return;
  }
}

export const standingBodiesProjection: Projection = {
  name: 'standing_bodies',
  version: 1,
  tables: ['standing_bodies'],
  migrations: {
    '2026-12-07-001-standing-bodies': {
      async up(db) {
        await createTemporalTable(
          db,
          'standing_bodies',
          ['community_id', 'body_id'],
          [
            ['name', 'text'],
            ['kind', 'text'],
            ['party_ids', TEXT_ARRAY],
            ['member_ids', TEXT_ARRAY],
            ['venue', 'text'],
            ['schedule', 'json'],
            ['established_at', 'text'],
            ['established_by', 'text'],
            ['changed_at', 'text', 'null'],
            ['change_reason', 'text', 'null'],
            ['dissolved_at', 'text', 'null'],
            ['dissolve_reason', 'text', 'null'],
          ],
        );
      },
    },
  },
  concerns: (streamId) => streamId.startsWith('community-'),
  eventTypes: STANDING_BODY_EVENTS,
  indexes: (db) => versionsIndexes(db, batchRows()),
  apply: applyThroughRows(batchRows, handle),
};
