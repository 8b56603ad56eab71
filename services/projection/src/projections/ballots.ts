import {
  type BallotVia,
  type Choice,
  type ItemBallot,
  nextBallot,
  type ProposalEvent,
  type RecordedBallot,
} from '@yishi/domain';
import type { Checkpoint } from '@yishi/event-store';
import { type AliasedRawBuilder, sql } from 'kysely';
import { recordedBy } from './temporal.ts';

// 选票: every ballot as its event stated it. Nine events in ten of a district are ballots, and
// the timeline already keeps each of them whole (a ballot has none of the fields a history line
// shortens; a test holds the catalogue to that), so the ballots are read from the timeline's
// lines instead of being written a second time: a voter's current ballot (and the ballot as it
// stood at any position) is the fold of their facts in order, made when a query reads them.

type BallotEvent = Extract<
  ProposalEvent,
  { type: 'BallotCast' | 'BallotChanged' | 'PaperBallotCorrected' }
>;

export const BALLOT_TYPES: readonly BallotEvent['type'][] = [
  'BallotCast',
  'BallotChanged',
  'PaperBallotCorrected',
];

/** Whether an event of a proposal's stream is a ballot (cast, changed or corrected). */
export function isBallot(type: string): type is BallotEvent['type'] {
  return (BALLOT_TYPES as readonly string[]).includes(type);
}

/** A voter's current ballot on one item, as the decider holds it. */
export interface CurrentBallot {
  voterId: string;
  itemId: string;
  choice: string | null;
  ranking: readonly string[] | null;
  via: string;
  castBy: string;
  authorisationId: string | null;
  documentRef: string | null;
  castAt: string;
  versions: number;
}

/** One item of one ballot as an event stated it: what `foldBallots` reads. */
export interface BallotFact {
  voter_id: string;
  item_id: string;
  choice: Choice | null;
  ranking: string[] | null;
  /** As the event said; null when it did not (a correction keeps the earlier one). */
  via: BallotVia | null;
  cast_by: string | null;
  /** The authorisation of this item when the event stated `via`. */
  authorisation_id: string | null;
  document_ref: string | null;
  cast_at: string;
}

/** The columns `foldBallots` reads. */
export const ballotFactColumns = [
  'voter_id',
  'item_id',
  'choice',
  'ranking',
  'via',
  'cast_by',
  'authorisation_id',
  'document_ref',
  'cast_at',
] as const satisfies readonly (keyof BallotFact)[];

/**
 * The current ballots from the facts of one vote, each voter's and item's in the order they were
 * recorded, by the decider's own rule (`nextBallot`). In order of first appearance.
 */
export function foldBallots(facts: Iterable<BallotFact>): CurrentBallot[] {
  const current = new Map<
    string,
    { voterId: string; itemId: string; ballot: RecordedBallot; castAt: string }
  >();
  for (const f of facts) {
    const key = `${f.voter_id}\u0000${f.item_id}`;
    const earlier = current.get(key);
    const ballot = nextBallot(earlier?.ballot, {
      voterId: f.voter_id,
      choice: f.choice ?? undefined,
      ranking: f.ranking ?? undefined,
      via: f.via ?? undefined,
      castBy: f.cast_by ?? undefined,
      authorisationId: f.authorisation_id ?? undefined,
      documentRef: f.document_ref ?? undefined,
    });
    current.set(key, { voterId: f.voter_id, itemId: f.item_id, ballot, castAt: f.cast_at });
  }
  return [...current.values()].map(({ voterId, itemId, ballot, castAt }) => ({
    voterId,
    itemId,
    choice: ballot.choice ?? null,
    ranking: ballot.ranking ?? null,
    via: ballot.via,
    castBy: ballot.castBy,
    authorisationId: ballot.authorisationId ?? null,
    documentRef: ballot.documentRef ?? null,
    castAt,
    versions: ballot.versions,
  }));
}

/**
 * Current ballots as the tally reads them (voter -> item -> choice or ranking), holding what
 * the decider's state holds for each: a field the fold has not is absent, not null.
 */
export function ballotsByVoter(
  ballots: readonly CurrentBallot[],
): Map<string, Record<string, ItemBallot>> {
  const byVoter = new Map<string, Record<string, ItemBallot>>();
  for (const b of ballots) {
    let items = byVoter.get(b.voterId);
    if (!items) {
      items = {};
      byVoter.set(b.voterId, items);
    }
    items[b.itemId] = {
      ...(b.choice === null ? {} : { choice: b.choice as Choice }),
      ...(b.ranking === null ? {} : { ranking: b.ranking }),
    };
  }
  return byVoter;
}

/** One item of one ballot event, as its timeline line states it, in the global order. */
export interface BallotFactRow extends BallotFact {
  transaction_id: string;
  global_position: string;
}

/**
 * The facts of one vote, recorded at or before `asOf`: one row per item of every ballot event
 * (cast, changed, corrected) on the proposal's timeline lines. A field the event did not state
 * is NULL, as `?? null` has it; an item's authorisation counts only when the event states `via`
 * (a correction keeps the earlier one). Read through the timeline's proposal index.
 */
export function ballotFacts(
  timelineSchema: string,
  communityId: string,
  proposalId: string,
  voteId: string,
  asOf: Checkpoint | undefined,
): AliasedRawBuilder<BallotFactRow, 'b'> {
  return sql<BallotFactRow>`(
    SELECT d."voterId" AS voter_id, c."itemId" AS item_id, c.choice, c.ranking, d.via,
           d."castBy" AS cast_by,
           CASE WHEN d.via IS NOT NULL THEN d."authorisationIds" ->> c."itemId" END AS authorisation_id,
           d."documentRef" AS document_ref, d.at AS cast_at, t.transaction_id, t.global_position
      FROM ${sql.table(`${timelineSchema}.timeline`)} t
     CROSS JOIN LATERAL json_to_record(t.details) AS d("voteId" text, "voterId" text,
           choices json, via text, "castBy" text, "authorisationIds" json, "documentRef" text,
           at text)
     CROSS JOIN LATERAL json_to_recordset(
           CASE WHEN json_typeof(d.choices) = 'array' THEN d.choices ELSE '[]' END)
           AS c("itemId" text, choice text, ranking text[])
     WHERE t.community_id = ${communityId} AND t.proposal_id = ${proposalId}
       AND t.type = ANY(${BALLOT_TYPES}::text[]) AND d."voteId" = ${voteId}
       AND ${recordedBy(asOf, 't.transaction_id', 't.global_position')})`.as('b');
}
