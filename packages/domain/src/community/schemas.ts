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
/** Mainland mobile numbers (+86 1xx xxxx xxxx), the ones a one-time code can be sent to. */
const MAINLAND = /^\+86/;
const MAINLAND_MOBILE = /^\+861[3-9]\d{9}$/;
const E164 = /^\+[1-9]\d{6,14}$/;
/**
 * A phone number in E.164 (`+8613812345678`): a mainland number must be a mobile number, any
 * other a general E.164 number. Clients normalise what people type with `normalizePhone`.
 */
export const Phone = z
  .string()
  .max(16)
  .refine(
    (v) => E164.test(v) && (!MAINLAND.test(v) || MAINLAND_MOBILE.test(v)),
    '手机号须为 E.164 格式，如 +8613812345678 / a mobile number in E.164, e.g. +8613812345678',
  );

/**
 * A phone number as people type it (`138 1234 5678`, `+86-138-1234-5678`, `008613812345678`)
 * in E.164, or undefined when it is none (`Phone` says what is accepted).
 */
export function normalizePhone(text: string): string | undefined {
  let digits = text.trim().replace(/[\s\-().]/g, '');
  if (digits.startsWith('00')) digits = `+${digits.slice(2)}`;
  if (/^1[3-9]\d{9}$/.test(digits)) digits = `+86${digits}`;
  return Phone.safeParse(digits).success ? digits : undefined;
}
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
  /**
   * Days before a vote closes that the voters who have not voted are reminded (提醒); absent:
   * `DEFAULT_REMINDER_DAYS`; 0: no reminder.
   */
  reminderDaysBeforeClose: z.number().int().min(0).max(60).optional(),
});
export type CommunitySettings = z.infer<typeof CommunitySettings>;

/** 党员大会: two thirds of the members present; more than half of those present approve. */
export const defaultPartyMembersMeeting = { quorum: TWO_THIRDS, approval: MORE_THAN_HALF };

/** Reminders go out this many days before a vote closes unless the community says otherwise. */
export const DEFAULT_REMINDER_DAYS = 2;

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
  /** The mobile number the person signs in with and is notified at. */
  phone: Phone.optional(),
});
export const CorrectPersonData = z.object({
  personId: Id,
  name: Text(100).optional(),
  birthDate: BirthDate.optional(),
  adult: z.boolean().optional(),
  phone: Phone.optional(),
  reason: Text(500),
});
/**
 * The grounds on which personal information must be deleted, PIPL Art. 47: the purpose is
 * fulfilled, cannot be or no longer needs it (1); the service ended or the retention period
 * expired (2); consent was withdrawn (3); it was processed unlawfully (4); another law says so (5).
 */
export const ErasureGround = z.enum([
  'purpose-fulfilled',
  'retention-ended',
  'consent-withdrawn',
  'unlawful-processing',
  'other-law',
]);
export type ErasureGround = z.infer<typeof ErasureGround>;
export const ErasePersonalDataData = z.object({
  personId: Id,
  /** The Art. 47 ground, and the facts behind it in words. */
  legalBasis: z.object({ ground: ErasureGround, explanation: Text(1000) }),
  /** Who approved the erasure (a registered person other than the clerk recording it). */
  approvedBy: Id,
  /** The request or decision on paper, when there is one. */
  documentRef: DocumentRef.optional(),
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
 * What a webhook can be told about (通知): notices, vote openings, decisions, publications;
 * `sign-in-code`: the community's SMS gateway, which texts a person their one-time sign-in code;
 * and the installation's signed checkpoints (签名检查点, every one, whichever community subscribes).
 */
export const WebhookEventKind = z.enum([
  'session-notice',
  'vote-opened',
  'decision',
  'publication',
  'sign-in-code',
  'checkpoint-signed',
  /** 提醒: one message per reachable person (non-voters before closing, overdue reports). */
  'reminder',
  /**
   * 参与: one message to the reachable person concerned: a reply to their comment, their wish
   * claimed, their wish done (asking them to rate it).
   */
  'participation',
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

/** How a person may be reached through the community's gateways. */
export const ContactChannel = z.enum(['sms', 'wechat-work', 'dingtalk']);
export type ContactChannel = z.infer<typeof ContactChannel>;
/** A person's consent to be reached (知情同意), on paper or in person: the clerk records it. */
export const RecordContactConsentData = z.object({
  personId: Id,
  channels: z
    .array(ContactChannel)
    .min(1)
    .max(ContactChannel.options.length)
    .refine((c) => new Set(c).size === c.length, 'a channel is listed twice'),
  documentRef: DocumentRef.optional(),
});
/** A person asks for no reminders (退订): themselves, or through the clerk. */
export const OptOutOfRemindersData = z.object({ personId: Id });

/** A time of day in China Standard Time (UTC+8, no daylight saving), `HH:MM`. */
const TimeOfDay = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'HH:MM, 00:00 to 23:59');
/**
 * When a standing body meets: on days of each month (逢四说事: 4, 14, 24), or on the n-th
 * weekday of each month (every first Monday: weekday 1, nth 1). Days stop at 28 so that
 * every month has each of them.
 */
export const MeetingSchedule = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('days-of-month'),
    days: z.array(z.number().int().min(1).max(28)).min(1).max(28),
    time: TimeOfDay,
  }),
  z.object({
    kind: z.literal('weekday-of-month'),
    /** 1 = Monday ... 7 = Sunday (ISO). */
    weekday: z.number().int().min(1).max(7),
    nth: z.number().int().min(1).max(4),
    time: TimeOfDay,
  }),
]);
export type MeetingSchedule = z.infer<typeof MeetingSchedule>;
/**
 * A standing body (常设议事机构): a residents' council (居民议事会) whose members vote, or a
 * joint meeting (联席会议) of parties, meeting on a repeating schedule at a venue. The
 * scheduler convenes each meeting with the items accepted onto the agenda since the last.
 */
export const EstablishStandingBodyData = z.object({
  bodyId: Id,
  name: Text(200),
  kind: z.enum(['residents-council', 'joint-session']),
  /** The parties invited to each meeting (at least one: a session invites parties). */
  partyIds: z.array(Id).min(1).max(30),
  /** A council's members (议事会成员): persons who vote on each item. */
  memberIds: z.array(Id).max(500),
  venue: Text(200),
  schedule: MeetingSchedule,
});
/** A standing body's members, parties, venue or schedule changed (换届, a new venue); its kind stays. */
export const ChangeStandingBodyData = EstablishStandingBodyData.omit({ kind: true }).extend({
  reason: Text(500),
});
export const DissolveStandingBodyData = z.object({ bodyId: Id, reason: Text(500) });

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
/**
 * Its personal fields are stored sealed (packages/personal-data); the domain reads them opened.
 * Once the person's data is erased they can no longer be opened and read as absent: hence the
 * name, required in the command, is optional here.
 */
export const PersonRegisteredData = RegisterPersonData.extend({
  name: Text(100).optional(),
  ...Meta,
});
export const PersonCorrectedData = CorrectPersonData.extend(Meta);
export const PersonalDataErasedData = ErasePersonalDataData.extend({
  /**
   * Whether the person was an adult when erased: their birth date goes, and residents' votes
   * still need to know (a clerk may correct it later, `adult` not being erased).
   */
  adult: z.boolean().optional(),
  ...Meta,
});
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
export const ContactConsentRecordedData = RecordContactConsentData.extend(Meta);
export const RemindersOptedOutData = OptOutOfRemindersData.extend(Meta);
export const StandingBodyEstablishedData = EstablishStandingBodyData.extend(Meta);
export const StandingBodyChangedData = ChangeStandingBodyData.extend(Meta);
export const StandingBodyDissolvedData = DissolveStandingBodyData.extend(Meta);

export const communityCommandSchemas = {
  RegisterCommunity: RegisterCommunityData,
  ChangeCommunitySettings: ChangeCommunitySettingsData,
  DefineProcedure: DefineProcedureData,
  RegisterPerson: RegisterPersonData,
  CorrectPerson: CorrectPersonData,
  ErasePersonalData: ErasePersonalDataData,
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
  RecordContactConsent: RecordContactConsentData,
  OptOutOfReminders: OptOutOfRemindersData,
  EstablishStandingBody: EstablishStandingBodyData,
  ChangeStandingBody: ChangeStandingBodyData,
  DissolveStandingBody: DissolveStandingBodyData,
} as const;

export const communityEventSchemas = {
  CommunityRegistered: CommunityRegisteredData,
  CommunitySettingsChanged: CommunitySettingsChangedData,
  ProcedureDefined: ProcedureDefinedData,
  PersonRegistered: PersonRegisteredData,
  PersonCorrected: PersonCorrectedData,
  PersonalDataErased: PersonalDataErasedData,
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
  ContactConsentRecorded: ContactConsentRecordedData,
  RemindersOptedOut: RemindersOptedOutData,
  StandingBodyEstablished: StandingBodyEstablishedData,
  StandingBodyChanged: StandingBodyChangedData,
  StandingBodyDissolved: StandingBodyDissolvedData,
} as const;
