import {
  type Account,
  HELD,
  type PostingLine,
  post,
  reversed,
  sides,
  spendingOf,
} from '../money/accounts.ts';
import type { DecisionFact, DecisionRef } from '../money/decision.ts';
import {
  type CommandsOf,
  type Decider,
  type Decision,
  type EventsOf,
  eventsFor,
  type OfType,
} from '../shared/decider.ts';
import { type DomainError, refuse } from '../shared/errors.ts';
import { defined } from '../shared/objects.ts';
import { emptyPMap, type PMap, pget, phas, pset } from '../shared/pmap.ts';
import type { FundKind, fundCommandSchemas, fundEventSchemas } from './schemas.ts';

export * from './schemas.ts';

export type FundCommand = CommandsOf<typeof fundCommandSchemas>;
export type FundEvent = EventsOf<typeof fundEventSchemas>;
type FundCommandOf<T extends FundCommand['type']> = OfType<FundCommand, T>;
type FundDecision = Decision<FundEvent>;

export interface FundEntry {
  readonly lines: readonly PostingLine[];
  /** `<proposalId>/<itemId>` of the decision its spending stands on. */
  readonly decisionKey?: string;
  readonly reverses?: string;
  readonly reversedBy?: string;
}

export interface Fund {
  readonly status: 'open';
  readonly communityId: string;
  readonly fundId: string;
  readonly kind: FundKind;
  readonly balances: Readonly<Partial<Record<Account, number>>>;
  readonly entries: PMap<FundEntry>;
  /** Net spending so far per decision key: it may not pass the decided cost. */
  readonly spentByDecision: Readonly<Record<string, number>>;
}

export type FundState = { readonly status: 'none' } | Fund;

const keyOf = (ref: DecisionRef) => `${ref.proposalId}/${ref.itemId}`;

/** The owners' matter a fund's spending needs (Art. 278 (5) for the maintenance fund). */
const REQUIRED_MATTER: Readonly<Record<FundKind, DecisionFact['matter'] | undefined>> = {
  'maintenance-fund': 'maintenance-fund-use',
  'micro-fund': undefined,
};

function requireTreasurer(treasurer: boolean): DomainError | undefined {
  return treasurer
    ? undefined
    : refuse('not-authorised', 'only an appointed treasurer records the fund’s entries');
}

/** Money held may not fall below nothing: a fund cannot pay what it does not have. */
function overdrawn(state: Fund, lines: readonly PostingLine[]): DomainError | undefined {
  const after = post(state.balances, lines);
  for (const account of HELD) {
    const balance = after[account] ?? 0;
    if (balance < 0) {
      return refuse('insufficient-funds', `${account} would be overdrawn`, {
        account,
        balanceFen: state.balances[account] ?? 0,
        shortFen: -balance,
      });
    }
  }
  return undefined;
}

/** No decision, no spending: an adopted item of the right matter, within its decided cost. */
function authorised(
  state: Fund,
  data: FundCommandOf<'PostFundEntry'>['data'],
  spendingFen: number,
): DomainError | undefined {
  const { authorisedBy, decision } = data;
  if (authorisedBy === undefined || decision === undefined) {
    return refuse('decision-required', 'spending must name the adopted decision authorising it', {
      field: 'authorisedBy',
      spendingFen,
    });
  }
  const ref = keyOf(authorisedBy);
  if (decision.outcome !== 'adopted') {
    return refuse('not-adopted', `item ${ref} has not been adopted (${decision.outcome})`, {
      outcome: decision.outcome,
    });
  }
  const matter = REQUIRED_MATTER[state.kind];
  if (matter !== undefined && decision.matter !== matter) {
    return refuse('matter-not-allowed', `the ${state.kind} is spent only on a ${matter} decision`, {
      required: matter,
      matter: decision.matter ?? null,
    });
  }
  if (decision.costFen === undefined) {
    return refuse('cost-not-decided', `item ${ref} states no cost to spend against`);
  }
  const spentFen = state.spentByDecision[ref] ?? 0;
  if (spentFen + spendingFen > decision.costFen) {
    return refuse('above-decided-cost', `spending would pass the cost decided for ${ref}`, {
      decidedFen: decision.costFen,
      spentFen,
      spendingFen,
    });
  }
  return undefined;
}

function postEntry(command: FundCommandOf<'PostFundEntry'>, state: Fund): FundDecision {
  const { data } = command;
  const error =
    requireTreasurer(data.treasurer) ??
    (phas(state.entries, data.entryId)
      ? refuse('already-exists', `entry ${data.entryId} exists`)
      : undefined);
  if (error) return error;
  const { debitFen, creditFen } = sides(data.lines);
  if (debitFen !== creditFen) {
    return refuse('entry-unbalanced', 'the debits must equal the credits', {
      field: 'lines',
      debitFen,
      creditFen,
    });
  }
  const spendingFen = spendingOf(data.lines);
  if (spendingFen < 0) {
    return refuse('invalid-command', 'money back on spending is a reversal or an income', {
      field: 'lines',
    });
  }
  const refused =
    (spendingFen > 0 ? authorised(state, data, spendingFen) : undefined) ??
    overdrawn(state, data.lines);
  if (refused) return refused;
  // The link is kept only with a decision that was checked: an income names none.
  const decision = spendingFen > 0 ? data.decision : undefined;
  return [
    eventsFor<FundEvent>(command)(
      'FundEntryPosted',
      defined({
        entryId: data.entryId,
        lines: data.lines,
        memo: data.memo,
        documentRef: data.documentRef,
        decision,
      }),
    ),
  ];
}

function reverseEntry(command: FundCommandOf<'ReverseFundEntry'>, state: Fund): FundDecision {
  const { data } = command;
  const original = pget(state.entries, data.reverses);
  const error =
    requireTreasurer(data.treasurer) ??
    (phas(state.entries, data.entryId)
      ? refuse('already-exists', `entry ${data.entryId} exists`)
      : undefined) ??
    (original === undefined
      ? refuse('not-found', `no entry ${data.reverses}`, { field: 'reverses' })
      : undefined) ??
    (original?.reverses !== undefined
      ? refuse('invalid-command', 'a reversal is not reversed: post the entry again', {
          field: 'reverses',
        })
      : undefined) ??
    (original?.reversedBy !== undefined
      ? refuse('already-reversed', `entry ${data.reverses} was reversed by ${original.reversedBy}`)
      : undefined);
  if (error || original === undefined) return error ?? refuse('not-found', 'no entry');
  const lines = reversed(original.lines);
  const refused = overdrawn(state, lines);
  if (refused) return refused;
  return [
    eventsFor<FundEvent>(command)('FundEntryReversed', {
      entryId: data.entryId,
      reverses: data.reverses,
      lines,
      reason: data.reason,
      documentRef: data.documentRef,
    }),
  ];
}

function evolveFund(state: Fund, event: FundEvent): Fund {
  switch (event.type) {
    case 'FundOpened':
      return state;
    case 'FundEntryPosted': {
      const { entryId, lines, decision } = event.data;
      const key = decision === undefined ? undefined : keyOf(decision);
      const spent = spendingOf(lines);
      return {
        ...state,
        balances: post(state.balances, lines),
        entries: pset(state.entries, entryId, defined({ lines, decisionKey: key })),
        spentByDecision:
          key === undefined
            ? state.spentByDecision
            : { ...state.spentByDecision, [key]: (state.spentByDecision[key] ?? 0) + spent },
      };
    }
    case 'FundEntryReversed': {
      const { entryId, reverses, lines } = event.data;
      const original = pget(state.entries, reverses);
      const key = original?.decisionKey;
      let entries = pset(state.entries, entryId, { lines, reverses });
      if (original) entries = pset(entries, reverses, { ...original, reversedBy: entryId });
      return {
        ...state,
        balances: post(state.balances, lines),
        entries,
        spentByDecision:
          key === undefined
            ? state.spentByDecision
            : {
                ...state.spentByDecision,
                [key]: (state.spentByDecision[key] ?? 0) + spendingOf(lines),
              },
      };
    }
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

export const fundDecider: Decider<FundCommand, FundEvent, FundState> = {
  initialState: () => ({ status: 'none' }),
  evolve(state, event) {
    if (event.type === 'FundOpened') {
      const { communityId, fundId, kind } = event.data;
      return {
        status: 'open',
        communityId,
        fundId,
        kind,
        balances: {},
        entries: emptyPMap(),
        spentByDecision: {},
      };
    }
    return state.status === 'none' ? state : evolveFund(state, event);
  },
  decide(command, state): FundDecision {
    if (state.status === 'none') {
      if (command.type !== 'OpenFund') return refuse('not-found', 'no such fund');
      return [eventsFor<FundEvent>(command)('FundOpened', defined(command.data))];
    }
    switch (command.type) {
      case 'OpenFund':
        return refuse('already-exists', `fund ${command.data.fundId} exists`);
      case 'PostFundEntry':
        return postEntry(command, state);
      case 'ReverseFundEntry':
        return reverseEntry(command, state);
      default: {
        const _exhaustive: never = command;
        return refuse('invalid-command', 'unknown command');
      }
    }
  },
};
