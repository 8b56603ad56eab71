import { z } from 'zod';
import { JointSessionRule, PartyPosition } from '../rules/joint-session.ts';
import { Choice } from '../rules/types.ts';
import { Actor, CommunityId, Id, IsoTime, Text } from '../shared/decider.ts';
import { PartyKind } from '../shared/party.ts';
import { RuleResult } from '../vote/tally.ts';

// Commands and events of a session (stream `session-<cid>.<sid>`): a joint session
// (多方联席会议) where parties state positions, or a residents' council meeting (居民议事会)
// where members vote. Minutes are drafted by the clerk, amended by attendees and final when
// every attending party has signed; after that only signed corrections follow.

const DocumentRef = Text(200);

export const SessionKind = z.enum(['joint-session', 'residents-council']);

/** An invited party as the registry holds it (context, passed in by the service). */
export const InvitedParty = z.object({ partyId: Id, kind: PartyKind, name: Text(200) });
export const AgendaItem = z.object({
  itemId: Id,
  title: Text(200),
  /** The proposal this item decides, when there is one. */
  proposalId: Id.optional(),
  /** Parties the item concerns: required to attend by default (domain.md 3.4). */
  concernedPartyIds: z.array(Id).max(30),
});
export type AgendaItem = z.infer<typeof AgendaItem>;

// ---- Commands ---------------------------------------------------------------------------

export const ConveneSessionData = z.object({
  communityId: CommunityId,
  sessionId: Id,
  kind: SessionKind,
  title: Text(200),
  scheduledAt: IsoTime,
  parties: z.array(InvitedParty).min(1).max(30),
  agenda: z.array(AgendaItem).min(1).max(50),
  /** Parties required for every item; default: party organisation and residents'/villagers' committee. */
  requiredPartyIds: z.array(Id).max(30).optional(),
  /** Joint sessions: consensus of the required parties by default. */
  resolutionRule: JointSessionRule.optional(),
  /** Residents' council: its members (议事会成员), who vote on each item. */
  memberIds: z.array(Id).max(500).optional(),
  /** Where it sits (地点), as the meeting notice says. */
  venue: Text(200).optional(),
  /** The standing body whose regular meeting this is (逢四说事), when the scheduler convened it. */
  standingBodyId: Id.optional(),
});
export const GiveSessionNoticeData = z.object({
  text: Text(20_000),
  documentRef: DocumentRef.optional(),
});
export const RecordAttendanceData = z.object({
  personId: Id,
  /** The party the person represents; absent for a resident or council member. */
  partyId: Id.optional(),
  /** Context: the registry's representatives of `partyId`. */
  partyRepresentativeIds: z.array(Id).max(100).optional(),
});
export const RecordStatementData = z.object({
  itemId: Id,
  text: Text(20_000),
  /** Who spoke, when a clerk records it; by default the actor. */
  speakerPersonId: Id.optional(),
});
export const StatePositionData = z.object({
  itemId: Id,
  partyId: Id,
  position: PartyPosition,
  reason: Text(5000).optional(),
});
export const CastMemberVoteData = z.object({ itemId: Id, choice: Choice });
export const ResolveItemData = z.object({ itemId: Id });
export const DraftMinutesData = z.object({
  text: Text(100_000),
  documentRef: DocumentRef.optional(),
});
export const AmendMinutesData = z.object({ text: Text(100_000), reason: Text(2000) });
/** SHA-256 of a text (UTF-8), lowercase hex: what a signature names. */
export const TextHash = z.string().regex(/^[0-9a-f]{64}$/, 'SHA-256 in lowercase hex');
export const SignMinutesData = z.object({
  /** The party signed for; absent: the actor signs as an attending council member. */
  partyId: Id.optional(),
  /** The hash of the text read and signed (`textHash` of the version shown). */
  textHash: TextHash,
});
export const CorrectMinutesData = z.object({
  correctionId: Id,
  text: Text(100_000),
  reason: Text(2000),
});
export const SignMinutesCorrectionData = z.object({
  correctionId: Id,
  /** The party signed for; absent: the actor signs as an attending council member. */
  partyId: Id.optional(),
});
export const PublishMinutesData = z.object({ documentRef: DocumentRef.optional() });
/** The scheduler's: remind who has not signed this version of the minutes (once a version). */
export const RemindSignersData = z.object({ version: z.number().int().positive() });

// ---- Events -----------------------------------------------------------------------------

const Meta = { at: IsoTime, by: Actor };

export const SessionConvenedData = ConveneSessionData.extend({
  requiredPartyIds: z.array(Id),
  resolutionRule: JointSessionRule,
  memberIds: z.array(Id),
  ...Meta,
});
export const SessionNoticeGivenData = GiveSessionNoticeData.extend(Meta);
export const AttendanceRecordedData = z.object({
  personId: Id,
  partyId: Id.optional(),
  /** party-representative, council member, or resident (列席). */
  as: z.enum(['party-representative', 'member', 'resident']),
  ...Meta,
});
export const StatementRecordedData = z.object({
  itemId: Id,
  speakerPersonId: Id,
  partyId: Id.optional(),
  text: z.string(),
  ...Meta,
});
export const PositionStatedData = StatePositionData.extend({ personId: Id, ...Meta });
export const MemberVoteCastData = CastMemberVoteData.extend({ personId: Id, ...Meta });
export const ItemResolvedData = z.object({
  itemId: Id,
  proposalId: Id.optional(),
  outcome: z.enum(['adopted', 'rejected']),
  /** Opposing parties (异议), recorded in the minutes. */
  dissentingPartyIds: z.array(Id),
  result: RuleResult,
  ...Meta,
});
export const MinutesDraftedData = DraftMinutesData.extend({
  version: z.number().int().positive(),
  /** SHA-256 of `text`: what a signature names (absent in minutes recorded before). */
  textHash: TextHash.optional(),
  ...Meta,
});
export const MinutesAmendedData = AmendMinutesData.extend({
  version: z.number().int().positive(),
  textHash: TextHash.optional(),
  /** Signatures of the previous version, void now that the text changed. */
  voidedSignaturePartyIds: z.array(Id).optional(),
  voidedSignatureMemberIds: z.array(Id).optional(),
  ...Meta,
});
export const MinutesSignedData = z.object({
  /** The party that signed; absent: the council member `personId` signed. */
  partyId: Id.optional(),
  version: z.number().int().positive(),
  /** The hash of the text signed; absent on signatures recorded before it was required. */
  textHash: TextHash.optional(),
  personId: Id,
  ...Meta,
});
export const MinutesFinalisedData = z.object({
  version: z.number().int().positive(),
  textHash: TextHash.optional(),
  signedByPartyIds: z.array(Id),
  /** The council members who signed (a residents' council's minutes). */
  signedByMemberIds: z.array(Id).optional(),
  ...Meta,
});
export const MinutesCorrectionProposedData = CorrectMinutesData.extend(Meta);
export const MinutesCorrectionSignedData = SignMinutesCorrectionData.extend({
  personId: Id,
  ...Meta,
});
export const MinutesCorrectionFinalisedData = z.object({
  correctionId: Id,
  signedByPartyIds: z.array(Id),
  signedByMemberIds: z.array(Id).optional(),
  ...Meta,
});
export const SignersRemindedData = RemindSignersData.extend({
  /** Attending parties that have not signed this version. */
  partyIds: z.array(Id),
  /** The persons reminded: those parties' attending representatives, and unsigned members. */
  personIds: z.array(Id),
  ...Meta,
});
export const MinutesPublishedData = PublishMinutesData.extend({
  version: z.number().int().positive(),
  correctionIds: z.array(Id),
  ...Meta,
});

export const sessionCommandSchemas = {
  ConveneSession: ConveneSessionData,
  GiveSessionNotice: GiveSessionNoticeData,
  RecordAttendance: RecordAttendanceData,
  RecordStatement: RecordStatementData,
  StatePosition: StatePositionData,
  CastMemberVote: CastMemberVoteData,
  ResolveItem: ResolveItemData,
  DraftMinutes: DraftMinutesData,
  AmendMinutes: AmendMinutesData,
  SignMinutes: SignMinutesData,
  CorrectMinutes: CorrectMinutesData,
  SignMinutesCorrection: SignMinutesCorrectionData,
  PublishMinutes: PublishMinutesData,
  RemindSigners: RemindSignersData,
} as const;

export const sessionEventSchemas = {
  SessionConvened: SessionConvenedData,
  SessionNoticeGiven: SessionNoticeGivenData,
  AttendanceRecorded: AttendanceRecordedData,
  StatementRecorded: StatementRecordedData,
  PositionStated: PositionStatedData,
  MemberVoteCast: MemberVoteCastData,
  ItemResolved: ItemResolvedData,
  MinutesDrafted: MinutesDraftedData,
  MinutesAmended: MinutesAmendedData,
  MinutesSigned: MinutesSignedData,
  MinutesFinalised: MinutesFinalisedData,
  MinutesCorrectionProposed: MinutesCorrectionProposedData,
  MinutesCorrectionSigned: MinutesCorrectionSignedData,
  MinutesCorrectionFinalised: MinutesCorrectionFinalisedData,
  MinutesPublished: MinutesPublishedData,
  SignersReminded: SignersRemindedData,
} as const;
