import { randomUUID } from 'node:crypto';

// The console talks to the two services over their public HTTP APIs only, with the user's
// own bearer token: the services authorise every read and every command themselves.

export interface Upstreams {
  /** Base URL of the command service, e.g. http://127.0.0.1:3000 */
  commandUrl: string;
  /** Base URL of the projection (query) service, e.g. http://127.0.0.1:3001 */
  projectionUrl: string;
}

/** RFC 9457 problem details as the services send them. */
export interface Problem {
  status: number;
  code: string;
  title: string;
  detail?: string;
  errors?: { field: string; message: string }[];
  [extension: string]: unknown;
}

export type Result<T> = { ok: true; data: T } | { ok: false; problem: Problem };

/** What the command service answers on success. */
export interface CommandAnswer {
  streamId: string;
  version: number;
  position: string;
  duplicate?: boolean;
  proposalId?: string;
  sessionId?: string;
}

export type Query = Record<string, string | number | undefined>;

const TIMEOUT_MS = 15_000;

function problemOf(status: number, body: unknown, fallbackTitle: string): Problem {
  if (typeof body === 'object' && body !== null && 'code' in body) {
    const p = body as Partial<Problem>;
    return {
      ...p,
      status: typeof p.status === 'number' ? p.status : status,
      code: String(p.code),
      title: typeof p.title === 'string' ? p.title : fallbackTitle,
    };
  }
  return { status, code: `http-${status}`, title: fallbackTitle };
}

function unavailable(error: unknown): Problem {
  return {
    status: 502,
    code: 'upstream-unavailable',
    title: error instanceof Error ? error.message : 'service not reachable',
  };
}

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

/** A client for one signed-in user (or none: only public endpoints answer then). */
export class ApiClient {
  constructor(
    private readonly upstreams: Upstreams,
    private readonly token: string | undefined,
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      accept: 'application/json',
      ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      ...extra,
    };
  }

  /** GET from the projection service. */
  async query<T>(path: string, query?: Query): Promise<Result<T>> {
    const url = `${this.upstreams.projectionUrl}${withQuery(path, query)}`;
    try {
      const res = await fetch(url, {
        headers: this.headers(),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      const body: unknown = await res.json().catch(() => undefined);
      if (!res.ok) return { ok: false, problem: problemOf(res.status, body, res.statusText) };
      return { ok: true, data: body as T };
    } catch (error) {
      return { ok: false, problem: unavailable(error) };
    }
  }

  /** Sends a command: POST (or PUT) a JSON body with an idempotency key. */
  async command(
    path: string,
    body: unknown,
    options: { method?: 'POST' | 'PUT'; idempotencyKey?: string } = {},
  ): Promise<Result<CommandAnswer>> {
    const url = `${this.upstreams.commandUrl}${path}`;
    try {
      const res = await fetch(url, {
        method: options.method ?? 'POST',
        headers: this.headers({
          'content-type': 'application/json',
          'idempotency-key': options.idempotencyKey ?? randomUUID(),
        }),
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      const json: unknown = await res.json().catch(() => undefined);
      if (!res.ok) return { ok: false, problem: problemOf(res.status, json, res.statusText) };
      return { ok: true, data: json as CommandAnswer };
    } catch (error) {
      return { ok: false, problem: unavailable(error) };
    }
  }
}

// ---- the read models the console shows (the projection service's answers) --------------

export interface AsOf {
  requested: string;
  position: string;
}

export interface CommunitySummary {
  communityId: string;
  name: string;
  kind: string;
}

export interface PartyView {
  partyId: string;
  kind: string;
  name: string;
  active: boolean;
  representativeIds: string[];
  memberIds: string[];
}

export interface ProcedureView {
  templateId: string;
  version: number;
  name: string;
  stages: unknown[];
}

export interface CommunityView {
  communityId: string;
  name: string;
  kind: string;
  settings: Record<string, unknown>;
  clerkIds: string[];
  registeredAt: string;
  counts: {
    units: number;
    owners: number;
    areaCentiM2: string;
    persons: number;
    households: number;
    residentGroups: number;
  };
  parties: PartyView[];
  procedures: ProcedureView[];
  asOf?: AsOf;
}

export interface StageView {
  id: string;
  kind: string;
  name: string;
  rules?: string[];
  minDays?: number;
  [key: string]: unknown;
}

export interface OptionView {
  optionId: string;
  title: string;
  description?: string;
}

export interface ItemView {
  itemId: string;
  title: string;
  description?: string;
  kind: 'motion' | 'plans';
  matter?: string;
  options: OptionView[];
}

export interface VoteView {
  voteId: string;
  rule: Record<string, unknown> & { kind: string };
  totals: Record<string, number>;
  closesAt: string;
  closedAt: string | null;
  ballotsCast: number;
  allowBallotChange?: boolean;
  planMethod?: string | null;
}

export interface ProposalView {
  communityId: string;
  proposalId: string;
  title: string;
  description: string;
  procedure: { template: string; version: number; name: string; stages: StageView[] };
  items: ItemView[];
  status: 'active' | 'withdrawn';
  stage: { id: string; kind: string };
  submittedBy: { personId: string; role: string };
  submittedAt: string;
  onBehalfOfPartyId: string | null;
  concernedPartyIds: string[];
  agendaSessionId: string | null;
  deadlines: {
    nextStageFrom: string | null;
    votingClosesAt: string | null;
    publicationEndsAt: string | null;
    implementationDueAt: string | null;
  };
  vote: VoteView | null;
  outcome: string | null;
  decidedAt: string | null;
  publishedAt: string | null;
  progressPercent: number | null;
  satisfaction: { count: number; average: number | null };
  objections: { raised: number; answered: number };
  withdrawnReason: string | null;
  updatedAt: string;
  asOf?: AsOf;
}

export interface ProposalSummary {
  proposalId: string;
  title: string;
  procedure: string;
  status: string;
  stage: { id: string; kind: string };
  submittedAt: string;
  outcome: string | null;
  updatedAt: string;
}

export interface ItemResult {
  itemId: string;
  outcome: string;
  result: unknown;
}

export interface TallyView {
  voteId: string;
  provisional: boolean;
  rule: Record<string, unknown> & { kind: string };
  totals: Record<string, number>;
  closesAt: string;
  closedAt: string | null;
  voters: number;
  ballots: number;
  present: number;
  items: ItemResult[];
  recorded: ItemResult[] | null;
  asOf?: AsOf;
}

export interface BallotView {
  voterId: string;
  itemId: string;
  choice: string | null;
  ranking: string[] | null;
  via: string;
  castBy: string;
  authorisationId: string | null;
  documentRef: string | null;
  castAt: string;
  versions: number;
}

export interface DecisionView {
  proposalId: string;
  title: string;
  procedure: string;
  stageId: string;
  outcome: string;
  decidedAt: string;
  decidedBy: string;
  voteId: string | null;
  sessionId: string | null;
  rule: (Record<string, unknown> & { kind?: string }) | null;
  totals: Record<string, number> | null;
  items: ItemResult[];
  publication: {
    publishedAt: string | null;
    endsAt: string | null;
    deadline: string | null;
    onTime: boolean | null;
    implementationPublishedAt: string | null;
  };
  objections: { raised: number; answered: number };
  implementation: {
    dueAt: string | null;
    progressPercent: number | null;
    reports: number;
    lastReportAt: string | null;
    status: 'not-started' | 'in-progress' | 'complete';
    overdue: boolean;
  };
  satisfaction: { count: number; average: number | null };
  withdrawn: boolean;
}

export interface Signature {
  partyId: string;
  personId: string;
  at: string;
}

export interface SessionView {
  sessionId: string;
  kind: string;
  title: string;
  scheduledAt: string;
  convenedAt: string;
  convenedBy: string;
  noticeAt: string | null;
  parties: { partyId: string; kind: string; name: string }[];
  requiredPartyIds: string[];
  resolutionRule: Record<string, unknown> & { kind?: string };
  memberIds: string[];
  attendance: { personId: string; partyId: string | null; as: string; at: string }[];
  agenda: {
    itemId: string;
    title: string;
    proposalId: string | null;
    concernedPartyIds: string[];
    statements: { speakerPersonId: string; partyId: string | null; text: string; at: string }[];
    positions: {
      partyId: string | null;
      personId: string;
      position: string;
      reason: string | null;
      at: string;
    }[];
    resolution: {
      outcome: string;
      dissentingPartyIds: string[];
      result: unknown;
      at: string;
    } | null;
  }[];
  minutes: {
    currentVersion: number | null;
    finalVersion: number | null;
    publishedAt: string | null;
    versions: {
      version: number;
      text: string;
      reason: string | null;
      documentRef: string | null;
      writtenBy: string;
      writtenAt: string;
      signatures: Signature[];
      final: boolean;
      finalisedAt: string | null;
    }[];
    corrections: {
      correctionId: string;
      text: string;
      reason: string | null;
      writtenBy: string;
      writtenAt: string;
      signatures: Signature[];
      final: boolean;
      finalisedAt: string | null;
    }[];
  };
  asOf?: AsOf;
}

export interface SessionSummary {
  sessionId: string;
  kind: string;
  title: string;
  scheduledAt: string;
  [key: string]: unknown;
}

export interface TimelineEntry {
  position: string;
  streamId: string;
  streamVersion: number;
  type: string;
  summary: string;
  actor: { id: string | null; role: string | null };
  commandId: string | null;
  occurredAt: string | null;
  recordedAt: string;
  details: Record<string, unknown>;
  hash: string;
}

export interface TimelinePage {
  items: TimelineEntry[];
  next: string | null;
  asOf?: AsOf;
}

export interface VerificationReport {
  ok: boolean;
  scope: string;
  streams: number;
  events: number;
  witnessed: boolean;
  firstBroken?: { streamId: string; streamVersion: number; reason: string };
}
