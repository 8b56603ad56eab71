import { createRoute, type RouteConfig, z } from '@hono/zod-openapi';
import { streams, textHashOf } from '@yishi/domain';
import { canonicalJson, parseCheckpoint } from '@yishi/event-store';
import {
  type AppEnv,
  addRoute,
  CampaignParams,
  CommunityParams,
  createRouter,
  FundParams,
  ProposalParams,
  problem,
  problemContent,
  SessionParams,
} from '@yishi/platform';
import type { Context } from 'hono';
import type {
  CampaignDetail,
  CommunityView,
  DecisionList,
  DecisionView,
  FundAccountsView,
  ProposalView,
  SessionView,
} from '../contract.ts';
import { errorResponses, READERS, ReadQuery, readContext, TimeBound } from '../routes/common.ts';
import {
  CheckpointLog,
  checkpointJson,
  type StoredCheckpoint,
} from '../transparency/checkpoints.ts';
import {
  type CampaignAccountsModel,
  campaignAccountsBody,
  type FundAccountsModel,
  fundAccountsBody,
} from './accounts.ts';
import { type DocumentWords, documentWords } from './messages.ts';
import { type DecisionNoticeModel, decisionNoticeBody } from './notice.ts';
import {
  type ChainHead,
  DOCUMENT_CSP,
  documentHtml,
  pdfFooter,
  shortHash,
  type Verification,
  verificationBlock,
} from './page.ts';
import { qrSvg } from './qr.ts';
import { type RegisterExtractModel, registerBody } from './register.ts';
import { type PdfRenderer, PdfUnavailable } from './renderer.ts';
import {
  type MeetingNoticeModel,
  type MinutesModel,
  meetingNoticeBody,
  minutesBody,
} from './session.ts';
import {
  chainHead,
  chainHeads,
  communityPosition,
  lastEventData,
  type SourceDeps,
  viewsAt,
} from './sources.ts';

// Documents to print (notice board, 公示栏): a decision's 公示, a meeting notice, signed
// minutes and an extract of the decision register, each as an A4 print page (HTML) and as a
// PDF printed from it, carrying a QR code to the console's verify page, the document's code
// and the chain heads it stands on.

export interface DocumentDeps extends SourceDeps {
  pdf: PdfRenderer;
  /**
   * `WEB_PUBLIC_URL`: the console the QR codes open. Unset: the address the request was sent
   * to, as the console forwards it (`X-Forwarded-Host`/`-Proto`), else as received.
   */
  publicUrl?: string | undefined;
}

const Format = z.enum(['pdf', 'html']);
type Format = z.infer<typeof Format>;

const DocumentQuery = ReadQuery.extend({
  lang: z
    .enum(['zh', 'en'])
    .default('zh')
    .openapi({ description: 'Language of the document: Chinese (default) or English' }),
});

const documentResponses = (description: string) => ({
  200: {
    description,
    content: {
      'application/pdf': { schema: z.string().openapi({ format: 'binary' }) },
      'text/html': { schema: z.string() },
    },
    headers: {
      'X-Document-Code': {
        description: 'The document code printed on it (digest of what it says)',
        schema: { type: 'string' as const },
      },
      'X-As-Of-Position': {
        description: 'The position the document stands at',
        schema: { type: 'string' as const },
      },
    },
  },
  // One description for the four documents: each misses by its own subject.
  ...errorResponses({
    notFound: [
      'proposal-not-found',
      'session-not-found',
      'community-not-found',
      'fund-not-found',
      'campaign-not-found',
    ],
  }),
  503: {
    description:
      'Read model not available yet (`read-model-unavailable`), or no PDF can be printed now (`pdf-unavailable`: Chromium missing, busy or too slow; `Retry-After` when worth retrying)',
    content: problemContent,
  },
});

/** One route per format: `….pdf` and `….html`. */
function documentRoutes<P extends z.ZodObject, Q extends z.ZodObject>(
  path: string,
  summary: string,
  operationId: string,
  params: P,
  query: Q,
) {
  return Format.options.map((format) => ({
    format,
    route: createRoute({
      method: 'get',
      path: `${path}.${format}`,
      operationId: `${operationId}${format === 'pdf' ? 'Pdf' : 'Html'}`,
      summary: `${summary} (${format === 'pdf' ? 'PDF' : 'A4 print page'})`,
      tags: ['documents'],
      security: [{ bearer: [] }],
      'x-roles': READERS,
      request: { params, query },
      responses: documentResponses(summary),
    }) satisfies RouteConfig,
  }));
}

const RegisterDocumentQuery = DocumentQuery.extend({
  from: TimeBound.optional().openapi({ description: 'Decided at or after', example: '2026-01-01' }),
  to: TimeBound.optional().openapi({ description: 'Decided before', example: '2027-01-01' }),
  outcome: z.enum(['adopted', 'partly-adopted', 'rejected']).optional(),
  overdue: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ description: 'Only decisions past their implementation due date and not complete' }),
});

const noticeRoutes = documentRoutes(
  '/v1/communities/{communityId}/proposals/{proposalId}/notice',
  'The 公示 of a decision: the rule, the figures in words, the publication period and how to object',
  'getDecisionNotice',
  ProposalParams,
  DocumentQuery,
);
const meetingRoutes = documentRoutes(
  '/v1/communities/{communityId}/sessions/{sessionId}/notice',
  'The meeting notice (会议通知): time, place, parties and agenda',
  'getMeetingNotice',
  SessionParams,
  DocumentQuery,
);
const minutesRoutes = documentRoutes(
  '/v1/communities/{communityId}/sessions/{sessionId}/minutes',
  'The minutes (会议纪要) with every signature',
  'getMinutes',
  SessionParams,
  DocumentQuery,
);
const registerRoutes = documentRoutes(
  '/v1/communities/{communityId}/decisions',
  'An extract of the decision register (决议台账摘录)',
  'getRegisterExtract',
  CommunityParams,
  RegisterDocumentQuery,
);

const accountsRoutes = documentRoutes(
  '/v1/communities/{communityId}/funds/{fundId}/accounts',
  'A fund’s published accounts (晒账): income and spending, each with its decision',
  'getFundAccountsDocument',
  FundParams,
  DocumentQuery,
);

const campaignAccountsRoutes = documentRoutes(
  '/v1/communities/{communityId}/crowdfunding/{campaignId}/accounts',
  'A crowdfunding campaign’s published accounts: target, pledges by kind of pledger, receipts, refunds, progress',
  'getCrowdfundingAccountsDocument',
  CampaignParams,
  DocumentQuery,
);

/** What a document is: its words, its facts (the digest covers them) and where it is verified. */
interface Document {
  w: DocumentWords;
  communityName: string;
  kind: string;
  title: string;
  model: object;
  body: (links: Links) => import('@yishi/presentation').Html;
  heads: { label: string; head: ChainHead }[];
  position: string;
  /** The verify page's query, besides `run`. */
  verify: Record<string, string>;
  /** The route's last segment (`notice` of `notice.pdf`), and the PDF's file name. */
  segment: 'notice' | 'minutes' | 'decisions' | 'accounts';
  filename: string;
}

interface Links {
  console: string;
  communityId: string;
}

/** The console's address as the reader reaches it. */
function consoleBase(c: Context<AppEnv>, deps: DocumentDeps): string {
  if (deps.publicUrl) return deps.publicUrl.replace(/\/+$/, '');
  const url = new URL(c.req.url);
  const host = c.req.header('x-forwarded-host');
  const proto = c.req.header('x-forwarded-proto');
  if (host && /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host)) {
    return `${proto === 'https' ? 'https' : 'http'}://${host}`;
  }
  return url.origin;
}

const enc = encodeURIComponent;

/** The digest of what a document says: canonical JSON (RFC 8785) of its facts, SHA-256. */
export function documentCode(model: object): string {
  return shortHash(textHashOf(canonicalJson(JSON.parse(JSON.stringify(model)))));
}

/** The latest signed checkpoint when it covers `position` (the log is in the global order). */
async function coveringCheckpoint(
  deps: DocumentDeps,
  position: string,
): Promise<Verification['checkpoint']> {
  const at = parseCheckpoint(position);
  if (!at) return undefined;
  const log = new CheckpointLog(deps.db);
  const covers = (c: StoredCheckpoint | undefined): c is StoredCheckpoint =>
    c !== undefined &&
    (c.position.transactionId > at.transactionId ||
      (c.position.transactionId === at.transactionId &&
        c.position.globalPosition >= at.globalPosition));
  let latest = await log.latestCached();
  // Signed since it was read (by another instance): read again.
  if (!covers(latest)) latest = await log.latestCached(true);
  return covers(latest)
    ? { treeSize: latest.treeSize, shortHash: checkpointJson(latest).shortHash }
    : undefined;
}

async function answer(
  c: Context<AppEnv>,
  deps: DocumentDeps,
  format: Format,
  doc: Document,
): Promise<Response> {
  const base = consoleBase(c, deps);
  const communityId = c.req.param('communityId') ?? '';
  const verifyUrl = `${base}/c/${enc(communityId)}/verify?${new URLSearchParams({ run: '1', ...doc.verify })}`;
  const code = documentCode(doc.model);
  const html = documentHtml({
    w: doc.w,
    community: doc.communityName,
    kind: doc.kind,
    title: doc.title,
    body: doc.body({ console: base, communityId }),
    verification: verificationBlock(
      doc.w,
      {
        url: verifyUrl,
        code,
        heads: doc.heads,
        position: doc.position,
        madeAt: new Date().toISOString(),
        checkpoint: await coveringCheckpoint(deps, doc.position),
      },
      await qrSvg(verifyUrl),
    ),
    ...(format === 'html' ? { pdfHref: `${doc.segment}.pdf${new URL(c.req.url).search}` } : {}),
  });
  const headers = {
    'x-document-code': code,
    'x-as-of-position': doc.position,
    'cache-control': 'private, no-store',
  };
  if (format === 'html') {
    return c.body(html, 200, {
      ...headers,
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': DOCUMENT_CSP,
    });
  }
  try {
    const pdf = await deps.pdf.render({ html, footer: pdfFooter(doc.w, code) });
    return c.body(pdf, 200, {
      ...headers,
      'content-type': 'application/pdf',
      'content-disposition': `inline; filename="${doc.filename}.pdf"`,
    });
  } catch (error) {
    if (!(error instanceof PdfUnavailable)) throw error;
    c.get('logger').warn({ err: error }, 'no PDF');
    if (error.retryAfterSeconds) c.header('retry-after', String(error.retryAfterSeconds));
    return problem(c, 503, 'pdf-unavailable', `No PDF can be printed now: ${error.message}`);
  }
}

export function documentQueries(deps: DocumentDeps) {
  const app = createRouter();

  for (const { format, route } of noticeRoutes) {
    addRoute(app, route, async (c) => {
      const { communityId, proposalId } = c.req.valid('param');
      const query = c.req.valid('query');
      const ctx = await readContext(c, deps, query, ['timeline']);
      if (ctx instanceof Response) return ctx;
      const head = await chainHead(deps, ctx, streams.proposal(communityId, proposalId));
      if (!head) {
        return problem(c, 404, 'proposal-not-found', `No proposal ${proposalId} in ${communityId}`);
      }
      const view = viewsAt(c, deps, head.position);
      const path = `/v1/communities/${enc(communityId)}`;
      const decision = await view<DecisionView>(`${path}/proposals/${enc(proposalId)}/decision`);
      if (decision instanceof Response) return decision;
      const proposal = await view<ProposalView>(`${path}/proposals/${enc(proposalId)}`);
      if (proposal instanceof Response) return proposal;
      const community = await view<CommunityView>(path);
      if (community instanceof Response) return community;
      const published = await lastEventData(deps, ctx, head, 'ProposalPublished', {
        subject: 'decision',
      });
      const stages = proposal.procedure.stages;
      const decided = stages.findIndex((s) => s.id === decision.stageId);
      const publication = stages
        .slice(decided + 1)
        .find((s) => s.kind === 'publication' && s.subject === 'decision');
      const w = documentWords(query.lang);
      const model: DecisionNoticeModel = {
        document: 'decision-notice',
        communityId,
        communityName: community.name,
        proposal: {
          proposalId,
          title: proposal.title,
          description: proposal.description,
          procedureName: proposal.procedure.name,
          items: proposal.items.map((i) => ({
            itemId: i.itemId,
            title: i.title,
            matter: i.matter,
            options: i.options.map((o) => ({ optionId: o.optionId, title: o.title })),
          })),
        },
        decision: {
          outcome: decision.outcome,
          decidedAt: decision.decidedAt,
          rule: decision.rule,
          totals: decision.totals,
          sessionId: decision.sessionId,
          items: decision.items,
        },
        publication: {
          publishedAt: decision.publication.publishedAt,
          endsAt: decision.publication.endsAt,
          text: typeof published?.text === 'string' ? published.text : null,
          periodDays: publication?.kind === 'publication' ? publication.periodDays : null,
        },
        objections: decision.objections,
        implementationDueAt: decision.implementation.dueAt,
        parties: Object.fromEntries(community.parties.map((p) => [p.partyId, p.name])),
        head,
      };
      return answer(c, deps, format, {
        w,
        communityName: community.name,
        kind: w.t('doc.kind.decision-notice'),
        title: w.t('doc.notice.title', { title: proposal.title }),
        model,
        body: (links) =>
          decisionNoticeBody(
            w,
            model,
            `${links.console}/c/${enc(communityId)}/proposals/${enc(proposalId)}`,
          ),
        heads: [{ label: w.t('doc.verify.head'), head }],
        position: head.position,
        verify: {
          scope: 'proposal',
          proposal: proposalId,
          version: String(head.version),
          head: shortHash(head.hash),
          doc: 'notice',
          at: head.position,
        },
        segment: 'notice',
        filename: `notice-${communityId}-${proposalId}`,
      });
    });
  }

  /** A session's head and its view at that head, or the problem to answer. */
  async function sessionAt(c: Context<AppEnv>, query: z.infer<typeof DocumentQuery>) {
    const communityId = c.req.param('communityId') ?? '';
    const sessionId = c.req.param('sessionId') ?? '';
    const ctx = await readContext(c, deps, query, ['timeline']);
    if (ctx instanceof Response) return ctx;
    const head = await chainHead(deps, ctx, streams.session(communityId, sessionId));
    if (!head) {
      return problem(c, 404, 'session-not-found', `No session ${sessionId} in ${communityId}`);
    }
    const view = viewsAt(c, deps, head.position);
    const path = `/v1/communities/${enc(communityId)}`;
    const found = await view<SessionView>(`${path}/sessions/${enc(sessionId)}`);
    if (found instanceof Response) return found;
    const community = await view<CommunityView>(path);
    if (community instanceof Response) return community;
    const { asOf: _asOf, ...session } = found;
    return { ctx, head, session, community, communityId, sessionId };
  }

  for (const { format, route } of meetingRoutes) {
    addRoute(app, route, async (c) => {
      const query = c.req.valid('query');
      const at = await sessionAt(c, query);
      if (at instanceof Response) return at;
      const { head, session, community, communityId, sessionId } = at;
      const notice = await lastEventData(deps, at.ctx, head, 'SessionNoticeGiven');
      const w = documentWords(query.lang);
      const model: MeetingNoticeModel = {
        document: 'meeting-notice',
        communityId,
        communityName: community.name,
        session,
        noticeText: typeof notice?.text === 'string' ? notice.text : null,
        head,
      };
      return answer(c, deps, format, {
        w,
        communityName: community.name,
        kind: w.t('doc.kind.meeting-notice'),
        title: w.t('doc.meeting.title', { title: session.title }),
        model,
        body: () => meetingNoticeBody(w, model),
        heads: [{ label: w.t('doc.verify.head'), head }],
        position: head.position,
        verify: {
          scope: 'session',
          session: sessionId,
          version: String(head.version),
          head: shortHash(head.hash),
          doc: 'meeting-notice',
          at: head.position,
        },
        segment: 'notice',
        filename: `meeting-notice-${communityId}-${sessionId}`,
      });
    });
  }

  for (const { format, route } of minutesRoutes) {
    addRoute(app, route, async (c) => {
      const query = c.req.valid('query');
      const at = await sessionAt(c, query);
      if (at instanceof Response) return at;
      const { head, session, community, communityId, sessionId } = at;
      const proposalIds = [
        ...new Set(session.agenda.flatMap((i) => (i.proposalId ? [i.proposalId] : []))),
      ];
      // The proposals' heads as of the session's head: what the minutes were printed beside.
      const heads = await chainHeads(
        deps,
        { ...at.ctx, asOf: parseCheckpoint(head.position) },
        proposalIds.map((id) => streams.proposal(communityId, id)),
      );
      const proposalHeads = Object.fromEntries(
        proposalIds.flatMap((id) => {
          const h = heads.get(streams.proposal(communityId, id));
          return h ? [[id, h] as const] : [];
        }),
      );
      const w = documentWords(query.lang);
      const model: MinutesModel = {
        document: 'minutes',
        communityId,
        communityName: community.name,
        session,
        proposalHeads,
        head,
      };
      return answer(c, deps, format, {
        w,
        communityName: community.name,
        kind: w.t('doc.kind.minutes'),
        title: w.t('doc.minutes.title', { title: session.title }),
        model,
        body: () => minutesBody(w, model),
        heads: [
          { label: w.t('doc.verify.head'), head },
          ...Object.entries(proposalHeads).map(([id, h]) => ({
            label: w.t('doc.verify.proposalHead', { id }),
            head: h,
          })),
        ],
        position: head.position,
        verify: {
          scope: 'session',
          session: sessionId,
          version: String(head.version),
          head: shortHash(head.hash),
          doc: 'minutes',
          at: head.position,
        },
        segment: 'minutes',
        filename: `minutes-${communityId}-${sessionId}`,
      });
    });
  }

  for (const { format, route } of registerRoutes) {
    addRoute(app, route, async (c) => {
      const { communityId } = c.req.valid('param');
      const query = c.req.valid('query');
      const ctx = await readContext(c, deps, query, ['timeline']);
      if (ctx instanceof Response) return ctx;
      const position = await communityPosition(deps, ctx, communityId);
      if (!position) {
        return problem(c, 404, 'community-not-found', `No community ${communityId}`);
      }
      const view = viewsAt(c, deps, position);
      const path = `/v1/communities/${enc(communityId)}`;
      const community = await view<CommunityView>(path);
      if (community instanceof Response) return community;
      const list = await view<DecisionList>(`${path}/decisions`, {
        from: query.from,
        to: query.to,
        outcome: query.outcome,
        overdue: query.overdue,
      });
      if (list instanceof Response) return list;
      const decisions = list.items.map(({ history: _history, ...d }) => d);
      const heads = await chainHeads(
        deps,
        { ...ctx, asOf: parseCheckpoint(position) },
        decisions.map((d) => streams.proposal(communityId, d.proposalId)),
      );
      const w = documentWords(query.lang);
      const model: RegisterExtractModel = {
        document: 'register',
        communityId,
        communityName: community.name,
        filter: {
          from: query.from ?? null,
          to: query.to ?? null,
          outcome: query.outcome ?? null,
          overdue: query.overdue === undefined ? null : query.overdue === 'true',
        },
        decisions,
        heads: Object.fromEntries(
          decisions.flatMap((d) => {
            const h = heads.get(streams.proposal(communityId, d.proposalId));
            return h ? [[d.proposalId, h] as const] : [];
          }),
        ),
      };
      return answer(c, deps, format, {
        w,
        communityName: community.name,
        kind: w.t('doc.kind.register'),
        title: w.t('doc.register.title', { community: community.name }),
        model,
        body: () => registerBody(w, model),
        heads: [],
        position,
        verify: { scope: 'community', doc: 'register', at: position },
        segment: 'decisions',
        filename: `decisions-${communityId}`,
      });
    });
  }
  /**
   * 晒账 of one stream (a fund, a campaign), printed as it stood at the stream's head: the
   * head, the query service's view of it there, and the community.
   */
  async function accountsAtHead<V extends { asOf?: unknown }>(
    c: Context<AppEnv>,
    query: z.infer<typeof DocumentQuery>,
    stream: string,
    path: string,
    notFound: () => Response,
  ) {
    const communityId = c.req.param('communityId') ?? '';
    const ctx = await readContext(c, deps, query, ['timeline']);
    if (ctx instanceof Response) return ctx;
    const head = await chainHead(deps, ctx, stream);
    if (!head) return notFound();
    const view = viewsAt(c, deps, head.position);
    const base = `/v1/communities/${enc(communityId)}`;
    const found = await view<V>(`${base}${path}`);
    if (found instanceof Response) return found;
    const community = await view<CommunityView>(base);
    if (community instanceof Response) return community;
    const { asOf: _asOf, ...facts } = found;
    return { head, facts, community, communityId, w: documentWords(query.lang) };
  }

  for (const { format, route } of accountsRoutes) {
    addRoute(app, route, async (c) => {
      const { communityId, fundId } = c.req.valid('param');
      const at = await accountsAtHead<FundAccountsView>(
        c,
        c.req.valid('query'),
        streams.fund(communityId, fundId),
        `/funds/${enc(fundId)}`,
        () => problem(c, 404, 'fund-not-found', `No fund ${fundId} in ${communityId}`),
      );
      if (at instanceof Response) return at;
      const { head, facts, community, w } = at;
      const model: FundAccountsModel = {
        document: 'fund-accounts',
        communityId,
        communityName: community.name,
        accounts: facts,
      };
      return answer(c, deps, format, {
        w,
        communityName: community.name,
        kind: w.t('doc.kind.fund-accounts'),
        title: w.t('doc.fund.title', { fund: facts.name }),
        model,
        body: (links) =>
          fundAccountsBody(
            w,
            model,
            (proposalId) => `${links.console}/c/${enc(communityId)}/proposals/${enc(proposalId)}`,
          ),
        heads: [{ label: w.t('doc.verify.head'), head }],
        position: head.position,
        verify: { scope: 'community', doc: 'fund-accounts', fund: fundId, at: head.position },
        segment: 'accounts',
        filename: `accounts-${communityId}-${fundId}`,
      });
    });
  }
  for (const { format, route } of campaignAccountsRoutes) {
    addRoute(app, route, async (c) => {
      const { communityId, campaignId } = c.req.valid('param');
      const at = await accountsAtHead<CampaignDetail>(
        c,
        c.req.valid('query'),
        streams.crowdfunding(communityId, campaignId),
        `/crowdfunding/${enc(campaignId)}`,
        () => problem(c, 404, 'campaign-not-found', `No campaign ${campaignId} in ${communityId}`),
      );
      if (at instanceof Response) return at;
      const { head, facts, community, w } = at;
      const model: CampaignAccountsModel = {
        document: 'campaign-accounts',
        communityId,
        communityName: community.name,
        campaign: facts,
      };
      return answer(c, deps, format, {
        w,
        communityName: community.name,
        kind: w.t('doc.kind.campaign-accounts'),
        title: w.t('doc.campaign.title', { campaign: facts.title }),
        model,
        body: (links) =>
          campaignAccountsBody(
            w,
            model,
            `${links.console}/c/${enc(communityId)}/proposals/${enc(facts.proposalId)}`,
          ),
        heads: [{ label: w.t('doc.verify.head'), head }],
        position: head.position,
        verify: {
          scope: 'community',
          doc: 'campaign-accounts',
          campaign: campaignId,
          at: head.position,
        },
        segment: 'accounts',
        filename: `crowdfunding-${communityId}-${campaignId}`,
      });
    });
  }
  return app;
}
