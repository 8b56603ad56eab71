import { eventsFor } from '../shared/decider.ts';
import { refuse } from '../shared/errors.ts';
import { pget } from '../shared/pmap.ts';
import { requireAll, requireClerk, requirePerson } from './guards.ts';
import { isOwner, isOwnersCommitteeMember, proxyFor, proxyKey } from './queries.ts';
import type {
  CommunityCommandOf,
  CommunityDecision,
  CommunityEvent,
  CommunityRegistry,
} from './state.ts';

// Proxy authorisations (委托书): an owner authorises a proxy to vote for them on one item of one
// proposal, electronically themselves or in writing through the clerk; revoked the same ways.

export function grantProxy(
  command: CommunityCommandOf<'GrantProxy'>,
  state: CommunityRegistry,
): CommunityDecision {
  const { actor, data } = command;
  const { authorisationId, ownerId, proxyId, proposalId, itemId } = data;
  const form = actor.role === 'owner' ? 'electronic' : 'written';
  const error = requireAll(
    () =>
      actor.role === 'owner'
        ? actor.personId === ownerId
          ? undefined
          : refuse('not-authorised', 'an owner authorises a proxy only for themselves')
        : requireClerk(state, actor),
    () =>
      form === 'written' && data.documentRef === undefined
        ? refuse('invalid-command', 'a written authorisation needs its document reference')
        : undefined,
    () =>
      pget(state.proxies, authorisationId)
        ? refuse('already-exists', `authorisation ${authorisationId} exists`)
        : undefined,
    () =>
      isOwner(state, ownerId)
        ? undefined
        : refuse('not-eligible', `${ownerId} owns no unit`, { ownerId }),
    () =>
      isOwnersCommitteeMember(state, ownerId)
        ? refuse('delegation-not-allowed', 'owners’ committee members may not delegate', {
            ownerId,
          })
        : undefined,
    () => requirePerson(state, proxyId),
    () =>
      proxyId === ownerId
        ? refuse('invalid-command', 'an owner cannot be their own proxy')
        : undefined,
    () =>
      proxyFor(state, ownerId, proposalId, itemId)
        ? refuse('already-exists', `${ownerId} already authorised a proxy for this item`, {
            proposalId,
            itemId,
          })
        : undefined,
    () => {
      const held = pget(state.proxiesHeld, proxyKey(proposalId, itemId, proxyId))?.length ?? 0;
      return held >= state.settings.proxyLimit
        ? refuse('proxy-limit-reached', `${proxyId} already holds ${held} authorisations`, {
            proxyId,
            held,
            limit: state.settings.proxyLimit,
          })
        : undefined;
    },
  );
  if (error) return error;
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('ProxyGranted', { ...data, form })];
}

export function revokeProxy(
  command: CommunityCommandOf<'RevokeProxy'>,
  state: CommunityRegistry,
): CommunityDecision {
  const { authorisationId } = command.data;
  const authorisation = pget(state.proxies, authorisationId);
  if (!authorisation) return refuse('not-found', `no authorisation ${authorisationId}`);
  const byOwner =
    command.actor.role === 'owner' && command.actor.personId === authorisation.ownerId;
  const error = byOwner ? undefined : requireClerk(state, command.actor);
  if (error) return error;
  if (!authorisation.active) {
    return refuse('already-revoked', `authorisation ${authorisationId} is revoked`);
  }
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('ProxyRevoked', command.data)];
}
