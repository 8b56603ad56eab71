import { z } from 'zod';
import { attachmentCommandSchemas } from '../attachment/attachment.ts';
import { communityCommandSchemas } from '../community/community.ts';
import { convocationCommandSchemas } from '../convocation/convocation.ts';
import { crowdfundingCommandSchemas } from '../crowdfunding/crowdfunding.ts';
import { discussionCommandSchemas } from '../discussion/discussion.ts';
import { evaluationCommandSchemas } from '../evaluation/evaluation.ts';
import { fundCommandSchemas } from '../fund/fund.ts';
import { installationCommandSchemas } from '../installation/installation.ts';
import { proposalCommandSchemas } from '../proposal/proposal.ts';
import { sessionCommandSchemas } from '../session/session.ts';
import type { Role } from '../shared/decider.ts';
import type { Aggregate } from '../shared/events.ts';
import { wishCommandSchemas } from '../wish/wish.ts';
import { describeFields } from './field-docs.ts';

// The command catalogue for the HTTP layer: for each command its aggregate, its data schema,
// the fields the service fills in from other streams (context), and the roles that may send
// it (domain.md section 1). The deciders check the finer identity rules themselves (an owner
// acts for themselves, a representative for their own party); `partyField` names the field
// that must equal the actor's party, so routes can check it before deciding. Officials only
// read: no command lists them.

type Schemas = typeof communityCommandSchemas &
  typeof proposalCommandSchemas &
  typeof sessionCommandSchemas &
  typeof convocationCommandSchemas &
  typeof discussionCommandSchemas &
  typeof wishCommandSchemas &
  typeof evaluationCommandSchemas &
  typeof crowdfundingCommandSchemas &
  typeof fundCommandSchemas &
  typeof installationCommandSchemas &
  typeof attachmentCommandSchemas;
export type DomainCommandType = keyof Schemas;

export interface CommandDefinition {
  readonly name: DomainCommandType;
  readonly aggregate: Aggregate;
  /** The command's data, as the decider receives it. */
  readonly schema: z.ZodObject;
  /** What a client sends: the data without the context fields. */
  readonly body: z.ZodObject;
  /** Fields the service fills in (path parameters, facts from the registry or a session). */
  readonly context: readonly string[];
  readonly roles: readonly Role[];
  /** A data field that must equal the actor's `partyId`. */
  readonly partyField?: string;
  readonly summary: string;
  /**
   * The scheduler (system actor, 自动) sends it too (`also`), or only it does (`only`: no route,
   * no token may send it).
   */
  readonly automatic?: 'also' | 'only';
}

interface Entry {
  roles: readonly Role[];
  summary: string;
  context?: readonly string[];
  partyField?: string;
  automatic?: 'also' | 'only';
}

const registry: readonly Role[] = ['clerk', 'admin'];
const submitters: readonly Role[] = ['resident', 'owner', 'party_representative', 'convener'];
/** Who takes part in discussion and amendments: residents, owners, parties. */
const participants: readonly Role[] = ['resident', 'owner', 'party_representative'];
const moderators: readonly Role[] = ['clerk', 'convener'];

const community: Record<keyof typeof communityCommandSchemas, Entry> = {
  RegisterCommunity: { roles: ['admin'], summary: 'Register a community (社区/村)' },
  ChangeCommunitySettings: {
    roles: ['admin'],
    summary: 'Change proxy limit, parking, deemed consent',
  },
  DefineProcedure: {
    roles: registry,
    summary: 'Define a new version of a community procedure template',
  },
  RegisterPerson: {
    roles: registry,
    summary: 'Register a person (birth date or adult flag, phone)',
  },
  CorrectPerson: { roles: registry, summary: 'Correct a person’s name, age or phone' },
  ErasePersonalData: {
    roles: registry,
    summary:
      'Erase a person’s personal data (PIPL Art. 47) with its legal ground and approver; the person’s data key is destroyed',
  },
  RegisterUnit: { roles: registry, summary: 'Register a unit (专有部分) with area and owners' },
  CorrectUnitArea: { roles: registry, summary: 'Correct a unit’s area from a document' },
  TransferUnit: { roles: registry, summary: 'Record a change of ownership' },
  CreateResidentGroup: { roles: registry, summary: 'Create a resident group (居民小组/村民小组)' },
  DissolveResidentGroup: { roles: registry, summary: 'Dissolve a resident group' },
  CreateHousehold: { roles: registry, summary: 'Create a household (户)' },
  DissolveHousehold: { roles: registry, summary: 'Dissolve an empty household' },
  AddResident: { roles: registry, summary: 'Record a resident in a household' },
  MoveResident: { roles: registry, summary: 'Move a resident to another household' },
  RemoveResident: { roles: registry, summary: 'Record that a resident left' },
  DesignateHouseholdRepresentative: {
    roles: registry,
    summary: 'Designate a household’s representative',
  },
  ElectGroupRepresentative: {
    roles: registry,
    summary: 'Record an elected resident group representative',
  },
  RemoveGroupRepresentative: { roles: registry, summary: 'Remove a resident group representative' },
  RegisterParty: { roles: registry, summary: 'Register a consultation party (协商主体)' },
  DissolveParty: { roles: registry, summary: 'Dissolve a party' },
  AppointPartyRepresentative: { roles: registry, summary: 'Appoint a party representative' },
  RevokePartyRepresentative: { roles: registry, summary: 'Revoke a party representative' },
  AddPartyMember: { roles: registry, summary: 'Add a party member (党员, 业委会委员)' },
  RemovePartyMember: { roles: registry, summary: 'Remove a party member' },
  GrantProxy: {
    roles: ['owner', 'clerk', 'admin'],
    summary: 'Authorise a proxy for one proposal item (owner online, or clerk from paper)',
  },
  RevokeProxy: { roles: ['owner', 'clerk', 'admin'], summary: 'Revoke a proxy authorisation' },
  AppointClerk: { roles: ['admin'], summary: 'Appoint a clerk' },
  RevokeClerk: { roles: ['admin'], summary: 'Revoke a clerk' },
  AppointTreasurer: {
    roles: ['admin'],
    summary: 'Appoint a treasurer (出纳): records crowdfunding receipts, refunds, fund entries',
  },
  RevokeTreasurer: { roles: ['admin'], summary: 'Revoke a treasurer' },
  ConfigureWebhook: {
    roles: ['admin'],
    summary:
      'Configure a webhook (SMS, WeChat Work, DingTalk gateway) for notices, vote openings, decisions, publications',
  },
  RemoveWebhook: { roles: ['admin'], summary: 'Remove a webhook; its id is never reused' },
  RecordContactConsent: {
    roles: registry,
    summary: 'Record a person’s consent to be reached (SMS, WeChat Work, DingTalk)',
  },
  OptOutOfReminders: {
    roles: ['resident', 'owner', 'proxy', 'party_representative', 'convener', 'clerk', 'admin'],
    summary: 'Opt out of reminders (oneself, or a clerk for a person)',
  },
  EstablishStandingBody: {
    roles: registry,
    summary: 'Establish a standing body (议事会, 联席会议) with members, venue and schedule',
  },
  ChangeStandingBody: {
    roles: registry,
    summary: 'Change a standing body’s members, parties, venue or schedule (换届), with a reason',
  },
  DissolveStandingBody: { roles: registry, summary: 'Dissolve a standing body, with a reason' },
};

const proposal: Record<keyof typeof proposalCommandSchemas, Entry> = {
  SubmitProposal: {
    roles: submitters,
    summary: 'Submit a proposal under a procedure',
    context: ['communityId', 'procedureDefinition', 'onBehalfOf', 'submitterUnitIds'],
  },
  AmendProposal: {
    roles: submitters,
    summary: 'Amend a proposal before voting (submitter or convener)',
  },
  AddOption: { roles: submitters, summary: 'Add a plan to a plans item before voting' },
  ProposeAmendment: {
    roles: participants,
    summary:
      'Propose an amendment (修改建议) before voting, for the submitter or convener to answer',
  },
  AcceptAmendment: {
    roles: submitters,
    summary: 'Accept a resident’s amendment: the proposal is amended (submitter or convener)',
  },
  RejectAmendment: {
    roles: submitters,
    summary: 'Reject a resident’s amendment with a reason (submitter or convener)',
  },
  AcceptOntoAgenda: { roles: ['convener'], summary: 'Accept onto the agenda list (议事清单)' },
  GiveNotice: { roles: ['convener', 'clerk'], summary: 'Give advance notice' },
  RecordDeliberation: {
    roles: ['convener', 'clerk'],
    summary: 'Record a deliberation (协商, 两委会商议)',
  },
  OpenVoting: {
    roles: ['convener'],
    summary:
      'Open voting: freeze the rule (with the community’s adopted settings), electorate and closing time',
    context: ['communityRules', 'electorate', 'scope'],
  },
  RecordPresence: { roles: ['clerk'], summary: 'Record voters present at a meeting (签到)' },
  CastBallot: { roles: ['owner', 'resident'], summary: 'Cast one’s own named ballot' },
  ChangeBallot: {
    roles: ['owner', 'resident', 'proxy'],
    summary: 'Change a ballot where the rule allows',
    context: ['authorisations'],
  },
  CastProxyBallot: {
    roles: ['proxy'],
    summary: 'Cast a ballot as an owner’s proxy',
    context: ['authorisations'],
  },
  EnterPaperBallot: {
    roles: ['clerk'],
    summary: 'Enter a paper ballot with its document reference',
    context: ['authorisations'],
  },
  CorrectPaperBallot: { roles: ['clerk'], summary: 'Correct the entry of a paper ballot' },
  CloseVoting: {
    roles: ['convener', 'clerk'],
    summary: 'Close voting and tally (the scheduler closes it at its time)',
    automatic: 'also',
  },
  RecordSessionResolution: {
    roles: ['convener'],
    summary: 'Record a joint session’s resolution of the proposal',
    context: ['outcome', 'result'],
  },
  ReturnToStage: { roles: ['convener'], summary: 'Return an unresolved proposal to consultation' },
  Publish: {
    roles: ['convener', 'clerk'],
    summary: 'Publish the decision or the implementation result',
    context: ['responsibleRegistered'],
  },
  RaiseObjection: {
    roles: ['resident', 'owner', 'party_representative'],
    summary: 'Raise an objection during publication',
  },
  AnswerObjection: { roles: ['convener', 'clerk'], summary: 'Answer an objection' },
  ReportImplementation: {
    roles: ['convener', 'clerk', 'party_representative'],
    summary: 'Report implementation progress (%)',
  },
  ReportFeedback: {
    roles: ['convener', 'clerk'],
    summary: 'Report feedback to participants (反馈)',
  },
  RateSatisfaction: { roles: ['resident', 'owner'], summary: 'Rate satisfaction (满意度评议)' },
  WithdrawProposal: { roles: submitters, summary: 'Withdraw a proposal (submitter or convener)' },
  RemindNonVoters: {
    roles: [],
    summary: 'Remind the voters who have not voted (scheduler only)',
    automatic: 'only',
  },
  AssignImplementation: {
    roles: ['convener', 'clerk'],
    summary: 'Name another person responsible for implementation (落实责任人), with a reason',
    context: ['responsibleRegistered'],
  },
  FlagImplementationOverdue: {
    roles: [],
    summary: 'Flag an implementation past its due time (scheduler only)',
    automatic: 'only',
  },
};

const session: Record<keyof typeof sessionCommandSchemas, Entry> = {
  ConveneSession: {
    roles: ['convener'],
    summary: 'Convene a joint session or council meeting with parties and agenda',
    context: ['communityId', 'parties'],
    automatic: 'also',
  },
  GiveSessionNotice: { roles: ['convener', 'clerk'], summary: 'Give notice of the session' },
  RecordAttendance: {
    roles: ['clerk', 'party_representative', 'resident'],
    summary: 'Record attendance (clerk, or the person themselves)',
    context: ['partyRepresentativeIds'],
  },
  RecordStatement: {
    roles: ['clerk', 'party_representative', 'resident'],
    summary: 'Record a statement on an item',
  },
  StatePosition: {
    roles: ['party_representative'],
    summary: 'State one’s party’s position on an item',
    partyField: 'partyId',
  },
  CastMemberVote: { roles: ['resident'], summary: 'Vote as a council member' },
  ResolveItem: { roles: ['convener'], summary: 'Resolve an item by the session rule' },
  DraftMinutes: { roles: ['clerk'], summary: 'Draft the minutes' },
  AmendMinutes: {
    roles: ['party_representative', 'clerk', 'resident'],
    summary:
      'Amend the draft minutes (clerk, a representative of an attending party, or an attending council member)',
  },
  SignMinutes: {
    roles: ['party_representative', 'resident'],
    summary:
      'Sign the minutes for one’s party, or as an attending council member (no party), naming the hash of the text signed',
    partyField: 'partyId',
  },
  CorrectMinutes: { roles: ['clerk'], summary: 'Propose a correction of final minutes' },
  SignMinutesCorrection: {
    roles: ['party_representative', 'resident'],
    summary: 'Sign a correction for one’s party, or as an attending council member',
    partyField: 'partyId',
  },
  PublishMinutes: { roles: ['convener', 'clerk'], summary: 'Publish the final minutes' },
  RemindSigners: {
    roles: [],
    summary: 'Remind who has not signed the minutes (scheduler only)',
    automatic: 'only',
  },
};

// 提议召开居民会议 (Art. 10): residents sign; who they sign for is the registry's to say.
const signature = ['signer', 'electorate'] as const;
const convocation: Record<keyof typeof convocationCommandSchemas, Entry> = {
  RequestResidentsMeeting: {
    roles: ['resident'],
    summary:
      'Request a residents’ meeting (提议召开居民会议), signing as an adult resident, for one’s household or resident group',
    context: ['communityId', 'communityKind', ...signature],
  },
  SignResidentsMeetingRequest: {
    roles: ['resident'],
    summary: 'Join a request for a residents’ meeting (联名提议)',
    context: signature,
  },
  RecordResidentsMeetingConvened: {
    roles: ['convener'],
    summary: 'Record when the requested residents’ meeting sits (居民委员会召集)',
  },
};

// ---- Participation: discussion, micro-wishes, evaluations --------------------------------

const discussion: Record<keyof typeof discussionCommandSchemas, Entry> = {
  PostComment: {
    roles: [...participants, 'clerk', 'convener'],
    summary: 'Comment on a proposal, one of its items or plans, or reply to a comment',
    context: ['proposal'],
  },
  HideComment: {
    roles: moderators,
    summary: 'Hide a comment with a reason (its author and officials still read it)',
  },
  UnhideComment: {
    roles: moderators,
    summary: 'Show a hidden comment again, with a reason',
  },
};

const wish: Record<keyof typeof wishCommandSchemas, Entry> = {
  PostWish: {
    roles: ['resident', 'owner'],
    summary: 'Post a micro-wish or need (微心愿)',
    context: ['communityId'],
  },
  ClaimWish: {
    roles: ['resident', 'owner', 'party_representative'],
    summary: 'Claim a wish as a volunteer, or for one’s party (认领)',
    context: ['claimant'],
  },
  UnclaimWish: {
    roles: ['resident', 'owner', 'party_representative', ...moderators],
    summary: 'Give up a claim: the wish is open again (claimant, clerk or convener)',
  },
  CompleteWish: {
    roles: ['resident', 'owner', 'party_representative'],
    summary: 'Mark a claimed wish done, with a photo (attachment, https URL or doc: reference)',
  },
  RateWish: { roles: ['resident', 'owner'], summary: 'Rate the help given, 1–5 (the requester)' },
  CancelWish: {
    roles: ['resident', 'owner', ...moderators],
    summary: 'Cancel a wish not yet done (the requester, clerk or convener)',
  },
};

const evaluation: Record<keyof typeof evaluationCommandSchemas, Entry> = {
  OpenEvaluation: {
    roles: moderators,
    summary: 'Open an evaluation (评议, e.g. 物业服务评估) with its questionnaire',
    context: ['communityId'],
  },
  AnswerEvaluation: {
    roles: ['resident', 'owner'],
    summary: 'Answer an evaluation once; the answers are sealed, only the aggregate is published',
    context: ['respondent'],
  },
  CloseEvaluation: {
    roles: moderators,
    summary: 'Close an evaluation and publish the aggregate (none under 5 respondents)',
  },
};

// ---- Money (众筹, 专项维修资金, 微基金) ------------------------------------------------------
// A treasurer is a registry appointment, not a token role: whoever signs in (resident, owner,
// clerk, convener) may record money only while appointed; the decider checks the `treasurer`
// context the service reads from the registry.
const treasurers: readonly Role[] = ['resident', 'owner', 'clerk', 'convener'];
const crowdfunding: Record<keyof typeof crowdfundingCommandSchemas, Entry> = {
  OpenCrowdfunding: {
    roles: ['convener', 'clerk'],
    summary: 'Open a crowdfunding campaign (众筹) for a proposal item or plan',
    context: ['communityId', 'decision'],
  },
  PledgeToCrowdfunding: {
    roles: ['resident', 'owner', 'party_representative'],
    summary: 'Pledge an amount, for oneself or (a representative) for one’s party',
  },
  RecordPledgeReceipt: {
    roles: treasurers,
    summary: 'Record money received on a pledge, with its receipt (treasurer)',
    context: ['treasurer'],
  },
  CloseCrowdfunding: {
    roles: ['convener', 'clerk'],
    summary: 'Close a campaign: funded, or refunds owed (not adopted, target missed)',
    context: ['decision'],
  },
  RecordRefund: {
    roles: treasurers,
    summary: 'Record a refund paid: exactly the amount received (treasurer)',
    context: ['treasurer'],
  },
};

const fund: Record<keyof typeof fundCommandSchemas, Entry> = {
  OpenFund: {
    roles: ['clerk', 'admin'],
    summary: 'Open a fund ledger: the maintenance fund (专项维修资金) or a micro-fund (微基金)',
    context: ['communityId'],
  },
  PostFundEntry: {
    roles: treasurers,
    summary: 'Post a balanced entry; spending names the adopted decision that authorised it',
    context: ['decision', 'treasurer'],
  },
  ReverseFundEntry: {
    roles: treasurers,
    summary: 'Correct an entry by a reversing entry (冲销), never an edit',
    context: ['treasurer'],
  },
};

// The installation's administrators and officials: an administrator of the installation (the
// decider checks the person, not only the role) with a token for every community.
const installation: Record<keyof typeof installationCommandSchemas, Entry> = {
  BootstrapAdmin: {
    roles: ['admin'],
    summary: 'Record the first administrator (once, with the code printed at first start)',
  },
  AppointAdmin: { roles: ['admin'], summary: 'Appoint another administrator' },
  RevokeAdmin: { roles: ['admin'], summary: 'Revoke an administrator (never the last one)' },
  AppointOfficial: {
    roles: ['admin'],
    summary: 'Appoint an official (街道, 民政) for the communities they oversee',
  },
  RevokeOfficial: { roles: ['admin'], summary: 'Revoke an official' },
};

// Attachments: uploaded as bytes (one route of their own, not a JSON command route) by anyone
// who enters or keeps documents: a clerk (paper ballots, minutes), a convener (plans), a
// treasurer's receipts (any role a treasurer signs in with), a volunteer's photo of a wish done.
const attachment: Record<keyof typeof attachmentCommandSchemas, Entry> = {
  RecordAttachment: {
    roles: ['resident', 'owner', 'party_representative', 'clerk', 'convener', 'admin'],
    summary: 'Upload a document or photo (scan, signed minutes, plan, receipt), up to 20 MB',
    context: ['communityId'],
  },
};

function definitions(
  aggregate: Aggregate,
  schemas: Readonly<Record<string, z.ZodObject>>,
  entries: Readonly<Record<string, Entry>>,
): CommandDefinition[] {
  return Object.entries(entries).map(([name, entry]) => {
    // Every field described for the API description (validation is unchanged).
    const schema = describeFields(name, schemas[name]!);
    const context = (entry.context ?? []).filter((key) => key in schema.shape);
    const bodyShape = Object.entries(schema.shape).filter(([key]) => !context.includes(key));
    return {
      name: name as DomainCommandType,
      aggregate,
      schema,
      body: context.length === 0 ? schema : z.object(Object.fromEntries(bodyShape)),
      context,
      roles: entry.roles,
      summary: entry.summary,
      ...(entry.partyField === undefined ? {} : { partyField: entry.partyField }),
      ...(entry.automatic === undefined ? {} : { automatic: entry.automatic }),
    };
  });
}

const all = [
  ...definitions('community', communityCommandSchemas, community),
  ...definitions('proposal', proposalCommandSchemas, proposal),
  ...definitions('session', sessionCommandSchemas, session),
  ...definitions('convocation', convocationCommandSchemas, convocation),
  ...definitions('discussion', discussionCommandSchemas, discussion),
  ...definitions('wish', wishCommandSchemas, wish),
  ...definitions('evaluation', evaluationCommandSchemas, evaluation),
  ...definitions('crowdfunding', crowdfundingCommandSchemas, crowdfunding),
  ...definitions('fund', fundCommandSchemas, fund),
  ...definitions('installation', installationCommandSchemas, installation),
  ...definitions('attachment', attachmentCommandSchemas, attachment),
];

/** Every command by name. */
export const commandCatalog: Readonly<Record<DomainCommandType, CommandDefinition>> =
  Object.fromEntries(all.map((d) => [d.name, d])) as Record<DomainCommandType, CommandDefinition>;

/** Whether `role` may send `command` (the route-level check; the decider checks identity). */
export function maySend(command: DomainCommandType, role: Role): boolean {
  return commandCatalog[command].roles.includes(role);
}
