import {
  type Actor,
  type CommandsOf,
  type Decider,
  type Decision,
  type EventsOf,
  eventsFor,
} from '../shared/decider.ts';
import { type DomainError, refuse } from '../shared/errors.ts';
import { defined } from '../shared/objects.ts';
import type { Claimant, wishCommandSchemas, wishEventSchemas } from './schemas.ts';

export * from './schemas.ts';

export type WishCommand = CommandsOf<typeof wishCommandSchemas>;
export type WishEvent = EventsOf<typeof wishEventSchemas>;

/** open → claimed → done (→ rated); claimed → open again when given up; cancelled before done. */
export type WishStatus = 'open' | 'claimed' | 'done' | 'cancelled';

export interface Wish {
  readonly status: WishStatus;
  readonly requesterId: string;
  /** The volunteer, or the party, that holds the claim. */
  readonly claim?: { readonly personId: string; readonly partyId?: string };
  readonly rated: boolean;
}

export type WishState = { readonly status: 'none' } | Wish;

type WishDecision = Decision<WishEvent>;

const MODERATORS: ReadonlySet<string> = new Set(['clerk', 'convener']);

/** Whether the actor speaks for the claim: the volunteer, or a representative of the party. */
function holdsClaim(wish: Wish, actor: Actor): boolean {
  const claim = wish.claim;
  if (!claim) return false;
  if (claim.partyId !== undefined) {
    return actor.role === 'party_representative' && actor.partyId === claim.partyId;
  }
  return actor.personId === claim.personId && actor.role !== 'party_representative';
}

function claimProblem(wish: Wish, actor: Actor, claimant: Claimant): DomainError | undefined {
  if (wish.status === 'claimed') return refuse('already-claimed', 'someone has claimed it');
  if (wish.status !== 'open') return refuse('wish-closed', `the wish is ${wish.status}`);
  if (claimant.kind === 'person' && actor.personId === wish.requesterId) {
    return refuse('not-eligible', 'one does not claim one’s own wish');
  }
  if (claimant.kind === 'party' && claimant.partyId !== actor.partyId) {
    return refuse('not-authorised', 'a representative claims for their own party');
  }
  return undefined;
}

function decideWish(command: WishCommand, wish: Wish): WishDecision {
  const emit = eventsFor<WishEvent>(command);
  const { actor } = command;
  switch (command.type) {
    case 'PostWish':
      return refuse('already-exists', `wish ${command.data.wishId} exists`);
    case 'ClaimWish': {
      const problem = claimProblem(wish, actor, command.data.claimant);
      return problem ?? [emit('WishClaimed', defined(command.data))];
    }
    case 'UnclaimWish':
      if (wish.status !== 'claimed') return refuse('not-claimed', 'nobody holds a claim');
      if (!holdsClaim(wish, actor) && !MODERATORS.has(actor.role)) {
        return refuse('not-authorised', 'the claimant, the clerk or the convener gives it up');
      }
      return [emit('WishUnclaimed', defined(command.data))];
    case 'CompleteWish':
      if (wish.status !== 'claimed') return refuse('not-claimed', `the wish is ${wish.status}`);
      if (!holdsClaim(wish, actor)) return refuse('not-authorised', 'the claimant marks it done');
      return [emit('WishCompleted', defined(command.data))];
    case 'RateWish':
      if (actor.personId !== wish.requesterId) {
        return refuse('not-authorised', 'the resident who posted it rates the help');
      }
      if (wish.status !== 'done') return refuse('wish-closed', 'only help given is rated');
      if (wish.rated) return refuse('already-resolved', 'the help has been rated');
      return [emit('WishRated', defined(command.data))];
    case 'CancelWish':
      if (actor.personId !== wish.requesterId && !MODERATORS.has(actor.role)) {
        return refuse('not-authorised', 'the resident who posted it, the clerk or the convener');
      }
      if (wish.status === 'done' || wish.status === 'cancelled') {
        return refuse('wish-closed', `the wish is ${wish.status}`);
      }
      return [emit('WishCancelled', command.data)];
    default: {
      const _exhaustive: never = command;
      return refuse('invalid-command', 'unknown command');
    }
  }
}

function evolveWish(wish: Wish, event: WishEvent): Wish {
  switch (event.type) {
    case 'WishPosted':
      return wish;
    case 'WishClaimed': {
      const { claimant, by } = event.data;
      const partyId = claimant.kind === 'party' ? claimant.partyId : undefined;
      return { ...wish, status: 'claimed', claim: defined({ personId: by.personId, partyId }) };
    }
    case 'WishUnclaimed': {
      const { claim: _given, ...rest } = wish;
      return { ...rest, status: 'open' };
    }
    case 'WishCompleted':
      return { ...wish, status: 'done' };
    case 'WishRated':
      return { ...wish, rated: true };
    case 'WishCancelled':
      return { ...wish, status: 'cancelled' };
    default: {
      const _exhaustive: never = event;
      return wish;
    }
  }
}

export const wishDecider: Decider<WishCommand, WishEvent, WishState> = {
  initialState: () => ({ status: 'none' }),
  evolve(state, event) {
    if (event.type === 'WishPosted') {
      return { status: 'open', requesterId: event.data.by.personId, rated: false };
    }
    return state.status === 'none' ? state : evolveWish(state, event);
  },
  decide(command, state) {
    if (state.status !== 'none') return decideWish(command, state);
    if (command.type !== 'PostWish') return refuse('not-found', 'no such wish');
    const emit = eventsFor<WishEvent>(command);
    return [emit('WishPosted', command.data)];
  },
};
