import type { ProposalEvent } from '@yishi/domain';
import type { RecordedEvent } from '@yishi/event-store';
import { sql } from 'kysely';
import type { DecisionStatesTable, ProposalStatesTable } from '../tables.ts';
import { isBallot } from './ballots.ts';
import { applyThroughRows, type Projection } from './projection.ts';
import {
  type ColumnSpec,
  createAppendTable,
  createTemporalTable,
  TEXT_ARRAY,
  versionsIndexes,
} from './schema.ts';
import { entityOfStream, eventTypesOf } from './streams.ts';
import { AppendedRows, type At, type Data, VersionedRows } from './temporal.ts';

// 议题: proposals with their stage, items and deadlines; votes with the frozen rule (the
// electorate is electorates.ts's; the ballots are read from the timeline, see ballots.ts); the
// decision register (决议台账) with the rule, every figure and what followed (publication,
// objections, implementation, feedback, satisfaction).
//
// A proposal (~1 kB: texts, procedure, items) and a decision (~1.7 kB: figures, history) change
// rarely; where they stand changes at every stage, report, objection and rating. Each is two
// temporal tables, so that those changes version a small row, not the whole record (rebuilding
// 1M events wrote 42,613 proposal and 39,112 decision versions, 118 MB, when they were one).

/** An amendment that outdated the notice: until notice is given again, no next stage is due. */
function renotice(d: { renoticeRequired?: unknown }): { next_stage_from?: null } {
  return d.renoticeRequired ? { next_stage_from: null } : {};
}

function batchRows() {
  return {
    proposals: new VersionedRows('proposals', ['community_id', 'proposal_id']),
    proposalStates: new VersionedRows('proposal_states', ['community_id', 'proposal_id']),
    votes: new VersionedRows('votes', ['community_id', 'proposal_id', 'vote_id']),
    presence: new AppendedRows('presence'),
    decisions: new VersionedRows('decisions', ['community_id', 'proposal_id']),
    decisionStates: new VersionedRows('decision_states', ['community_id', 'proposal_id']),
    objections: new VersionedRows('objections', ['community_id', 'proposal_id', 'objection_id']),
    reports: new AppendedRows('reports'),
    satisfaction: new VersionedRows('satisfaction', ['community_id', 'proposal_id', 'person_id']),
  };
}
type Rows = ReturnType<typeof batchRows>;

function stageKind(stagesJson: { id: string; kind: string }[], stageId: string): string {
  return stagesJson.find((s) => s.id === stageId)?.kind ?? 'unknown';
}

function handle(rows: Rows, event: RecordedEvent, at: At): void {
  // Ballots are read from the timeline's lines (ballots.ts): nothing of theirs is written here.
  if (isBallot(event.type)) return;
  const ids = entityOfStream('proposal-', event.streamId);
  if (!ids) return;
  const { cid, id: pid } = ids;
  const e = { type: event.type, data: event.data } as ProposalEvent;
  const key = [cid, pid];
  const position = { transaction_id: at.tx, global_position: at.pos };
  const state = (change: (p: Data<ProposalStatesTable>) => Partial<Data<ProposalStatesTable>>) =>
    rows.proposalStates.update(key, at, (p) => ({ ...p, ...change(p) }));
  // Most events move the proposal into the stage they name (see the decider's `enter`).
  const enter = (stageId: string, change: Partial<Data<ProposalStatesTable>> = {}) => {
    const stages = rows.proposals.get(key)?.stages ?? [];
    state((p) => ({
      stage_id: stageId,
      stage_kind: stageKind(stages, stageId),
      updated_at: String(event.data.at ?? p.updated_at),
      ...change,
    }));
  };
  const register = (change: (d: Data<DecisionStatesTable>) => Partial<Data<DecisionStatesTable>>) =>
    rows.decisionStates.update(key, at, (d) => ({ ...d, ...change(d) }));

  switch (e.type) {
    case 'ProposalSubmitted': {
      const d = e.data;
      rows.proposals.put(
        {
          community_id: cid,
          proposal_id: pid,
          title: d.title,
          description: d.description,
          procedure_template: d.procedure.template,
          procedure_version: d.procedure.version,
          procedure_name: d.procedure.name,
          stages: d.procedure.stages,
          items: d.items,
          on_behalf_of_party_id: d.onBehalfOf?.partyId ?? null,
          scope: d.scope?.kind === 'building' ? d.scope : null,
          submitted_by: d.submittedBy.personId,
          submitted_role: d.submittedBy.role,
          submitted_at: d.submittedAt,
        },
        at,
      );
      rows.proposalStates.put(
        {
          community_id: cid,
          proposal_id: pid,
          status: 'active',
          stage_id: d.procedure.stages[0]?.id ?? 'submission',
          stage_kind: 'submission',
          concerned_party_ids: [],
          agenda_session_id: null,
          next_stage_from: null,
          vote_id: null,
          outcome: null,
          decided_at: null,
          published_at: null,
          publication_ends_at: null,
          implementation_due_at: null,
          progress_percent: null,
          withdrawn_reason: null,
          updated_at: d.submittedAt,
        },
        at,
      );
      return;
    }
    case 'ProposalAmended': {
      const d = e.data;
      rows.proposals.update(key, at, (p) => ({
        ...p,
        title: d.title ?? p.title,
        description: d.description ?? p.description,
        items: d.items ?? p.items,
      }));
      state(() => ({ updated_at: d.at, ...renotice(d) }));
      return;
    }
    case 'OptionAdded': {
      const d = e.data;
      rows.proposals.update(key, at, (p) => ({
        ...p,
        items: (p.items as { itemId: string; options: unknown[] }[]).map((item) =>
          item.itemId === d.itemId ? { ...item, options: [...item.options, d.option] } : item,
        ),
      }));
      state(() => ({ updated_at: d.at, ...renotice(d) }));
      return;
    }
    case 'ProposalAcceptedOntoAgenda':
      enter(e.data.stageId, {
        concerned_party_ids: e.data.concernedPartyIds,
        agenda_session_id: e.data.sessionId ?? null,
      });
      return;
    case 'NoticeGiven':
      // Notice given again after an amendment: the proposal stays where it is.
      if (e.data.renewed)
        state(() => ({ next_stage_from: e.data.nextStageFrom, updated_at: e.data.at }));
      else enter(e.data.stageId, { next_stage_from: e.data.nextStageFrom });
      return;
    case 'DeliberationRecorded':
      enter(e.data.stageId, { next_stage_from: null });
      return;
    case 'VotingOpened': {
      const d = e.data;
      enter(d.stageId, { vote_id: d.voteId, next_stage_from: null });
      rows.votes.put(
        {
          community_id: cid,
          proposal_id: pid,
          vote_id: d.voteId,
          stage_id: d.stageId,
          rule: d.rule,
          items: d.items,
          totals: d.totals,
          closes_at: d.closesAt,
          allow_ballot_change: d.allowBallotChange,
          plan_method: d.planMethod ?? null,
          opened_at: d.at,
          opened_by: d.by.personId,
          closed_at: null,
          closed_early: null,
        },
        at,
      );
      // The electorate it froze is the electorates projection's.
      return;
    }
    case 'PresenceRecorded':
      for (const voterId of e.data.voterIds) {
        rows.presence.add({
          community_id: cid,
          proposal_id: pid,
          vote_id: e.data.voteId,
          voter_id: voterId,
          recorded_at_time: e.data.at,
          ...position,
        });
      }
      return;
    case 'VotingClosed':
      rows.votes.update([cid, pid, e.data.voteId], at, (v) => ({
        ...v,
        closed_at: e.data.at,
        closed_early: e.data.early,
      }));
      return;
    case 'ProposalDecided': {
      const d = e.data;
      enter(d.stageId, { outcome: d.outcome, decided_at: d.at });
      const vote = d.voteId ? rows.votes.get([cid, pid, d.voteId]) : undefined;
      const proposal = rows.proposals.get(key);
      const previous = rows.decisions.get(key);
      const followed = rows.decisionStates.get(key);
      if (!proposal) return;
      const entry = {
        stageId: d.stageId,
        outcome: d.outcome,
        decidedAt: d.at,
        voteId: d.voteId ?? null,
        sessionId: d.sessionId ?? null,
        items: d.items,
      };
      rows.decisions.put(
        {
          community_id: cid,
          proposal_id: pid,
          title: proposal.title,
          procedure_template: proposal.procedure_template,
          stage_id: d.stageId,
          outcome: d.outcome,
          decided_at: d.at,
          decided_by: d.by.personId,
          vote_id: d.voteId ?? null,
          session_id: d.sessionId ?? null,
          session_item_id: d.sessionItemId ?? null,
          scope: proposal.scope ?? null,
          rule: vote?.rule ?? null,
          totals: vote?.totals ?? null,
          items: d.items,
          history: [...(previous?.history ?? []), entry],
        },
        at,
      );
      rows.decisionStates.put(
        {
          community_id: cid,
          proposal_id: pid,
          // A new decision starts a new publication and implementation.
          published_at: null,
          publication_ends_at: null,
          publication_deadline: null,
          published_on_time: null,
          implementation_published_at: null,
          implementation_due_at: null,
          implementation_responsible_id: null,
          progress_percent: null,
          reports: 0,
          first_report_at: null,
          last_report_at: null,
          feedback_at: followed?.feedback_at ?? null,
          objections_raised: followed?.objections_raised ?? 0,
          objections_answered: followed?.objections_answered ?? 0,
          satisfaction_count: followed?.satisfaction_count ?? 0,
          satisfaction_sum: followed?.satisfaction_sum ?? 0,
          withdrawn: false,
        },
        at,
      );
      return;
    }
    case 'ProposalReturned':
      state(() => ({ updated_at: e.data.at }));
      return;
    case 'ProposalPublished': {
      const d = e.data;
      if (d.subject === 'decision') {
        enter(d.stageId, {
          published_at: d.at,
          publication_ends_at: d.endsAt,
          implementation_due_at: d.implementationDueAt ?? null,
        });
        register(() => ({
          published_at: d.at,
          publication_ends_at: d.endsAt,
          publication_deadline: d.deadline ?? null,
          published_on_time: d.onTime ?? null,
          ...(d.implementationDueAt ? { implementation_due_at: d.implementationDueAt } : {}),
          ...(d.implementationResponsibleId
            ? { implementation_responsible_id: d.implementationResponsibleId }
            : {}),
        }));
      } else {
        enter(d.stageId, { publication_ends_at: d.endsAt });
        register(() => ({ implementation_published_at: d.at }));
      }
      return;
    }
    case 'ObjectionRaised': {
      const d = e.data;
      const objectionKey = [cid, pid, d.objectionId];
      const existing = rows.objections.get(objectionKey);
      rows.objections.put(
        {
          community_id: cid,
          proposal_id: pid,
          objection_id: d.objectionId,
          stage_id: d.stageId,
          text: d.text,
          document_ref: d.documentRef ?? null,
          raised_by: d.by.personId,
          raised_at: d.at,
          answer: null,
          answered_by: null,
          answered_at: null,
        },
        at,
      );
      if (!existing) register((r) => ({ objections_raised: r.objections_raised + 1 }));
      return;
    }
    case 'ObjectionAnswered': {
      const d = e.data;
      const objectionKey = [cid, pid, d.objectionId];
      const objection = rows.objections.get(objectionKey);
      // Loaded whether or not the objection is known yet: raised and answered in one batch,
      // the first pass cannot see it, and the second must find the register row loaded.
      rows.decisionStates.prefetch(key);
      rows.objections.update(objectionKey, at, (o) => ({
        ...o,
        answer: d.answer,
        answered_by: d.by.personId,
        answered_at: d.at,
      }));
      if (objection && objection.answered_at === null) {
        register((r) => ({ objections_answered: r.objections_answered + 1 }));
      }
      return;
    }
    case 'ImplementationAssigned':
      register(() => ({ implementation_responsible_id: e.data.responsibleId }));
      return;
    case 'ImplementationReported': {
      const d = e.data;
      enter(d.stageId, { progress_percent: d.progressPercent });
      register((r) => ({
        progress_percent: d.progressPercent,
        reports: r.reports + 1,
        first_report_at: r.first_report_at ?? d.at,
        last_report_at: d.at,
      }));
      rows.reports.add({
        community_id: cid,
        proposal_id: pid,
        stream_version: event.streamVersion,
        kind: 'implementation',
        stage_id: d.stageId,
        progress_percent: d.progressPercent,
        item_id: d.itemId ?? null,
        text: d.text,
        document_ref: d.documentRef ?? null,
        at: d.at,
        by: d.by.personId,
        ...position,
      });
      return;
    }
    case 'FeedbackReported': {
      const d = e.data;
      enter(d.stageId);
      register(() => ({ feedback_at: d.at }));
      rows.reports.add({
        community_id: cid,
        proposal_id: pid,
        stream_version: event.streamVersion,
        kind: 'feedback',
        stage_id: d.stageId,
        progress_percent: null,
        item_id: null,
        text: d.text,
        document_ref: d.documentRef ?? null,
        at: d.at,
        by: d.by.personId,
        ...position,
      });
      return;
    }
    case 'SatisfactionRated': {
      const d = e.data;
      const ratingKey = [cid, pid, d.by.personId];
      const earlier = rows.satisfaction.get(ratingKey);
      rows.satisfaction.put(
        {
          community_id: cid,
          proposal_id: pid,
          person_id: d.by.personId,
          rating: d.rating,
          comment: d.comment ?? null,
          at: d.at,
        },
        at,
      );
      register((r) => ({
        satisfaction_count: r.satisfaction_count + (earlier ? 0 : 1),
        satisfaction_sum: r.satisfaction_sum + d.rating - (earlier?.rating ?? 0),
      }));
      return;
    }
    case 'ProposalWithdrawn':
      state(() => ({
        status: 'withdrawn',
        withdrawn_reason: e.data.reason,
        updated_at: e.data.at,
      }));
      register(() => ({ withdrawn: true }));
      return;
    default:
      return;
  }
}

/** Where a proposal stands (`proposal_states`; in `proposals` itself before version 4). */
export const PROPOSAL_STATE: readonly ColumnSpec[] = [
  ['status', 'text'],
  ['stage_id', 'text'],
  ['stage_kind', 'text'],
  ['concerned_party_ids', TEXT_ARRAY],
  ['agenda_session_id', 'text', 'null'],
  ['next_stage_from', 'text', 'null'],
  ['vote_id', 'text', 'null'],
  ['outcome', 'text', 'null'],
  ['decided_at', 'text', 'null'],
  ['published_at', 'text', 'null'],
  ['publication_ends_at', 'text', 'null'],
  ['implementation_due_at', 'text', 'null'],
  ['progress_percent', 'integer', 'null'],
  ['withdrawn_reason', 'text', 'null'],
  ['updated_at', 'text'],
];

/** What followed a decision (`decision_states`; in `decisions` itself before version 4). */
export const DECISION_STATE: readonly ColumnSpec[] = [
  ['published_at', 'text', 'null'],
  ['publication_ends_at', 'text', 'null'],
  ['publication_deadline', 'text', 'null'],
  ['published_on_time', 'boolean', 'null'],
  ['implementation_published_at', 'text', 'null'],
  ['implementation_due_at', 'text', 'null'],
  ['progress_percent', 'integer', 'null'],
  ['reports', 'integer'],
  ['first_report_at', 'text', 'null'],
  ['last_report_at', 'text', 'null'],
  ['feedback_at', 'text', 'null'],
  ['objections_raised', 'integer'],
  ['objections_answered', 'integer'],
  ['satisfaction_count', 'integer'],
  ['satisfaction_sum', 'integer'],
  ['withdrawn', 'boolean'],
];

export const proposalsProjection: Projection = {
  name: 'proposals',
  // 2: the electorate is kept once per vote, apart from the vote's versions.
  // 3: ballots moved to their own projection (ballots.ts).
  // 4: where a proposal and a decision stand is kept apart from what they say (proposal_states,
  // decision_states).
  version: 4,
  tables: [
    'proposals',
    'proposal_states',
    'votes',
    'presence',
    'decisions',
    'decision_states',
    'objections',
    'reports',
    'satisfaction',
  ],
  migrations: {
    '2026-11-22-001-proposals': {
      async up(db) {
        await createTemporalTable(
          db,
          'proposals',
          ['community_id', 'proposal_id'],
          [
            ['title', 'text'],
            ['description', 'text'],
            ['procedure_template', 'text'],
            ['procedure_version', 'integer'],
            ['procedure_name', 'text'],
            ['stages', 'json'],
            ['items', 'json'],
            ['on_behalf_of_party_id', 'text', 'null'],
            ['submitted_by', 'text'],
            ['submitted_role', 'text'],
            ['submitted_at', 'text'],
            ...PROPOSAL_STATE,
          ],
        );
        await createTemporalTable(
          db,
          'votes',
          ['community_id', 'proposal_id', 'vote_id'],
          [
            ['stage_id', 'text'],
            ['rule', 'json'],
            ['items', 'json'],
            ['totals', 'json'],
            ['closes_at', 'text'],
            ['allow_ballot_change', 'boolean'],
            ['plan_method', 'text', 'null'],
            ['opened_at', 'text'],
            ['opened_by', 'text'],
            ['closed_at', 'text', 'null'],
            ['closed_early', 'boolean', 'null'],
          ],
        );
        await createAppendTable(db, 'electorates', [
          ['community_id', 'text'],
          ['proposal_id', 'text'],
          ['vote_id', 'text'],
          ['electorate', 'json'],
        ]);
        await createAppendTable(db, 'presence', [
          ['community_id', 'text'],
          ['proposal_id', 'text'],
          ['vote_id', 'text'],
          ['voter_id', 'text'],
          ['recorded_at_time', 'text'],
        ]);
        await createTemporalTable(
          db,
          'decisions',
          ['community_id', 'proposal_id'],
          [
            ['title', 'text'],
            ['procedure_template', 'text'],
            ['stage_id', 'text'],
            ['outcome', 'text'],
            ['decided_at', 'text'],
            ['decided_by', 'text'],
            ['vote_id', 'text', 'null'],
            ['session_id', 'text', 'null'],
            ['session_item_id', 'text', 'null'],
            ['rule', 'json', 'null'],
            ['totals', 'json', 'null'],
            ['items', 'json'],
            ['history', 'json'],
            ...DECISION_STATE,
          ],
        );
        await createTemporalTable(
          db,
          'objections',
          ['community_id', 'proposal_id', 'objection_id'],
          [
            ['stage_id', 'text'],
            ['text', 'text'],
            ['document_ref', 'text', 'null'],
            ['raised_by', 'text'],
            ['raised_at', 'text'],
            ['answer', 'text', 'null'],
            ['answered_by', 'text', 'null'],
            ['answered_at', 'text', 'null'],
          ],
        );
        await createAppendTable(db, 'reports', [
          ['community_id', 'text'],
          ['proposal_id', 'text'],
          ['stream_version', 'integer'],
          ['kind', 'text'],
          ['stage_id', 'text'],
          ['progress_percent', 'integer', 'null'],
          ['item_id', 'text', 'null'],
          ['text', 'text'],
          ['document_ref', 'text', 'null'],
          ['at', 'text'],
          ['by', 'text'],
        ]);
        await createTemporalTable(
          db,
          'satisfaction',
          ['community_id', 'proposal_id', 'person_id'],
          [
            ['rating', 'integer'],
            ['comment', 'text', 'null'],
            ['at', 'text'],
          ],
        );
      },
    },
    // Electorates are written once and large (up to a megabyte): kept uncompressed, since pglz
    // compressing them was the largest cost of this projection's writes (and lz4 is not in
    // every PostgreSQL build). New rows only; no row changes.
    '2026-12-04-001-electorates-uncompressed': {
      async up(db) {
        await sql`ALTER TABLE electorates ALTER COLUMN electorate SET STORAGE EXTERNAL`.execute(db);
      },
    },
    // The electorates moved to a projection of their own (electorates.ts), which a rebuild
    // copies inside the database: this table is no longer written or read.
    '2026-12-05-001-electorates-moved': {
      async up(db) {
        await db.schema.dropTable('electorates').ifExists().execute();
      },
    },
    // Version 4: where proposals and decisions stand, in tables of their own. Their columns stay
    // in `proposals` and `decisions` (NULL from version 4 on) for a generation of an earlier
    // version, which goes on being served, read from them, while version 4 is built.
    '2026-12-05-002-states': {
      async up(db) {
        await createTemporalTable(
          db,
          'proposal_states',
          ['community_id', 'proposal_id'],
          [...PROPOSAL_STATE],
        );
        await createTemporalTable(
          db,
          'decision_states',
          ['community_id', 'proposal_id'],
          [...DECISION_STATE],
        );
        for (const [table, columns] of [
          ['proposals', PROPOSAL_STATE],
          ['decisions', DECISION_STATE],
        ] as const) {
          const required = columns.filter((c) => c[2] !== 'null').map((c) => c[0]);
          await sql`ALTER TABLE ${sql.table(table)} ${sql.join(
            required.map((c) => sql`ALTER COLUMN ${sql.ref(c)} DROP NOT NULL`),
          )}`.execute(db);
        }
      },
    },
    // A proposal of one building or entrance (domain.md 3.1b). No event before this column
    // carried a scope, so NULL (the whole community) is right for every row already written.
    '2026-12-07-001-proposal-scope': {
      async up(db) {
        await db.schema.alterTable('proposals').addColumn('scope', 'json').execute();
        await db.schema.alterTable('decisions').addColumn('scope', 'json').execute();
      },
    },
    // 落实责任人 (issue #24). No event before this column named one: NULL is right for every
    // row already written. Only in `decision_states`: generations before version 4 have none.
    '2026-12-07-002-implementation-responsible': {
      async up(db) {
        await db.schema
          .alterTable('decision_states')
          .addColumn('implementation_responsible_id', 'text')
          .execute();
      },
    },
  },
  concerns: (streamId) => streamId.startsWith('proposal-'),
  // Ballots are read from the timeline's lines (ballots.ts).
  eventTypes: eventTypesOf('proposal').filter((type) => !isBallot(type)),
  // The electorate is the electorates projection's.
  unread: { VotingOpened: ['electorate'] },
  indexes: (db) => [
    ...versionsIndexes(db, batchRows()),
    db.schema
      .createIndex('presence_vote')
      .ifNotExists()
      .on('presence')
      .columns(['community_id', 'proposal_id', 'vote_id']),
    db.schema
      .createIndex('reports_key')
      .ifNotExists()
      .on('reports')
      .columns(['community_id', 'proposal_id', 'stream_version'])
      .unique(),
    db.schema
      .createIndex('decisions_register')
      .ifNotExists()
      .on('decisions')
      .columns(['community_id', 'decided_at'])
      .where(sql.ref('valid_to_tx'), 'is', null),
  ],
  apply: applyThroughRows(batchRows, handle),
};
