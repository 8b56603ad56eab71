import {
  builtInProcedure,
  type ProcedureDefinition,
  procedureProblem,
  type Stage,
} from '../procedure/templates.ts';
import { type Actor, actorOf, eventsFor } from '../shared/decider.ts';
import { type DomainError, isDomainError, refuse } from '../shared/errors.ts';
import { defined } from '../shared/objects.ts';
import type { ProposalItem } from '../vote/schemas.ts';
import type { Proposal, ProposalCommandOf, ProposalDecision, ProposalEvent } from './state.ts';

// Who puts a proposal, under which procedure, with which items; how its submitter (or the
// convener) amends it before the vote, and withdraws it before a decision.

export function submitProposal(command: ProposalCommandOf<'SubmitProposal'>): ProposalDecision {
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
  const scope = data.scope?.kind === 'building' ? data.scope : undefined;
  if (scope && !owners) {
    return refuse(
      'scope-not-applicable',
      `${definition.name}: only the owners decide a matter of one building or entrance`,
      { field: 'scope' },
    );
  }
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
        scope,
        onBehalfOf: data.onBehalfOf,
        submitterUnitIds: owners && actor.role === 'owner' ? data.submitterUnitIds : undefined,
        submittedBy: actorOf(command),
        submittedAt: command.at,
      }),
    },
  ];
}

export function amendProposal(
  command: ProposalCommandOf<'AmendProposal'>,
  state: Proposal,
): ProposalDecision {
  const closed = amendmentClosed(state, command.actor);
  if (closed) return closed;
  const problem = command.data.items && itemsProblem(command.data.items);
  if (problem) return refuse('invalid-command', problem);
  const emit = eventsFor<ProposalEvent>(command);
  return [emit('ProposalAmended', defined({ ...command.data, renoticeRequired: renotice(state) }))];
}

export function addOption(
  command: ProposalCommandOf<'AddOption'>,
  state: Proposal,
): ProposalDecision {
  const closed = amendmentClosed(state, command.actor);
  if (closed) return closed;
  const { itemId, option } = command.data;
  const item = state.items.find((i) => i.itemId === itemId);
  if (!item) return refuse('not-found', `no item ${itemId}`);
  if (item.kind !== 'plans') return refuse('invalid-command', `item ${itemId} is a motion`);
  if (item.options.some((o) => o.optionId === option.optionId)) {
    return refuse('already-exists', `plan ${option.optionId} exists`);
  }
  const emit = eventsFor<ProposalEvent>(command);
  return [emit('OptionAdded', defined({ ...command.data, renoticeRequired: renotice(state) }))];
}

export function withdrawProposal(
  command: ProposalCommandOf<'WithdrawProposal'>,
  state: Proposal,
): ProposalDecision {
  if (!isSubmitterOrConvener(state, command.actor)) {
    return refuse('not-authorised', 'only the submitter or the convener withdraws a proposal');
  }
  if (state.vote && !state.vote.closed) return refuse('voting-open', 'a vote is open');
  if (state.decision) return refuse('already-resolved', 'a decided proposal is not withdrawn');
  const emit = eventsFor<ProposalEvent>(command);
  return [emit('ProposalWithdrawn', command.data)];
}

/** A procedure whose every decision is the owners' (业主共同决定 under Art. 278, or Art. 279). */
export function isOwnersProcedure(stages: readonly Stage[]): boolean {
  const rules = stages.flatMap((s) => (s.kind === 'decision' ? s.rules : []));
  return rules.length > 0 && rules.every((r) => r === 'owners-278' || r === 'art279-consent');
}

function isSubmitterOrConvener(state: Proposal, actor: Actor): boolean {
  return actor.role === 'convener' || actor.personId === state.submittedBy.personId;
}

/** Why `actor` may not amend the proposal now, or undefined. */
function amendmentClosed(state: Proposal, actor: Actor): DomainError | undefined {
  if (!isSubmitterOrConvener(state, actor)) {
    return refuse('not-authorised', 'only the submitter or the convener amends a proposal');
  }
  if (!state.amendable) return refuse('amendment-closed', 'amendments close when voting opens');
  return undefined;
}

/** Amended after the notice: notice must be given again, and its period runs anew. */
function renotice(state: Proposal): { stageId: string } | undefined {
  return state.notice && { stageId: state.notice.stageId };
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

type SubmitData = ProposalCommandOf<'SubmitProposal'>['data'];

/** The procedure a submission names: a built-in template or the definition passed in. */
function resolveProcedure(data: SubmitData): ProcedureDefinition | DomainError {
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

/**
 * Who puts a matter to the owners (domain.md 1 and 2.2): an owner, being a person owning a
 * unit in the registry (the service's context, never the body); the owners' committee
 * (业主委员会) through its representative; or the convener (the residents' committee, which
 * organises the owners where no owners' committee exists). Residents who own nothing, and
 * other parties, have no say in the owners' joint decision.
 */
function ownersSubmitterProblem(actor: Actor, data: SubmitData): DomainError | undefined {
  switch (actor.role) {
    case 'owner':
      // The units come from the registry (a context field the command service fills, never the
      // body's); absent means nobody looked, and is refused like an owner of nothing.
      return data.submitterUnitIds !== undefined && data.submitterUnitIds.length > 0
        ? undefined
        : refuse(
            'not-eligible',
            'only an owner of a unit in the registry puts a matter to the owners',
            { personId: actor.personId },
          );
    case 'party_representative':
      return data.onBehalfOf?.partyKind === 'owners-committee' &&
        data.onBehalfOf.partyId === actor.partyId
        ? undefined
        : refuse(
            'not-eligible',
            'of the parties, only the owners’ committee puts a matter to the owners',
            { partyId: actor.partyId },
          );
    case 'convener':
      return undefined;
    default:
      return refuse(
        'not-eligible',
        'a matter for the owners is put by an owner, the owners’ committee or the convener',
        { role: actor.role },
      );
  }
}
