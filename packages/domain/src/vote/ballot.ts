import type { Choice } from '../rules/types.ts';

// 选票: the rule by which a voter's ballot on one item follows from its facts (cast, changed,
// corrected), in the order they were recorded. The decider folds its events with it and the
// read side folds the rows it reads with it: the rule is written once, here.

/** How a ballot was cast. */
export type BallotVia = 'online' | 'proxy' | 'paper';

/** A voter's current ballot on one item; earlier versions stay in the event history. */
export interface RecordedBallot {
  readonly choice?: Choice;
  readonly ranking?: readonly string[];
  readonly via: BallotVia;
  readonly castBy: string;
  readonly authorisationId?: string;
  readonly documentRef?: string;
  /** How many versions this item's ballot has had (1 = never changed). */
  readonly versions: number;
}

/** What one ballot event states about one item of a voter's ballot; absent is not stated. */
export interface BallotFact {
  readonly voterId: string;
  readonly choice?: Choice | undefined;
  readonly ranking?: readonly string[] | undefined;
  /** Absent on a correction, which keeps how, by whom and under which authorisation. */
  readonly via?: BallotVia | undefined;
  readonly castBy?: string | undefined;
  /** This item's authorisation; it counts only when the fact states `via`. */
  readonly authorisationId?: string | undefined;
  readonly documentRef?: string | undefined;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The ballot after `fact`, given the `earlier` one (none before the first): the choice is the
 * fact's; a correction (no `via`) keeps how, by whom and under which authorisation the ballot
 * was cast; a paper reference stays until another is given.
 */
export function nextBallot(earlier: RecordedBallot | undefined, fact: BallotFact): RecordedBallot {
  // Built field by field, no undefined fields: this runs once per ballot in every fold.
  const ballot: Mutable<RecordedBallot> = {
    via: fact.via ?? earlier?.via ?? 'paper',
    castBy: fact.castBy ?? earlier?.castBy ?? fact.voterId,
    versions: (earlier?.versions ?? 0) + 1,
  };
  if (fact.choice !== undefined) ballot.choice = fact.choice;
  if (fact.ranking !== undefined) ballot.ranking = fact.ranking;
  const authorisationId = fact.via === undefined ? earlier?.authorisationId : fact.authorisationId;
  if (authorisationId !== undefined) ballot.authorisationId = authorisationId;
  const documentRef = fact.documentRef ?? earlier?.documentRef;
  if (documentRef !== undefined) ballot.documentRef = documentRef;
  return ballot;
}
