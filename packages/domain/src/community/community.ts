import type { Decider } from '../shared/decider.ts';
import { refuse } from '../shared/errors.ts';
import {
  appointClerk,
  appointTreasurer,
  changeCommunitySettings,
  configureWebhook,
  defineProcedure,
  registerCommunity,
  removeWebhook,
  revokeClerk,
  revokeTreasurer,
} from './administration.ts';
import { erasePersonalData } from './erasure.ts';
import { evolve } from './evolve.ts';
import {
  changeStandingBody,
  dissolveStandingBody,
  establishStandingBody,
  optOutOfReminders,
  recordContactConsent,
} from './outreach.ts';
import {
  addPartyMember,
  appointPartyRepresentative,
  dissolveParty,
  registerParty,
  removePartyMember,
  revokePartyRepresentative,
} from './parties.ts';
import { grantProxy, revokeProxy } from './proxies.ts';
import {
  addResident,
  correctPerson,
  createHousehold,
  createResidentGroup,
  designateHouseholdRepresentative,
  dissolveHousehold,
  dissolveResidentGroup,
  electGroupRepresentative,
  moveResident,
  registerPerson,
  removeGroupRepresentative,
  removeResident,
} from './residents.ts';
import {
  type CommunityCommand,
  type CommunityDecision,
  type CommunityEvent,
  type CommunityRegistry,
  type CommunityState,
  initialState,
} from './state.ts';
import { correctUnitArea, registerUnit, transferUnit } from './units.ts';

export { cstDate, dueMeeting, nextMeeting } from './meetings.ts';
export {
  authorisationsHeld,
  isAdult,
  isOwner,
  isOwnersCommitteeMember,
  proxyFor,
  residentsOf,
} from './queries.ts';
export * from './schemas.ts';
export {
  type CommunityCommand,
  type CommunityCommandType,
  type CommunityEvent,
  type CommunityEventType,
  type CommunityRegistry,
  type CommunityState,
  type Contact,
  type Household,
  MAX_ACTIVE_WEBHOOKS,
  type Party,
  type Person,
  type ProxyAuthorisation,
  type ResidentGroup,
  type StandingBody,
  type Unit,
  type Webhook,
} from './state.ts';

// The community's decider: a community exists from its registration; each command of its
// registry is decided by a function of its own.

function decide(command: CommunityCommand, state: CommunityState): CommunityDecision {
  if (state.status === 'registered') return decideForRegistry(command, state);
  return command.type === 'RegisterCommunity'
    ? registerCommunity(command)
    : refuse('community-not-registered', 'register the community first');
}

function decideForRegistry(command: CommunityCommand, state: CommunityRegistry): CommunityDecision {
  switch (command.type) {
    case 'RegisterCommunity':
      return refuse('already-exists', `community ${command.data.communityId} exists`, {
        communityId: command.data.communityId,
      });
    case 'ChangeCommunitySettings':
      return changeCommunitySettings(command, state);
    case 'DefineProcedure':
      return defineProcedure(command, state);
    case 'RegisterPerson':
      return registerPerson(command, state);
    case 'CorrectPerson':
      return correctPerson(command, state);
    case 'ErasePersonalData':
      return erasePersonalData(command, state);
    case 'RegisterUnit':
      return registerUnit(command, state);
    case 'CorrectUnitArea':
      return correctUnitArea(command, state);
    case 'TransferUnit':
      return transferUnit(command, state);
    case 'CreateResidentGroup':
      return createResidentGroup(command, state);
    case 'DissolveResidentGroup':
      return dissolveResidentGroup(command, state);
    case 'CreateHousehold':
      return createHousehold(command, state);
    case 'DissolveHousehold':
      return dissolveHousehold(command, state);
    case 'AddResident':
      return addResident(command, state);
    case 'MoveResident':
      return moveResident(command, state);
    case 'RemoveResident':
      return removeResident(command, state);
    case 'DesignateHouseholdRepresentative':
      return designateHouseholdRepresentative(command, state);
    case 'ElectGroupRepresentative':
      return electGroupRepresentative(command, state);
    case 'RemoveGroupRepresentative':
      return removeGroupRepresentative(command, state);
    case 'RegisterParty':
      return registerParty(command, state);
    case 'DissolveParty':
      return dissolveParty(command, state);
    case 'AppointPartyRepresentative':
      return appointPartyRepresentative(command, state);
    case 'AddPartyMember':
      return addPartyMember(command, state);
    case 'RevokePartyRepresentative':
      return revokePartyRepresentative(command, state);
    case 'RemovePartyMember':
      return removePartyMember(command, state);
    case 'GrantProxy':
      return grantProxy(command, state);
    case 'RevokeProxy':
      return revokeProxy(command, state);
    case 'AppointClerk':
      return appointClerk(command, state);
    case 'RecordContactConsent':
      return recordContactConsent(command, state);
    case 'OptOutOfReminders':
      return optOutOfReminders(command, state);
    case 'EstablishStandingBody':
      return establishStandingBody(command, state);
    case 'ChangeStandingBody':
      return changeStandingBody(command, state);
    case 'DissolveStandingBody':
      return dissolveStandingBody(command, state);
    case 'RevokeClerk':
      return revokeClerk(command, state);
    case 'AppointTreasurer':
      return appointTreasurer(command, state);
    case 'RevokeTreasurer':
      return revokeTreasurer(command, state);
    case 'ConfigureWebhook':
      return configureWebhook(command, state);
    case 'RemoveWebhook':
      return removeWebhook(command, state);
    default: {
      const _exhaustive: never = command;
      return refuse('invalid-command', 'unknown command');
    }
  }
}

export const communityDecider: Decider<CommunityCommand, CommunityEvent, CommunityState> = {
  initialState,
  evolve,
  decide,
};
