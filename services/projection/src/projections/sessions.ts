import type { SessionEvent } from '@yishi/domain';
import type { RecordedEvent } from '@yishi/event-store';
import { applyThroughRows, type Projection } from './projection.ts';
import { createAppendTable, createTemporalTable, TEXT_ARRAY, versionsIndexes } from './schema.ts';
import { entityOfStream, eventTypesOf } from './streams.ts';
import { AppendedRows, type At, VersionedRows } from './temporal.ts';

// Sessions: joint sessions (多方联席会议) and residents' council meetings (居民议事会) with their
// agenda, attendance, statements, each party's position, resolutions, and the minutes in every
// version with their signatures and corrections.

function batchRows() {
  return {
    sessions: new VersionedRows('sessions', ['community_id', 'session_id']),
    attendance: new VersionedRows('session_attendance', [
      'community_id',
      'session_id',
      'person_id',
    ]),
    statements: new AppendedRows('session_statements'),
    positions: new VersionedRows('session_positions', [
      'community_id',
      'session_id',
      'item_id',
      'holder',
    ]),
    resolutions: new VersionedRows('session_resolutions', [
      'community_id',
      'session_id',
      'item_id',
    ]),
    minutes: new VersionedRows('minutes', ['community_id', 'session_id', 'minutes_key']),
  };
}
type Rows = ReturnType<typeof batchRows>;

const versionKey = (version: number) => `v${version}`;
const correctionKey = (id: string) => `c:${id}`;

/** A version of the minutes and a proposed correction are signed and finalised alike. */
function sign(
  rows: Rows,
  minutesKey: string[],
  at: At,
  d: { partyId?: string | undefined; personId: string; at: string },
): void {
  // No party: a council member signed.
  const signature = { partyId: d.partyId ?? null, personId: d.personId, at: d.at };
  rows.minutes.update(minutesKey, at, (m) => ({
    ...m,
    signatures: [...m.signatures, signature],
  }));
}

function finalise(
  rows: Rows,
  minutesKey: string[],
  at: At,
  d: { at: string; signedByPartyIds: string[] },
): void {
  rows.minutes.update(minutesKey, at, (m) => ({
    ...m,
    final: true,
    finalised_at: d.at,
    signed_by_party_ids: d.signedByPartyIds,
  }));
}

function handle(rows: Rows, event: RecordedEvent, at: At): void {
  const ids = entityOfStream('session-', event.streamId);
  if (!ids) return;
  const { cid, id: sid } = ids;
  const key = [cid, sid];
  const e = { type: event.type, data: event.data } as SessionEvent;
  switch (e.type) {
    case 'SessionConvened': {
      const d = e.data;
      rows.sessions.put(
        {
          community_id: cid,
          session_id: sid,
          kind: d.kind,
          title: d.title,
          scheduled_at: d.scheduledAt,
          parties: d.parties,
          agenda: d.agenda,
          required_party_ids: d.requiredPartyIds,
          resolution_rule: d.resolutionRule,
          member_ids: d.memberIds,
          convened_at: d.at,
          convened_by: d.by.personId,
          notice_at: null,
          minutes_version: null,
          minutes_final_version: null,
          minutes_published_at: null,
        },
        at,
      );
      return;
    }
    case 'SessionNoticeGiven':
      rows.sessions.update(key, at, (x) => ({ ...x, notice_at: e.data.at }));
      return;
    case 'AttendanceRecorded': {
      const d = e.data;
      rows.attendance.put(
        {
          community_id: cid,
          session_id: sid,
          person_id: d.personId,
          party_id: d.partyId ?? null,
          attended_as: d.as,
          at: d.at,
        },
        at,
      );
      return;
    }
    case 'StatementRecorded': {
      const d = e.data;
      rows.statements.add({
        community_id: cid,
        session_id: sid,
        stream_version: event.streamVersion,
        item_id: d.itemId,
        speaker_person_id: d.speakerPersonId,
        party_id: d.partyId ?? null,
        text: d.text,
        at: d.at,
        transaction_id: at.tx,
        global_position: at.pos,
      });
      return;
    }
    case 'PositionStated': {
      const d = e.data;
      rows.positions.put(
        {
          community_id: cid,
          session_id: sid,
          item_id: d.itemId,
          holder: d.partyId,
          party_id: d.partyId,
          person_id: d.personId,
          position: d.position,
          reason: d.reason ?? null,
          at: d.at,
        },
        at,
      );
      return;
    }
    case 'MemberVoteCast': {
      const d = e.data;
      const holder = `member:${d.personId}`;
      rows.positions.put(
        {
          community_id: cid,
          session_id: sid,
          item_id: d.itemId,
          holder,
          party_id: null,
          person_id: d.personId,
          position: d.choice,
          reason: null,
          at: d.at,
        },
        at,
      );
      return;
    }
    case 'ItemResolved': {
      const d = e.data;
      rows.resolutions.put(
        {
          community_id: cid,
          session_id: sid,
          item_id: d.itemId,
          proposal_id: d.proposalId ?? null,
          outcome: d.outcome,
          dissenting_party_ids: d.dissentingPartyIds,
          result: d.result,
          at: d.at,
        },
        at,
      );
      return;
    }
    case 'MinutesDrafted':
    case 'MinutesAmended': {
      const d = e.data;
      rows.minutes.put(
        {
          community_id: cid,
          session_id: sid,
          minutes_key: versionKey(d.version),
          kind: 'version',
          version: d.version,
          correction_id: null,
          text: d.text,
          reason: 'reason' in d ? d.reason : null,
          document_ref: 'documentRef' in d ? (d.documentRef ?? null) : null,
          written_by: d.by.personId,
          written_at: d.at,
          signatures: [],
          final: false,
          finalised_at: null,
          signed_by_party_ids: [],
        },
        at,
      );
      rows.sessions.update(key, at, (x) => ({ ...x, minutes_version: d.version }));
      return;
    }
    case 'MinutesSigned':
      sign(rows, [cid, sid, versionKey(e.data.version)], at, e.data);
      return;
    case 'MinutesFinalised':
      finalise(rows, [cid, sid, versionKey(e.data.version)], at, e.data);
      rows.sessions.update(key, at, (x) => ({ ...x, minutes_final_version: e.data.version }));
      return;
    case 'MinutesCorrectionProposed': {
      const d = e.data;
      rows.minutes.put(
        {
          community_id: cid,
          session_id: sid,
          minutes_key: correctionKey(d.correctionId),
          kind: 'correction',
          version: null,
          correction_id: d.correctionId,
          text: d.text,
          reason: d.reason,
          document_ref: null,
          written_by: d.by.personId,
          written_at: d.at,
          signatures: [],
          final: false,
          finalised_at: null,
          signed_by_party_ids: [],
        },
        at,
      );
      return;
    }
    case 'MinutesCorrectionSigned':
      sign(rows, [cid, sid, correctionKey(e.data.correctionId)], at, e.data);
      return;
    case 'MinutesCorrectionFinalised':
      finalise(rows, [cid, sid, correctionKey(e.data.correctionId)], at, e.data);
      return;
    case 'MinutesPublished':
      rows.sessions.update(key, at, (x) => ({ ...x, minutes_published_at: e.data.at }));
      return;
    default:
      return;
  }
}

export const sessionsProjection: Projection = {
  name: 'sessions',
  version: 1,
  tables: [
    'sessions',
    'session_attendance',
    'session_statements',
    'session_positions',
    'session_resolutions',
    'minutes',
  ],
  migrations: {
    '2026-11-22-001-sessions': {
      async up(db) {
        await createTemporalTable(
          db,
          'sessions',
          ['community_id', 'session_id'],
          [
            ['kind', 'text'],
            ['title', 'text'],
            ['scheduled_at', 'text'],
            ['parties', 'json'],
            ['agenda', 'json'],
            ['required_party_ids', TEXT_ARRAY],
            ['resolution_rule', 'json'],
            ['member_ids', TEXT_ARRAY],
            ['convened_at', 'text'],
            ['convened_by', 'text'],
            ['notice_at', 'text', 'null'],
            ['minutes_version', 'integer', 'null'],
            ['minutes_final_version', 'integer', 'null'],
            ['minutes_published_at', 'text', 'null'],
          ],
        );
        await createTemporalTable(
          db,
          'session_attendance',
          ['community_id', 'session_id', 'person_id'],
          [
            ['party_id', 'text', 'null'],
            ['attended_as', 'text'],
            ['at', 'text'],
          ],
        );
        await createAppendTable(db, 'session_statements', [
          ['community_id', 'text'],
          ['session_id', 'text'],
          ['stream_version', 'integer'],
          ['item_id', 'text'],
          ['speaker_person_id', 'text'],
          ['party_id', 'text', 'null'],
          ['text', 'text'],
          ['at', 'text'],
        ]);
        await createTemporalTable(
          db,
          'session_positions',
          ['community_id', 'session_id', 'item_id', 'holder'],
          [
            ['party_id', 'text', 'null'],
            ['person_id', 'text'],
            ['position', 'text'],
            ['reason', 'text', 'null'],
            ['at', 'text'],
          ],
        );
        await createTemporalTable(
          db,
          'session_resolutions',
          ['community_id', 'session_id', 'item_id'],
          [
            ['proposal_id', 'text', 'null'],
            ['outcome', 'text'],
            ['dissenting_party_ids', TEXT_ARRAY],
            ['result', 'json'],
            ['at', 'text'],
          ],
        );
        await createTemporalTable(
          db,
          'minutes',
          ['community_id', 'session_id', 'minutes_key'],
          [
            ['kind', 'text'],
            ['version', 'integer', 'null'],
            ['correction_id', 'text', 'null'],
            ['text', 'text'],
            ['reason', 'text', 'null'],
            ['document_ref', 'text', 'null'],
            ['written_by', 'text'],
            ['written_at', 'text'],
            ['signatures', 'json'],
            ['final', 'boolean'],
            ['finalised_at', 'text', 'null'],
            ['signed_by_party_ids', TEXT_ARRAY],
          ],
        );
      },
    },
  },
  concerns: (streamId) => streamId.startsWith('session-'),
  eventTypes: eventTypesOf('session'),
  indexes: (db) => [
    ...versionsIndexes(db, batchRows()),
    db.schema
      .createIndex('session_statements_key')
      .ifNotExists()
      .on('session_statements')
      .columns(['community_id', 'session_id', 'stream_version'])
      .unique(),
  ],
  apply: applyThroughRows(batchRows, handle),
};
