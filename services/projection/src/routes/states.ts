import type { Checkpoint } from '@yishi/event-store';
import { type AliasedRawBuilder, sql } from 'kysely';
import { DECISION_STATE, PROPOSAL_STATE } from '../projections/proposals.ts';
import { type Data, visibleAt } from '../projections/temporal.ts';
import type {
  DecisionStatesTable,
  DecisionsTable,
  ProposalStatesTable,
  ProposalsTable,
} from '../tables.ts';

// From version 4 the proposals projection keeps where a proposal and a decision stand
// (`proposal_states`, `decision_states`) apart from what they say (`proposals`, `decisions`).
// A generation of an earlier version, served while version 4 is built, has those columns in the
// record's own row: these read either, as the record stood at `asOf`.

export type ProposalRow = Data<ProposalsTable> & Data<ProposalStatesTable>;
export type DecisionRow = Data<DecisionsTable> & Data<DecisionStatesTable>;

const PROPOSAL = [
  'community_id',
  'proposal_id',
  'title',
  'description',
  'procedure_template',
  'procedure_version',
  'procedure_name',
  'stages',
  'items',
  'on_behalf_of_party_id',
  'scope',
  'submitted_by',
  'submitted_role',
  'submitted_at',
] as const satisfies readonly (keyof Data<ProposalsTable>)[];

const DECISION = [
  'community_id',
  'proposal_id',
  'title',
  'procedure_template',
  'stage_id',
  'outcome',
  'decided_at',
  'decided_by',
  'scope',
  'vote_id',
  'session_id',
  'session_item_id',
  'rule',
  'totals',
  'items',
  'history',
] as const satisfies readonly (keyof Data<DecisionsTable>)[];

function withState<R, A extends string>(
  schema: string,
  record: string,
  columns: readonly string[],
  states: string,
  stateColumns: readonly string[],
  asOf: Checkpoint | undefined,
  alias: A,
  /** Columns only the state table has (added after version 4). */
  stateOnly: readonly string[] = [],
): AliasedRawBuilder<R, A> {
  return sql<R>`(
    SELECT ${sql.join(columns.map((c) => sql.ref(`r.${c}`)))},
           ${sql.join([
             ...stateColumns.map(
               (c) => sql`coalesce(${sql.ref(`s.${c}`)}, ${sql.ref(`r.${c}`)}) AS ${sql.id(c)}`,
             ),
             ...stateOnly.map((c) => sql`${sql.ref(`s.${c}`)} AS ${sql.id(c)}`),
           ])}
      FROM ${sql.table(`${schema}.${record}`)} r
      LEFT JOIN ${sql.table(`${schema}.${states}`)} s
        ON s.community_id = r.community_id AND s.proposal_id = r.proposal_id
       AND ${visibleAt(asOf, 's')}
     WHERE ${visibleAt(asOf, 'r')})`.as(alias);
}

/** Proposals with where they stand, as at `asOf` (alias `p`). */
export const proposalsAsOf = (schema: string, asOf: Checkpoint | undefined) =>
  withState<ProposalRow, 'p'>(
    schema,
    'proposals',
    PROPOSAL,
    'proposal_states',
    PROPOSAL_STATE.map(([name]) => name),
    asOf,
    'p',
  );

/** The decision register with what followed each decision, as at `asOf` (alias `d`). */
export const decisionsAsOf = (schema: string, asOf: Checkpoint | undefined) =>
  withState<DecisionRow, 'd'>(
    schema,
    'decisions',
    DECISION,
    'decision_states',
    DECISION_STATE.map(([name]) => name),
    asOf,
    'd',
    ['implementation_responsible_id'],
  );
