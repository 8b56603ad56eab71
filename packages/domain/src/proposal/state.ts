import type { Stage } from '../procedure/templates.ts';
import type { Actor, CommandsOf, Decision, EventsOf, OfType } from '../shared/decider.ts';
import type { PMap } from '../shared/pmap.ts';
import type { RecordedBallot } from '../vote/ballot.ts';
import type { ProposalItem, VoteRule, Voter, VoteScope } from '../vote/schemas.ts';
import type { ItemDecision, RulesVersion } from '../vote/tally.ts';
import type { proposalCommandSchemas, proposalEventSchemas } from './schemas.ts';

// 议题: a proposal follows a procedure, an ordered list of stages that cannot be skipped or
// reordered. Votes freeze their rule, electorate and closing time when they open; ballots are
// named and every version is an event; the decision holds every figure of the rule.

export type ProposalCommand = CommandsOf<typeof proposalCommandSchemas>;
export type ProposalEvent = EventsOf<typeof proposalEventSchemas>;
export type ProposalCommandType = ProposalCommand['type'];
export type ProposalEventType = ProposalEvent['type'];
/** The command of one type, as the function that decides it takes it. */
export type ProposalCommandOf<T extends ProposalCommandType> = OfType<ProposalCommand, T>;
export type ProposalDecision = Decision<ProposalEvent>;

export interface VoteState {
  readonly voteId: string;
  readonly stageIndex: number;
  readonly rule: VoteRule;
  readonly items: readonly ProposalItem[];
  readonly electorate: readonly Voter[];
  /** Indexes over the frozen electorate, built once when the vote opens. */
  readonly voters: ReadonlyMap<string, Voter>;
  readonly votersOfPerson: ReadonlyMap<string, readonly string[]>;
  readonly openedAt: string;
  readonly closesAt: string;
  readonly allowBallotChange: boolean;
  readonly planMethod?: 'plurality' | 'majority-runoff' | 'instant-runoff';
  readonly rulesVersion?: RulesVersion;
  /** voter id → item id → ballot. */
  readonly ballots: PMap<Readonly<Record<string, RecordedBallot>>>;
  readonly present: PMap<true>;
  /** Voters with a ballot on every item (voting may close early when all have). */
  readonly complete: number;
  readonly closed: boolean;
  /** The scheduler reminded the non-voters (once per vote). */
  readonly reminded?: true;
}

export interface DecisionState {
  readonly stageIndex: number;
  readonly outcome: 'adopted' | 'partly-adopted' | 'rejected';
  readonly decidedAt: string;
  readonly items: readonly ItemDecision[];
}

export interface ProposedAmendment {
  readonly status: 'pending' | 'accepted' | 'rejected';
  readonly title?: string;
  readonly description?: string;
  readonly items?: readonly ProposalItem[];
}

export interface Proposal {
  readonly status: 'active' | 'withdrawn';
  readonly communityId: string;
  readonly proposalId: string;
  readonly title: string;
  readonly description: string;
  readonly procedure: { readonly template: string; readonly version: number };
  readonly stages: readonly Stage[];
  readonly items: readonly ProposalItem[];
  /** A building or entrance whose owners decide (domain.md 3.1b); absent: the community. */
  readonly scope?: VoteScope;
  readonly submittedBy: Actor;
  readonly submittedAt: string;
  /** The stage in progress (or last completed); 0 is the submission. */
  readonly stageIndex: number;
  /** After a return to an earlier stage: the stage that must be entered next. */
  readonly returnTo?: number;
  /** Items may be amended before the first vote, and again after a return. */
  readonly amendable: boolean;
  /**
   * After a notice, until a decision stage is entered: the notice stage and when the next
   * stage may start. An amendment in that time outdates the notice: it must be given again.
   */
  readonly notice?: {
    readonly stageId: string;
    readonly minDays: number;
    readonly until: string;
    readonly outdated?: true;
  };
  readonly votesOpened: number;
  readonly vote?: VoteState;
  readonly decision?: DecisionState;
  readonly publication?: { readonly stageIndex: number; readonly endsAt: string };
  readonly objections: Readonly<Record<string, { stageIndex: number; answered: boolean }>>;
  readonly progressPercent?: number;
  /** From the decision's publication: when implementation is due, and whether it was flagged. */
  readonly implementationDueAt?: string;
  readonly overdueFlagged?: string;
  /** 落实责任人: named at publication or assigned since. */
  readonly implementationResponsibleId?: string;
  readonly feedbackGiven: boolean;
  /** Residents' amendments (修改建议) by id, with the text an acceptance adopts. */
  readonly amendments: Readonly<Record<string, ProposedAmendment>>;
  /** person id → satisfaction rating (满意度评议). */
  readonly ratings: PMap<number>;
}

export type ProposalState = { readonly status: 'none' } | Proposal;

export const initialState = (): ProposalState => ({ status: 'none' });

/** The stage the proposal is in (or last completed). */
export const currentStage = (state: Proposal): Stage | undefined => state.stages[state.stageIndex];
