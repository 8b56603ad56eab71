import {
  type AuthorisationFact,
  adoptedRules,
  authorisationsHeld,
  type CommandDefinition,
  type CommunityRegistry,
  communityDecider,
  convocationFacts,
  type DecisionFact,
  type DiscussedProposal,
  decisionFact,
  electorateFor,
  evaluationRespondent,
  frozenRule,
  inScope,
  isDomainError,
  type ProposalState,
  type ProxyAuthorisation,
  pget,
  proposalDecider,
  pvalues,
  streams,
  unitsCountedFor,
  VoteRuleRequest,
  VoteScope,
} from '@yishi/domain';
import type { EventStore } from '@yishi/event-store';
import type { Principal } from '@yishi/platform';
import type { AnyDecider, StateReader } from './state-reader.ts';

/** What a context filler may read: the registry and other streams, never the target's state. */
export interface ContextInput {
  communityId: string;
  params: Record<string, string>;
  body: Record<string, unknown>;
  principal: Principal;
  now: string;
  registry(): Promise<CommunityRegistry | undefined>;
  store: EventStore;
  /** Folded states of other streams (cached), e.g. the proposal a comment is about. */
  states: StateReader;
}

/** A refusal while building the context: answered as a problem, nothing written. */
export class ContextError extends Error {
  constructor(
    readonly status: 404 | 409 | 422,
    readonly code: string,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
  }
}

type Filler = (input: ContextInput) => Promise<Record<string, unknown>>;

function held(
  registry: CommunityRegistry,
  proposalId: string,
  personId: string,
  choices: unknown,
): AuthorisationFact[] {
  const items = Array.isArray(choices)
    ? choices.flatMap((c) => (typeof c?.itemId === 'string' ? [c.itemId as string] : []))
    : [];
  const facts: AuthorisationFact[] = [];
  for (const itemId of new Set(items)) {
    for (const a of authorisationsHeld(registry, proposalId, itemId, personId)) facts.push(fact(a));
  }
  return facts.slice(0, 100);
}

function fact(a: ProxyAuthorisation): AuthorisationFact {
  return {
    authorisationId: a.authorisationId,
    ownerId: a.ownerId,
    proxyId: a.proxyId,
    proposalId: a.proposalId,
    itemId: a.itemId,
    ...(a.documentRef ? { documentRef: a.documentRef } : {}),
    active: a.active,
  };
}

/** Whether a registry unit lies in the scope (absent: the whole community). */
function unitInScope(registry: CommunityRegistry, unitId: string, scope: VoteScope | undefined) {
  const unit = pget(registry.units, unitId);
  return unit !== undefined && inScope(scope, unit.building, unit.entrance);
}

function hasUnitsIn(registry: CommunityRegistry, scope: VoteScope): boolean {
  for (const unit of pvalues(registry.units)) {
    if (inScope(scope, unit.building, unit.entrance)) return true;
  }
  return false;
}

/**
 * The scope the proposal was submitted with: its first event says it and nothing changes it,
 * so one event is read, however many ballots follow.
 */
async function proposalScope(input: ContextInput): Promise<VoteScope | undefined> {
  const proposalId = input.params.proposalId;
  if (proposalId === undefined) return undefined;
  const [first] = await input.store.readStream(streams.proposal(input.communityId, proposalId), {
    maxCount: 1,
  });
  const scope = VoteScope.safeParse(
    first?.type === 'ProposalSubmitted' ? first.data.scope : undefined,
  );
  return scope.success ? scope.data : undefined;
}

async function needRegistry(input: ContextInput): Promise<CommunityRegistry> {
  const registry = await input.registry();
  if (!registry) {
    throw new ContextError(
      404,
      'community-not-found',
      `Community ${input.communityId} is not registered`,
    );
  }
  return registry;
}

/**
 * What the proposal decided on one item now (money stands on it), or a 422 naming `field`
 * when the proposal or the item does not exist. The proposal's state comes folded from the
 * cache: a pledge or a fund entry reads the events since the last, not 10,000 ballots again.
 */
async function decisionOf(
  input: ContextInput,
  proposalId: string,
  itemId: string,
  field: string,
): Promise<DecisionFact> {
  const read = await input.states.read(
    streams.proposal(input.communityId, proposalId),
    proposalDecider as unknown as AnyDecider,
  );
  const state = read.state as ProposalState;
  const fact = decisionFact(state, itemId);
  if (fact) return fact;
  const missing = state.status === 'none' ? `proposal ${proposalId}` : `item ${itemId}`;
  throw new ContextError(422, 'decision-not-found', `No ${missing} in this community`, { field });
}

/** Whether the sender is an appointed treasurer (the deciders refuse anyone else). */
async function treasurer(input: ContextInput): Promise<{ treasurer: boolean }> {
  const registry = await needRegistry(input);
  return { treasurer: registry.treasurerIds.includes(input.principal.personId) };
}

/** The proposal item a campaign funds: its first event says it and nothing changes it. */
async function campaignItem(input: ContextInput): Promise<{ proposalId: string; itemId: string }> {
  const campaignId = input.params.campaignId!;
  const [first] = await input.store.readStream(
    streams.crowdfunding(input.communityId, campaignId),
    { maxCount: 1 },
  );
  if (first?.type !== 'CrowdfundingOpened') {
    throw new ContextError(404, 'not-found', `No crowdfunding campaign ${campaignId}`);
  }
  return { proposalId: String(first.data.proposalId), itemId: String(first.data.itemId) };
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

/** Whether the registry has the person a body names in `field` (the decider refuses if not). */
async function registered(input: ContextInput, field: string) {
  const personId = input.body[field];
  if (typeof personId !== 'string') return {};
  const registry = await needRegistry(input);
  return { responsibleRegistered: pget(registry.persons, personId) !== undefined };
}

/** Fills each command's context fields (domain catalogue `context`) from other streams. */
export const contextFillers: Partial<Record<CommandDefinition['name'], Filler>> = {
  async SubmitProposal(input) {
    const registry = await needRegistry(input);
    // A building's owners decide its matters: it must have units, and an owner submitting
    // one must hold a unit in it (the decider refuses an owner listed with none).
    const requested = VoteScope.safeParse(input.body.scope);
    const scope = requested.success ? requested.data : undefined;
    if (scope?.kind === 'building' && !hasUnitsIn(registry, scope)) {
      throw new ContextError(
        422,
        'scope-not-found',
        `The registry has no unit in ${scope.building}${scope.entrance === undefined ? '' : ` ${scope.entrance}`}`,
        { field: 'scope' },
      );
    }
    const procedure = input.body.procedure as string;
    const versions = registry.procedures[procedure];
    const wanted = input.body.procedureVersion as number | undefined;
    const definition = versions
      ? wanted === undefined
        ? versions[versions.length - 1]
        : versions.find((v) => v.version === wanted)
      : undefined;
    const party = input.principal.partyId ? registry.parties[input.principal.partyId] : undefined;
    return {
      communityId: input.communityId,
      ...(definition ? { procedureDefinition: definition } : {}),
      // An owner is one by the registry, not by the token: the decider needs their units.
      ...(input.principal.role === 'owner'
        ? {
            submitterUnitIds: unitsCountedFor(registry, input.principal.personId)
              .filter((id) => unitInScope(registry, id, scope))
              .slice(0, 10_000),
          }
        : {}),
      ...(input.principal.role === 'party_representative' && party
        ? { onBehalfOf: { partyId: party.partyId, partyKind: party.kind } }
        : {}),
    };
  },
  async OpenVoting(input) {
    const registry = await needRegistry(input);
    // The rule as it will be frozen: the community's settings decide its parameters (the
    // decider checks this again); the electorate is counted under that rule, not the request.
    const communityRules = adoptedRules(registry);
    const request = VoteRuleRequest.safeParse(input.body.rule);
    if (!request.success) return { communityRules };
    const rule = frozenRule(request.data, communityRules);
    if (isDomainError(rule)) throw new ContextError(409, rule.code, rule.message, rule.details);
    const scope = await proposalScope(input);
    const { voters } = electorateFor(registry, rule, input.now, scope);
    if (voters.length === 0) {
      throw new ContextError(
        409,
        'empty-electorate',
        'No eligible voter in the registry for this rule',
      );
    }
    return { communityRules, electorate: voters, ...(scope ? { scope } : {}) };
  },
  async ChangeBallot(input) {
    if (input.principal.role !== 'proxy') return {};
    const registry = await needRegistry(input);
    const { proposalId } = input.params;
    return {
      authorisations: held(registry, proposalId!, input.principal.personId, input.body.choices),
    };
  },
  async CastProxyBallot(input) {
    const registry = await needRegistry(input);
    const { proposalId } = input.params;
    return {
      authorisations: held(registry, proposalId!, input.principal.personId, input.body.choices),
    };
  },
  async EnterPaperBallot(input) {
    const registry = await needRegistry(input);
    const signedBy = input.body.signedBy as string;
    const facts = held(registry, input.params.proposalId!, signedBy, input.body.choices);
    return facts.length > 0 ? { authorisations: facts } : {};
  },
  Publish: (input) => registered(input, 'implementationResponsibleId'),
  AssignImplementation: (input) => registered(input, 'responsibleId'),
  async RecordSessionResolution(input) {
    const sessionId = input.body.sessionId as string;
    const itemId = input.body.sessionItemId as string;
    const events = await input.store.readStream(streams.session(input.communityId, sessionId));
    const resolved = events
      .filter((e) => e.type === 'ItemResolved' && e.data.itemId === itemId)
      .pop();
    if (!resolved) {
      throw new ContextError(
        409,
        'item-not-resolved',
        `Session ${sessionId} has not resolved item ${itemId}`,
      );
    }
    return { outcome: resolved.data.outcome, result: resolved.data.result };
  },
  async ConveneSession(input) {
    const registry = await needRegistry(input);
    const parties = Object.values(registry.parties)
      .filter((p) => p.active)
      .slice(0, 30)
      .map((p) => ({ partyId: p.partyId, kind: p.kind, name: p.name }));
    if (parties.length === 0) {
      throw new ContextError(409, 'no-parties', 'Register the consultation parties first');
    }
    return { communityId: input.communityId, parties };
  },
  async RequestResidentsMeeting(input) {
    const registry = await needRegistry(input);
    return {
      communityId: input.communityId,
      communityKind: registry.kind,
      ...convocationFacts(registry, input.principal.personId, input.now),
    };
  },
  async SignResidentsMeetingRequest(input) {
    const registry = await needRegistry(input);
    return convocationFacts(registry, input.principal.personId, input.now);
  },
  async PostComment(input) {
    const { state } = await input.states.read(
      streams.proposal(input.communityId, input.params.proposalId!),
      proposalDecider as unknown as AnyDecider,
    );
    const proposal = state as ProposalState;
    if (proposal.status === 'none') {
      throw new ContextError(404, 'proposal-not-found', 'No such proposal to discuss');
    }
    const discussed: DiscussedProposal = {
      open: proposal.status === 'active' && proposal.decision === undefined,
      items: proposal.items.map((item) => ({
        itemId: item.itemId,
        optionIds: item.options.map((o) => o.optionId),
      })),
    };
    return { proposal: discussed };
  },
  async PostWish(input) {
    return { communityId: input.communityId };
  },
  async ClaimWish(input) {
    const { principal } = input;
    if (principal.role !== 'party_representative') return { claimant: { kind: 'person' } };
    // roleProblem has checked the representative against the registry before this runs.
    const registry = await needRegistry(input);
    const party = principal.partyId ? registry.parties[principal.partyId] : undefined;
    if (!party) throw new ContextError(404, 'party-not-found', 'The token names no party');
    return {
      claimant: { kind: 'party', partyId: party.partyId, partyKind: party.kind, name: party.name },
    };
  },
  async OpenEvaluation(input) {
    return { communityId: input.communityId };
  },
  async AnswerEvaluation(input) {
    const registry = await needRegistry(input);
    return { respondent: evaluationRespondent(registry, input.principal.personId) };
  },
  async OpenCrowdfunding(input) {
    const decision = await decisionOf(
      input,
      text(input.body.proposalId),
      text(input.body.itemId),
      'body.proposalId',
    );
    return { communityId: input.communityId, decision };
  },
  async CloseCrowdfunding(input) {
    const { proposalId, itemId } = await campaignItem(input);
    return { decision: await decisionOf(input, proposalId, itemId, 'campaign') };
  },
  RecordPledgeReceipt: treasurer,
  RecordRefund: treasurer,
  async OpenFund(input) {
    return { communityId: input.communityId };
  },
  async PostFundEntry(input) {
    const ref = input.body.authorisedBy as { proposalId?: unknown; itemId?: unknown } | undefined;
    const decision =
      ref === undefined
        ? undefined
        : await decisionOf(input, text(ref.proposalId), text(ref.itemId), 'body.authorisedBy');
    return { ...(await treasurer(input)), ...(decision ? { decision } : {}) };
  },
  ReverseFundEntry: treasurer,
  async RecordAttendance(input) {
    const partyId = input.body.partyId as string | undefined;
    if (!partyId) return {};
    const registry = await needRegistry(input);
    return { partyRepresentativeIds: [...(registry.parties[partyId]?.representativeIds ?? [])] };
  },
};

/** Roles whose token is checked against the registry before a command of theirs is decided. */
export const REGISTERED_ROLES: ReadonlySet<Principal['role']> = new Set([
  'clerk',
  'party_representative',
  'convener',
]);

/**
 * Registry checks of a token's role: a clerk must be appointed, a representative appointed,
 * a convener a registered person of the community. The registry has no convener appointment,
 * and convening bodies differ by procedure (residents' committee, owners' committee, party
 * organisation), so a convener is not tied to one party's representatives.
 */
export function roleProblem(
  principal: Principal,
  registry: CommunityRegistry | undefined,
): string | undefined {
  if (!registry) return undefined;
  if (principal.role === 'clerk' && !registry.clerkIds.includes(principal.personId)) {
    return `${principal.personId} is not an appointed clerk of this community`;
  }
  if (principal.role === 'convener' && !pget(registry.persons, principal.personId)) {
    return `${principal.personId} is not a registered person of this community`;
  }
  if (principal.role === 'party_representative') {
    const party = principal.partyId ? registry.parties[principal.partyId] : undefined;
    if (!party?.active || !party.representativeIds.includes(principal.personId)) {
      return `${principal.personId} is not a representative of party ${principal.partyId ?? '(none in token)'}`;
    }
  }
  return undefined;
}

export const registryDecider = communityDecider as unknown as AnyDecider;

export async function readRegistry(
  states: StateReader,
  communityId: string,
): Promise<CommunityRegistry | undefined> {
  const { state } = await states.read(`community-${communityId}`, registryDecider);
  return (state as { status: string }).status === 'registered'
    ? (state as CommunityRegistry)
    : undefined;
}
