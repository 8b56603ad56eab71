import type { DecisionFact } from '../money/decision.ts';
import {
  type Actor,
  type CommandsOf,
  type Decider,
  type Decision,
  type EventsOf,
  eventsFor,
  type OfType,
} from '../shared/decider.ts';
import { type DomainError, refuse } from '../shared/errors.ts';
import { defined } from '../shared/objects.ts';
import { emptyPMap, type PMap, pget, pset, pvalues } from '../shared/pmap.ts';
import type { crowdfundingCommandSchemas, crowdfundingEventSchemas, Pledger } from './schemas.ts';

export * from './schemas.ts';

export type CrowdfundingCommand = CommandsOf<typeof crowdfundingCommandSchemas>;
export type CrowdfundingEvent = EventsOf<typeof crowdfundingEventSchemas>;
type CommandOf<T extends CrowdfundingCommand['type']> = OfType<CrowdfundingCommand, T>;
type CrowdfundingDecision = Decision<CrowdfundingEvent>;

export interface Pledge {
  readonly pledgeId: string;
  readonly pledger: Pledger;
  readonly amountFen: number;
  readonly receivedFen: number;
  /** Owed back once the campaign is refunding; then paid. */
  readonly owedFen?: number;
  readonly refunded?: true;
}

export interface Campaign {
  readonly status: 'open' | 'funded' | 'refunding';
  readonly campaignId: string;
  readonly proposalId: string;
  readonly itemId: string;
  readonly optionId?: string;
  readonly targetFen: number;
  readonly deadline: string;
  readonly pledgedFen: number;
  readonly receivedFen: number;
  readonly pledges: PMap<Pledge>;
}

export type CrowdfundingState = { readonly status: 'none' } | Campaign;

/** Who a pledge is from: a representative pledges for their party, anyone else for themselves. */
function pledgerOf(actor: Actor): Pledger {
  return actor.role === 'party_representative' && actor.partyId !== undefined
    ? { kind: 'party', partyId: actor.partyId }
    : { kind: 'person', personId: actor.personId };
}

const treasurerOnly = (treasurer: boolean): DomainError | undefined =>
  treasurer
    ? undefined
    : refuse('not-authorised', 'only an appointed treasurer records money received or refunded');

/** Whether the decision rejects what the campaign funds (a plan other than its own counts). */
function notAdopted(state: Campaign, decision: DecisionFact): boolean {
  if (decision.outcome === 'rejected' || decision.outcome === 'withdrawn') return true;
  return (
    decision.outcome === 'adopted' &&
    state.optionId !== undefined &&
    decision.chosenOptionId !== state.optionId
  );
}

function open(command: CommandOf<'OpenCrowdfunding'>): CrowdfundingDecision {
  const { decision, optionId, deadline, ...data } = command.data;
  if (Date.parse(deadline) <= Date.parse(command.at)) {
    return refuse('invalid-command', 'the deadline must be in the future', { field: 'deadline' });
  }
  if (decision.optionIds.length > 0 && optionId === undefined) {
    return refuse('invalid-command', 'a plans item: name the plan the campaign funds', {
      field: 'optionId',
      optionIds: decision.optionIds,
    });
  }
  if (optionId !== undefined && !decision.optionIds.includes(optionId)) {
    return refuse('not-found', `item ${data.itemId} has no plan ${optionId}`, {
      field: 'optionId',
    });
  }
  if (decision.outcome === 'rejected' || decision.outcome === 'withdrawn') {
    return refuse('not-adopted', `item ${data.itemId} was not adopted (${decision.outcome})`);
  }
  return [
    eventsFor<CrowdfundingEvent>(command)(
      'CrowdfundingOpened',
      defined({ ...data, optionId, deadline }),
    ),
  ];
}

function pledge(command: CommandOf<'PledgeToCrowdfunding'>, state: Campaign): CrowdfundingDecision {
  if (state.status !== 'open' || Date.parse(command.at) >= Date.parse(state.deadline)) {
    return refuse('crowdfunding-closed', 'the campaign takes no more pledges', {
      deadline: state.deadline,
      status: state.status,
    });
  }
  if (pget(state.pledges, command.data.pledgeId)) {
    return refuse('already-exists', `pledge ${command.data.pledgeId} exists`);
  }
  return [
    eventsFor<CrowdfundingEvent>(command)('PledgeMade', {
      ...command.data,
      pledger: pledgerOf(command.actor),
    }),
  ];
}

function receipt(command: CommandOf<'RecordPledgeReceipt'>, state: Campaign): CrowdfundingDecision {
  const { pledgeId, amountFen, documentRef, treasurer } = command.data;
  const found = pget(state.pledges, pledgeId);
  const error =
    treasurerOnly(treasurer) ??
    (found === undefined
      ? refuse('not-found', `no pledge ${pledgeId}`, { field: 'pledgeId' })
      : undefined) ??
    (state.status === 'refunding'
      ? refuse('crowdfunding-closed', 'the campaign is refunding: no more money is taken')
      : undefined);
  if (error || found === undefined) return error ?? refuse('not-found', 'no pledge');
  const receivedFen = found.receivedFen + amountFen;
  if (receivedFen > found.amountFen) {
    return refuse('receipt-above-pledge', 'more than the pledge would be received', {
      field: 'amountFen',
      pledgedFen: found.amountFen,
      receivedFen: found.receivedFen,
    });
  }
  return [
    eventsFor<CrowdfundingEvent>(command)('PledgeReceiptRecorded', {
      pledgeId,
      amountFen,
      receivedFen,
      documentRef,
    }),
  ];
}

/** Funded, refunding, or a refusal while neither the decision nor the deadline settles it. */
function close(command: CommandOf<'CloseCrowdfunding'>, state: Campaign): CrowdfundingDecision {
  const { decision, note } = command.data;
  if (state.status !== 'open') {
    return refuse('already-resolved', `the campaign is ${state.status}`);
  }
  const pastDeadline = Date.parse(command.at) >= Date.parse(state.deadline);
  const reached = state.pledgedFen >= state.targetFen;
  const reason = notAdopted(state, decision)
    ? ('not-adopted' as const)
    : pastDeadline && !reached
      ? ('target-missed' as const)
      : undefined;
  if (reason === undefined && !(decision.outcome === 'adopted' && reached)) {
    return refuse('crowdfunding-open', 'neither the decision nor the deadline settles it yet', {
      outcome: decision.outcome,
      deadline: state.deadline,
      pledgedFen: state.pledgedFen,
      targetFen: state.targetFen,
    });
  }
  const refundsOwed =
    reason === undefined
      ? []
      : [...pvalues(state.pledges)]
          .filter((p) => p.receivedFen > 0)
          .map((p) => ({ pledgeId: p.pledgeId, pledger: p.pledger, amountFen: p.receivedFen }));
  return [
    eventsFor<CrowdfundingEvent>(command)(
      'CrowdfundingClosed',
      defined({
        outcome: reason === undefined ? ('funded' as const) : ('refunding' as const),
        reason,
        targetFen: state.targetFen,
        pledgedFen: state.pledgedFen,
        receivedFen: state.receivedFen,
        decision,
        refundsOwed,
        note,
      }),
    ),
  ];
}

function refund(command: CommandOf<'RecordRefund'>, state: Campaign): CrowdfundingDecision {
  const { pledgeId, amountFen, documentRef, treasurer } = command.data;
  const found = pget(state.pledges, pledgeId);
  const error =
    treasurerOnly(treasurer) ??
    (state.status !== 'refunding'
      ? refuse('invalid-command', 'nothing is owed back: the campaign is not refunding')
      : undefined) ??
    (found?.owedFen === undefined
      ? refuse('not-found', `nothing is owed on pledge ${pledgeId}`, { field: 'pledgeId' })
      : undefined) ??
    (found?.refunded ? refuse('already-resolved', `pledge ${pledgeId} was refunded`) : undefined);
  if (error || found?.owedFen === undefined) return error ?? refuse('not-found', 'no pledge');
  if (amountFen !== found.owedFen) {
    return refuse('refund-mismatch', 'a refund is exactly the amount received', {
      field: 'amountFen',
      owedFen: found.owedFen,
    });
  }
  return [
    eventsFor<CrowdfundingEvent>(command)('RefundRecorded', { pledgeId, amountFen, documentRef }),
  ];
}

function evolveCampaign(state: Campaign, event: CrowdfundingEvent): Campaign {
  switch (event.type) {
    case 'CrowdfundingOpened':
      return state;
    case 'PledgeMade': {
      const { pledgeId, pledger, amountFen } = event.data;
      return {
        ...state,
        pledgedFen: state.pledgedFen + amountFen,
        pledges: pset(state.pledges, pledgeId, { pledgeId, pledger, amountFen, receivedFen: 0 }),
      };
    }
    case 'PledgeReceiptRecorded': {
      const found = pget(state.pledges, event.data.pledgeId);
      if (!found) return state;
      return {
        ...state,
        receivedFen: state.receivedFen + event.data.amountFen,
        pledges: pset(state.pledges, found.pledgeId, {
          ...found,
          receivedFen: event.data.receivedFen,
        }),
      };
    }
    case 'CrowdfundingClosed': {
      let pledges = state.pledges;
      for (const owed of event.data.refundsOwed) {
        const found = pget(pledges, owed.pledgeId);
        if (found) pledges = pset(pledges, owed.pledgeId, { ...found, owedFen: owed.amountFen });
      }
      return { ...state, status: event.data.outcome, pledges };
    }
    case 'RefundRecorded': {
      const found = pget(state.pledges, event.data.pledgeId);
      if (!found) return state;
      return {
        ...state,
        pledges: pset(state.pledges, found.pledgeId, { ...found, refunded: true }),
      };
    }
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

export const crowdfundingDecider: Decider<
  CrowdfundingCommand,
  CrowdfundingEvent,
  CrowdfundingState
> = {
  initialState: () => ({ status: 'none' }),
  evolve(state, event) {
    if (event.type === 'CrowdfundingOpened') {
      const { campaignId, proposalId, itemId, optionId, targetFen, deadline } = event.data;
      return defined({
        status: 'open' as const,
        campaignId,
        proposalId,
        itemId,
        optionId,
        targetFen,
        deadline,
        pledgedFen: 0,
        receivedFen: 0,
        pledges: emptyPMap<Pledge>(),
      });
    }
    return state.status === 'none' ? state : evolveCampaign(state, event);
  },
  decide(command, state): CrowdfundingDecision {
    if (state.status === 'none') {
      return command.type === 'OpenCrowdfunding'
        ? open(command)
        : refuse('not-found', 'no such campaign');
    }
    switch (command.type) {
      case 'OpenCrowdfunding':
        return refuse('already-exists', `campaign ${command.data.campaignId} exists`);
      case 'PledgeToCrowdfunding':
        return pledge(command, state);
      case 'RecordPledgeReceipt':
        return receipt(command, state);
      case 'CloseCrowdfunding':
        return close(command, state);
      case 'RecordRefund':
        return refund(command, state);
      default: {
        const _exhaustive: never = command;
        return refuse('invalid-command', 'unknown command');
      }
    }
  },
};
