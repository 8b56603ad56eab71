import type { OfType } from '../shared/decider.ts';
import { defined } from '../shared/objects.ts';
import { emptyPMap, pget, pset } from '../shared/pmap.ts';
import type {
  CommunityEvent,
  CommunityRegistry,
  CommunityState,
  Household,
  Party,
  ProxyAuthorisation,
  ResidentGroup,
  Unit,
  Webhook,
} from './state.ts';
import { indexProxy, reindexOwners, updateMapped, updateRecorded } from './updates.ts';

// How each event changes the registry. A community exists from its registration; before it,
// every other event leaves the state as it is.

export function evolve(state: CommunityState, event: CommunityEvent): CommunityState {
  if (event.type === 'CommunityRegistered') return registered(event);
  return state.status === 'registered' ? evolveRegistry(state, event) : state;
}

function registered(event: OfType<CommunityEvent, 'CommunityRegistered'>): CommunityRegistry {
  const { communityId, name, kind, settings } = event.data;
  return {
    status: 'registered',
    communityId,
    name,
    kind,
    settings,
    procedures: {},
    persons: emptyPMap(),
    units: emptyPMap(),
    unitsByOwner: emptyPMap(),
    groups: {},
    households: emptyPMap(),
    parties: {},
    proxies: emptyPMap(),
    contacts: emptyPMap(),
    standingBodies: {},
    proxiesHeld: emptyPMap(),
    proxiesGiven: emptyPMap(),
    clerkIds: [],
    treasurerIds: [],
    webhooks: {},
  };
}

function evolveRegistry(state: CommunityRegistry, event: CommunityEvent): CommunityRegistry {
  switch (event.type) {
    case 'CommunityRegistered':
      return state;
    case 'CommunitySettingsChanged':
      return { ...state, settings: event.data.settings };
    case 'ProcedureDefined': {
      const { procedure } = event.data;
      const versions = state.procedures[procedure.templateId] ?? [];
      return {
        ...state,
        procedures: { ...state.procedures, [procedure.templateId]: [...versions, procedure] },
      };
    }
    case 'PersonRegistered': {
      const { personId, name, birthDate, adult, phone } = event.data;
      return {
        ...state,
        persons: pset(
          state.persons,
          personId,
          defined({ personId, name, birthDate, adult, phone }),
        ),
      };
    }
    case 'PersonCorrected': {
      const { personId, name, birthDate, adult, phone } = event.data;
      return updateMapped(state, 'persons', personId, (p) => ({
        ...p,
        ...defined({ name, birthDate, adult, phone }),
      }));
    }
    case 'PersonalDataErased': {
      const { personId, adult } = event.data;
      return updateMapped(state, 'persons', personId, (p) =>
        defined({ personId, householdId: p.householdId, adult, erased: true as const }),
      );
    }
    case 'UnitRegistered': {
      const { unitId, building, entrance, label, kind, areas, developerUnsold, ownerIds } =
        event.data;
      const unit: Unit = defined({
        unitId,
        building,
        entrance,
        label,
        kind,
        areas,
        developerUnsold,
        ownerIds,
      });
      return {
        ...state,
        units: pset(state.units, unitId, unit),
        unitsByOwner: reindexOwners(state.unitsByOwner, unitId, [], ownerIds),
      };
    }
    case 'UnitAreaCorrected':
      return updateMapped(state, 'units', event.data.unitId, (u) => ({
        ...u,
        areas: event.data.areas,
      }));
    case 'UnitTransferred': {
      const { unitId, ownerIds, previousOwnerIds } = event.data;
      const next = updateMapped(state, 'units', unitId, (u) => ({
        ...u,
        ownerIds,
        developerUnsold: false,
      }));
      return {
        ...next,
        unitsByOwner: reindexOwners(next.unitsByOwner, unitId, previousOwnerIds, ownerIds),
      };
    }
    case 'ResidentGroupCreated': {
      const { groupId, name } = event.data;
      const group: ResidentGroup = { groupId, name, active: true, representativeIds: [] };
      return { ...state, groups: { ...state.groups, [groupId]: group } };
    }
    case 'ResidentGroupDissolved':
      return updateRecorded(state, 'groups', event.data.groupId, (g) => ({ ...g, active: false }));
    case 'HouseholdCreated': {
      const { householdId, residentGroupId, unitId, address } = event.data;
      const household: Household = defined({
        householdId,
        residentGroupId,
        unitId,
        address,
        active: true,
      });
      return { ...state, households: pset(state.households, householdId, household) };
    }
    case 'HouseholdDissolved':
      return updateMapped(state, 'households', event.data.householdId, (h) => ({
        ...h,
        active: false,
      }));
    case 'ResidentAdded':
    case 'ResidentMoved':
      return updateMapped(state, 'persons', event.data.personId, (p) => ({
        ...p,
        householdId: event.data.householdId,
      }));
    case 'ResidentRemoved': {
      const next = updateMapped(
        state,
        'persons',
        event.data.personId,
        ({ householdId: _, ...p }) => p,
      );
      const household = pget(next.households, event.data.householdId);
      if (household?.representativeId !== event.data.personId) return next;
      return updateMapped(
        next,
        'households',
        household.householdId,
        ({ representativeId: _, ...h }) => h,
      );
    }
    case 'HouseholdRepresentativeDesignated':
      return updateMapped(state, 'households', event.data.householdId, (h) => ({
        ...h,
        representativeId: event.data.personId,
      }));
    case 'GroupRepresentativeElected':
      return updateRecorded(state, 'groups', event.data.groupId, (g) => ({
        ...g,
        representativeIds: [...g.representativeIds, event.data.personId],
      }));
    case 'GroupRepresentativeRemoved':
      return updateRecorded(state, 'groups', event.data.groupId, (g) => ({
        ...g,
        representativeIds: g.representativeIds.filter((id) => id !== event.data.personId),
      }));
    case 'PartyRegistered': {
      const { partyId, kind, name } = event.data;
      const party: Party = {
        partyId,
        kind,
        name,
        active: true,
        representativeIds: [],
        memberIds: [],
      };
      return { ...state, parties: { ...state.parties, [partyId]: party } };
    }
    case 'PartyDissolved':
      return updateRecorded(state, 'parties', event.data.partyId, (p) => ({ ...p, active: false }));
    case 'PartyRepresentativeAppointed':
      return updateRecorded(state, 'parties', event.data.partyId, (p) => ({
        ...p,
        representativeIds: [...p.representativeIds, event.data.personId],
      }));
    case 'PartyRepresentativeRevoked':
      return updateRecorded(state, 'parties', event.data.partyId, (p) => ({
        ...p,
        representativeIds: p.representativeIds.filter((id) => id !== event.data.personId),
      }));
    case 'PartyMemberAdded':
      return updateRecorded(state, 'parties', event.data.partyId, (p) => ({
        ...p,
        memberIds: [...p.memberIds, event.data.personId],
      }));
    case 'PartyMemberRemoved':
      return updateRecorded(state, 'parties', event.data.partyId, (p) => ({
        ...p,
        memberIds: p.memberIds.filter((id) => id !== event.data.personId),
      }));
    case 'ProxyGranted': {
      const d = event.data;
      const authorisation: ProxyAuthorisation = defined({
        authorisationId: d.authorisationId,
        ownerId: d.ownerId,
        proxyId: d.proxyId,
        proposalId: d.proposalId,
        itemId: d.itemId,
        instructions: d.instructions,
        documentRef: d.documentRef,
        form: d.form,
        grantedAt: d.at,
        active: true,
      });
      return indexProxy(
        { ...state, proxies: pset(state.proxies, d.authorisationId, authorisation) },
        authorisation,
        (ids) => [...ids, d.authorisationId],
      );
    }
    case 'ProxyRevoked': {
      const authorisation = pget(state.proxies, event.data.authorisationId);
      if (!authorisation) return state;
      const revoked = { ...authorisation, active: false };
      return indexProxy(
        { ...state, proxies: pset(state.proxies, revoked.authorisationId, revoked) },
        revoked,
        (ids) => ids.filter((id) => id !== revoked.authorisationId),
      );
    }
    case 'ClerkAppointed':
      return { ...state, clerkIds: [...state.clerkIds, event.data.personId] };
    case 'ClerkRevoked':
      return { ...state, clerkIds: state.clerkIds.filter((id) => id !== event.data.personId) };
    case 'TreasurerAppointed':
      return { ...state, treasurerIds: [...state.treasurerIds, event.data.personId] };
    case 'TreasurerRevoked':
      return {
        ...state,
        treasurerIds: state.treasurerIds.filter((id) => id !== event.data.personId),
      };
    case 'WebhookConfigured': {
      const { webhookId, url, events, description } = event.data;
      const webhook: Webhook = defined({ webhookId, url, events, description, active: true });
      return { ...state, webhooks: { ...state.webhooks, [webhookId]: webhook } };
    }
    case 'WebhookRemoved':
      return updateRecorded(state, 'webhooks', event.data.webhookId, (w) => ({
        ...w,
        active: false,
      }));
    case 'ContactConsentRecorded':
      return {
        ...state,
        contacts: pset(state.contacts, event.data.personId, {
          channels: event.data.channels,
          optedOut: false,
        }),
      };
    case 'RemindersOptedOut': {
      const contact = pget(state.contacts, event.data.personId) ?? { channels: [], optedOut: true };
      return {
        ...state,
        contacts: pset(state.contacts, event.data.personId, { ...contact, optedOut: true }),
      };
    }
    case 'StandingBodyEstablished': {
      const { at: establishedAt, by: _by, ...body } = event.data;
      return {
        ...state,
        standingBodies: { ...state.standingBodies, [body.bodyId]: { ...body, establishedAt } },
      };
    }
    case 'StandingBodyChanged': {
      const { at: _at, by: _by, reason: _reason, ...changed } = event.data;
      const body = state.standingBodies[changed.bodyId];
      if (!body) return state;
      return {
        ...state,
        standingBodies: { ...state.standingBodies, [changed.bodyId]: { ...body, ...changed } },
      };
    }
    case 'StandingBodyDissolved': {
      const body = state.standingBodies[event.data.bodyId];
      if (!body) return state;
      return {
        ...state,
        standingBodies: {
          ...state.standingBodies,
          [event.data.bodyId]: { ...body, dissolvedAt: event.data.at },
        },
      };
    }
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}
