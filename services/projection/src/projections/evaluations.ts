import type { EvaluationEvent } from '@yishi/domain';
import type { RecordedEvent } from '@yishi/event-store';
import { applyThroughRows, type Projection } from './projection.ts';
import { createAppendTable, createTemporalTable, versionsIndexes } from './schema.ts';
import { entityOfStream, eventTypesOf } from './streams.ts';
import { AppendedRows, type At, VersionedRows } from './temporal.ts';

// 评议 (e.g. 物业服务评估): the questionnaire, who answered and when, and the aggregate the
// closing published. An answer's content (`sealedAnswers`) is never read here: the only
// figures are the closing event's, so no read model holds what one person answered, and no
// running total exists whose change at one answer could tell it.

function batchRows() {
  return {
    evaluations: new VersionedRows('evaluations', ['community_id', 'evaluation_id']),
    respondents: new AppendedRows('evaluation_respondents'),
  };
}
type Rows = ReturnType<typeof batchRows>;

function handle(rows: Rows, event: RecordedEvent, at: At): void {
  const ids = entityOfStream('evaluation-', event.streamId);
  if (!ids) return;
  const key = [ids.cid, ids.id];
  const e = { type: event.type, data: event.data } as EvaluationEvent;
  switch (e.type) {
    case 'EvaluationOpened': {
      const d = e.data;
      rows.evaluations.put(
        {
          community_id: ids.cid,
          evaluation_id: ids.id,
          title: d.title,
          subject: d.subject ?? null,
          description: d.description ?? null,
          closes_at: d.closesAt,
          questions: d.questions,
          opened_by: d.by.personId,
          opened_at: d.at,
          status: 'open',
          respondents: 0,
          closed_at: null,
          close_note: null,
          results: null,
          withheld: null,
        },
        at,
      );
      return;
    }
    case 'EvaluationAnswered':
      rows.evaluations.update(key, at, (r) => ({ ...r, respondents: r.respondents + 1 }));
      rows.respondents.add({
        community_id: ids.cid,
        evaluation_id: ids.id,
        person_id: e.data.by.personId,
        answered_at: e.data.at,
        transaction_id: at.tx,
        global_position: at.pos,
      });
      return;
    case 'EvaluationClosed': {
      const d = e.data;
      rows.evaluations.update(key, at, (r) => ({
        ...r,
        status: 'closed',
        respondents: d.respondents,
        closed_at: d.at,
        close_note: d.note ?? null,
        results: d.withheld ? null : d.results,
        withheld: d.withheld ?? null,
      }));
      return;
    }
    default:
      return;
  }
}

export const evaluationsProjection: Projection = {
  name: 'evaluations',
  version: 1,
  tables: ['evaluations', 'evaluation_respondents'],
  migrations: {
    '2026-12-10-001-evaluations': {
      async up(db) {
        await createTemporalTable(
          db,
          'evaluations',
          ['community_id', 'evaluation_id'],
          [
            ['title', 'text'],
            ['subject', 'text', 'null'],
            ['description', 'text', 'null'],
            ['closes_at', 'text'],
            ['questions', 'json'],
            ['opened_by', 'text'],
            ['opened_at', 'text'],
            ['status', 'text'],
            ['respondents', 'integer'],
            ['closed_at', 'text', 'null'],
            ['close_note', 'text', 'null'],
            ['results', 'json', 'null'],
            ['withheld', 'text', 'null'],
          ],
        );
        await createAppendTable(db, 'evaluation_respondents', [
          ['community_id', 'text'],
          ['evaluation_id', 'text'],
          ['person_id', 'text'],
          ['answered_at', 'text'],
        ]);
      },
    },
  },
  concerns: (streamId) => streamId.startsWith('evaluation-'),
  eventTypes: eventTypesOf('evaluation'),
  // The answers are never read: a rebuild may leave them unparsed.
  unread: { EvaluationAnswered: ['sealedAnswers'] },
  indexes: (db) => [
    ...versionsIndexes(db, batchRows()),
    db.schema
      .createIndex('evaluation_respondents_key')
      .ifNotExists()
      .on('evaluation_respondents')
      .columns(['community_id', 'evaluation_id', 'transaction_id', 'global_position']),
  ],
  apply: applyThroughRows(batchRows, handle),
};
