import type { OfType } from '../shared/decider.ts';
import { defined } from '../shared/objects.ts';
import { emptyPMap, pget, pset } from '../shared/pmap.ts';
import { type BallotVia, nextBallot, type RecordedBallot } from '../vote/ballot.ts';
import type { ItemChoice } from '../vote/schemas.ts';
import type { Proposal, ProposalEvent, ProposalState, VoteState } from './state.ts';

// How each event changes a proposal. A proposal exists from its submission; before it, every
// other event leaves the state as it is.

export function evolve(state: ProposalState, event: ProposalEvent): ProposalState {
  if (event.type === 'ProposalSubmitted') return proposalOf(submitted(event));
  if (state.status === 'none') return state;
  const next = evolveProposal(state, event);
  // A ballot's state is built by `proposalOf` already (the hot path: one copy, not two).
  return next === state || isBallot(event) ? next : proposalOf(next);
}

const isBallot = (event: ProposalEvent): boolean =>
  event.type === 'BallotCast' ||
  event.type === 'BallotChanged' ||
  event.type === 'PaperBallotCorrected';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Every proposal state is built here, field by field in one order (the optional ones after,
 * when present), whether it was folded from stored events or evolved from a cached state: V8
 * then gives all of them one hidden class per set of optional fields, and the deciders' and
 * evolve's compiled code sees one shape instead of a new one each time a spread copies it.
 * `vote`, when given, is already built by `voteOf`.
 */
export function proposalOf(
  p: Proposal,
  vote: VoteState | undefined = p.vote && voteOf(p.vote),
): Proposal {
  const next: Mutable<Proposal> = {
    status: p.status,
    communityId: p.communityId,
    proposalId: p.proposalId,
    title: p.title,
    description: p.description,
    procedure: p.procedure,
    stages: p.stages,
    items: p.items,
    submittedBy: p.submittedBy,
    submittedAt: p.submittedAt,
    stageIndex: p.stageIndex,
    amendable: p.amendable,
    votesOpened: p.votesOpened,
    objections: p.objections,
    feedbackGiven: p.feedbackGiven,
    amendments: p.amendments,
    ratings: p.ratings,
  };
  if (p.scope !== undefined) next.scope = p.scope;
  if (p.returnTo !== undefined) next.returnTo = p.returnTo;
  if (p.notice !== undefined) next.notice = p.notice;
  if (vote !== undefined) next.vote = vote;
  if (p.decision !== undefined) next.decision = p.decision;
  if (p.publication !== undefined) next.publication = p.publication;
  if (p.progressPercent !== undefined) next.progressPercent = p.progressPercent;
  if (p.implementationDueAt !== undefined) next.implementationDueAt = p.implementationDueAt;
  if (p.overdueFlagged !== undefined) next.overdueFlagged = p.overdueFlagged;
  if (p.implementationResponsibleId !== undefined) {
    next.implementationResponsibleId = p.implementationResponsibleId;
  }
  return next;
}

/** Every vote state is built here, as `proposalOf` builds proposals: one shape per vote. */
export function voteOf(
  v: VoteState,
  ballots: VoteState['ballots'] = v.ballots,
  complete: number = v.complete,
): VoteState {
  const next: Mutable<VoteState> = {
    voteId: v.voteId,
    stageIndex: v.stageIndex,
    rule: v.rule,
    items: v.items,
    electorate: v.electorate,
    voters: v.voters,
    votersOfPerson: v.votersOfPerson,
    openedAt: v.openedAt,
    closesAt: v.closesAt,
    allowBallotChange: v.allowBallotChange,
    ballots,
    present: v.present,
    complete,
    closed: v.closed,
  };
  if (v.planMethod !== undefined) next.planMethod = v.planMethod;
  if (v.rulesVersion !== undefined) next.rulesVersion = v.rulesVersion;
  if (v.reminded !== undefined) next.reminded = v.reminded;
  return next;
}

function submitted(event: OfType<ProposalEvent, 'ProposalSubmitted'>): Proposal {
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
    ...(d.scope === undefined ? {} : { scope: d.scope }),
    submittedBy: d.submittedBy,
    submittedAt: d.submittedAt,
    stageIndex: 0,
    amendable: true,
    votesOpened: 0,
    objections: {},
    feedbackGiven: false,
    amendments: {},
    ratings: emptyPMap(),
  };
}

function evolveProposal(state: Proposal, event: ProposalEvent): Proposal {
  switch (event.type) {
    case 'ProposalSubmitted':
      return state;
    case 'ProposalAmended': {
      const { title, description, items } = event.data;
      return renoticed({ ...state, ...defined({ title, description, items }) }, event.data);
    }
    case 'AmendmentProposed': {
      const { amendmentId, title, description, items } = event.data;
      const proposed = { status: 'pending' as const, ...defined({ title, description, items }) };
      return { ...state, amendments: { ...state.amendments, [amendmentId]: proposed } };
    }
    case 'AmendmentAccepted':
    case 'AmendmentRejected': {
      const { amendmentId } = event.data;
      const amendment = state.amendments[amendmentId];
      if (!amendment) return state;
      const status = event.type === 'AmendmentAccepted' ? 'accepted' : 'rejected';
      return {
        ...state,
        amendments: { ...state.amendments, [amendmentId]: { ...amendment, status } },
      };
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
    case 'VotingOpened':
      return {
        ...enter(state, event.data.stageId),
        vote: openedVote(state, event.data),
        votesOpened: state.votesOpened + 1,
        amendable: false,
      };
    case 'PresenceRecorded': {
      if (!state.vote) return state;
      let present = state.vote.present;
      for (const id of event.data.voterIds) present = pset(present, id, true as const);
      return { ...state, vote: { ...state.vote, present } };
    }
    case 'BallotCast':
    case 'BallotChanged':
    case 'PaperBallotCorrected':
      return state.vote ? proposalOf(state, recordBallot(state.vote, event.data)) : state;
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
      const due = event.data.implementationDueAt;
      const responsible = event.data.implementationResponsibleId;
      return {
        ...entered,
        publication: { stageIndex: entered.stageIndex, endsAt: event.data.endsAt },
        ...(due === undefined ? {} : { implementationDueAt: due }),
        ...(responsible === undefined ? {} : { implementationResponsibleId: responsible }),
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
    case 'NonVotersReminded':
      return state.vote ? { ...state, vote: { ...state.vote, reminded: true } } : state;
    case 'ImplementationAssigned':
      return { ...state, implementationResponsibleId: event.data.responsibleId };
    case 'ImplementationOverdue':
      return { ...state, overdueFlagged: event.data.dueAt };
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

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

/** An amendment after the notice outdates it. */
function renoticed(state: Proposal, data: { renoticeRequired?: { stageId: string } }): Proposal {
  return data.renoticeRequired && state.notice
    ? { ...state, notice: { ...state.notice, outdated: true } }
    : state;
}

/** The vote as it opens: frozen parameters, with indexes over the electorate built once. */
function openedVote(state: Proposal, d: OfType<ProposalEvent, 'VotingOpened'>['data']): VoteState {
  const voters = new Map(d.electorate.map((v) => [v.voterId, v]));
  const votersOfPerson = new Map<string, string[]>();
  for (const v of d.electorate) {
    for (const p of v.personIds)
      votersOfPerson.set(p, [...(votersOfPerson.get(p) ?? []), v.voterId]);
  }
  return {
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
}

/** What a ballot event (cast, changed, corrected) states; a correction states no `via`. */
interface BallotData {
  readonly voterId: string;
  readonly choices: readonly ItemChoice[];
  readonly via?: BallotVia;
  readonly castBy?: string;
  readonly authorisationIds?: Readonly<Record<string, string>>;
  readonly documentRef?: string;
}

/** A ballot event: each of its items follows the ballot rule (`nextBallot`). */
function recordBallot(vote: VoteState, data: BallotData): VoteState {
  const previous = pget(vote.ballots, data.voterId);
  // Most ballots are a voter's first: nothing to copy or count.
  const next: Record<string, RecordedBallot> = previous === undefined ? {} : { ...previous };
  let before = 0;
  if (previous !== undefined) for (const _ in previous) before++;
  let added = 0;
  for (const c of data.choices) {
    const earlier = previous?.[c.itemId];
    if (earlier === undefined) added++;
    next[c.itemId] = nextBallot(earlier, {
      voterId: data.voterId,
      choice: 'choice' in c ? c.choice : undefined,
      ranking: 'ranking' in c ? c.ranking : undefined,
      via: data.via,
      castBy: data.castBy,
      authorisationId: data.authorisationIds?.[c.itemId],
      documentRef: data.documentRef,
    });
  }
  const items = vote.items.length;
  const completed = before < items && before + added === items;
  return voteOf(vote, pset(vote.ballots, data.voterId, next), vote.complete + (completed ? 1 : 0));
}
