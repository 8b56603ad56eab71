import type { ConvocationEvent } from '@yishi/domain';
import type { RecordedEvent } from '@yishi/event-store';
import { applyThroughRows, type Projection } from './projection.ts';
import { createAppendTable, createTemporalTable, TEXT_ARRAY, versionsIndexes } from './schema.ts';
import { entityOfStream, eventTypesOf } from './streams.ts';
import { AppendedRows, type At, VersionedRows } from './temporal.ts';

// 提议召集居民会议 (城市居民委员会组织法 Art. 10): residents' requests to convene a residents'
// meeting, their signatures counted as the law counts them, the moment a threshold was reached
// (with every figure) and the meeting the residents' committee then convened.

function batchRows() {
  return {
    requests: new VersionedRows('meeting_requests', ['community_id', 'request_id']),
    signatures: new AppendedRows('meeting_request_signatures'),
  };
}
type Rows = ReturnType<typeof batchRows>;

const COUNTED = {
  'adult-resident': 'adults',
  household: 'households',
  'resident-group': 'groups',
} as const;

function handle(rows: Rows, event: RecordedEvent, at: At): void {
  const ids = entityOfStream('convocation-', event.streamId);
  if (!ids) return;
  const key = [ids.cid, ids.id];
  const e = { type: event.type, data: event.data } as ConvocationEvent;
  switch (e.type) {
    case 'ResidentsMeetingRequested':
      rows.requests.put(
        {
          community_id: ids.cid,
          request_id: ids.id,
          matters: e.data.matters,
          requested_by: e.data.by.personId,
          requested_at: e.data.at,
          adults: 0,
          households: 0,
          groups: 0,
          status: 'collecting',
          must_convene_at: null,
          passed: null,
          figures: null,
          meeting_at: null,
          place: null,
          proposal_ids: null,
          convened_at: null,
          updated_at: e.data.at,
        },
        at,
      );
      return;
    case 'ResidentsMeetingRequestSigned': {
      const d = e.data;
      const column = COUNTED[d.capacity];
      rows.requests.update(key, at, (r) => ({ ...r, [column]: r[column] + 1, updated_at: d.at }));
      rows.signatures.add({
        community_id: ids.cid,
        request_id: ids.id,
        capacity: d.capacity,
        signer_id: d.signerId,
        counted_id: d.countedId,
        signed_at: d.at,
        transaction_id: at.tx,
        global_position: at.pos,
      });
      return;
    }
    case 'ResidentsMeetingMustBeConvened': {
      const d = e.data;
      rows.requests.update(key, at, (r) => ({
        ...r,
        status: 'must-convene',
        must_convene_at: d.at,
        passed: d.passed,
        figures: d.figures,
        updated_at: d.at,
      }));
      return;
    }
    case 'ResidentsMeetingConvened': {
      const d = e.data;
      rows.requests.update(key, at, (r) => ({
        ...r,
        status: 'convened',
        meeting_at: d.meetingAt,
        place: d.place ?? null,
        proposal_ids: d.proposalIds ?? null,
        convened_at: d.at,
        updated_at: d.at,
      }));
      return;
    }
    default:
      return;
  }
}

export const convocationsProjection: Projection = {
  name: 'convocations',
  version: 1,
  tables: ['meeting_requests', 'meeting_request_signatures'],
  migrations: {
    '2026-11-22-001-convocations': {
      async up(db) {
        await createTemporalTable(
          db,
          'meeting_requests',
          ['community_id', 'request_id'],
          [
            ['matters', 'text'],
            ['requested_by', 'text'],
            ['requested_at', 'text'],
            ['adults', 'integer'],
            ['households', 'integer'],
            ['groups', 'integer'],
            ['status', 'text'],
            ['must_convene_at', 'text', 'null'],
            ['passed', TEXT_ARRAY, 'null'],
            ['figures', 'json', 'null'],
            ['meeting_at', 'text', 'null'],
            ['place', 'text', 'null'],
            ['proposal_ids', TEXT_ARRAY, 'null'],
            ['convened_at', 'text', 'null'],
            ['updated_at', 'text'],
          ],
        );
        await createAppendTable(db, 'meeting_request_signatures', [
          ['community_id', 'text'],
          ['request_id', 'text'],
          ['capacity', 'text'],
          ['signer_id', 'text'],
          ['counted_id', 'text'],
          ['signed_at', 'text'],
        ]);
      },
    },
  },
  concerns: (streamId) => streamId.startsWith('convocation-'),
  eventTypes: eventTypesOf('convocation'),
  indexes: (db) => [
    ...versionsIndexes(db, batchRows()),
    db.schema
      .createIndex('meeting_request_signatures_key')
      .ifNotExists()
      .on('meeting_request_signatures')
      .columns(['community_id', 'request_id', 'transaction_id', 'global_position']),
  ],
  apply: applyThroughRows(batchRows, handle),
};
