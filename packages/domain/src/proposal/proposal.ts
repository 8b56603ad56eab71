import { isDeepStrictEqual } from 'node:util';
import type { z } from 'zod';
import {
  builtInProcedure,
  type ProcedureDefinition,
  procedureProblem,
  type Stage,
  type StageKind,
} from '../procedure/templates.ts';
import type { Choice } from '../rules/types.ts';
import {
  type Actor,
  actorOf,
  type CommandsOf,
  type Decider,
  type EventsOf,
} from '../shared/decider.ts';
import { type DomainError, isDomainError, refuse } from '../shared/errors.ts';
import { defined } from '../shared/objects.ts';
import { emptyPMap, type PMap, pentries, pget, pset } from '../shared/pmap.ts';
import { addDays, atOrAfter, before } from '../shared/time.ts';
import { frozenRule } from '../vote/frozen-rule.ts';
import {
  type AuthorisationFact,
  type ItemChoice,
  isMeetingRule,
  type ProposalItem,
  type VoteRule,
  type Voter,
} from '../vote/schemas.ts';
import { type ItemDecision, RULES_VERSION, type RulesVersion, tallyVote } from '../vote/tally.ts';
import type { proposalCommandSchemas, proposalEventSchemas } from './schemas.ts';

export * from './schemas.ts';

// 议题: a proposal follows a procedure, an ordered list of stages that cannot be skipped or
// reordered. Votes freeze their rule, electorate and closing time when they open; ballots are
// named and every version is an event; the decision holds every figure of the rule.

export type ProposalCommand = CommandsOf<typeof proposalCommandSchemas>;
export type ProposalEvent = EventsOf<typeof proposalEventSchemas>;
export type ProposalCommandType = ProposalCommand['type'];
export type ProposalEventType = ProposalEvent['type'];

/** A voter's current ballot on one item; earlier versions stay in the event history. */
export interface RecordedBallot {
  readonly choice?: Choice;
  readonly ranking?: readonly string[];
  readonly via: 'online' | 'proxy' | 'paper';
  readonly castBy: string;
  readonly authorisationId?: string;
  readonly documentRef?: string;
  /** How many versions this item's ballot has had (1 = never changed). */
  readonly versions: number;
}

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
}

export interface DecisionState {
  readonly stageIndex: number;
  readonly outcome: 'adopted' | 'partly-adopted' | 'rejected';
  readonly decidedAt: string;
  readonly items: readonly ItemDecision[];
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
  readonly feedbackGiven: boolean;
  /** person id → satisfaction rating (满意度评议). */
  readonly ratings: PMap<number>;
}

export type ProposalState = { readonly status: 'none' } | Proposal;

// ---- evolve -------------------------------------------------------------------------------

/**
 * Moves to the stage of `stageId`. Entering a new stage clears the previous stage's facts;
 * entering a decision stage starts a new decision (the latest decision is the one that counts).
 */
function enter(state: Proposal, stageId: string): Proposal {
  const index = state.stages.findIndex((s) => s.id === stageId);
  if (index === state.stageIndex && state.returnTo === undefined) return state;
  const { returnTo: _r, notice, progressPercent: _p, publication: _pub, decision, ...rest } = state;
  const next = { ...rest, stageIndex: index, feedbackGiven: false };
  // The notice holds until the decision it announced; a new decision replaces the last one.
  if (state.stages[index]?.kind === 'decision') return next;
  return defined({ ...next, notice, decision });
}

function recordBallot(
  vote: VoteState,
  data: {
    voterId: string;
    choices: readonly ItemChoice[];
    via?: RecordedBallot['via'];
    castBy?: string;
    authorisationIds?: Readonly<Record<string, string>>;
    documentRef?: string;
  },
): VoteState {
  const previous = pget(vote.ballots, data.voterId) ?? {};
  const next: Record<string, RecordedBallot> = { ...previous };
  let before = 0;
  for (const _ in previous) before++;
  let added = 0;
  // Built field by field (no undefined fields): this runs once per ballot in every fold.
  for (const c of data.choices) {
    const earlier = previous[c.itemId];
    if (earlier === undefined) added++;
    const ballot: { -readonly [K in keyof RecordedBallot]: RecordedBallot[K] } = {
      via: data.via ?? earlier?.via ?? 'paper',
      castBy: data.castBy ?? earlier?.castBy ?? data.voterId,
      versions: (earlier?.versions ?? 0) + 1,
    };
    if ('choice' in c) ballot.choice = c.choice;
    else ballot.ranking = c.ranking;
    const authorisationId =
      data.via === undefined ? earlier?.authorisationId : data.authorisationIds?.[c.itemId];
    if (authorisationId !== undefined) ballot.authorisationId = authorisationId;
    const documentRef = data.documentRef ?? earlier?.documentRef;
    if (documentRef !== undefined) ballot.documentRef = documentRef;
    next[c.itemId] = ballot;
  }
  const items = vote.items.length;
  const completed = before < items && before + added === items;
  return {
    ...vote,
    ballots: pset(vote.ballots, data.voterId, next),
    complete: vote.complete + (completed ? 1 : 0),
  };
}

/** An amendment after the notice outdates it. */
function renoticed(state: Proposal, data: { renoticeRequired?: { stageId: string } }): Proposal {
  return data.renoticeRequired && state.notice
    ? { ...state, notice: { ...state.notice, outdated: true } }
    : state;
}

function evolveProposal(state: Proposal, event: ProposalEvent): Proposal {
  switch (event.type) {
    case 'ProposalSubmitted':
      return state;
    case 'ProposalAmended': {
      const { title, description, items } = event.data;
      return renoticed({ ...state, ...defined({ title, description, items }) }, event.data);
    }
    case 'OptionAdded':
      return renoticed(
        {
          ...state,
          items: state.items.map((item) =>
            item.itemId === event.data.itemId
              ? { ...item, options: [...item.options, event.data.option] }
              : item,
          ),
        },
        event.data,
      );
    case 'ProposalAcceptedOntoAgenda':
    case 'DeliberationRecorded':
      return enter(state, event.data.stageId);
    case 'NoticeGiven': {
      const stage = state.stages.find((s) => s.id === event.data.stageId);
      const notice = {
        stageId: event.data.stageId,
        minDays: stage?.kind === 'notice' ? stage.minDays : 0,
        until: event.data.nextStageFrom,
      };
      return { ...(event.data.renewed ? state : enter(state, event.data.stageId)), notice };
    }
    case 'VotingOpened': {
      const d = event.data;
      const voters = new Map(d.electorate.map((v) => [v.voterId, v]));
      const votersOfPerson = new Map<string, string[]>();
      for (const v of d.electorate) {
        for (const p of v.personIds)
          votersOfPerson.set(p, [...(votersOfPerson.get(p) ?? []), v.voterId]);
      }
      const vote: VoteState = {
        voteId: d.voteId,
        stageIndex: state.stages.findIndex((s) => s.id === d.stageId),
        rule: d.rule,
        items: d.items,
        electorate: d.electorate,
        voters,
        votersOfPerson,
        openedAt: d.at,
        closesAt: d.closesAt,
        allowBallotChange: d.allowBallotChange,
        ...defined({ planMethod: d.planMethod, rulesVersion: d.rulesVersion }),
        ballots: emptyPMap(),
        present: emptyPMap(),
        complete: 0,
        closed: false,
      };
      return {
        ...enter(state, d.stageId),
        vote,
        votesOpened: state.votesOpened + 1,
        amendable: false,
      };
    }
    case 'PresenceRecorded': {
      if (!state.vote) return state;
      let present = state.vote.present;
      for (const id of event.data.voterIds) present = pset(present, id, true as const);
      return { ...state, vote: { ...state.vote, present } };
    }
    case 'BallotCast':
    case 'BallotChanged':
    case 'PaperBallotCorrected':
      return state.vote ? { ...state, vote: recordBallot(state.vote, event.data) } : state;
    case 'VotingClosed':
      return state.vote ? { ...state, vote: { ...state.vote, closed: true } } : state;
    case 'ProposalDecided': {
      const entered = enter(state, event.data.stageId);
      return {
        ...entered,
        amendable: false,
        decision: {
          stageIndex: entered.stageIndex,
          outcome: event.data.outcome,
          decidedAt: event.data.at,
          items: event.data.items,
        },
      };
    }
    case 'ProposalReturned':
      return {
        ...state,
        returnTo: state.stages.findIndex((s) => s.id === event.data.toStageId),
        amendable: true,
      };
    case 'ProposalPublished': {
      const entered = enter(state, event.data.stageId);
      return {
        ...entered,
        publication: { stageIndex: entered.stageIndex, endsAt: event.data.endsAt },
      };
    }
    case 'ObjectionRaised':
      return {
        ...state,
        objections: {
          ...state.objections,
          [event.data.objectionId]: { stageIndex: state.stageIndex, answered: false },
        },
      };
    case 'ObjectionAnswered': {
      const objection = state.objections[event.data.objectionId];
      if (!objection) return state;
      return {
        ...state,
        objections: {
          ...state.objections,
          [event.data.objectionId]: { ...objection, answered: true },
        },
      };
    }
    case 'ImplementationReported':
      return { ...enter(state, event.data.stageId), progressPercent: event.data.progressPercent };
    case 'FeedbackReported':
      return { ...enter(state, event.data.stageId), feedbackGiven: true };
    case 'SatisfactionRated':
      return { ...state, ratings: pset(state.ratings, event.data.by.personId, event.data.rating) };
    case 'ProposalWithdrawn':
      return { ...state, status: 'withdrawn' };
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

// ---- decide -------------------------------------------------------------------------------

type Decision = readonly ProposalEvent[] | DomainError;
type EventData<T extends ProposalEventType> = Extract<ProposalEvent, { type: T }>['data'];
type Emit = <T extends ProposalEventType>(
  type: T,
  data: Omit<EventData<T>, 'at' | 'by'>,
) => ProposalEvent;
type Data<T extends ProposalCommandType> = z.infer<(typeof proposalCommandSchemas)[T]>;

const stageName = (stage: Stage | undefined) => (stage ? `${stage.id} (${stage.name})` : 'none');

/**
 * Whether the proposal may enter its next stage, which must be of `kind`: the next stage in
 * order (or the stage it returned to), with the current stage complete.
 */
function gate(
  state: Proposal,
  kind: StageKind,
  at: string,
): { index: number; stage: Stage } | DomainError {
  const current = state.stages[state.stageIndex];
  const index = state.returnTo ?? state.stageIndex + 1;
  const stage = state.stages[index];
  if (!current) return refuse('stage-out-of-order', 'the proposal has no current stage');
  if (!stage || stage.kind !== kind) {
    return refuse(
      'stage-out-of-order',
      `the next stage is ${stageName(stage)}, not a ${kind} stage`,
      { current: current.id, next: stage?.id ?? null, requested: kind },
    );
  }
  if (state.returnTo !== undefined) return { index, stage };
  const notice = state.notice;
  if (notice?.outdated) {
    return refuse('notice-outdated', 'the proposal was amended after its notice: give it again', {
      stageId: notice.stageId,
    });
  }
  if (notice !== undefined && before(at, notice.until)) {
    return refuse('notice-period-not-elapsed', `the notice period runs until ${notice.until}`, {
      nextStageFrom: notice.until,
      minDays: notice.minDays,
    });
  }
  const incomplete = incompleteBecause(state, current, stage, at);
  return incomplete ?? { index, stage };
}

/** Why the current stage does not yet allow `next`, or undefined. */
function incompleteBecause(
  state: Proposal,
  current: Stage,
  next: Stage,
  at: string,
): DomainError | undefined {
  switch (current.kind) {
    case 'submission':
    case 'agenda':
    case 'notice': // its period is checked by gate while the notice holds
    case 'deliberation':
    case 'feedback':
      return undefined;
    case 'decision': {
      const decision = state.decision;
      if (decision?.stageIndex !== state.stageIndex) {
        return state.vote && !state.vote.closed && state.vote.stageIndex === state.stageIndex
          ? refuse('voting-open', 'the vote is still open')
          : refuse('stage-out-of-order', `stage ${current.id} is not decided yet`);
      }
      if (decision.outcome !== 'rejected') return undefined;
      if (current.ifRejected === 'publish' && next.kind === 'publication') return undefined;
      return current.ifRejected === 'end'
        ? refuse('proposal-closed', 'the proposal was rejected and is closed')
        : refuse('not-adopted', 'the proposal was rejected', { ifRejected: current.ifRejected });
    }
    case 'publication': {
      const publication = state.publication;
      if (publication?.stageIndex !== state.stageIndex) {
        return refuse('stage-out-of-order', `stage ${current.id} is not published yet`);
      }
      if (before(at, publication.endsAt)) {
        return refuse(
          'publication-period-open',
          `the publication runs until ${publication.endsAt}`,
          {
            endsAt: publication.endsAt,
          },
        );
      }
      const open = Object.entries(state.objections)
        .filter(([, o]) => o.stageIndex === state.stageIndex && !o.answered)
        .map(([id]) => id);
      if (open.length > 0) {
        return refuse('objections-unanswered', 'objections are waiting for an answer', {
          objectionIds: open,
        });
      }
      return state.decision?.outcome === 'rejected'
        ? refuse('not-adopted', 'the rejection was published; the proposal is closed')
        : undefined;
    }
    case 'implementation':
      return (state.progressPercent ?? 0) < 100
        ? refuse('implementation-incomplete', 'implementation is not reported complete', {
            progressPercent: state.progressPercent ?? 0,
          })
        : undefined;
    default: {
      const _exhaustive: never = current;
      return undefined;
    }
  }
}

function isSubmitterOrConvener(state: Proposal, actor: Actor): boolean {
  return actor.role === 'convener' || actor.personId === state.submittedBy.personId;
}

function itemsProblem(items: readonly ProposalItem[]): string | undefined {
  const ids = new Set<string>();
  for (const item of items) {
    if (ids.has(item.itemId)) return `item ${item.itemId} appears twice`;
    ids.add(item.itemId);
    const options = new Set(item.options.map((o) => o.optionId));
    if (options.size !== item.options.length) return `item ${item.itemId} lists an option twice`;
    if (item.kind === 'motion' && item.options.length > 0) return `motion ${item.itemId} has plans`;
  }
  return undefined;
}

/** The open vote of the current stage at time `at`. */
function openVote(state: Proposal, at: string): VoteState | DomainError {
  const vote = state.vote;
  if (!vote || vote.stageIndex !== state.stageIndex || before(at, vote.openedAt)) {
    return refuse('voting-not-open', 'no vote is open');
  }
  if (vote.closed || atOrAfter(at, vote.closesAt)) {
    return refuse('voting-closed', `voting closed at ${vote.closesAt}`, {
      closesAt: vote.closesAt,
    });
  }
  return vote;
}

function choicesProblem(vote: VoteState, choices: readonly ItemChoice[]): DomainError | undefined {
  const seen = new Set<string>();
  for (const c of choices) {
    const item = vote.items.find((i) => i.itemId === c.itemId);
    if (!item) return refuse('invalid-command', `item ${c.itemId} is not in this vote`);
    if (seen.has(c.itemId)) return refuse('invalid-command', `item ${c.itemId} is chosen twice`);
    seen.add(c.itemId);
    if (item.kind === 'motion' && !('choice' in c)) {
      return refuse('invalid-command', `item ${c.itemId} takes yes, no or abstain`);
    }
    if (item.kind === 'plans') {
      if (!('ranking' in c))
        return refuse('invalid-command', `item ${c.itemId} takes a ranking of plans`);
      const known = new Set(item.options.map((o) => o.optionId));
      if (c.ranking.some((o) => !known.has(o)) || new Set(c.ranking).size !== c.ranking.length) {
        return refuse('invalid-command', `item ${c.itemId}: unknown or repeated plan`);
      }
      if (vote.planMethod !== 'instant-runoff' && c.ranking.length > 1) {
        return refuse('invalid-command', `item ${c.itemId} takes one plan`);
      }
    }
  }
  return undefined;
}

/** The voter a person votes as: the named one, or their only one. */
function voterOf(
  vote: VoteState,
  personId: string,
  voterId: string | undefined,
): Voter | DomainError {
  if (voterId !== undefined) {
    const voter = vote.voters.get(voterId);
    if (!voter?.personIds.includes(personId)) {
      return refuse('not-eligible', `${personId} may not vote as ${voterId}`, { voterId });
    }
    return voter;
  }
  const ids = vote.votersOfPerson.get(personId) ?? [];
  if (ids.length === 0) return refuse('not-eligible', `${personId} is not in the electorate`);
  if (ids.length > 1) {
    return refuse('invalid-command', 'name the voter: you vote for several', {
      voterIds: [...ids],
    });
  }
  return vote.voters.get(ids[0]!)!;
}

function votedItems(vote: VoteState, voterId: string, choices: readonly ItemChoice[]): string[] {
  const ballots = pget(vote.ballots, voterId) ?? {};
  return choices.filter((c) => ballots[c.itemId] !== undefined).map((c) => c.itemId);
}

/**
 * Checks a proxy's authorisations (passed in from the registry): one per chosen item, active,
 * for this proposal, held by `proxyId` and given by one of the voter's owners.
 */
function authorisationsFor(
  state: Proposal,
  voter: Voter,
  proxyId: string,
  choices: readonly ItemChoice[],
  authorisations: readonly AuthorisationFact[],
): Record<string, string> | DomainError {
  const ids: Record<string, string> = {};
  for (const c of choices) {
    const a = authorisations.find(
      (x) =>
        x.itemId === c.itemId &&
        x.active &&
        x.proposalId === state.proposalId &&
        x.proxyId === proxyId &&
        voter.personIds.includes(x.ownerId),
    );
    if (!a) {
      return refuse(
        'not-authorised',
        `${proxyId} holds no authorisation of ${voter.voterId} for ${c.itemId}`,
        {
          voterId: voter.voterId,
          itemId: c.itemId,
        },
      );
    }
    ids[c.itemId] = a.authorisationId;
  }
  return ids;
}

function overall(items: readonly ItemDecision[]): DecisionState['outcome'] {
  const adopted = items.filter((i) => i.outcome === 'adopted').length;
  return adopted === items.length ? 'adopted' : adopted === 0 ? 'rejected' : 'partly-adopted';
}

/** Tallies a vote from its frozen parameters and final ballots (and presence). */
export function tallyOf(vote: VoteState): ItemDecision[] {
  return tallyVote({
    rule: vote.rule,
    items: vote.items,
    electorate: vote.electorate,
    ...defined({ planMethod: vote.planMethod, rulesVersion: vote.rulesVersion }),
    ballots: pentries(vote.ballots),
    present: [...pentries(vote.present)].map(([id]) => id),
  });
}

function voteProblem(
  data: Data<'OpenVoting'>,
  rule: VoteRule,
  stage: Stage,
  items: readonly ProposalItem[],
  at: string,
) {
  const { electorate } = data;
  if (stage.kind !== 'decision' || !stage.rules.includes(rule.kind)) {
    return `stage ${stage.id} does not decide by ${rule.kind}`;
  }
  if (!before(at, data.closesAt)) return 'voting must close after it opens';
  if (new Set(electorate.map((v) => v.voterId)).size !== electorate.length) {
    return 'a voter appears twice in the electorate';
  }
  if (rule.kind === 'art279-consent' && items.some((i) => i.kind !== 'motion')) {
    return `${rule.kind} decides motions only`;
  }
  if (rule.kind === 'owners-278' && items.some((i) => i.matter === undefined)) {
    return 'every item of an owners’ vote needs its Art. 278 matter';
  }
  if (items.some((i) => i.kind === 'plans' && i.options.length < 2))
    return 'a plans item needs two plans';
  if (items.some((i) => i.kind === 'plans') && data.planMethod === undefined) {
    return 'plans items need a plan method';
  }
  if (
    (rule.kind === 'villagers-meeting' || rule.kind === 'villager-group-meeting') &&
    electorate.some((v) => v.householdId === undefined)
  ) {
    return 'villagers’ meetings count households: every voter needs one';
  }
  return undefined;
}

function decideProposal(command: ProposalCommand, state: Proposal): Decision {
  const { actor, at } = command;
  const by = actorOf(command);
  const emit: Emit = (type, data) =>
    ({ type, data: { ...data, at, by } }) as unknown as ProposalEvent;
  const current = state.stages[state.stageIndex];

  switch (command.type) {
    case 'SubmitProposal':
      return refuse('already-exists', `proposal ${command.data.proposalId} exists`);

    case 'AmendProposal':
    case 'AddOption': {
      if (!isSubmitterOrConvener(state, actor)) {
        return refuse('not-authorised', 'only the submitter or the convener amends a proposal');
      }
      if (!state.amendable) return refuse('amendment-closed', 'amendments close when voting opens');
      // Amended after the notice: notice must be given again, and its period runs anew.
      const renoticeRequired = state.notice && { stageId: state.notice.stageId };
      if (command.type === 'AmendProposal') {
        const problem = command.data.items && itemsProblem(command.data.items);
        return problem
          ? refuse('invalid-command', problem)
          : [emit('ProposalAmended', defined({ ...command.data, renoticeRequired }))];
      }
      const { itemId, option } = command.data;
      const item = state.items.find((i) => i.itemId === itemId);
      if (!item) return refuse('not-found', `no item ${itemId}`);
      if (item.kind !== 'plans') return refuse('invalid-command', `item ${itemId} is a motion`);
      if (item.options.some((o) => o.optionId === option.optionId)) {
        return refuse('already-exists', `plan ${option.optionId} exists`);
      }
      return [emit('OptionAdded', defined({ ...command.data, renoticeRequired }))];
    }

    case 'AcceptOntoAgenda': {
      const entered = gate(state, 'agenda', at);
      if (isDomainError(entered)) return entered;
      return [emit('ProposalAcceptedOntoAgenda', { ...command.data, stageId: entered.stage.id })];
    }

    case 'GiveNotice': {
      const outdated = state.notice?.outdated ? state.notice : undefined;
      if (outdated) {
        return [
          emit('NoticeGiven', {
            ...command.data,
            stageId: outdated.stageId,
            nextStageFrom: addDays(at, outdated.minDays),
            renewed: true,
          }),
        ];
      }
      const entered = gate(state, 'notice', at);
      if (isDomainError(entered)) return entered;
      const minDays = entered.stage.kind === 'notice' ? entered.stage.minDays : 0;
      return [
        emit('NoticeGiven', {
          ...command.data,
          stageId: entered.stage.id,
          nextStageFrom: addDays(at, minDays),
        }),
      ];
    }

    case 'RecordDeliberation': {
      const repeat = current?.kind === 'deliberation' && state.returnTo === undefined;
      const entered = repeat ? { stage: current } : gate(state, 'deliberation', at);
      if (isDomainError(entered)) return entered;
      return [emit('DeliberationRecorded', { ...command.data, stageId: entered.stage.id })];
    }

    case 'OpenVoting': {
      const entered = gate(state, 'decision', at);
      if (isDomainError(entered)) return entered;
      const data = command.data;
      const rule = frozenRule(data.rule, data.communityRules);
      if (isDomainError(rule)) return rule;
      const problem = voteProblem(data, rule, entered.stage, state.items, at);
      if (problem) return refuse('invalid-command', problem);
      const totals = { voters: data.electorate.length, heads: 0, areaCentiM2: 0 };
      for (const v of data.electorate) {
        totals.heads += v.heads;
        totals.areaCentiM2 += v.areaCentiM2;
      }
      return [
        emit(
          'VotingOpened',
          defined({
            voteId: `${entered.stage.id}-${state.votesOpened + 1}`,
            stageId: entered.stage.id,
            rule,
            items: [...state.items],
            electorate: data.electorate,
            totals,
            closesAt: data.closesAt,
            allowBallotChange: data.allowBallotChange ?? false,
            planMethod: data.planMethod,
            rulesVersion: RULES_VERSION,
          }),
        ),
      ];
    }

    case 'RecordPresence': {
      const vote = openVote(state, at);
      if (isDomainError(vote)) return vote;
      if (!isMeetingRule(vote.rule)) {
        return refuse('invalid-command', 'presence counts only in meeting votes');
      }
      const outside = command.data.voterIds.filter((id) => !vote.voters.has(id));
      if (outside.length > 0) {
        return refuse('not-eligible', 'not in the electorate', { voterIds: outside });
      }
      const fresh = [...new Set(command.data.voterIds)].filter((id) => !pget(vote.present, id));
      return fresh.length === 0
        ? []
        : [emit('PresenceRecorded', { voteId: vote.voteId, voterIds: fresh })];
    }

    case 'CastBallot': {
      const vote = openVote(state, at);
      if (isDomainError(vote)) return vote;
      const voter = voterOf(vote, actor.personId, command.data.voterId);
      if (isDomainError(voter)) return voter;
      const problem = choicesProblem(vote, command.data.choices);
      if (problem) return problem;
      const voted = votedItems(vote, voter.voterId, command.data.choices);
      if (voted.length > 0)
        return refuse('already-voted', 'one ballot per voter per item', { itemIds: voted });
      return [
        emit('BallotCast', {
          voteId: vote.voteId,
          voterId: voter.voterId,
          choices: command.data.choices,
          via: 'online',
          castBy: actor.personId,
        }),
      ];
    }

    case 'CastProxyBallot':
    case 'ChangeBallot': {
      const vote = openVote(state, at);
      if (isDomainError(vote)) return vote;
      const { choices } = command.data;
      const asProxy = command.type === 'CastProxyBallot' || actor.role === 'proxy';
      let voter: Voter | DomainError;
      let authorisationIds: Record<string, string> | undefined;
      if (asProxy) {
        const voterId = command.data.voterId;
        const found = voterId === undefined ? undefined : vote.voters.get(voterId);
        voter =
          found ?? refuse('not-eligible', `${voterId ?? 'no voter'} is not in the electorate`);
        if (!isDomainError(voter)) {
          const ids = authorisationsFor(
            state,
            voter,
            actor.personId,
            choices,
            command.data.authorisations ?? [],
          );
          if (isDomainError(ids)) return ids;
          authorisationIds = ids;
        }
      } else {
        voter = voterOf(vote, actor.personId, command.data.voterId);
      }
      if (isDomainError(voter)) return voter;
      const problem = choicesProblem(vote, choices);
      if (problem) return problem;
      const voted = votedItems(vote, voter.voterId, choices);
      const ballot = {
        voteId: vote.voteId,
        voterId: voter.voterId,
        choices,
        via: asProxy ? ('proxy' as const) : ('online' as const),
        castBy: actor.personId,
        ...defined({ authorisationIds }),
      };
      if (command.type === 'CastProxyBallot') {
        if (voted.length > 0)
          return refuse('already-voted', 'one ballot per voter per item', { itemIds: voted });
        return [emit('BallotCast', ballot)];
      }
      if (!vote.allowBallotChange) {
        return refuse('ballot-change-not-allowed', 'this vote does not allow changing a ballot');
      }
      if (voted.length < choices.length) {
        return refuse('not-found', 'no earlier ballot to change on every item');
      }
      return [emit('BallotChanged', ballot)];
    }

    case 'EnterPaperBallot': {
      const vote = openVote(state, at);
      if (isDomainError(vote)) return vote;
      const { voterId, choices, documentRef, signedBy, authorisations } = command.data;
      const voter = vote.voters.get(voterId);
      if (!voter) return refuse('not-eligible', `${voterId} is not in the electorate`, { voterId });
      let authorisationIds: Record<string, string> | undefined;
      if (!voter.personIds.includes(signedBy)) {
        const ids = authorisationsFor(state, voter, signedBy, choices, authorisations ?? []);
        if (isDomainError(ids)) return ids;
        authorisationIds = ids;
      }
      const problem = choicesProblem(vote, choices);
      if (problem) return problem;
      const voted = votedItems(vote, voterId, choices);
      if (voted.length > 0)
        return refuse('already-voted', 'one ballot per voter per item', { itemIds: voted });
      return [
        emit('BallotCast', {
          voteId: vote.voteId,
          voterId,
          choices,
          via: 'paper',
          castBy: signedBy,
          documentRef,
          ...defined({ authorisationIds }),
        }),
      ];
    }

    case 'CorrectPaperBallot': {
      // A correction fixes a clerk's entry of a ballot cast in time, so it is allowed until
      // the vote is closed and tallied, even after the closing time.
      const vote = state.vote;
      if (!vote || vote.stageIndex !== state.stageIndex)
        return refuse('voting-not-open', 'no vote');
      if (vote.closed) return refuse('voting-closed', 'the vote is closed and tallied');
      const { voterId, choices } = command.data;
      const problem = choicesProblem(vote, choices);
      if (problem) return problem;
      const ballots = pget(vote.ballots, voterId) ?? {};
      const notPaper = choices
        .filter((c) => ballots[c.itemId]?.via !== 'paper')
        .map((c) => c.itemId);
      if (notPaper.length > 0) {
        return refuse('not-found', 'no paper ballot to correct', { voterId, itemIds: notPaper });
      }
      return [emit('PaperBallotCorrected', { ...command.data, voteId: vote.voteId })];
    }

    case 'CloseVoting': {
      const vote = state.vote;
      if (!vote || vote.stageIndex !== state.stageIndex)
        return refuse('voting-not-open', 'no vote is open');
      if (vote.closed) return refuse('voting-closed', 'the vote is already closed');
      const { meetingEnded } = command.data;
      if (meetingEnded && !isMeetingRule(vote.rule)) {
        return refuse('invalid-command', 'only a meeting vote closes when the meeting ends');
      }
      const everyone = vote.complete === vote.electorate.length;
      if (before(at, vote.closesAt) && !everyone && !meetingEnded) {
        return refuse('voting-still-open', `voting closes at ${vote.closesAt}`, {
          closesAt: vote.closesAt,
        });
      }
      const items = tallyOf(vote);
      return [
        emit(
          'VotingClosed',
          defined({
            voteId: vote.voteId,
            early: before(at, vote.closesAt),
            meetingEnded: meetingEnded || undefined,
          }),
        ),
        emit('ProposalDecided', {
          stageId: state.stages[vote.stageIndex]!.id,
          voteId: vote.voteId,
          outcome: overall(items),
          items,
        }),
      ];
    }

    case 'RecordSessionResolution': {
      const entered = gate(state, 'decision', at);
      if (isDomainError(entered)) return entered;
      if (entered.stage.kind !== 'decision' || !entered.stage.rules.includes('joint-session')) {
        return refuse(
          'invalid-command',
          `stage ${entered.stage.id} is not decided in a joint session`,
        );
      }
      const { sessionId, sessionItemId, outcome, result } = command.data;
      const items = state.items.map((i) => ({ itemId: i.itemId, outcome, result }));
      return [
        emit('ProposalDecided', {
          stageId: entered.stage.id,
          sessionId,
          sessionItemId,
          outcome: overall(items),
          items,
        }),
      ];
    }

    case 'ReturnToStage': {
      if (current?.kind !== 'decision' || state.decision?.stageIndex !== state.stageIndex) {
        return refuse('stage-out-of-order', 'only a decided stage returns to consultation');
      }
      if (state.returnTo !== undefined) return refuse('invalid-command', 'already returned');
      if (state.decision.outcome === 'adopted')
        return refuse('invalid-command', 'the decision was adopted');
      if (current.ifRejected !== 'return' || current.returnTo === undefined) {
        return refuse('invalid-command', `stage ${current.id} does not return after a rejection`);
      }
      return [
        emit('ProposalReturned', {
          fromStageId: current.id,
          toStageId: current.returnTo,
          reason: command.data.reason,
        }),
      ];
    }

    case 'Publish': {
      const entered = gate(state, 'publication', at);
      if (isDomainError(entered)) return entered;
      const stage = entered.stage;
      if (stage.kind !== 'publication') return refuse('stage-out-of-order', 'not a publication');
      const deadline =
        stage.withinDays !== undefined && state.decision
          ? addDays(state.decision.decidedAt, stage.withinDays)
          : undefined;
      return [
        emit(
          'ProposalPublished',
          defined({
            ...command.data,
            stageId: stage.id,
            subject: stage.subject,
            endsAt: addDays(at, stage.periodDays),
            deadline,
            // Publishing late is recorded, not refused: the record must show what happened.
            onTime: deadline === undefined ? undefined : !before(deadline, at),
          }),
        ),
      ];
    }

    case 'RaiseObjection': {
      const publication = state.publication;
      if (current?.kind !== 'publication' || publication?.stageIndex !== state.stageIndex) {
        return refuse('stage-out-of-order', 'objections are raised during a publication');
      }
      if (atOrAfter(at, publication.endsAt)) {
        return refuse('publication-closed', `the publication ended at ${publication.endsAt}`);
      }
      if (state.objections[command.data.objectionId]) {
        return refuse('already-exists', `objection ${command.data.objectionId} exists`);
      }
      return [emit('ObjectionRaised', { ...command.data, stageId: current.id })];
    }

    case 'AnswerObjection': {
      const objection = state.objections[command.data.objectionId];
      if (!objection) return refuse('not-found', `no objection ${command.data.objectionId}`);
      if (objection.answered) return refuse('already-resolved', 'the objection was answered');
      return [emit('ObjectionAnswered', command.data)];
    }

    case 'ReportImplementation': {
      const repeat = current?.kind === 'implementation' && state.returnTo === undefined;
      const entered = repeat ? { stage: current } : gate(state, 'implementation', at);
      if (isDomainError(entered)) return entered;
      const { itemId } = command.data;
      if (itemId !== undefined && !state.items.some((i) => i.itemId === itemId)) {
        return refuse('not-found', `no item ${itemId}`);
      }
      return [emit('ImplementationReported', { ...command.data, stageId: entered.stage.id })];
    }

    case 'ReportFeedback': {
      const repeat = current?.kind === 'feedback' && state.returnTo === undefined;
      const entered = repeat ? { stage: current } : gate(state, 'feedback', at);
      if (isDomainError(entered)) return entered;
      return [emit('FeedbackReported', { ...command.data, stageId: entered.stage.id })];
    }

    case 'RateSatisfaction': {
      if (current?.kind !== 'feedback' || !state.feedbackGiven) {
        return refuse('stage-out-of-order', 'ratings follow the feedback');
      }
      if (pget(state.ratings, actor.personId) !== undefined) {
        return refuse('already-exists', `${actor.personId} already rated`);
      }
      return [emit('SatisfactionRated', command.data)];
    }

    case 'WithdrawProposal': {
      if (!isSubmitterOrConvener(state, actor)) {
        return refuse('not-authorised', 'only the submitter or the convener withdraws a proposal');
      }
      if (state.vote && !state.vote.closed) return refuse('voting-open', 'a vote is open');
      if (state.decision) return refuse('already-resolved', 'a decided proposal is not withdrawn');
      return [emit('ProposalWithdrawn', command.data)];
    }

    default: {
      const _exhaustive: never = command;
      return refuse('invalid-command', 'unknown command');
    }
  }
}

/** The procedure a submission names: a built-in template or the definition passed in. */
function resolveProcedure(data: Data<'SubmitProposal'>): ProcedureDefinition | DomainError {
  const { procedure, procedureVersion, procedureDefinition } = data;
  const definition = procedureDefinition ?? builtInProcedure(procedure);
  if (!definition || definition.templateId !== procedure) {
    return refuse('invalid-command', `unknown procedure ${procedure}`, { procedure });
  }
  if (procedureVersion !== undefined && procedureVersion !== definition.version) {
    return refuse('invalid-command', `procedure ${procedure} has no version ${procedureVersion}`);
  }
  const problem = procedureProblem(definition.stages);
  return problem ? refuse('invalid-command', problem) : definition;
}

/** A procedure whose every decision is the owners' (业主共同决定 under Art. 278, or Art. 279). */
export function isOwnersProcedure(stages: readonly Stage[]): boolean {
  const rules = stages.flatMap((s) => (s.kind === 'decision' ? s.rules : []));
  return rules.length > 0 && rules.every((r) => r === 'owners-278' || r === 'art279-consent');
}

/**
 * Who puts a matter to the owners (domain.md 1 and 2.2): an owner, being a person owning a
 * unit in the registry (the service's context, never the body); the owners' committee
 * (业主委员会) through its representative; or the convener (the residents' committee, which
 * organises the owners where no owners' committee exists). Residents who own nothing, and
 * other parties, have no say in the owners' joint decision.
 */
function ownersSubmitterProblem(
  actor: Actor,
  data: Data<'SubmitProposal'>,
): DomainError | undefined {
  switch (actor.role) {
    case 'owner':
      // The units come from the registry (a context field the command service fills, never the
      // body's); absent means nobody looked, and is refused like an owner of nothing.
      return data.submitterUnitIds !== undefined && data.submitterUnitIds.length > 0
        ? undefined
        : refuse(
            'not-eligible',
            'only an owner of a unit in the registry puts a matter to the owners',
            {
              personId: actor.personId,
            },
          );
    case 'party_representative':
      return data.onBehalfOf?.partyKind === 'owners-committee' &&
        data.onBehalfOf.partyId === actor.partyId
        ? undefined
        : refuse(
            'not-eligible',
            'of the parties, only the owners’ committee puts a matter to the owners',
            {
              partyId: actor.partyId,
            },
          );
    case 'convener':
      return undefined;
    default:
      return refuse(
        'not-eligible',
        'a matter for the owners is put by an owner, the owners’ committee or the convener',
        {
          role: actor.role,
        },
      );
  }
}

function decideSubmission(command: Extract<ProposalCommand, { type: 'SubmitProposal' }>): Decision {
  const { actor, data } = command;
  const definition = resolveProcedure(data);
  if (isDomainError(definition)) return definition;
  const first = definition.stages[0];
  if (first?.kind === 'submission' && first.submitterPartyKinds.length > 0) {
    const party = data.onBehalfOf;
    const allowed =
      actor.role === 'party_representative' &&
      party !== undefined &&
      party.partyId === actor.partyId &&
      first.submitterPartyKinds.includes(party.partyKind);
    if (!allowed) {
      return refuse(
        'not-authorised',
        `${first.name}: submitted by ${first.submitterPartyKinds.join(', ')}`,
      );
    }
  }
  const owners = isOwnersProcedure(definition.stages);
  if (owners) {
    const refusal = ownersSubmitterProblem(actor, data);
    if (refusal) return refusal;
  }
  const items = data.items ?? [
    { itemId: 'main', title: data.title, kind: 'motion' as const, options: [] },
  ];
  const problem = itemsProblem(items);
  if (problem) return refuse('invalid-command', problem);
  return [
    {
      type: 'ProposalSubmitted',
      data: defined({
        communityId: data.communityId,
        proposalId: data.proposalId,
        title: data.title,
        description: data.description,
        procedure: {
          template: definition.templateId,
          version: definition.version,
          name: definition.name,
          stages: definition.stages,
        },
        items,
        onBehalfOf: data.onBehalfOf,
        submitterUnitIds: owners && actor.role === 'owner' ? data.submitterUnitIds : undefined,
        submittedBy: actorOf(command),
        submittedAt: command.at,
      }),
    },
  ];
}

// ---- the decider --------------------------------------------------------------------------

export const proposalDecider: Decider<ProposalCommand, ProposalEvent, ProposalState> = {
  initialState: () => ({ status: 'none' }),
  evolve(state, event) {
    if (event.type === 'ProposalSubmitted') {
      const d = event.data;
      return {
        status: 'active',
        communityId: d.communityId,
        proposalId: d.proposalId,
        title: d.title,
        description: d.description,
        procedure: { template: d.procedure.template, version: d.procedure.version },
        stages: d.procedure.stages,
        items: d.items,
        submittedBy: d.submittedBy,
        submittedAt: d.submittedAt,
        stageIndex: 0,
        amendable: true,
        votesOpened: 0,
        objections: {},
        feedbackGiven: false,
        ratings: emptyPMap(),
      };
    }
    return state.status === 'none' ? state : evolveProposal(state, event);
  },
  decide(command, state): Decision {
    if (state.status === 'none') {
      return command.type === 'SubmitProposal'
        ? decideSubmission(command)
        : refuse('not-found', 'no such proposal');
    }
    if (state.status === 'withdrawn' && command.type !== 'SubmitProposal') {
      return refuse('proposal-withdrawn', 'the proposal was withdrawn');
    }
    return decideProposal(command, state);
  },
};

/**
 * Recomputes every tallied decision of a proposal from its events alone and compares it with
 * the decision on record: what an official runs to verify a result, years later.
 */
export function verifyDecisions(
  events: readonly ProposalEvent[],
): { voteId: string; recorded: ItemDecision[]; recomputed: ItemDecision[]; matches: boolean }[] {
  const results: ReturnType<typeof verifyDecisions> = [];
  let state = proposalDecider.initialState();
  for (const event of events) {
    if (
      event.type === 'ProposalDecided' &&
      event.data.voteId !== undefined &&
      state.status !== 'none'
    ) {
      const vote = state.vote;
      const recomputed = vote?.voteId === event.data.voteId ? tallyOf(vote) : [];
      results.push({
        voteId: event.data.voteId,
        recorded: event.data.items,
        recomputed,
        matches: sameJsonValue(recomputed, event.data.items),
      });
    }
    state = proposalDecider.evolve(state, event);
  }
  return results;
}

/**
 * Equal as JSON values: key order does not count (a store may reorder keys), and fields that
 * JSON leaves out (undefined) are left out on both sides.
 */
function sameJsonValue(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
}
