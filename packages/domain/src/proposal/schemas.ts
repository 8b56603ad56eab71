import { z } from 'zod';
import {
  BuiltInProcedureId,
  ProcedureDefinition,
  Stage,
  StageId,
  TemplateId,
} from '../procedure/templates.ts';
import { PlanMethod } from '../rules/select-plan.ts';
import { Actor, CommunityId, Id, IsoTime, Text } from '../shared/decider.ts';
import { PartyKind } from '../shared/party.ts';
import {
  AdoptedRules,
  AuthorisationFact,
  Choices,
  PlanOption,
  ProposalItem,
  VoteRule,
  VoteRuleRequest,
  Voter,
  VoteScope,
} from '../vote/schemas.ts';
import { RULES_VERSION, RuleResult } from '../vote/tally.ts';

// Commands and events of a proposal (议题), stream `proposal-<cid>.<pid>`. Fields marked
// "context" are facts the command service reads from other streams (the registry, a session)
// and passes in, so the decider never does I/O.

const DocumentRef = Text(200);

/** The built-in procedure templates (domain.md section 2). */
export const ProcedureTemplate = BuiltInProcedureId;
export type ProcedureTemplate = z.infer<typeof ProcedureTemplate>;

/** The party a representative submits for (context, from the registry). */
export const OnBehalfOf = z.object({ partyId: Id, partyKind: PartyKind });

// ---- Commands ---------------------------------------------------------------------------

export const SubmitProposalData = z.object({
  proposalId: Id,
  title: Text(200),
  description: Text(20_000),
  /** A built-in template id, or the id of a community-defined template. */
  procedure: z.union([ProcedureTemplate, TemplateId]),
  /** The template version; defaults to the built-in version 1 or the definition passed in. */
  procedureVersion: z.number().int().positive().optional(),
  /** Context: a community-defined template, read from the registry by the service. */
  procedureDefinition: ProcedureDefinition.optional(),
  /** The items to decide; by default one motion titled like the proposal. */
  items: z.array(ProposalItem).min(1).max(50).optional(),
  /**
   * Who decides: the whole community (default), or the owners of one building or entrance
   * (domain.md 3.1b: 加装电梯). Only an owners' procedure takes a building; fixed from now on.
   */
  scope: VoteScope.optional(),
  /** Context: the party a representative submits for (党组织提议). */
  onBehalfOf: OnBehalfOf.optional(),
  /**
   * Context: the units the submitting owner holds in the registry that count in owners' votes
   * (SPC 2020 Art. 9 attribution; parking spaces only where the community counts them). The
   * service fills it for every owner; an owners' procedure refuses an owner it lists nothing for.
   */
  submitterUnitIds: z.array(Id).max(10_000).optional(),
});
export type SubmitProposalData = z.infer<typeof SubmitProposalData>;
/** The command data: the body plus the community from the path. */
export const SubmitProposalCommandData = SubmitProposalData.extend({ communityId: CommunityId });

export const AmendProposalData = z.object({
  title: Text(200).optional(),
  description: Text(20_000).optional(),
  items: z.array(ProposalItem).min(1).max(50).optional(),
  reason: Text(2000),
});
export const AddOptionData = z.object({ itemId: Id, option: PlanOption });
/** A resident's amendment (修改建议): new text for the proposal, to be accepted or rejected. */
export const ProposeAmendmentData = z.object({
  title: Text(200).optional(),
  description: Text(20_000).optional(),
  items: z.array(ProposalItem).min(1).max(50).optional(),
  reason: Text(2000),
});
export const AcceptAmendmentData = z.object({ amendmentId: Id, reason: Text(2000) });
export const RejectAmendmentData = AcceptAmendmentData;
export const AcceptOntoAgendaData = z.object({
  /** The parties concerned (协商主体), who take part in the consultation. */
  concernedPartyIds: z.array(Id).max(30),
  /** The joint session whose agenda takes the proposal, when known. */
  sessionId: Id.optional(),
  note: Text(2000).optional(),
});
export const GiveNoticeData = z.object({
  text: Text(20_000),
  documentRef: DocumentRef.optional(),
});
export const RecordDeliberationData = z.object({
  summary: Text(20_000),
  sessionId: Id.optional(),
  documentRef: DocumentRef.optional(),
});
export const OpenVotingData = z.object({
  /** The rule; the parameters the community adopted come from its settings (`communityRules`). */
  rule: VoteRuleRequest,
  /** Context: the community's kind and adopted rule settings, from the registry. */
  communityRules: AdoptedRules,
  closesAt: IsoTime,
  /** Whether a voter may change their ballot until closing; frozen with the rule. */
  allowBallotChange: z.boolean().optional(),
  /** How plans are chosen (方案选取), when an item has plans. */
  planMethod: PlanMethod.optional(),
  /** Context: the electorate from `electorateFor(registry, rule, at, scope)`. */
  electorate: z.array(Voter).min(1).max(500_000),
  /** Context: the scope the electorate was counted for (the proposal's, from its stream). */
  scope: VoteScope.optional(),
});
export const RecordPresenceData = z.object({ voterIds: z.array(Id).min(1).max(10_000) });
export const CastBallotData = z.object({
  /** The voter the ballot speaks for; found from the actor when they are in one voter only. */
  voterId: Id.optional(),
  choices: Choices,
});
export const ChangeBallotData = CastBallotData.extend({
  /** Context: the authorisations, when a proxy changes the ballot. */
  authorisations: z.array(AuthorisationFact).max(100).optional(),
});
export const CastProxyBallotData = z.object({
  voterId: Id,
  choices: Choices,
  /** Context: the registry's authorisations covering the items (one per item). */
  authorisations: z.array(AuthorisationFact).min(1).max(100),
});
export const EnterPaperBallotData = z.object({
  voterId: Id,
  choices: Choices,
  /** The paper ballot (表决票) the clerk enters. */
  documentRef: DocumentRef,
  /** Who signed it: one of the voter's persons, or a proxy with its authorisations. */
  signedBy: Id,
  authorisations: z.array(AuthorisationFact).max(100).optional(),
});
export const CorrectPaperBallotData = z.object({
  voterId: Id,
  choices: Choices,
  documentRef: DocumentRef,
  reason: Text(2000),
});
export const CloseVotingData = z.object({
  /**
   * A meeting vote closes when the meeting ends (会议结束), before `closesAt`: presence and
   * ballots as recorded; those present who did not vote count against adoption.
   */
  meetingEnded: z.boolean().optional(),
});
export const RecordSessionResolutionData = z.object({
  sessionId: Id,
  sessionItemId: Id,
  /** Context: the session's resolution of the item (jointSessionResolution), read by the service. */
  outcome: z.enum(['adopted', 'rejected']),
  result: RuleResult,
});
export const ReturnToStageData = z.object({ reason: Text(2000) });
export const PublishData = z.object({
  text: Text(20_000),
  documentRef: DocumentRef.optional(),
  /** When implementation is due (for officials: decisions with no report past due). */
  implementationDueAt: IsoTime.optional(),
  /** 落实责任人: the registered person responsible, reminded when implementation is overdue. */
  implementationResponsibleId: Id.optional(),
  /** Context: whether the registry has that person (the service reads it). */
  responsibleRegistered: z.boolean().optional(),
});
export const RaiseObjectionData = z.object({
  objectionId: Id,
  text: Text(5000),
  documentRef: DocumentRef.optional(),
});
export const AnswerObjectionData = z.object({
  objectionId: Id,
  answer: Text(5000),
  documentRef: DocumentRef.optional(),
});
export const ReportImplementationData = z.object({
  progressPercent: z.number().int().min(0).max(100),
  text: Text(20_000),
  itemId: Id.optional(),
  documentRef: DocumentRef.optional(),
});
export const ReportFeedbackData = z.object({
  text: Text(20_000),
  documentRef: DocumentRef.optional(),
});
export const RateSatisfactionData = z.object({
  /** 满意度: 1 (very dissatisfied) to 5 (very satisfied). */
  rating: z.number().int().min(1).max(5),
  comment: Text(2000).optional(),
});
export const WithdrawProposalData = z.object({ reason: Text(2000) });
/** The scheduler's (system) reminder to the voters who have not voted, before closing. */
export const RemindNonVotersData = z.object({ voteId: Id });
/** Names another person responsible for implementation (落实责任人), with the reason. */
export const AssignImplementationData = z.object({
  responsibleId: Id,
  reason: Text(2000),
  /** Context: whether the registry has that person (the service reads it). */
  responsibleRegistered: z.boolean().optional(),
});
/** The scheduler's (system) flag on an implementation past its due time. */
export const FlagImplementationOverdueData = z.object({ dueAt: IsoTime });

// ---- Events -----------------------------------------------------------------------------

const Meta = { at: IsoTime, by: Actor };
const Via = z.enum(['online', 'proxy', 'paper']);
/** Per item, the authorisation a proxy voted under. */
const AuthorisationIds = z.record(Id, Id);

export const ProposalSubmittedData = z.object({
  communityId: z.string(),
  proposalId: z.string(),
  title: z.string(),
  description: z.string(),
  /** The exact template: id and version, and its stages as they were. */
  procedure: z.object({
    template: z.string(),
    version: z.number().int(),
    name: z.string(),
    stages: z.array(Stage),
  }),
  items: z.array(ProposalItem),
  /** One building or entrance (domain.md 3.1b); absent: the whole community. */
  scope: VoteScope.optional(),
  onBehalfOf: OnBehalfOf.optional(),
  /** For an owners' procedure submitted by an owner: the units that made them one. */
  submitterUnitIds: z.array(Id).optional(),
  submittedBy: Actor,
  submittedAt: z.string(),
});
/**
 * An amendment after the notice was given outdates it (domain.md 4): the notice announced the
 * text as it was, so notice must be given again and its period runs anew.
 */
const RenoticeRequired = z.object({ stageId: StageId });
export const ProposalAmendedData = AmendProposalData.extend({
  renoticeRequired: RenoticeRequired.optional(),
  /** The resident's amendment it adopts, when it does. */
  amendmentId: Id.optional(),
  ...Meta,
});
export const AmendmentProposedData = ProposeAmendmentData.extend({
  /** `a1`, `a2`, …: numbered in the order proposed. */
  amendmentId: Id,
  ...Meta,
});
export const AmendmentAcceptedData = AcceptAmendmentData.extend(Meta);
export const AmendmentRejectedData = RejectAmendmentData.extend(Meta);
export const OptionAddedData = AddOptionData.extend({
  renoticeRequired: RenoticeRequired.optional(),
  ...Meta,
});
export const ProposalAcceptedOntoAgendaData = AcceptOntoAgendaData.extend({
  stageId: StageId,
  ...Meta,
});
export const NoticeGivenData = GiveNoticeData.extend({
  stageId: StageId,
  /** The earliest time the next stage may start (notice time + the stage's minimum days). */
  nextStageFrom: IsoTime,
  /** Notice given again for an amended proposal; the proposal stays in its stage. */
  renewed: z.boolean().optional(),
  ...Meta,
});
export const DeliberationRecordedData = RecordDeliberationData.extend({
  stageId: StageId,
  ...Meta,
});
export const VotingOpenedData = z.object({
  voteId: Id,
  stageId: StageId,
  rule: VoteRule,
  items: z.array(ProposalItem),
  /** The building or entrance whose owners decide; absent: the whole community. */
  scope: VoteScope.optional(),
  electorate: z.array(Voter),
  totals: z.object({
    voters: z.number().int(),
    heads: z.number().int(),
    areaCentiM2: z.number().int(),
  }),
  closesAt: IsoTime,
  allowBallotChange: z.boolean(),
  planMethod: PlanMethod.optional(),
  /** The counting rules' version (vote/tally.ts); absent in votes opened before version 2. */
  rulesVersion: z.literal(RULES_VERSION).optional(),
  ...Meta,
});
export const PresenceRecordedData = RecordPresenceData.extend({ voteId: Id, ...Meta });
export const BallotCastData = z.object({
  voteId: Id,
  voterId: Id,
  choices: Choices,
  via: Via,
  /** The person whose ballot it is: the voter's person or the proxy. */
  castBy: Id,
  authorisationIds: AuthorisationIds.optional(),
  /** The paper ballot, when a clerk entered it. */
  documentRef: DocumentRef.optional(),
  ...Meta,
});
export const BallotChangedData = BallotCastData;
export const PaperBallotCorrectedData = CorrectPaperBallotData.extend({ voteId: Id, ...Meta });
export const VotingClosedData = z.object({
  voteId: Id,
  /** Closed before `closesAt`: every voter had voted on every item, or the meeting ended. */
  early: z.boolean(),
  /** Closed by the convener or clerk when the meeting ended. */
  meetingEnded: z.boolean().optional(),
  ...Meta,
});
export const ItemDecisionData = z.object({
  itemId: Id,
  outcome: z.enum(['adopted', 'rejected']),
  /** The rule's full outcome: every figure, every test, the first that failed. */
  result: RuleResult,
});
export const ProposalDecidedData = z.object({
  stageId: StageId,
  /** The vote it tallies, or the session that resolved it. */
  voteId: Id.optional(),
  sessionId: Id.optional(),
  sessionItemId: Id.optional(),
  outcome: z.enum(['adopted', 'partly-adopted', 'rejected']),
  items: z.array(ItemDecisionData),
  ...Meta,
});
export const ProposalReturnedData = z.object({
  fromStageId: StageId,
  toStageId: StageId,
  reason: z.string(),
  ...Meta,
});
export const ProposalPublishedData = PublishData.omit({ responsibleRegistered: true }).extend({
  stageId: StageId,
  subject: z.enum(['decision', 'implementation']),
  /** End of the objection period (公示期). */
  endsAt: IsoTime,
  /** Publication deadline after the decision, and whether it was met (e.g. 3 days, 北京 Art. 37). */
  deadline: IsoTime.optional(),
  onTime: z.boolean().optional(),
  ...Meta,
});
export const ObjectionRaisedData = RaiseObjectionData.extend({ stageId: StageId, ...Meta });
export const ObjectionAnsweredData = AnswerObjectionData.extend(Meta);
export const ImplementationReportedData = ReportImplementationData.extend({
  stageId: StageId,
  ...Meta,
});
export const FeedbackReportedData = ReportFeedbackData.extend({ stageId: StageId, ...Meta });
export const SatisfactionRatedData = RateSatisfactionData.extend(Meta);
export const ProposalWithdrawnData = WithdrawProposalData.extend(Meta);
export const NonVotersRemindedData = RemindNonVotersData.extend({
  closesAt: IsoTime,
  /** The persons of the voters with no ballot yet: each is reminded once, if reachable. */
  personIds: z.array(Id).max(500_000),
  ...Meta,
});
export const ImplementationAssignedData = AssignImplementationData.omit({
  responsibleRegistered: true,
}).extend({
  /** Who was responsible before (absent: no one was named). */
  previousResponsibleId: Id.optional(),
  ...Meta,
});
export const ImplementationOverdueData = FlagImplementationOverdueData.extend({
  /** The progress last reported (absent: none reported). */
  progressPercent: z.number().int().min(0).max(100).optional(),
  /** The person responsible, whom the reminder reaches (absent: the community's webhooks). */
  responsibleId: Id.optional(),
  ...Meta,
});

export const proposalCommandSchemas = {
  SubmitProposal: SubmitProposalCommandData,
  AmendProposal: AmendProposalData,
  AddOption: AddOptionData,
  ProposeAmendment: ProposeAmendmentData,
  AcceptAmendment: AcceptAmendmentData,
  RejectAmendment: RejectAmendmentData,
  AcceptOntoAgenda: AcceptOntoAgendaData,
  GiveNotice: GiveNoticeData,
  RecordDeliberation: RecordDeliberationData,
  OpenVoting: OpenVotingData,
  RecordPresence: RecordPresenceData,
  CastBallot: CastBallotData,
  ChangeBallot: ChangeBallotData,
  CastProxyBallot: CastProxyBallotData,
  EnterPaperBallot: EnterPaperBallotData,
  CorrectPaperBallot: CorrectPaperBallotData,
  CloseVoting: CloseVotingData,
  RecordSessionResolution: RecordSessionResolutionData,
  ReturnToStage: ReturnToStageData,
  Publish: PublishData,
  RaiseObjection: RaiseObjectionData,
  AnswerObjection: AnswerObjectionData,
  ReportImplementation: ReportImplementationData,
  ReportFeedback: ReportFeedbackData,
  RateSatisfaction: RateSatisfactionData,
  WithdrawProposal: WithdrawProposalData,
  AssignImplementation: AssignImplementationData,
  RemindNonVoters: RemindNonVotersData,
  FlagImplementationOverdue: FlagImplementationOverdueData,
} as const;

export const proposalEventSchemas = {
  ProposalSubmitted: ProposalSubmittedData,
  ProposalAmended: ProposalAmendedData,
  OptionAdded: OptionAddedData,
  AmendmentProposed: AmendmentProposedData,
  AmendmentAccepted: AmendmentAcceptedData,
  AmendmentRejected: AmendmentRejectedData,
  ProposalAcceptedOntoAgenda: ProposalAcceptedOntoAgendaData,
  NoticeGiven: NoticeGivenData,
  DeliberationRecorded: DeliberationRecordedData,
  VotingOpened: VotingOpenedData,
  PresenceRecorded: PresenceRecordedData,
  BallotCast: BallotCastData,
  BallotChanged: BallotChangedData,
  PaperBallotCorrected: PaperBallotCorrectedData,
  VotingClosed: VotingClosedData,
  ProposalDecided: ProposalDecidedData,
  ProposalReturned: ProposalReturnedData,
  ProposalPublished: ProposalPublishedData,
  ObjectionRaised: ObjectionRaisedData,
  ObjectionAnswered: ObjectionAnsweredData,
  ImplementationReported: ImplementationReportedData,
  FeedbackReported: FeedbackReportedData,
  SatisfactionRated: SatisfactionRatedData,
  ProposalWithdrawn: ProposalWithdrawnData,
  ImplementationAssigned: ImplementationAssignedData,
  NonVotersReminded: NonVotersRemindedData,
  ImplementationOverdue: ImplementationOverdueData,
} as const;
