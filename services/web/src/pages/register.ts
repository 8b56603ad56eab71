import { OwnersMatter } from '@yishi/domain';
import { ratioDecimal } from '@yishi/presentation';
import type {
  CommunityList,
  DecisionList,
  DecisionView,
  ItemView,
} from '@yishi/projection/contract';
import { withQuery } from '../api.ts';
import { formatDate } from '../format.ts';
import { type Html, h } from '../html.ts';
import { itemResult, type ResultContext, scopeWords } from '../views/decision.ts';
import { documentLinks } from '../views/documents.ts';
import { badge, communityPath, layout, outcomeBadge, queryProblem } from '../views/layout.ts';
import {
  asOfOf,
  communityApi,
  communityCrumb,
  loadCommunity,
  type Page,
  type PageAnswer,
  partyNames,
  read,
} from './page.ts';
import { ruleWords } from './proposal.ts';

// 决议台账: every decision of a community with the rule and the figures in words, filtered by
// community, year, matter, outcome and overdue implementation, as of any past day.

/** The Art. 278 matters a decision's items were decided under (from the recorded figures). */
export function mattersOf(decision: DecisionView): string[] {
  return decision.items.flatMap((item) => {
    const result = item.result as { figures?: { matter?: unknown } } | null;
    const matter = result?.figures?.matter;
    return typeof matter === 'string' ? [matter] : [];
  });
}

function decisionCard(page: Page, d: DecisionView, rc: ResultContext): Html {
  const { tr } = page;
  const impl = d.implementation;
  const pub = d.publication;
  const link = communityPath(page.communityId, `/proposals/${encodeURIComponent(d.proposalId)}`);
  return h`<li>
  <a class="title" href="${link}">${d.title}</a>
  <div>${outcomeBadge(tr, d.outcome)} ${impl.overdue ? badge('bad', tr.t('register.overdueBadge')) : undefined}
    ${d.withdrawn ? badge('bad', tr.label('eventType', 'ProposalWithdrawn')) : undefined}</div>
  <dl class="facts">
    <dt>${tr.t('register.decided')}</dt><dd>${formatDate(d.decidedAt)} · ${tr.has('procedure', d.procedure) ? tr.label('procedure', d.procedure) : d.procedure}</dd>
    ${d.scope.kind === 'building' ? h`<dt>${tr.t('proposal.scope')}</dt><dd>${scopeWords(tr, d.scope)}</dd>` : undefined}
    <dt>${tr.t('vote.rule')}</dt><dd>${d.rule ? ruleWords(tr, d.rule) : d.sessionId ? tr.label('rule', 'joint-session') : '—'}</dd>
    <dt>${tr.t('register.published')}</dt><dd>${
      pub.publishedAt
        ? h`${formatDate(pub.publishedAt)}${pub.onTime === false ? h` ${badge('warn', tr.t('register.publishedLate'))}` : undefined}`
        : tr.t('register.notPublished')
    }</dd>
    <dt>${tr.t('register.implementation')}</dt><dd>${tr.t(`register.status.${impl.status}`)}${
      impl.progressPercent !== null ? ` · ${impl.progressPercent}%` : ''
    }${impl.dueAt ? ` · ${tr.t('register.due', { at: formatDate(impl.dueAt) })}` : ''}</dd>
    ${d.objections.raised ? h`<dt>${tr.label('eventType', 'ObjectionRaised')}</dt><dd>${tr.t('proposal.objections', { raised: d.objections.raised, answered: d.objections.answered })}</dd>` : undefined}
    ${d.satisfaction.count ? h`<dt>${tr.label('eventType', 'SatisfactionRated')}</dt><dd>${tr.t('proposal.satisfaction', { count: d.satisfaction.count, average: ratioDecimal(d.satisfaction.sum, d.satisfaction.count, 1) })}</dd>` : undefined}
  </dl>
  <details><summary>${tr.t('decision.figuresExplained')}</summary>
  ${d.items.map((r) => itemResult(r, rc, 4))}
  </details>
</li>`;
}

export async function registerPage(page: Page): Promise<PageAnswer> {
  const { tr } = page;
  const chosen = page.query('community');
  if (chosen && /^[a-z0-9][a-z0-9-]{0,62}$/.test(chosen)) page.communityId = chosen;
  const year = page.query('year') ?? '';
  const matter = page.query('matter') ?? '';
  const outcome = page.query('outcome') ?? '';
  const overdue = page.query('overdue') === 'on';
  const choice = asOfOf(page);
  const asOfDate = choice?.date ?? '';
  const asOf = choice?.param;
  const validYear = /^\d{4}$/.test(year) ? Number(year) : undefined;
  const query = {
    from: validYear ? `${validYear}-01-01T00:00:00+08:00` : undefined,
    to: validYear ? `${validYear + 1}-01-01T00:00:00+08:00` : undefined,
    outcome: outcome || undefined,
    overdue: overdue ? 'true' : undefined,
    asOf,
  };
  const [community, communities, result] = await Promise.all([
    loadCommunity(page),
    read<CommunityList>(page, '/v1/communities'),
    read<DecisionList>(page, communityApi(page, '/decisions'), query),
  ]);
  const decisions = result.ok
    ? result.data.items.filter((d) => !matter || mattersOf(d).includes(matter))
    : [];
  const thisYear = new Date().getUTCFullYear();
  const years = Array.from({ length: 11 }, (_, i) => String(thisYear + 1 - i));
  const names = partyNames(community.ok ? community.data : undefined);
  const selected = (a: string, b: string) => (a === b ? h` selected` : undefined);
  const communityOptions = communities.ok ? communities.data.items : [];
  const filters = h`<form method="get" action="${communityPath(page.communityId, '/decisions')}" class="action" aria-labelledby="filters-title">
  <h2 id="filters-title">${tr.t('form.filter')}</h2>
  <div class="row">
    <div class="field"><label for="f-community">${tr.t('register.community')}</label>
      <select id="f-community" name="community">${(
        communityOptions.length
          ? communityOptions
          : [
              {
                communityId: page.communityId,
                name: page.ctx.community?.name ?? page.communityId,
                kind: '',
              },
            ]
      ).map(
        (c) =>
          h`<option value="${c.communityId}"${selected(c.communityId, page.communityId)}>${c.name}</option>`,
      )}</select></div>
    <div class="field"><label for="f-year">${tr.t('register.year')}</label>
      <select id="f-year" name="year"><option value="">${tr.t('register.any')}</option>${years.map(
        (y) => h`<option value="${y}"${selected(y, year)}>${y}</option>`,
      )}</select></div>
    <div class="field"><label for="f-matter">${tr.t('register.matter')}</label>
      <select id="f-matter" name="matter"><option value="">${tr.t('register.any')}</option>${OwnersMatter.options.map(
        (m) => h`<option value="${m}"${selected(m, matter)}>${tr.label('matter', m)}</option>`,
      )}</select></div>
    <div class="field"><label for="f-outcome">${tr.t('register.outcome')}</label>
      <select id="f-outcome" name="outcome"><option value="">${tr.t('register.any')}</option>${(
        ['adopted', 'partly-adopted', 'rejected'] as const
      ).map(
        (o) => h`<option value="${o}"${selected(o, outcome)}>${tr.label('outcome', o)}</option>`,
      )}</select></div>
    <div class="field"><label for="f-asof">${tr.t('register.asOf')}</label>
      <input type="date" id="f-asof" name="asOf" value="${asOfDate}"></div>
  </div>
  <div class="choice field"><input type="checkbox" id="f-overdue" name="overdue" value="on"${overdue ? h` checked` : undefined}><label for="f-overdue">${tr.t('register.overdue')}</label></div>
  <div class="actions"><button type="submit">${tr.t('form.filter')}</button>
  <a class="button secondary" href="${withQuery(`/api/projection${communityApi(page, '/decisions.csv')}`, query)}" download>${tr.t('register.csv')}</a>
  ${documentLinks(tr, communityApi(page, '/decisions'), 'print.register', query)}</div>
</form>`;
  const rcOf = (d: DecisionView): ResultContext => ({
    tr,
    partyNames: names,
    items: d.items.map(
      (i): ItemView => ({ itemId: i.itemId, title: i.itemId, kind: 'motion', options: [] }),
    ),
  });
  const list = result.ok
    ? decisions.length
      ? h`<p role="status">${tr.t('register.count', { n: decisions.length })}</p><ul class="cards">${decisions.map((d) => decisionCard(page, d, rcOf(d)))}</ul>`
      : h`<p role="status">${tr.t('register.none')}</p>`
    : queryProblem(tr, result.problem);
  return {
    html: layout(page.ctx, {
      title: tr.t('register.title'),
      crumbs: [communityCrumb(page), { label: tr.t('register.title') }],
      body: h`<h1>${tr.t('register.title')} · ${page.ctx.community?.name ?? page.communityId}</h1>
${result.ok && result.data.asOf ? h`<div class="banner warn" role="status"><p>${tr.t('asof.showing', { at: choice?.label ?? '', position: result.data.asOf.position })}</p></div>` : undefined}
${filters}
${list}`,
    }),
  };
}
