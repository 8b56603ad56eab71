import { procedureProblem } from '../procedure/templates.ts';
import { actorOf, eventsFor } from '../shared/decider.ts';
import { refuse } from '../shared/errors.ts';
import { defined } from '../shared/objects.ts';
import { requireAdmin, requireClerk, requirePerson, sameSet } from './guards.ts';
import { defaultCommunitySettings } from './schemas.ts';
import {
  type CommunityCommandOf,
  type CommunityDecision,
  type CommunityEvent,
  type CommunityRegistry,
  MAX_ACTIVE_WEBHOOKS,
} from './state.ts';

// The community itself: its registration and settings, its procedure templates, its clerks and
// the webhooks its notifications go to.

export function registerCommunity(
  command: CommunityCommandOf<'RegisterCommunity'>,
): CommunityDecision {
  const { communityId, name, kind, settings } = command.data;
  return [
    {
      type: 'CommunityRegistered',
      data: {
        communityId,
        name,
        kind,
        settings: { ...defaultCommunitySettings, ...settings },
        registeredAt: command.at,
        by: actorOf(command),
      },
    },
  ];
}

export function changeCommunitySettings(
  command: CommunityCommandOf<'ChangeCommunitySettings'>,
  state: CommunityRegistry,
): CommunityDecision {
  const error = requireAdmin(command.actor, 'changes the settings');
  if (error) return error;
  const settings = { ...state.settings, ...command.data };
  if (settings.deemedConsent && settings.deemedConsentStatuteRef === undefined) {
    return refuse('invalid-command', 'deemed consent needs the statute provision allowing it');
  }
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('CommunitySettingsChanged', { settings })];
}

export function defineProcedure(
  command: CommunityCommandOf<'DefineProcedure'>,
  state: CommunityRegistry,
): CommunityDecision {
  const { templateId, name, stages } = command.data;
  const error = requireClerk(state, command.actor);
  if (error) return error;
  const problem = procedureProblem(stages);
  if (problem) return refuse('invalid-command', problem, { templateId });
  const version = (state.procedures[templateId]?.length ?? 0) + 1;
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('ProcedureDefined', { procedure: { templateId, version, name, stages } })];
}

export function appointClerk(
  command: CommunityCommandOf<'AppointClerk'>,
  state: CommunityRegistry,
): CommunityDecision {
  const { personId } = command.data;
  const error =
    requireAdmin(command.actor, 'appoints clerks') ??
    requirePerson(state, personId) ??
    (state.clerkIds.includes(personId)
      ? refuse('already-exists', `${personId} is already a clerk`)
      : undefined);
  if (error) return error;
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('ClerkAppointed', command.data)];
}

export function revokeClerk(
  command: CommunityCommandOf<'RevokeClerk'>,
  state: CommunityRegistry,
): CommunityDecision {
  const { personId } = command.data;
  const error =
    requireAdmin(command.actor, 'revokes clerks') ??
    (state.clerkIds.includes(personId)
      ? undefined
      : refuse('not-found', `${personId} is not a clerk`));
  if (error) return error;
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('ClerkRevoked', command.data)];
}

export function appointTreasurer(
  command: CommunityCommandOf<'AppointTreasurer'>,
  state: CommunityRegistry,
): CommunityDecision {
  const { personId } = command.data;
  const error =
    requireAdmin(command.actor, 'appoints treasurers') ??
    requirePerson(state, personId) ??
    (state.treasurerIds.includes(personId)
      ? refuse('already-exists', `${personId} is already a treasurer`)
      : undefined);
  if (error) return error;
  return [eventsFor<CommunityEvent>(command)('TreasurerAppointed', command.data)];
}

export function revokeTreasurer(
  command: CommunityCommandOf<'RevokeTreasurer'>,
  state: CommunityRegistry,
): CommunityDecision {
  const { personId } = command.data;
  const error =
    requireAdmin(command.actor, 'revokes treasurers') ??
    (state.treasurerIds.includes(personId)
      ? undefined
      : refuse('not-found', `${personId} is not a treasurer`));
  if (error) return error;
  return [eventsFor<CommunityEvent>(command)('TreasurerRevoked', command.data)];
}

export function configureWebhook(
  command: CommunityCommandOf<'ConfigureWebhook'>,
  state: CommunityRegistry,
): CommunityDecision {
  const { data } = command;
  const { webhookId } = data;
  const error = requireAdmin(command.actor, 'configures webhooks');
  if (error) return error;
  const existing = state.webhooks[webhookId];
  if (existing && !existing.active) {
    // The key is derived from the id: a removed id's key may be in the wrong hands.
    return refuse('already-revoked', `webhook ${webhookId} was removed; configure a new id`, {
      webhookId,
    });
  }
  if (
    existing &&
    existing.url === data.url &&
    existing.description === data.description &&
    sameSet(existing.events, data.events)
  ) {
    return refuse('invalid-command', `webhook ${webhookId} is already configured so`, {
      webhookId,
    });
  }
  const active = Object.values(state.webhooks).filter((w) => w.active).length;
  if (!existing && active >= MAX_ACTIVE_WEBHOOKS) {
    return refuse('invalid-command', `a community has at most ${MAX_ACTIVE_WEBHOOKS} webhooks`, {
      limit: MAX_ACTIVE_WEBHOOKS,
    });
  }
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('WebhookConfigured', defined({ ...data, reconfigured: existing !== undefined }))];
}

export function removeWebhook(
  command: CommunityCommandOf<'RemoveWebhook'>,
  state: CommunityRegistry,
): CommunityDecision {
  const { webhookId } = command.data;
  const error = requireAdmin(command.actor, 'removes webhooks');
  if (error) return error;
  const webhook = state.webhooks[webhookId];
  if (!webhook) return refuse('not-found', `no webhook ${webhookId}`, { webhookId });
  if (!webhook.active) {
    return refuse('already-revoked', `webhook ${webhookId} is removed`, { webhookId });
  }
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('WebhookRemoved', command.data)];
}
