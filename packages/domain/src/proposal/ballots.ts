import { eventsFor } from '../shared/decider.ts';
import { type DomainError, isDomainError, refuse } from '../shared/errors.ts';
import { defined } from '../shared/objects.ts';
import { pget } from '../shared/pmap.ts';
import type { BallotVia } from '../vote/ballot.ts';
import type { AuthorisationFact, ItemChoice, Voter } from '../vote/schemas.ts';
import type {
  Proposal,
  ProposalCommandOf,
  ProposalDecision,
  ProposalEvent,
  VoteState,
} from './state.ts';
import { openVote } from './voting.ts';

// Named ballots (实名): one per voter per item, cast online by one of the voter's persons, by a
// proxy holding the owner's authorisation, or entered from paper by a clerk; changed while the
// vote allows it; a clerk's entry corrected until the tally.

/** Who a ballot speaks for and how it was cast. */
interface Cast {
  readonly voter: Voter;
  readonly via: BallotVia;
  readonly castBy: string;
  readonly authorisationIds?: Readonly<Record<string, string>> | undefined;
  readonly documentRef?: string;
}

export function castBallot(
  command: ProposalCommandOf<'CastBallot'>,
  state: Proposal,
): ProposalDecision {
  const vote = openVote(state, command.at);
  if (isDomainError(vote)) return vote;
  const { personId } = command.actor;
  const voter = voterOf(vote, personId, command.data.voterId);
  if (isDomainError(voter)) return voter;
  return firstBallot(command, vote, { voter, via: 'online', castBy: personId });
}

export function castProxyBallot(
  command: ProposalCommandOf<'CastProxyBallot'>,
  state: Proposal,
): ProposalDecision {
  const vote = openVote(state, command.at);
  if (isDomainError(vote)) return vote;
  const cast = proxyCast(state, vote, command);
  if (isDomainError(cast)) return cast;
  return firstBallot(command, vote, cast);
}

export function enterPaperBallot(
  command: ProposalCommandOf<'EnterPaperBallot'>,
  state: Proposal,
): ProposalDecision {
  const vote = openVote(state, command.at);
  if (isDomainError(vote)) return vote;
  const { voterId, choices, documentRef, signedBy, authorisations } = command.data;
  const voter = vote.voters.get(voterId);
  if (!voter) return refuse('not-eligible', `${voterId} is not in the electorate`, { voterId });
  // Signed by someone other than the voter's persons: a proxy, with their authorisations.
  let authorisationIds: Record<string, string> | undefined;
  if (!voter.personIds.includes(signedBy)) {
    const ids = authorisationsFor(state, voter, signedBy, choices, authorisations ?? []);
    if (isDomainError(ids)) return ids;
    authorisationIds = ids;
  }
  return firstBallot(command, vote, {
    voter,
    via: 'paper',
    castBy: signedBy,
    documentRef,
    authorisationIds,
  });
}

export function changeBallot(
  command: ProposalCommandOf<'ChangeBallot'>,
  state: Proposal,
): ProposalDecision {
  const vote = openVote(state, command.at);
  if (isDomainError(vote)) return vote;
  const { actor, data } = command;
  let cast: Cast | DomainError;
  if (actor.role === 'proxy') cast = proxyCast(state, vote, command);
  else {
    const voter = voterOf(vote, actor.personId, data.voterId);
    cast = isDomainError(voter) ? voter : { voter, via: 'online', castBy: actor.personId };
  }
  if (isDomainError(cast)) return cast;
  const problem = choicesProblem(vote, data.choices);
  if (problem) return problem;
  const voted = votedItems(vote, cast.voter.voterId, data.choices);
  if (!vote.allowBallotChange) {
    return refuse('ballot-change-not-allowed', 'this vote does not allow changing a ballot');
  }
  if (voted.length < data.choices.length) {
    return refuse('not-found', 'no earlier ballot to change on every item');
  }
  const emit = eventsFor<ProposalEvent>(command);
  return [emit('BallotChanged', ballotData(vote, cast, data.choices))];
}

export function correctPaperBallot(
  command: ProposalCommandOf<'CorrectPaperBallot'>,
  state: Proposal,
): ProposalDecision {
  // A correction fixes a clerk's entry of a ballot cast in time, so it is allowed until the
  // vote is closed and tallied, even after the closing time.
  const vote = state.vote;
  if (!vote || vote.stageIndex !== state.stageIndex) return refuse('voting-not-open', 'no vote');
  if (vote.closed) return refuse('voting-closed', 'the vote is closed and tallied');
  const { voterId, choices } = command.data;
  const problem = choicesProblem(vote, choices);
  if (problem) return problem;
  const ballots = pget(vote.ballots, voterId) ?? {};
  const notPaper = choices.filter((c) => ballots[c.itemId]?.via !== 'paper').map((c) => c.itemId);
  if (notPaper.length > 0) {
    return refuse('not-found', 'no paper ballot to correct', { voterId, itemIds: notPaper });
  }
  const emit = eventsFor<ProposalEvent>(command);
  return [emit('PaperBallotCorrected', { ...command.data, voteId: vote.voteId })];
}

/** A first ballot on each chosen item: the choices fit the vote and none was cast before. */
function firstBallot(
  command: ProposalCommandOf<'CastBallot' | 'CastProxyBallot' | 'EnterPaperBallot'>,
  vote: VoteState,
  cast: Cast,
): ProposalDecision {
  const { choices } = command.data;
  const problem = choicesProblem(vote, choices);
  if (problem) return problem;
  const voted = votedItems(vote, cast.voter.voterId, choices);
  if (voted.length > 0) {
    return refuse('already-voted', 'one ballot per voter per item', { itemIds: voted });
  }
  const emit = eventsFor<ProposalEvent>(command);
  return [emit('BallotCast', ballotData(vote, cast, choices))];
}

function ballotData(vote: VoteState, cast: Cast, choices: ItemChoice[]) {
  return {
    voteId: vote.voteId,
    voterId: cast.voter.voterId,
    choices,
    via: cast.via,
    castBy: cast.castBy,
    ...defined({ documentRef: cast.documentRef, authorisationIds: cast.authorisationIds }),
  };
}

/** A proxy's ballot: for the named voter, under an authorisation per chosen item. */
function proxyCast(
  state: Proposal,
  vote: VoteState,
  command: ProposalCommandOf<'CastProxyBallot' | 'ChangeBallot'>,
): Cast | DomainError {
  const { voterId, choices, authorisations } = command.data;
  const voter = voterId === undefined ? undefined : vote.voters.get(voterId);
  if (!voter) return refuse('not-eligible', `${voterId ?? 'no voter'} is not in the electorate`);
  const proxyId = command.actor.personId;
  const ids = authorisationsFor(state, voter, proxyId, choices, authorisations ?? []);
  if (isDomainError(ids)) return ids;
  return { voter, via: 'proxy', castBy: proxyId, authorisationIds: ids };
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
        { voterId: voter.voterId, itemId: c.itemId },
      );
    }
    ids[c.itemId] = a.authorisationId;
  }
  return ids;
}
