import { formatArea, formatCount, formatYuan, ratioDecimal } from '@yishi/presentation';
import type {
  BallotPage,
  BallotView,
  CommunityView,
  CostSharesView,
  DecisionView,
  FollowUpView,
  ItemView,
  ProposalView,
  SessionList,
  SessionView,
  TallyView,
} from '@yishi/projection/contract';
import { offered } from '../actions/action.ts';
import { campaignOpenActions } from '../actions/money.ts';
import {
  currentBallot,
  type ProposalContext,
  proposalActions,
  proposalContext,
  stageOf,
} from '../actions/proposal.ts';
import type { Result } from '../api.ts';
import { type AsOfChoice, formatTime } from '../format.ts';
import { type Child, type Html, h } from '../html.ts';
import type { Translator } from '../i18n.ts';
import { may } from '../viewer.ts';
import { itemResult, overallVerdict, type ResultContext, scopeWords } from '../views/decision.ts';
import { documentLinks } from '../views/documents.ts';
import { badge, communityPath, layout, outcomeBadge, queryProblem } from '../views/layout.ts';
import { discussionSection } from './discussion.ts';
import {
  asOfOf,
  communityApi,
  communityCrumb,
  loadCommunity,
  type Page,
  type PageAnswer,
  partyNames,
  personLabel,
  personNames,
  problemPage,
  read,
} from './page.ts';

// 议题: one proposal with its procedure, items, vote (live tally or recorded decision in
// words) and the forms for what the signed-in role may do next at this stage.

function proposalApi(page: Page, rest = ''): string {
  return communityApi(page, `/proposals/${encodeURIComponent(page.param('pid'))}${rest}`);
}

function proposalPath(page: Page, rest = ''): string {
  return communityPath(
    page.communityId,
    `/proposals/${encodeURIComponent(page.param('pid'))}${rest}`,
  );
}

/** The rule of a vote in words, with its parameters. */
export function ruleWords(
  tr: Translator,
  rule: Record<string, unknown> & { kind?: string },
): string {
  const kind = rule.kind ?? '';
  const parts = [tr.has('rule', kind) ? tr.label('rule', kind) : kind];
  if (typeof rule.form === 'string') parts.push(tr.label('meetingForm', rule.form));
  if (rule.deemedConsent === true) parts.push(tr.t('action.deemedConsent'));
  if (rule.countParking === true) parts.push(tr.t('action.countParking'));
  return parts.join(' · ');
}

function stages(tr: Translator, proposal: ProposalView): Html {
  const list = proposal.procedure.stages;
  const current = list.findIndex((s) => s.id === proposal.stage.id);
  return h`<ol class="stages" aria-label="${tr.t('proposal.stages')}">${list.map((s, i) => {
    const state = i < current ? 'done' : i === current ? 'current' : '';
    const kind = tr.label('stageKind', s.kind);
    const progress =
      i < current
        ? `${tr.comma}${tr.t('proposal.stage.done')}`
        : i === current
          ? `${tr.comma}${tr.t('proposal.stage.current')}`
          : '';
    // Stage names are the template's own (Chinese) words; English readers also get the kind.
    const name =
      tr.lang === 'zh'
        ? h`${s.name}<span class="visually-hidden">${tr.open}${kind}${progress}${tr.close}</span>`
        : h`<span lang="zh-CN">${s.name}</span> (${kind}<span class="visually-hidden">${progress}</span>)`;
    return h`<li class="${state}"${i === current ? h` aria-current="step"` : undefined}>${name}</li>`;
  })}</ol>`;
}

function items(tr: Translator, list: readonly ItemView[]): Html {
  return h`<ol>${list.map(
    (item) => h`<li><strong>${item.title}</strong>
    <span class="muted">${item.kind === 'plans' ? tr.t('new.item.plans') : tr.t('new.item.motion')}${
      item.matter ? ` · ${tr.label('matter', item.matter)}` : ''
    }</span>
    ${item.description ? h`<p>${item.description}</p>` : undefined}
    ${
      item.options.length
        ? h`<ul>${item.options.map((o) => h`<li>${o.optionId}. ${o.title}${o.description ? h` <span class="muted">— ${o.description}</span>` : undefined}</li>`)}</ul>`
        : undefined
    }</li>`,
  )}</ol>`;
}

function deadlines(tr: Translator, p: ProposalView): Html | undefined {
  const rows: [string, string | null][] = [
    [tr.t('proposal.nextStageFrom'), p.deadlines.nextStageFrom],
    [tr.t('proposal.votingClosesAt'), p.deadlines.votingClosesAt],
    [tr.t('proposal.publicationEndsAt'), p.deadlines.publicationEndsAt],
    [tr.t('proposal.implementationDueAt'), p.deadlines.implementationDueAt],
  ];
  const shown = rows.filter(([, v]) => v);
  if (!shown.length) return undefined;
  return h`<dl class="facts">${shown.map(([k, v]) => h`<dt>${k}</dt><dd>${formatTime(v)}</dd>`)}</dl>`;
}

function turnout(tr: Translator, tally: TallyView): Html {
  const totals = tally.totals;
  return h`<p><strong>${tr.t('vote.turnout', { ballots: formatCount(tally.ballots), voters: formatCount(tally.voters) })}</strong></p>
  <p class="muted">${tr.t('vote.totals', {
    voters: formatCount(totals.voters ?? tally.voters),
    heads: formatCount(totals.heads ?? 0),
    area: tr.t('unit.m2', { value: formatArea(totals.areaCentiM2 ?? 0) }),
  })}</p>`;
}

/** The provisional tally's content (also served alone for the live refresh). */
function tallyBody(tr: Translator, tally: Result<TallyView>, rc: ResultContext): Html {
  if (!tally.ok) return queryProblem(tr, tally.problem, 'vote.live');
  return h`${turnout(tr, tally.data)}
  ${tally.data.items.map((r) => itemResult(r, rc))}`;
}

/** GET …/tally: the live tally fragment. */
export async function tallyFragment(page: Page): Promise<Html> {
  const [proposal, tally, community] = await Promise.all([
    read<ProposalView>(page, proposalApi(page)),
    read<TallyView>(page, proposalApi(page, '/tally')),
    read<CommunityView>(page, communityApi(page)),
  ]);
  const rc: ResultContext = {
    tr: page.tr,
    items: proposal.ok ? proposal.data.items : [],
    partyNames: partyNames(community.ok ? community.data : undefined),
  };
  return tallyBody(page.tr, tally, rc);
}

/**
 * The viewer's own current ballot: the one of the voter they are, and any they cast last (a
 * household's, say, whose voter is the household).
 */
async function ownBallot(page: Page): Promise<BallotView[]> {
  const me = page.viewer.personId;
  const results = await Promise.all(
    [{ voterId: me }, { castBy: me }].map((filter) =>
      read<BallotPage>(page, proposalApi(page, '/ballots'), filter),
    ),
  );
  const mine = new Map<string, BallotView>();
  for (const result of results) {
    for (const b of result.ok ? result.data.items : []) mine.set(`${b.voterId}/${b.itemId}`, b);
  }
  return [...mine.values()];
}

/** The voters whose current ballot was entered from paper, for the clerk to correct. */
async function paperBallotVoters(page: Page): Promise<string[]> {
  const result = await read<BallotPage>(page, proposalApi(page, '/ballots'));
  const voters = (result.ok ? result.data.items : [])
    .filter((b) => b.via === 'paper')
    .map((b) => b.voterId);
  return [...new Set(voters)];
}

/** The forms for what this role may do now: the service decides, the console only offers. */
function nextSteps(c: ProposalContext): Html[] {
  const crowdfunding = communityPath(c.page.communityId, '/crowdfunding');
  const { tr, viewer } = c.page;
  // A ballot that may not change is shown where its form would be.
  const kept =
    c.openVote?.allowBallotChange === false &&
    c.ballots.length > 0 &&
    may(viewer, 'CastBallot') &&
    viewer.role !== 'proxy'
      ? [
          h`<div class="panel" id="ballot"><h3>${tr.t('ballot.title')}</h3>${currentBallot(c)}<p class="muted">${tr.t('vote.noChange')}</p></div>`,
        ]
      : [];
  return [
    ...kept,
    ...offered(proposalActions, c),
    ...offered(campaignOpenActions, { page: c.page, base: crowdfunding, proposal: c.proposal }),
  ];
}

/** Sessions read for a proposal's resolution: a proposal is on the agenda of one or a few. */
const MAX_AGENDA_SESSIONS = 20;

/**
 * The session and agenda item that decide this proposal, for recording its resolution: the
 * session named when it was accepted onto the agenda, else the sessions whose agenda holds it
 * (one query, latest first), whose details are read.
 */
async function resolutionOf(page: Page, proposal: ProposalView) {
  let candidates: string[];
  if (proposal.agendaSessionId) {
    candidates = [proposal.agendaSessionId];
  } else {
    const list = await read<SessionList>(page, communityApi(page, '/sessions'), {
      proposalId: proposal.proposalId,
      limit: MAX_AGENDA_SESSIONS,
    });
    candidates = list.ok ? list.data.items.map((s) => s.sessionId) : [];
  }
  const sessions = await Promise.all(
    candidates.map((sid) =>
      read<SessionView>(page, communityApi(page, `/sessions/${encodeURIComponent(sid)}`)),
    ),
  );
  for (const session of sessions) {
    if (!session.ok) continue;
    const item =
      session.data.agenda.find(
        (a) => a.proposalId === proposal.proposalId && a.resolution !== null,
      ) ?? session.data.agenda.find((a) => a.proposalId === proposal.proposalId);
    if (item) return { sessionId: session.data.sessionId, itemId: item.itemId };
  }
  return undefined;
}

function followUpSection(
  tr: Translator,
  followUp: FollowUpView,
  names: ReadonlyMap<string, string>,
): Html | undefined {
  if (!followUp.objections.length && !followUp.reports.length) return undefined;
  return h`<section aria-labelledby="follow-up"><h2 id="follow-up">${tr.label('stageKind', 'implementation')} · ${tr.label('stageKind', 'feedback')}</h2>
  ${followUp.objections.map(
    (
      o,
    ) => h`<div class="panel"><p><strong>${tr.label('eventType', 'ObjectionRaised')}</strong> · ${personLabel(tr, names, o.raisedBy)} · ${formatTime(o.raisedAt)}</p><p>${o.text}</p>
    ${o.answer ? h`<p><strong>${tr.label('eventType', 'ObjectionAnswered')}</strong> · ${formatTime(o.answeredAt)}</p><p>${o.answer}</p>` : undefined}</div>`,
  )}
  ${followUp.reports.map(
    (r) =>
      h`<div class="panel"><p><strong>${r.kind === 'implementation' ? tr.label('eventType', 'ImplementationReported') : tr.label('eventType', 'FeedbackReported')}</strong>${
        r.progressPercent !== null ? ` · ${r.progressPercent}%` : ''
      } · ${personLabel(tr, names, r.by)} · ${formatTime(r.at)}</p><p>${r.text}</p></div>`,
  )}
</section>`;
}

export async function proposalPage(page: Page): Promise<PageAnswer> {
  const { tr, viewer } = page;
  const choice = asOfOf(page);
  const asOf = choice?.param;
  const [community, proposalResult] = await Promise.all([
    loadCommunity(page),
    read<ProposalView>(page, proposalApi(page), { asOf }),
  ]);
  const crumbs = [communityCrumb(page)];
  if (!proposalResult.ok)
    return problemPage(page, page.param('pid'), crumbs, proposalResult.problem);
  const proposal = proposalResult.data;
  const communityView = community.ok ? community.data : undefined;
  const rc: ResultContext = { tr, items: proposal.items, partyNames: partyNames(communityView) };
  const vote = proposal.vote;
  const voteOpen = vote !== null && vote.closedAt === null;
  const voter =
    voteOpen &&
    !asOf &&
    (may(viewer, 'CastBallot') ||
      may(viewer, 'CastProxyBallot') ||
      may(viewer, 'EnterPaperBallot'));
  const { next } = stageOf(proposal);
  const costs = costLines(proposal.items);
  const [tally, decision, ballots, followUp, resolution, shares, paperVoters] = await Promise.all([
    voteOpen ? read<TallyView>(page, proposalApi(page, '/tally'), { asOf }) : undefined,
    proposal.decidedAt
      ? read<DecisionView>(page, proposalApi(page, '/decision'), { asOf })
      : undefined,
    voter && may(viewer, 'CastBallot') ? ownBallot(page) : [],
    read<FollowUpView>(page, proposalApi(page, '/follow-up'), { asOf }),
    next?.kind === 'decision' && next.rules.includes('joint-session') && !asOf
      ? resolutionOf(page, proposal)
      : undefined,
    // The viewer's own share, shown before they vote (#26.6).
    vote && costs.length > 0
      ? read<CostSharesView>(page, proposalApi(page, '/shares'), {
          personId: viewer.personId,
          asOf,
        })
      : undefined,
    voteOpen && !asOf && may(viewer, 'CorrectPaperBallot') ? paperBallotVoters(page) : [],
  ]);
  const names = await personNames(page, [
    proposal.submittedBy.personId,
    ...(followUp.ok ? followUp.data.objections.map((o) => o.raisedBy) : []),
    ...(followUp.ok ? followUp.data.reports.map((r) => r.by) : []),
  ]);

  let voteSection: Child;
  if (proposal.outcome && decision) {
    voteSection = h`<section aria-labelledby="decision" id="vote">
  <h2 id="decision">${tr.t('vote.final')}</h2>
  ${overallVerdict(tr, proposal.outcome)}
  <p class="muted">${tr.t('vote.decidedAt', { at: formatTime(proposal.decidedAt) })}${
    decision.ok && decision.data.rule ? ` · ${ruleWords(tr, decision.data.rule)}` : ''
  }</p>
  ${
    decision.ok
      ? decision.data.items.map((r) => itemResult(r, rc))
      : queryProblem(tr, decision.problem)
  }
</section>`;
  } else if (vote) {
    voteSection = h`<section aria-labelledby="live" id="vote">
  <h2 id="live">${voteOpen ? tr.t('vote.live') : tr.t('vote.title')}</h2>
  <p>${tr.t('vote.rule')}${tr.colon}${ruleWords(tr, vote.rule)}</p>
  <p>${voteOpen ? h`${tr.t('vote.closesAt')}${tr.colon}${formatTime(vote.closesAt)}` : tr.t('vote.closedAt', { at: formatTime(vote.closedAt) })}</p>
  ${voteOpen ? h`<p class="muted">${tr.t('vote.live.note')}</p>` : undefined}
  <div${voteOpen && !asOf ? h` data-refresh="${proposalPath(page, '/tally')}" data-interval="4000" aria-live="polite"` : undefined}>
  ${tally ? tallyBody(tr, tally, rc) : undefined}
  </div>
</section>`;
  }

  const discussion = asOf
    ? undefined
    : await discussionSection(page, proposal, proposalPath(page, '/discussion'));
  const forms =
    asOf || proposal.status !== 'active'
      ? []
      : nextSteps(
          proposalContext({ page, base: proposalPath(page) }, proposal, {
            community: communityView,
            ballots,
            objections: followUp.ok ? followUp.data.objections : [],
            resolution,
            paperVoters,
          }),
        );

  const body = h`<h1>${proposal.title}</h1>
<p>${badge('info', tr.label('stageKind', proposal.stage.kind))} ${outcomeBadge(tr, proposal.outcome)}
${proposal.status === 'withdrawn' ? badge('bad', tr.label('eventType', 'ProposalWithdrawn')) : undefined}</p>
${
  proposal.asOf
    ? h`<div class="banner warn" role="status"><p>${tr.t('asof.showing', { at: choice?.label ?? '', position: proposal.asOf.position })}</p><p><a href="${proposalPath(page)}">${tr.t('asof.clear')}</a></p></div>`
    : undefined
}
<p class="muted">${tr.t('proposal.submitted', { who: personLabel(tr, names, proposal.submittedBy.personId), at: formatTime(proposal.submittedAt) })} · ${tr.t('proposal.procedure')}${tr.colon}${
    tr.has('procedure', proposal.procedure.template)
      ? tr.label('procedure', proposal.procedure.template)
      : proposal.procedure.name
  }</p>
${
  proposal.scope.kind === 'building'
    ? h`<p><strong>${tr.t('proposal.scope')}${tr.colon}${scopeWords(tr, proposal.scope)}</strong></p>`
    : undefined
}
<p class="pre">${proposal.description}</p>
${proposal.withdrawnReason ? h`<p>${tr.t('proposal.withdrawn', { reason: proposal.withdrawnReason })}</p>` : undefined}
<h2>${tr.t('proposal.stages')}</h2>
${stages(tr, proposal)}
<h2>${tr.t('proposal.items')}</h2>
${items(tr, proposal.items)}
${costsSection(tr, costs, proposal.vote !== null, shares)}
${deadlines(tr, proposal)}
${
  proposal.concernedPartyIds.length
    ? h`<p>${tr.t('proposal.concerned')}${tr.colon}${proposal.concernedPartyIds.map((id) => rc.partyNames.get(id) ?? id).join(tr.sep)}</p>`
    : undefined
}
${
  proposal.agendaSessionId
    ? h`<p>${tr.t('proposal.agendaSession')}${tr.colon}<a href="${communityPath(page.communityId, `/sessions/${encodeURIComponent(proposal.agendaSessionId)}`)}">${proposal.agendaSessionId}</a></p>`
    : undefined
}
${voteSection}
${
  asOf
    ? undefined
    : h`<section aria-labelledby="next-steps"><h2 id="next-steps">${tr.t('proposal.nextSteps')}</h2>
${forms.length ? forms : h`<p>${tr.t('proposal.nothingToDo')}</p>`}</section>`
}
${discussion}
${followUp.ok ? followUpSection(tr, followUp.data, names) : undefined}
${
  proposal.progressPercent !== null
    ? h`<p>${tr.t('proposal.progress', { percent: proposal.progressPercent })}</p>`
    : undefined
}
${
  proposal.objections.raised
    ? h`<p>${tr.t('proposal.objections', { raised: proposal.objections.raised, answered: proposal.objections.answered })}</p>`
    : undefined
}
${
  proposal.satisfaction.count
    ? h`<p>${tr.t('proposal.satisfaction', { count: proposal.satisfaction.count, average: ratioDecimal(proposal.satisfaction.sum, proposal.satisfaction.count, 1) })}</p>`
    : undefined
}
<section aria-labelledby="record"><h2 id="record">${tr.t('proposal.record')}</h2>
<div class="actions">
  <a class="button secondary" href="${proposalPath(page, '/timeline')}">${tr.t('proposal.history')}</a>
  <a class="button secondary" href="/api/projection${proposalApi(page, '/dossier')}" download>${tr.t('proposal.dossier')}</a>
  ${proposal.decidedAt ? documentLinks(tr, proposalApi(page, '/notice'), 'print.notice', { asOf }) : undefined}
</div>
${asOfForm(page, proposalPath(page), choice)}
</section>`;

  return {
    html: layout(page.ctx, {
      title: proposal.title,
      crumbs: [...crumbs, { label: proposal.title }],
      body,
    }),
  };
}

type CostLine = {
  itemId: string;
  optionId: string | null;
  title: string;
  cost: NonNullable<ItemView['cost']>;
};

/** The costs of the items: a motion's own, and each plan's. */
function costLines(items: readonly ItemView[]): CostLine[] {
  return items.flatMap((item) => [
    ...(item.cost
      ? [{ itemId: item.itemId, optionId: null, title: item.title, cost: item.cost }]
      : []),
    ...item.options.flatMap((o) =>
      o.cost
        ? [
            {
              itemId: item.itemId,
              optionId: o.optionId,
              title: `${item.title} · ${o.title}`,
              cost: o.cost,
            },
          ]
        : [],
    ),
  ]);
}

function basisWords(tr: Translator, cost: CostLine['cost'], sumFen: number | undefined): string {
  switch (cost.basis) {
    case 'rate': {
      const rate = tr.t('costs.rate', { rate: formatYuan(cost.fenPerSquareMetre) });
      return sumFen === undefined
        ? rate
        : `${rate}${tr.sep}${tr.t('costs.rateTotal', { total: formatYuan(sumFen) })}`;
    }
    case 'area':
    case 'unit':
    case 'fund':
      return tr.t(`costs.${cost.basis}`, { total: formatYuan(cost.totalFen) });
    default: {
      const _exhaustive: never = cost;
      return _exhaustive;
    }
  }
}

/** What the plans cost and, once voting opens, the viewer's share of each (#26.6). */
function costsSection(
  tr: Translator,
  lines: readonly CostLine[],
  voteOpened: boolean,
  shares: Result<CostSharesView> | undefined,
): Html | undefined {
  if (lines.length === 0) return undefined;
  const computed = shares?.ok ? shares.data.costs : [];
  return h`<section aria-labelledby="costs-title" id="costs"><h2 id="costs-title">${tr.t('costs.title')}</h2>
  ${lines.map((line) => {
    const found = computed.find((c) => c.itemId === line.itemId && c.optionId === line.optionId);
    const mine = found?.shares[0];
    return h`<div class="panel"><p><strong>${line.title}</strong></p>
    <p>${basisWords(tr, line.cost, found?.totalFen)}</p>
    ${
      mine && line.cost.basis !== 'fund'
        ? h`<p class="share"><strong>${tr.t('costs.yours', { amount: formatYuan(mine.amountFen), area: formatArea(mine.areaCentiM2), units: mine.unitIds.length })}</strong></p>`
        : undefined
    }</div>`;
  })}
  ${voteOpened ? (shares && !shares.ok ? queryProblem(tr, shares.problem) : undefined) : h`<p class="muted">${tr.t('costs.notYet')}</p>`}
  <p class="muted">${tr.t('costs.rounding')}</p>
</section>`;
}

/** A date (and optional time) picker: the record as it stood then, China time. */
export function asOfForm(page: Page, action: string, choice: AsOfChoice | undefined): Html {
  const { tr } = page;
  const id = 'as-of';
  return h`<form method="get" action="${action}" class="action" aria-labelledby="${id}-title">
  <h3 id="${id}-title">${tr.t('asof.title')}</h3>
  <div class="row">
    <div class="field"><label for="${id}-date">${tr.t('asof.date')}</label>
    <input type="date" id="${id}-date" name="asOf" value="${choice?.date ?? ''}" required></div>
    <div class="field"><label for="${id}-time">${tr.t('asof.time')}</label>
    <span class="hint" id="${id}-time-hint">${tr.t('asof.time.hint')}</span>
    <input type="time" id="${id}-time" name="asOfTime" value="${choice?.time ?? ''}" aria-describedby="${id}-time-hint"></div>
  </div>
  <div class="actions"><button type="submit" class="secondary">${tr.t('asof.apply')}</button></div>
</form>`;
}
