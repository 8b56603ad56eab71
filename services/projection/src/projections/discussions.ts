import type { DiscussionEvent, ProposalEvent } from '@yishi/domain';
import type { RecordedEvent } from '@yishi/event-store';
import { applyThroughRows, type Projection } from './projection.ts';
import { createTemporalTable, versionsIndexes } from './schema.ts';
import { entityOfStream } from './streams.ts';
import { type At, VersionedRows } from './temporal.ts';

// 议题讨论: the comments on each proposal (their own stream) and residents' amendments (修改建议,
// in the proposal's stream) with their answers. A hidden comment keeps its text here: who may
// read it is the query's to decide (routes/discussions.ts).

function batchRows() {
  return {
    comments: new VersionedRows('comments', ['community_id', 'proposal_id', 'comment_id']),
    amendments: new VersionedRows('amendments', ['community_id', 'proposal_id', 'amendment_id']),
  };
}
type Rows = ReturnType<typeof batchRows>;

const seqOf = (id: string) => Number.parseInt(id.slice(1), 10) || 0;

function handleComment(rows: Rows, ids: { cid: string; id: string }, e: DiscussionEvent, at: At) {
  switch (e.type) {
    case 'CommentPosted': {
      const d = e.data;
      rows.comments.put(
        {
          community_id: ids.cid,
          proposal_id: ids.id,
          comment_id: d.commentId,
          seq: seqOf(d.commentId),
          parent_id: d.parentId ?? null,
          item_id: d.itemId ?? null,
          option_id: d.optionId ?? null,
          body: d.body,
          author_id: d.by.personId,
          author_role: d.by.role,
          posted_at: d.at,
          hidden_at: null,
          hidden_by: null,
          hidden_reason: null,
        },
        at,
      );
      return;
    }
    case 'CommentHidden': {
      const d = e.data;
      rows.comments.update([ids.cid, ids.id, d.commentId], at, (r) => ({
        ...r,
        hidden_at: d.at,
        hidden_by: d.by.personId,
        hidden_reason: d.reason,
      }));
      return;
    }
    case 'CommentUnhidden': {
      const d = e.data;
      rows.comments.update([ids.cid, ids.id, d.commentId], at, (r) => ({
        ...r,
        hidden_at: null,
        hidden_by: null,
        hidden_reason: null,
      }));
      return;
    }
    default:
      return;
  }
}

function handleAmendment(rows: Rows, ids: { cid: string; id: string }, e: ProposalEvent, at: At) {
  switch (e.type) {
    case 'AmendmentProposed': {
      const d = e.data;
      rows.amendments.put(
        {
          community_id: ids.cid,
          proposal_id: ids.id,
          amendment_id: d.amendmentId,
          seq: seqOf(d.amendmentId),
          title: d.title ?? null,
          description: d.description ?? null,
          items: d.items ?? null,
          reason: d.reason,
          proposed_by: d.by.personId,
          proposed_at: d.at,
          status: 'pending',
          answered_by: null,
          answered_at: null,
          answer_reason: null,
        },
        at,
      );
      return;
    }
    case 'AmendmentAccepted':
    case 'AmendmentRejected': {
      const d = e.data;
      rows.amendments.update([ids.cid, ids.id, d.amendmentId], at, (r) => ({
        ...r,
        status: e.type === 'AmendmentAccepted' ? 'accepted' : 'rejected',
        answered_by: d.by.personId,
        answered_at: d.at,
        answer_reason: d.reason,
      }));
      return;
    }
    default:
      return;
  }
}

function handle(rows: Rows, event: RecordedEvent, at: At): void {
  const discussion = entityOfStream('discussion-', event.streamId);
  if (discussion) {
    handleComment(rows, discussion, { type: event.type, data: event.data } as DiscussionEvent, at);
    return;
  }
  const proposal = entityOfStream('proposal-', event.streamId);
  if (proposal) {
    handleAmendment(rows, proposal, { type: event.type, data: event.data } as ProposalEvent, at);
  }
}

export const discussionsProjection: Projection = {
  name: 'discussions',
  version: 1,
  tables: ['comments', 'amendments'],
  migrations: {
    '2026-12-10-001-discussions': {
      async up(db) {
        await createTemporalTable(
          db,
          'comments',
          ['community_id', 'proposal_id', 'comment_id'],
          [
            ['seq', 'integer'],
            ['parent_id', 'text', 'null'],
            ['item_id', 'text', 'null'],
            ['option_id', 'text', 'null'],
            ['body', 'text'],
            ['author_id', 'text'],
            ['author_role', 'text'],
            ['posted_at', 'text'],
            ['hidden_at', 'text', 'null'],
            ['hidden_by', 'text', 'null'],
            ['hidden_reason', 'text', 'null'],
          ],
        );
        await createTemporalTable(
          db,
          'amendments',
          ['community_id', 'proposal_id', 'amendment_id'],
          [
            ['seq', 'integer'],
            ['title', 'text', 'null'],
            ['description', 'text', 'null'],
            ['items', 'json', 'null'],
            ['reason', 'text'],
            ['proposed_by', 'text'],
            ['proposed_at', 'text'],
            ['status', 'text'],
            ['answered_by', 'text', 'null'],
            ['answered_at', 'text', 'null'],
            ['answer_reason', 'text', 'null'],
          ],
        );
      },
    },
  },
  concerns: (streamId) => streamId.startsWith('discussion-') || streamId.startsWith('proposal-'),
  eventTypes: [
    'CommentPosted',
    'CommentHidden',
    'CommentUnhidden',
    'AmendmentProposed',
    'AmendmentAccepted',
    'AmendmentRejected',
  ],
  indexes: (db) => versionsIndexes(db, batchRows()),
  apply: applyThroughRows(batchRows, handle),
};
