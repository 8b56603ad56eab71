import type { WishEvent } from '@yishi/domain';
import type { RecordedEvent } from '@yishi/event-store';
import { applyThroughRows, type Projection } from './projection.ts';
import { createTemporalTable, versionsIndexes } from './schema.ts';
import { entityOfStream, eventTypesOf } from './streams.ts';
import { type At, VersionedRows } from './temporal.ts';

// 微心愿: each wish or need as it stands (open, claimed, done, cancelled), who claimed it, the
// photo of the help given and the requester's rating.

function batchRows() {
  return { wishes: new VersionedRows('wishes', ['community_id', 'wish_id']) };
}
type Rows = ReturnType<typeof batchRows>;

const NO_CLAIM = {
  claimant_id: null,
  claimant_party_id: null,
  claimant_name: null,
  claimed_at: null,
  claim_note: null,
};

function handle(rows: Rows, event: RecordedEvent, at: At): void {
  const ids = entityOfStream('wish-', event.streamId);
  if (!ids) return;
  const key = [ids.cid, ids.id];
  const e = { type: event.type, data: event.data } as WishEvent;
  switch (e.type) {
    case 'WishPosted': {
      const d = e.data;
      rows.wishes.put(
        {
          community_id: ids.cid,
          wish_id: ids.id,
          kind: d.kind,
          category: d.category,
          title: d.title,
          description: d.description,
          requester_id: d.by.personId,
          posted_at: d.at,
          status: 'open',
          ...NO_CLAIM,
          photo: null,
          done_note: null,
          completed_at: null,
          stars: null,
          rating_comment: null,
          rated_at: null,
          cancelled_at: null,
          cancel_reason: null,
          updated_at: d.at,
        },
        at,
      );
      return;
    }
    case 'WishClaimed': {
      const d = e.data;
      const party = d.claimant.kind === 'party' ? d.claimant : undefined;
      rows.wishes.update(key, at, (r) => ({
        ...r,
        status: 'claimed',
        claimant_id: d.by.personId,
        claimant_party_id: party?.partyId ?? null,
        claimant_name: party?.name ?? null,
        claimed_at: d.at,
        claim_note: d.note ?? null,
        updated_at: d.at,
      }));
      return;
    }
    case 'WishUnclaimed':
      rows.wishes.update(key, at, (r) => ({
        ...r,
        ...NO_CLAIM,
        status: 'open',
        updated_at: e.data.at,
      }));
      return;
    case 'WishCompleted': {
      const d = e.data;
      rows.wishes.update(key, at, (r) => ({
        ...r,
        status: 'done',
        photo: d.photo,
        done_note: d.note ?? null,
        completed_at: d.at,
        updated_at: d.at,
      }));
      return;
    }
    case 'WishRated': {
      const d = e.data;
      rows.wishes.update(key, at, (r) => ({
        ...r,
        stars: d.stars,
        rating_comment: d.comment ?? null,
        rated_at: d.at,
        updated_at: d.at,
      }));
      return;
    }
    case 'WishCancelled': {
      const d = e.data;
      rows.wishes.update(key, at, (r) => ({
        ...r,
        status: 'cancelled',
        cancelled_at: d.at,
        cancel_reason: d.reason,
        updated_at: d.at,
      }));
      return;
    }
    default:
      return;
  }
}

export const wishesProjection: Projection = {
  name: 'wishes',
  version: 1,
  tables: ['wishes'],
  migrations: {
    '2026-12-10-001-wishes': {
      async up(db) {
        await createTemporalTable(
          db,
          'wishes',
          ['community_id', 'wish_id'],
          [
            ['kind', 'text'],
            ['category', 'text'],
            ['title', 'text'],
            ['description', 'text'],
            ['requester_id', 'text'],
            ['posted_at', 'text'],
            ['status', 'text'],
            ['claimant_id', 'text', 'null'],
            ['claimant_party_id', 'text', 'null'],
            ['claimant_name', 'text', 'null'],
            ['claimed_at', 'text', 'null'],
            ['claim_note', 'text', 'null'],
            ['photo', 'text', 'null'],
            ['done_note', 'text', 'null'],
            ['completed_at', 'text', 'null'],
            ['stars', 'integer', 'null'],
            ['rating_comment', 'text', 'null'],
            ['rated_at', 'text', 'null'],
            ['cancelled_at', 'text', 'null'],
            ['cancel_reason', 'text', 'null'],
            ['updated_at', 'text'],
          ],
        );
      },
    },
  },
  concerns: (streamId) => streamId.startsWith('wish-'),
  eventTypes: eventTypesOf('wish'),
  indexes: (db) => versionsIndexes(db, batchRows()),
  apply: applyThroughRows(batchRows, handle),
};
