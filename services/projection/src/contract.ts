import type { z } from '@hono/zod-openapi';
import type * as attachments from './routes/attachments.ts';
import type * as capacities from './routes/capacities.ts';
import type * as common from './routes/common.ts';
import type * as convocations from './routes/convocations.ts';
import type * as decisions from './routes/decisions.ts';
import type * as directory from './routes/directory.ts';
import type * as discussions from './routes/discussions.ts';
import type * as evaluations from './routes/evaluations.ts';
import type * as installation from './routes/installation.ts';
import type * as money from './routes/money.ts';
import type * as personalData from './routes/personal-data.ts';
import type * as proposals from './routes/proposals.ts';
import type * as registry from './routes/registry.ts';
import type * as sessions from './routes/sessions.ts';
import type * as shares from './routes/shares.ts';
import type * as standingBodies from './routes/standing-bodies.ts';
import type * as timeline from './routes/timeline.ts';
import type * as verification from './routes/verification.ts';
import type * as wishes from './routes/wishes.ts';
import type * as transparency from './transparency/routes.ts';

// The query API's answers as types (`@yishi/projection/contract`), inferred from the zod
// schemas that also document them in /openapi.json: what a client such as the console may rely
// on. Types only: importing this module loads nothing of the service.

export type AsOf = z.infer<typeof common.AsOfInfo>;

export type CommunityView = z.infer<typeof registry.Community>;
export type CommunitySummary = z.infer<typeof registry.CommunitySummary>;
export type CommunityList = z.infer<typeof registry.CommunityList>;
export type PartyView = z.infer<typeof registry.Party>;
export type StandingBodyView = z.infer<typeof standingBodies.StandingBody>;
export type StandingBodyList = z.infer<typeof standingBodies.StandingBodyList>;
export type PersonName = z.infer<typeof registry.PersonName>;
export type PersonPage = z.infer<typeof registry.PersonPage>;
export type CapacityView = z.infer<typeof capacities.Capacity>;
export type CapacityList = z.infer<typeof capacities.Capacities>;
export type InstallationView = z.infer<typeof installation.Installation>;
/** `POST /v1/directory/phone-lookup`: the registered persons a phone number belongs to. */
export type PhoneLookup = z.infer<typeof directory.PhoneLookup>;
/** `GET …/persons/{personId}/personal-data`: a person's own data, as downloaded. */
export type PersonalDataExport = z.infer<typeof personalData.PersonalDataExport>;

export type ProposalView = z.infer<typeof proposals.Proposal>;
export type ProposalSummary = z.infer<typeof proposals.ProposalSummary>;
export type ProposalList = z.infer<typeof proposals.ProposalList>;
export type StageView = ProposalView['procedure']['stages'][number];
export type ItemView = ProposalView['items'][number];
export type VoteView = NonNullable<ProposalView['vote']>;
export type ItemResult = z.infer<typeof common.ItemOutcome>;
export type TallyView = z.infer<typeof proposals.Tally>;
export type BallotView = z.infer<typeof proposals.Ballot>;
export type BallotPage = z.infer<typeof proposals.BallotPage>;
export type CostSharesView = z.infer<typeof shares.CostShares>;
export type FollowUpView = z.infer<typeof proposals.FollowUp>;

export type DecisionView = z.infer<typeof decisions.Decision>;
export type DecisionList = z.infer<typeof decisions.DecisionList>;

export type SessionView = z.infer<typeof sessions.Session>;
export type SessionSummary = z.infer<typeof sessions.SessionSummary>;
export type SessionList = z.infer<typeof sessions.SessionList>;

export type TimelineEntry = z.infer<typeof timeline.TimelineEntry>;
export type TimelinePage = z.infer<typeof timeline.TimelinePage>;

export type VerificationReport = z.infer<typeof verification.VerificationReport>;

// Participation: discussion and amendments, micro-wishes, evaluations.
export type DiscussionView = z.infer<typeof discussions.Discussion>;
export type CommentView = z.infer<typeof discussions.Comment>;
export type AmendmentView = z.infer<typeof discussions.Amendment>;
export type WishView = z.infer<typeof wishes.Wish>;
/** What a community's attachments are: a photo is shown by its preview, a PDF as a link. */
export type AttachmentInfo = z.infer<typeof attachments.AttachmentInfo>;
export type AttachmentInfoList = z.infer<typeof attachments.AttachmentInfoList>;
export type WishListView = z.infer<typeof wishes.WishList>;
export type EvaluationView = z.infer<typeof evaluations.Evaluation>;
export type EvaluationDetailView = z.infer<typeof evaluations.EvaluationDetail>;
export type EvaluationListView = z.infer<typeof evaluations.EvaluationList>;
export type CheckpointView = z.infer<typeof transparency.CheckpointView>;
export type FundSummaryView = z.infer<typeof money.FundSummary>;
export type FundList = z.infer<typeof money.FundList>;
export type FundAccountsView = z.infer<typeof money.FundAccounts>;
export type AccountLineView = z.infer<typeof money.AccountLine>;
export type CampaignView = z.infer<typeof money.Campaign>;
export type CampaignList = z.infer<typeof money.CampaignList>;
export type CampaignDetail = z.infer<typeof money.CampaignDetail>;
export type MeetingRequestView = z.infer<typeof convocations.MeetingRequest>;
export type MeetingRequestList = z.infer<typeof convocations.MeetingRequestList>;
