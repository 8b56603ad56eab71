import { z } from 'zod';
import { ProcedureDefinition, Stage, TemplateId } from '../procedure/templates.ts';
import { MORE_THAN_HALF, TWO_THIRDS } from '../rules/ratio.ts';
import { Threshold } from '../rules/types.ts';
import { Actor, CommunityId, Id, IsoTime, Text } from '../shared/decider.ts';
import { PartyKind } from '../shared/party.ts';

// Commands and events of the community registry (stream `community-<cid>`): units, owners,
// residents, households, resident groups, parties, proxies and clerks. Nothing is deleted:
// every removal or revocation is an event of its own.

export const CommunityKind = z.enum(['urban', 'rural']);
export const UnitKind = z.enum(['home', 'shop', 'parking']);
/** An area in 0.01 m² (an integer, so sums and ratios stay exact). */
export const AreaCentiM2 = z.number().int().positive().max(1_000_000_000);
/** SPC interpretation 2020 Art. 8: registry area, else surveyed, else contract area. */
export const UnitAreas = z
  .object({
    registryCentiM2: AreaCentiM2.optional(),
    surveyedCentiM2: AreaCentiM2.optional(),
    contractCentiM2: AreaCentiM2.optional(),
  })
  .refine(
    (a) =>
      a.registryCentiM2 !== undefined ||
      a.surveyedCentiM2 !== undefined ||
      a.contractCentiM2 !== undefined,
    'a unit needs a registry, surveyed or contract area',
  );
export type UnitAreas = z.infer<typeof UnitAreas>;
export const BirthDate = z.iso.date();
export const DocumentRef = Text(200);
const PersonIds = z.array(Id).min(1).max(20);

export const CommunitySettings = z.object({
  /** Authorisations one proxy may hold per proposal item (潍坊 Art. 32: 3). */
  proxyLimit: z.number().int().min(1).max(100),
  /** Whether parking spaces count as units in owners' votes: open in law, default no. */
  parkingSpacesVote: z.boolean(),
  /** 未表决视为同意多数: only where the management statute says so; default off. */
  deemedConsent: z.boolean(),
  /** The statute provision allowing deemed consent, when on. */
  deemedConsentStatuteRef: DocumentRef.optional(),
  /** Person id under which the developer (建设单位) votes its unsold units. */
  developerId: Id,
  /**
   * 党员大会审议 (四议两公开): local practice, so the community adopts its thresholds; default
   * (and for settings recorded before this was a setting) two thirds of the members present
   * and more than half of those present approving.
   */
  partyMembersMeeting: z.object({ quorum: Threshold, approval: Threshold }).optional(),
});
export type CommunitySettings = z.infer<typeof CommunitySettings>;

/** 党员大会: two thirds of the members present; more than half of those present approve. */
export const defaultPartyMembersMeeting = { quorum: TWO_THIRDS, approval: MORE_THAN_HALF };

export const defaultCommunitySettings: CommunitySettings = {
  proxyLimit: 3,
  parkingSpacesVote: false,
  deemedConsent: false,
  developerId: 'developer',
  partyMembersMeeting: defaultPartyMembersMeeting,
};

// ---- Commands ---------------------------------------------------------------------------

export const RegisterCommunityData = z.object({
  communityId: CommunityId,
  name: Text(200),
  /** urban: 社区 (residents' committee); rural: 村 (villagers' committee). */
  kind: CommunityKind,
  settings: CommunitySettings.partial().optional(),
});
export type RegisterCommunityData = z.infer<typeof RegisterCommunityData>;

export const ChangeCommunitySettingsData = CommunitySettings.partial();
export const DefineProcedureData = z.object({
  templateId: TemplateId,
  name: Text(200),
  stages: z.array(Stage).min(2).max(30),
});
export const RegisterPersonData = z.object({
  personId: Id,
  name: Text(100),
  /** Kept when known, so adulthood (18+) is computed at each vote. */
  birthDate: BirthDate.optional(),
  /** When the birth date is not kept: whether the person is 18 or older. */
  adult: z.boolean().optional(),
});
export const CorrectPersonData = z.object({
  personId: Id,
  name: Text(100).optional(),
  birthDate: BirthDate.optional(),
  adult: z.boolean().optional(),
  reason: Text(500),
});
export const RegisterUnitData = z.object({
  unitId: Id,
  building: Text(100),
  /** The entrance (单元) within the building, where decisions are taken per entrance. */
  entrance: Text(100).optional(),
  label: Text(100).optional(),
  kind: UnitKind,
  areas: UnitAreas,
  /** 未出售或未交付: counted with the developer whatever buyer is on record. */
  developerUnsold: z.boolean(),
  /** Registered owners (共有人 when several); empty only for a developer-unsold unit. */
  ownerIds: z.array(Id).max(20),
});
export const CorrectUnitAreaData = z.object({
  unitId: Id,
  areas: UnitAreas,
  documentRef: DocumentRef,
});
export const TransferUnitData = z.object({
  unitId: Id,
  /** The new owners (co-owners when several); the unit is then sold and delivered. */
  ownerIds: PersonIds,
  reason: z.enum(['sale', 'delivery', 'inheritance', 'gift', 'court-order', 'correction']),
  documentRef: DocumentRef,
});
export const CreateResidentGroupData = z.object({ groupId: Id, name: Text(100) });
export const DissolveResidentGroupData = z.object({ groupId: Id, reason: Text(500) });
export const CreateHouseholdData = z.object({
  householdId: Id,
  residentGroupId: Id.optional(),
  unitId: Id.optional(),
  address: Text(200).optional(),
});
export const DissolveHouseholdData = z.object({ householdId: Id, reason: Text(500) });
export const AddResidentData = z.object({ personId: Id, householdId: Id });
export const MoveResidentData = z.object({ personId: Id, householdId: Id });
export const RemoveResidentData = z.object({
  personId: Id,
  reason: z.enum(['moved-out', 'deceased', 'correction']),
});
export const DesignateHouseholdRepresentativeData = z.object({ householdId: Id, personId: Id });
export const ElectGroupRepresentativeData = z.object({
  groupId: Id,
  personId: Id,
  documentRef: DocumentRef.optional(),
});
export const RemoveGroupRepresentativeData = z.object({
  groupId: Id,
  personId: Id,
  reason: Text(500),
});
export const RegisterPartyData = z.object({ partyId: Id, kind: PartyKind, name: Text(200) });
export const DissolvePartyData = z.object({ partyId: Id, reason: Text(500) });
export const PartyPersonData = z.object({ partyId: Id, personId: Id });
export const GrantProxyData = z.object({
  authorisationId: Id,
  /** The owner who authorises (委托人). */
  ownerId: Id,
  /** The proxy (委托代理人). */
  proxyId: Id,
  proposalId: Id,
  /** The proposal item the authorisation covers: one authorisation per item. */
  itemId: Id,
  /** How the owner instructs the proxy to vote, if they do. */
  instructions: Text(2000).optional(),
  /** The written authorisation (书面委托书); required when a clerk enters it. */
  documentRef: DocumentRef.optional(),
});
export const RevokeProxyData = z.object({ authorisationId: Id, reason: Text(500).optional() });
export const ClerkData = z.object({ personId: Id });
/** A treasurer (出纳/财务负责人) records crowdfunding receipts, refunds and fund entries. */
export const TreasurerData = z.object({ personId: Id });

/**
 * What a webhook can be told about (通知): notices, vote openings, decisions, publications; and
 * `sign-in-code`: the community's SMS gateway, which texts a person their one-time sign-in code.
 */
export const WebhookEventKind = z.enum([
  'session-notice',
  'vote-opened',
  'decision',
  'publication',
  'sign-in-code',
]);
export type WebhookEventKind = z.infer<typeof WebhookEventKind>;
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
/** The parsed URL, or undefined when it is none (the `url` check reports that). */
const parsedUrl = (value: string) => (URL.canParse(value) ? new URL(value) : undefined);
/**
 * Where a community's gateway (SMS, WeChat Work, DingTalk) listens: https, or http on this
 * machine only. The URL is part of the public record, so it may not carry credentials: the
 * gateway authenticates the sender by the signature, whose key never enters an event.
 */
export const WebhookUrl = z
  .url({ protocol: /^https?$/ })
  .max(2000)
  .refine((value) => {
    const url = parsedUrl(value);
    return !url || url.protocol === 'https:' || LOCAL_HOSTS.has(url.hostname);
  }, 'https, or http only for localhost')
  .refine((value) => {
    const url = parsedUrl(value);
    return !url || (url.username === '' && url.password === '' && url.hash === '');
  }, 'no user name, password or fragment: the URL is part of the record');
export const ConfigureWebhookData = z.object({
  webhookId: Id,
  url: WebhookUrl,
  events: z
    .array(WebhookEventKind)
    .min(1)
    .max(WebhookEventKind.options.length)
    .refine((kinds) => new Set(kinds).size === kinds.length, 'an event kind is listed twice'),
  description: Text(200).optional(),
});
export const RemoveWebhookData = z.object({ webhookId: Id, reason: Text(500) });

// ---- Events -----------------------------------------------------------------------------

const Meta = { at: IsoTime, by: Actor };

export const CommunityRegisteredData = z.object({
  communityId: CommunityId,
  name: z.string(),
  kind: CommunityKind,
  settings: CommunitySettings,
  registeredAt: z.string(),
  by: Actor,
});
export const CommunitySettingsChangedData = z.object({ settings: CommunitySettings, ...Meta });
export const ProcedureDefinedData = z.object({ procedure: ProcedureDefinition, ...Meta });
export const PersonRegisteredData = RegisterPersonData.extend(Meta);
export const PersonCorrectedData = CorrectPersonData.extend(Meta);
export const UnitRegisteredData = RegisterUnitData.extend(Meta);
export const UnitAreaCorrectedData = CorrectUnitAreaData.extend({
  previous: UnitAreas,
  ...Meta,
});
export const UnitTransferredData = TransferUnitData.extend({
  previousOwnerIds: z.array(Id),
  wasDeveloperUnsold: z.boolean(),
  ...Meta,
});
export const ResidentGroupCreatedData = CreateResidentGroupData.extend(Meta);
export const ResidentGroupDissolvedData = DissolveResidentGroupData.extend(Meta);
export const HouseholdCreatedData = CreateHouseholdData.extend(Meta);
export const HouseholdDissolvedData = DissolveHouseholdData.extend(Meta);
export const ResidentAddedData = AddResidentData.extend(Meta);
export const ResidentMovedData = MoveResidentData.extend({ fromHouseholdId: Id, ...Meta });
export const ResidentRemovedData = RemoveResidentData.extend({ householdId: Id, ...Meta });
export const HouseholdRepresentativeDesignatedData = DesignateHouseholdRepresentativeData.extend({
  previousPersonId: Id.optional(),
  ...Meta,
});
export const GroupRepresentativeElectedData = ElectGroupRepresentativeData.extend(Meta);
export const GroupRepresentativeRemovedData = RemoveGroupRepresentativeData.extend(Meta);
export const PartyRegisteredData = RegisterPartyData.extend(Meta);
export const PartyDissolvedData = DissolvePartyData.extend(Meta);
export const PartyPersonEventData = PartyPersonData.extend(Meta);
export const ProxyGrantedData = GrantProxyData.extend({
  /** `written`: entered by a clerk from paper; `electronic`: given by the owner online. */
  form: z.enum(['written', 'electronic']),
  ...Meta,
});
export const ProxyRevokedData = RevokeProxyData.extend(Meta);
export const ClerkEventData = ClerkData.extend(Meta);
export const TreasurerEventData = TreasurerData.extend(Meta);
export const WebhookConfiguredData = ConfigureWebhookData.extend({
  /** A change of an existing webhook (its URL, events or description), not a new one. */
  reconfigured: z.boolean(),
  ...Meta,
});
export const WebhookRemovedData = RemoveWebhookData.extend(Meta);

export const communityCommandSchemas = {
  RegisterCommunity: RegisterCommunityData,
  ChangeCommunitySettings: ChangeCommunitySettingsData,
  DefineProcedure: DefineProcedureData,
  RegisterPerson: RegisterPersonData,
  CorrectPerson: CorrectPersonData,
  RegisterUnit: RegisterUnitData,
  CorrectUnitArea: CorrectUnitAreaData,
  TransferUnit: TransferUnitData,
  CreateResidentGroup: CreateResidentGroupData,
  DissolveResidentGroup: DissolveResidentGroupData,
  CreateHousehold: CreateHouseholdData,
  DissolveHousehold: DissolveHouseholdData,
  AddResident: AddResidentData,
  MoveResident: MoveResidentData,
  RemoveResident: RemoveResidentData,
  DesignateHouseholdRepresentative: DesignateHouseholdRepresentativeData,
  ElectGroupRepresentative: ElectGroupRepresentativeData,
  RemoveGroupRepresentative: RemoveGroupRepresentativeData,
  RegisterParty: RegisterPartyData,
  DissolveParty: DissolvePartyData,
  AppointPartyRepresentative: PartyPersonData,
  RevokePartyRepresentative: PartyPersonData,
  AddPartyMember: PartyPersonData,
  RemovePartyMember: PartyPersonData,
  GrantProxy: GrantProxyData,
  RevokeProxy: RevokeProxyData,
  AppointClerk: ClerkData,
  RevokeClerk: ClerkData,
  AppointTreasurer: TreasurerData,
  RevokeTreasurer: TreasurerData,
  ConfigureWebhook: ConfigureWebhookData,
  RemoveWebhook: RemoveWebhookData,
} as const;

export const communityEventSchemas = {
  CommunityRegistered: CommunityRegisteredData,
  CommunitySettingsChanged: CommunitySettingsChangedData,
  ProcedureDefined: ProcedureDefinedData,
  PersonRegistered: PersonRegisteredData,
  PersonCorrected: PersonCorrectedData,
  UnitRegistered: UnitRegisteredData,
  UnitAreaCorrected: UnitAreaCorrectedData,
  UnitTransferred: UnitTransferredData,
  ResidentGroupCreated: ResidentGroupCreatedData,
  ResidentGroupDissolved: ResidentGroupDissolvedData,
  HouseholdCreated: HouseholdCreatedData,
  HouseholdDissolved: HouseholdDissolvedData,
  ResidentAdded: ResidentAddedData,
  ResidentMoved: ResidentMovedData,
  ResidentRemoved: ResidentRemovedData,
  HouseholdRepresentativeDesignated: HouseholdRepresentativeDesignatedData,
  GroupRepresentativeElected: GroupRepresentativeElectedData,
  GroupRepresentativeRemoved: GroupRepresentativeRemovedData,
  PartyRegistered: PartyRegisteredData,
  PartyDissolved: PartyDissolvedData,
  PartyRepresentativeAppointed: PartyPersonEventData,
  PartyRepresentativeRevoked: PartyPersonEventData,
  PartyMemberAdded: PartyPersonEventData,
  PartyMemberRemoved: PartyPersonEventData,
  ProxyGranted: ProxyGrantedData,
  ProxyRevoked: ProxyRevokedData,
  ClerkAppointed: ClerkEventData,
  ClerkRevoked: ClerkEventData,
  TreasurerAppointed: TreasurerEventData,
  TreasurerRevoked: TreasurerEventData,
  WebhookConfigured: WebhookConfiguredData,
  WebhookRemoved: WebhookRemovedData,
} as const;
