import type { ConvocationFigures, RulesVersion } from '@yishi/domain';
import type { ColumnType } from 'kysely';
import type { z } from 'zod';
import type { TransparencyTables } from './transparency/tables.ts';

// The service's tables: one Database interface (kysely's). The control tables live in `public`;
// the read-model tables live in one schema per projection generation (`<projection>_g<n>`) and
// are reached with `db.withSchema(schema)`, so the same typed queries serve every generation.
// The connection that queries them is db.ts.

type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp the database fills in by default. */
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** int8 columns: pg returns them as strings (exact beyond 2^53). */
type Int8 = ColumnType<string, string | number | bigint, string | number | bigint>;
type Json<T> = ColumnType<T, string, string>;

// ---- control (public) ------------------------------------------------------------------------

export type GenerationStatus = 'building' | 'active' | 'retired' | 'dropped';

/** Every generation of every projection: which schema it lives in and whether queries read it. */
export interface ProjectionGenerationsTable {
  projection: string;
  generation: number;
  /** The projection code version that built it. */
  version: number;
  schema_name: string;
  status: GenerationStatus;
  created_at: DefaultTimestamp;
  activated_at: Timestamp | null;
  retired_at: Timestamp | null;
}

/** Where each generation is in the global order; written in the same transaction as its rows. */
export interface ProjectionCheckpointsTable {
  schema_name: string;
  projection: string;
  transaction_id: Int8;
  global_position: Int8;
  /** Events applied so far: equals the events up to the checkpoint unless one was applied twice. */
  events: Int8;
  updated_at: DefaultTimestamp;
}

// ---- read models (per generation schema) ------------------------------------------------------

/** A version of a row: valid from the event at `valid_from` until the event at `valid_to`. */
export interface Temporal {
  valid_from_tx: Int8;
  valid_from_pos: Int8;
  valid_to_tx: Int8 | null;
  valid_to_pos: Int8 | null;
  /** When the event that made this version was recorded. */
  recorded_at: Timestamp;
}

/** One line per event: the human-readable history of every stream (append-only). */
export interface TimelineTable {
  global_position: Int8;
  transaction_id: Int8;
  stream_id: string;
  stream_version: number;
  community_id: string;
  proposal_id: string | null;
  session_id: string | null;
  /** The session agenda item an event concerns. */
  item_id: string | null;
  type: string;
  /** The event's metadata (who, in which role, by which command); from version 4. */
  metadata: Json<Record<string, unknown>> | null;
  /** Before version 4, these fields of the metadata instead (a generation being replaced). */
  actor_id: string | null;
  actor_role: string | null;
  command_id: string | null;
  recorded_at: Timestamp;
  /** The event's data without its large fields; the line is worded from it when read. */
  details: Json<Record<string, unknown>>;
  /** The hash the read side witnessed (verification compares it with the store's). */
  hash: string;
}

/** Which proposal each session agenda item decides: tags session events in the histories. */
export interface TimelineAgendaTable {
  community_id: string;
  session_id: string;
  item_id: string;
  proposal_id: string | null;
}

export interface CommunitiesTable extends Temporal {
  community_id: string;
  name: string;
  kind: string;
  settings: Json<Record<string, unknown>>;
  clerk_ids: string[];
  registered_at: string;
  version: number;
}

export interface UnitsTable extends Temporal {
  community_id: string;
  unit_id: string;
  building: string;
  label: string | null;
  kind: string;
  areas: Json<Record<string, number>>;
  /** The area that counts (registry, else surveyed, else contract), 0.01 m². */
  area_centi_m2: Int8;
  developer_unsold: boolean;
  owner_ids: string[];
}

/** Name, birth date and phone as the events store them: sealed (or clear, if stored before). */
export interface PersonsTable extends Temporal {
  community_id: string;
  person_id: string;
  /** Null once erased (and in generations of version 1, never). */
  name: string | null;
  birth_date: string | null;
  phone: string | null;
  adult: boolean | null;
  household_id: string | null;
  erased: boolean;
}

export interface HouseholdsTable extends Temporal {
  community_id: string;
  household_id: string;
  resident_group_id: string | null;
  unit_id: string | null;
  address: string | null;
  active: boolean;
  representative_id: string | null;
}

export interface ResidentGroupsTable extends Temporal {
  community_id: string;
  group_id: string;
  name: string;
  active: boolean;
  representative_ids: string[];
}

export interface PartiesTable extends Temporal {
  community_id: string;
  party_id: string;
  kind: string;
  name: string;
  active: boolean;
  representative_ids: string[];
  member_ids: string[];
}

export interface ProxiesTable extends Temporal {
  community_id: string;
  authorisation_id: string;
  owner_id: string;
  proxy_id: string;
  proposal_id: string;
  item_id: string;
  form: string;
  document_ref: string | null;
  granted_at: string;
  active: boolean;
}

export interface ProceduresTable extends Temporal {
  community_id: string;
  /** `<templateId>@<version>`: every version is kept. */
  procedure_key: string;
  template_id: string;
  procedure_version: number;
  name: string;
  stages: Json<unknown[]>;
}

// ---- proposals (议题), votes, the decision register -----------------------------------------

/**
 * What a proposal says: versioned when it is amended. Its stage and dates are `proposal_states`.
 * (Before version 4 this table had the state's columns too; a generation of an earlier version,
 * served while version 4 is built, is read from them: see `routes/states.ts`.)
 */
export interface ProposalsTable extends Temporal {
  community_id: string;
  proposal_id: string;
  title: string;
  description: string;
  procedure_template: string;
  procedure_version: number;
  procedure_name: string;
  stages: Json<{ id: string; kind: string; name: string }[]>;
  /** The items (议项) with their options (方案). */
  items: Json<unknown[]>;
  on_behalf_of_party_id: string | null;
  submitted_by: string;
  submitted_role: string;
  submitted_at: string;
  /** The building or entrance whose owners decide (domain.md 3.1b); NULL: the community. */
  scope: Json<{ kind: 'building'; building: string; entrance?: string }> | null;
}

/** Where a proposal stands: a small row versioned at every stage and date (version 4 on). */
export interface ProposalStatesTable extends Temporal {
  community_id: string;
  proposal_id: string;
  status: 'active' | 'withdrawn';
  stage_id: string;
  stage_kind: string;
  concerned_party_ids: string[];
  agenda_session_id: string | null;
  /** After a notice: the earliest time the next stage may start. */
  next_stage_from: string | null;
  vote_id: string | null;
  outcome: string | null;
  decided_at: string | null;
  published_at: string | null;
  publication_ends_at: string | null;
  implementation_due_at: string | null;
  progress_percent: number | null;
  withdrawn_reason: string | null;
  updated_at: string;
}

/** A vote as frozen when it opened: rule, items, totals, closing time (表决). */
export interface VotesTable extends Temporal {
  community_id: string;
  proposal_id: string;
  vote_id: string;
  stage_id: string;
  rule: Json<Record<string, unknown>>;
  items: Json<unknown[]>;
  totals: Json<{ voters: number; heads: number; areaCentiM2: number }>;
  closes_at: string;
  allow_ballot_change: boolean;
  plan_method: string | null;
  opened_at: string;
  opened_by: string;
  closed_at: string | null;
  closed_early: boolean | null;
}

/**
 * The frozen electorate of each vote (every voter with area and head-count weight), one row per
 * opening event at its position (append-only).
 */
export interface ElectoratesTable {
  community_id: string;
  proposal_id: string;
  /** From version 2: the opening event's data as stored; `electorate` is in it. */
  opened: Json<{ electorate?: unknown; rulesVersion?: RulesVersion }> | null;
  /** Before version 2, the vote and its electorate instead (a generation being replaced). */
  vote_id: string | null;
  electorate: Json<unknown[]> | null;
  transaction_id: Int8;
  global_position: Int8;
}

/** Voters recorded present at a meeting (签到), append-only. */
export interface PresenceTable {
  community_id: string;
  proposal_id: string;
  vote_id: string;
  voter_id: string;
  recorded_at_time: string;
  transaction_id: Int8;
  global_position: Int8;
}

/**
 * 决议台账: one row per decided proposal with the rule and every figure, versioned when it is
 * decided again; what followed is `decision_states`. (Before version 4 this table had those
 * columns too: see `ProposalsTable`.)
 */
export interface DecisionsTable extends Temporal {
  community_id: string;
  proposal_id: string;
  title: string;
  procedure_template: string;
  stage_id: string;
  outcome: string;
  decided_at: string;
  decided_by: string;
  vote_id: string | null;
  session_id: string | null;
  session_item_id: string | null;
  /** The building or entrance whose owners decided (domain.md 3.1b); NULL: the community. */
  scope: Json<{ kind: 'building'; building: string; entrance?: string }> | null;
  /** The vote's frozen rule and totals (null for a joint-session resolution). */
  rule: Json<Record<string, unknown>> | null;
  totals: Json<Record<string, number>> | null;
  /** Per item: outcome and the rule's full result with every figure. */
  items: Json<unknown[]>;
  /** Every decision of the proposal so far (a return and a new vote add one). */
  history: Json<unknown[]>;
}

/** What followed a decision: publication, objections, implementation, feedback, satisfaction. */
export interface DecisionStatesTable extends Temporal {
  community_id: string;
  proposal_id: string;
  published_at: string | null;
  publication_ends_at: string | null;
  publication_deadline: string | null;
  published_on_time: boolean | null;
  implementation_published_at: string | null;
  implementation_due_at: string | null;
  progress_percent: number | null;
  reports: number;
  first_report_at: string | null;
  last_report_at: string | null;
  feedback_at: string | null;
  objections_raised: number;
  objections_answered: number;
  satisfaction_count: number;
  satisfaction_sum: number;
  withdrawn: boolean;
}

export interface ObjectionsTable extends Temporal {
  community_id: string;
  proposal_id: string;
  objection_id: string;
  stage_id: string;
  text: string;
  document_ref: string | null;
  raised_by: string;
  raised_at: string;
  answer: string | null;
  answered_by: string | null;
  answered_at: string | null;
}

/** Implementation reports (落实情况) and feedback (反馈), append-only. */
export interface ReportsTable {
  community_id: string;
  proposal_id: string;
  stream_version: number;
  kind: 'implementation' | 'feedback';
  stage_id: string;
  progress_percent: number | null;
  item_id: string | null;
  text: string;
  document_ref: string | null;
  at: string;
  by: string;
  transaction_id: Int8;
  global_position: Int8;
}

/** 满意度评议: each person's rating; a new rating is a new version. */
export interface SatisfactionTable extends Temporal {
  community_id: string;
  proposal_id: string;
  person_id: string;
  rating: number;
  comment: string | null;
  at: string;
}

// ---- sessions: joint sessions (联席会议) and residents' council meetings ----------------------

export interface SessionsTable extends Temporal {
  community_id: string;
  session_id: string;
  kind: string;
  title: string;
  scheduled_at: string;
  parties: Json<{ partyId: string; kind: string; name: string }[]>;
  agenda: Json<
    { itemId: string; title: string; proposalId?: string; concernedPartyIds: string[] }[]
  >;
  required_party_ids: string[];
  resolution_rule: Json<Record<string, unknown>>;
  member_ids: string[];
  convened_at: string;
  convened_by: string;
  notice_at: string | null;
  minutes_version: number | null;
  minutes_final_version: number | null;
  minutes_published_at: string | null;
}

export interface SessionAttendanceTable extends Temporal {
  community_id: string;
  session_id: string;
  person_id: string;
  party_id: string | null;
  attended_as: string;
  at: string;
}

export interface SessionStatementsTable {
  community_id: string;
  session_id: string;
  stream_version: number;
  item_id: string;
  speaker_person_id: string;
  party_id: string | null;
  text: string;
  at: string;
  transaction_id: Int8;
  global_position: Int8;
}

/** Each party's position on each item (表态), and council members' votes. */
export interface SessionPositionsTable extends Temporal {
  community_id: string;
  session_id: string;
  item_id: string;
  /** A party id, or `member:<personId>` for a council member's vote. */
  holder: string;
  party_id: string | null;
  person_id: string;
  position: string;
  reason: string | null;
  at: string;
}

export interface SessionResolutionsTable extends Temporal {
  community_id: string;
  session_id: string;
  item_id: string;
  proposal_id: string | null;
  outcome: string;
  dissenting_party_ids: string[];
  result: Json<unknown>;
  at: string;
}

/** Minutes (会议纪要): each version and each correction, with its signatures. */
export interface MinutesTable extends Temporal {
  community_id: string;
  session_id: string;
  /** `v<n>` for a version, `c:<correctionId>` for a correction. */
  minutes_key: string;
  kind: 'version' | 'correction';
  version: number | null;
  correction_id: string | null;
  text: string;
  reason: string | null;
  document_ref: string | null;
  written_by: string;
  written_at: string;
  /** `partyId` null: a council member signed (a residents' council's minutes). */
  signatures: Json<{ partyId: string | null; personId: string; at: string }[]>;
  final: boolean;
  finalised_at: string | null;
  signed_by_party_ids: string[];
}

// ---- notifications (通知): webhooks as configured, and what notifications are about -----------

/** A community's webhook (通知网关) as configured; a removed one stays, inactive. */
export interface WebhooksTable extends Temporal {
  community_id: string;
  webhook_id: string;
  url: string;
  events: string[];
  description: string | null;
  active: boolean;
  configured_at: string;
  configured_by: string;
  removed_at: string | null;
  removed_reason: string | null;
}

/** The title (and a session's time) of each proposal and session, for notification texts. */
/** 提醒: who consented to be reached (channels), and who opted out of reminders. */
export interface ReminderContactsTable {
  community_id: string;
  person_id: string;
  channels: string[];
  opted_out: boolean;
}

/** Who later events of a stream are for: a comment's author, a wish's requester. */
export interface NotificationAddresseesTable {
  community_id: string;
  stream_id: string;
  /** The comment's id, or `requester`. */
  key: string;
  person_id: string;
}

export interface NotificationSubjectsTable {
  community_id: string;
  stream_id: string;
  title: string;
  scheduled_at: string | null;
}

/** 提议召集居民会议 (Art. 10): a request, its signatures counted, and what followed. */
export interface MeetingRequestsTable extends Temporal {
  community_id: string;
  request_id: string;
  matters: string;
  requested_by: string;
  requested_at: string;
  /** Signatures by what they count: adult residents, households, resident groups. */
  adults: number;
  households: number;
  groups: number;
  status: 'collecting' | 'must-convene' | 'convened';
  /** When the signatures reached a threshold; the tests that passed and every figure. */
  must_convene_at: string | null;
  passed: string[] | null;
  figures: z.infer<typeof ConvocationFigures> | null;
  meeting_at: string | null;
  place: string | null;
  proposal_ids: string[] | null;
  convened_at: string | null;
  updated_at: string;
}

// ---- participation: discussion, amendments, micro-wishes, evaluations ------------------------

/** A comment on a proposal (议题讨论); a hidden one keeps its text for officials and its author. */
export interface CommentsTable extends Temporal {
  community_id: string;
  proposal_id: string;
  comment_id: string;
  /** The order posted (1 for c1): comments list in it. */
  seq: number;
  parent_id: string | null;
  item_id: string | null;
  option_id: string | null;
  body: string;
  author_id: string;
  author_role: string;
  posted_at: string;
  hidden_at: string | null;
  hidden_by: string | null;
  hidden_reason: string | null;
}

/** A resident's amendment (修改建议) of a proposal and its answer. */
export interface AmendmentsTable extends Temporal {
  community_id: string;
  proposal_id: string;
  amendment_id: string;
  seq: number;
  title: string | null;
  description: string | null;
  items: unknown[] | null;
  reason: string;
  proposed_by: string;
  proposed_at: string;
  status: 'pending' | 'accepted' | 'rejected';
  answered_by: string | null;
  answered_at: string | null;
  answer_reason: string | null;
}

/** 微心愿: a wish or need, its claim, its completion and its rating. */
export interface WishesTable extends Temporal {
  community_id: string;
  wish_id: string;
  kind: string;
  category: string;
  title: string;
  description: string;
  requester_id: string;
  posted_at: string;
  status: 'open' | 'claimed' | 'done' | 'cancelled';
  /** The person who claimed, and the party they claimed for, if any. */
  claimant_id: string | null;
  claimant_party_id: string | null;
  claimant_name: string | null;
  claimed_at: string | null;
  claim_note: string | null;
  photo: string | null;
  done_note: string | null;
  completed_at: string | null;
  stars: number | null;
  rating_comment: string | null;
  rated_at: string | null;
  cancelled_at: string | null;
  cancel_reason: string | null;
  updated_at: string;
}

/** An evaluation (评议): its questionnaire, how many answered, and the aggregate once closed. */
export interface EvaluationsTable extends Temporal {
  community_id: string;
  evaluation_id: string;
  title: string;
  subject: string | null;
  description: string | null;
  closes_at: string;
  questions: unknown[];
  opened_by: string;
  opened_at: string;
  status: 'open' | 'closed';
  respondents: number;
  closed_at: string | null;
  close_note: string | null;
  /** The published aggregate (EvaluationClosed's); never any one answer. */
  results: unknown[] | null;
  withheld: string | null;
}

/** Who answered an evaluation, and when; what they answered is never projected. */
export interface EvaluationRespondentsTable {
  community_id: string;
  evaluation_id: string;
  person_id: string;
  answered_at: string;
  transaction_id: Int8;
  global_position: Int8;
}

/** Each signature of a request, append-only. */
export interface MeetingRequestSignaturesTable {
  community_id: string;
  request_id: string;
  capacity: string;
  signer_id: string;
  counted_id: string;
  signed_at: string;
  transaction_id: Int8;
  global_position: Int8;
}

// ---- money (众筹, 专项维修资金, 微基金): amounts in fen, int8 ------------------------------------

/** A fund (专项维修资金 or 微基金) as opened; its figures are summed from its lines. */
export interface FundsTable extends Temporal {
  community_id: string;
  fund_id: string;
  kind: 'maintenance-fund' | 'micro-fund';
  name: string;
  description: string | null;
  opened_at: string;
}

/** Every posting line of every fund, append-only; a reversal's lines name what they reverse. */
export interface FundLinesTable {
  community_id: string;
  fund_id: string;
  entry_id: string;
  line_no: number;
  account: string;
  side: 'debit' | 'credit';
  amount_fen: Int8;
  memo: string;
  document_ref: string;
  posted_at: string;
  posted_by: string;
  /** The adopted decision the entry's spending stands on (a reversal: the reversed entry's). */
  proposal_id: string | null;
  item_id: string | null;
  decision_title: string | null;
  decided_at: string | null;
  reverses: string | null;
  transaction_id: Int8;
  global_position: Int8;
}

/** A crowdfunding campaign (众筹) and how it ended; money is summed from its movements. */
export interface CrowdfundingCampaignsTable extends Temporal {
  community_id: string;
  campaign_id: string;
  title: string;
  description: string | null;
  proposal_id: string;
  item_id: string;
  option_id: string | null;
  target_fen: Int8;
  deadline: string;
  status: 'open' | 'funded' | 'refunding';
  reason: 'not-adopted' | 'target-missed' | null;
  opened_at: string;
  closed_at: string | null;
}

/** Pledges, receipts, refunds owed and refunds paid, append-only. */
export interface CrowdfundingMovementsTable {
  community_id: string;
  campaign_id: string;
  pledge_id: string;
  kind: 'pledge' | 'receipt' | 'owed' | 'refund';
  /** On a pledge: who pledged (a person, or a party through its representative). */
  pledger_kind: 'person' | 'party' | null;
  pledger_id: string | null;
  amount_fen: Int8;
  document_ref: string | null;
  at: string;
  transaction_id: Int8;
  global_position: Int8;
}

/**
 * Who the registry appoints treasurer (出纳): they alone record receipts, refunds and fund
 * entries, so the accounts name them. A revocation is a version with `appointed` false.
 */
export interface TreasurersTable extends Temporal {
  community_id: string;
  person_id: string;
  appointed: boolean;
}

export interface ReadModelTables {
  funds: FundsTable;
  treasurers: TreasurersTable;
  fund_lines: FundLinesTable;
  crowdfunding_campaigns: CrowdfundingCampaignsTable;
  crowdfunding_movements: CrowdfundingMovementsTable;
  meeting_requests: MeetingRequestsTable;
  meeting_request_signatures: MeetingRequestSignaturesTable;
  comments: CommentsTable;
  amendments: AmendmentsTable;
  wishes: WishesTable;
  evaluations: EvaluationsTable;
  evaluation_respondents: EvaluationRespondentsTable;
  timeline: TimelineTable;
  communities: CommunitiesTable;
  units: UnitsTable;
  persons: PersonsTable;
  households: HouseholdsTable;
  resident_groups: ResidentGroupsTable;
  parties: PartiesTable;
  proxies: ProxiesTable;
  procedures: ProceduresTable;
  proposals: ProposalsTable;
  proposal_states: ProposalStatesTable;
  votes: VotesTable;
  electorates: ElectoratesTable;
  presence: PresenceTable;
  decisions: DecisionsTable;
  decision_states: DecisionStatesTable;
  objections: ObjectionsTable;
  reports: ReportsTable;
  satisfaction: SatisfactionTable;
  sessions: SessionsTable;
  session_attendance: SessionAttendanceTable;
  session_statements: SessionStatementsTable;
  session_positions: SessionPositionsTable;
  session_resolutions: SessionResolutionsTable;
  minutes: MinutesTable;
  timeline_agenda: TimelineAgendaTable;
  webhooks: WebhooksTable;
  notification_subjects: NotificationSubjectsTable;
  reminder_contacts: ReminderContactsTable;
  notification_addressees: NotificationAddresseesTable;
}

// ---- the notification outbox (public: it outlives generations, so a rebuild sends nothing twice)

export type DeliveryStatus = 'pending' | 'delivered' | 'dead' | 'cancelled';

/** One notification of one event to one webhook; the id is `<global position>.<webhook id>`. */
export interface NotificationDeliveriesTable {
  delivery_id: string;
  community_id: string;
  webhook_id: string;
  kind: string;
  event_type: string;
  stream_id: string;
  stream_version: number;
  transaction_id: Int8;
  global_position: Int8;
  occurred_at: string;
  /** The JSON body sent (signed as sent). */
  payload: Json<Record<string, unknown>>;
  status: ColumnType<DeliveryStatus, DeliveryStatus | undefined, DeliveryStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  /** When it is due; a dispatcher that takes it pushes this on by its claim lease. */
  next_attempt_at: DefaultTimestamp;
  /** The claim of the dispatcher sending it now: its result is recorded only under that claim. */
  claim: string | null;
  last_attempt_at: Timestamp | null;
  last_status: number | null;
  last_error: string | null;
  delivered_at: Timestamp | null;
  requeued_at: Timestamp | null;
  requeued_by: string | null;
  created_at: DefaultTimestamp;
}

export type AttemptOutcome = 'delivered' | 'retry' | 'dead' | 'cancelled';

/** Every attempt to deliver, with what the gateway answered: nothing is hidden. */
export interface NotificationAttemptsTable {
  id: ColumnType<string, never, never>;
  delivery_id: string;
  attempt: number;
  at: DefaultTimestamp;
  url: string | null;
  outcome: AttemptOutcome;
  http_status: number | null;
  error: string | null;
  duration_ms: number;
}

/** A keyed digest of each reachable person's phone number, for signing in (not a generation). */
export interface PhoneIndexTable {
  community_id: string;
  person_id: string;
  phone_digest: string;
}

/** How far the phone index has followed the registry's person versions (one row). */
export interface PhoneIndexWatermarkTable {
  id: number;
  transaction_id: Int8;
  global_position: Int8;
}

export interface Database extends ReadModelTables, TransparencyTables {
  phone_index: PhoneIndexTable;
  phone_index_watermark: PhoneIndexWatermarkTable;
  projection_generations: ProjectionGenerationsTable;
  projection_checkpoints: ProjectionCheckpointsTable;
  notification_deliveries: NotificationDeliveriesTable;
  notification_attempts: NotificationAttemptsTable;
}
