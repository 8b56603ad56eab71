import { ratioDecimal } from '@yishi/presentation';
import type {
  EvaluationDetailView,
  EvaluationListView,
  EvaluationView,
} from '@yishi/projection/contract';
import { offered } from '../actions/action.ts';
import { evaluationActions, evaluationListActions } from '../actions/participation.ts';
import { formatTime } from '../format.ts';
import { type Html, h } from '../html.ts';
import type { Translator } from '../i18n.ts';
import { badge, communityPath, layout, queryProblem } from '../views/layout.ts';
import {
  communityApi,
  communityCrumb,
  loadCommunity,
  type Page,
  type PageAnswer,
  problemPage,
  read,
  statusOf,
} from './page.ts';

// 评议: the list, one evaluation with its form (each answer sealed) and its published results.

const evaluationPath = (page: Page, id = '') =>
  communityPath(page.communityId, `/evaluations${id ? `/${encodeURIComponent(id)}` : ''}`);

function results(tr: Translator, e: EvaluationView): Html | undefined {
  if (e.status !== 'closed') return undefined;
  if (e.withheld || !e.results) return h`<p>${tr.t('evaluation.withheld')}</p>`;
  return h`<h2>${tr.t('evaluation.results')}</h2><ul id="results">${e.results.map((r) => {
    const q = e.questions.find((x) => x.questionId === r.questionId);
    if (r.kind === 'scale') {
      const mean = ratioDecimal(r.sum, r.answers, 2);
      return h`<li>${q?.text ?? r.questionId}${tr.colon}${tr.t('evaluation.mean', { mean, answers: r.answers })} <span class="muted">(${r.counts.map((n, i) => `${i + 1}:${n}`).join(' ')})</span></li>`;
    }
    const label = (id: string) =>
      (q?.kind === 'choice' ? q.options.find((o) => o.optionId === id)?.label : undefined) ?? id;
    return h`<li>${q?.text ?? r.questionId}${tr.colon}${r.counts.map((c) => `${label(c.optionId)} ${c.count}`).join(tr.sep)}</li>`;
  })}</ul>`;
}

export async function evaluationsPage(page: Page): Promise<PageAnswer> {
  const { tr } = page;
  const [, list] = await Promise.all([
    loadCommunity(page),
    read<EvaluationListView>(page, communityApi(page, '/evaluations')),
  ]);
  const crumbs = [communityCrumb(page)];
  const body = h`<h1>${tr.t('evaluation.title')}</h1>
${
  list.ok
    ? list.data.items.length
      ? h`<ul class="cards">${list.data.items.map(
          (e) =>
            h`<li><a class="title" href="${evaluationPath(page, e.evaluationId)}">${e.title}</a>
            <div>${badge(e.status === 'open' ? 'info' : 'ok', tr.t(`evaluation.status.${e.status}`))} · ${tr.t('evaluation.respondents', { count: e.respondents })}</div>
            <span class="muted">${tr.t('evaluation.closesAt', { at: formatTime(e.closesAt) })}</span></li>`,
        )}</ul>`
      : h`<p>${tr.t('evaluation.none')}</p>`
    : queryProblem(tr, list.problem)
}
${offered(evaluationListActions, { page, base: evaluationPath(page) })}`;
  return {
    status: list.ok ? 200 : statusOf(list.problem),
    html: layout(page.ctx, {
      title: tr.t('evaluation.title'),
      crumbs: [...crumbs, { label: tr.t('evaluation.title') }],
      body,
    }),
  };
}

export async function evaluationPage(page: Page): Promise<PageAnswer> {
  const { tr } = page;
  const id = page.param('eid');
  const [, result] = await Promise.all([
    loadCommunity(page),
    read<EvaluationDetailView>(page, communityApi(page, `/evaluations/${encodeURIComponent(id)}`)),
  ]);
  const crumbs = [
    communityCrumb(page),
    { href: evaluationPath(page), label: tr.t('evaluation.title') },
  ];
  if (!result.ok) return problemPage(page, id, crumbs, result.problem);
  const e = result.data;
  const body = h`<h1>${e.title}</h1>
<p>${badge(e.status === 'open' ? 'info' : 'ok', tr.t(`evaluation.status.${e.status}`))} ${e.subject ?? ''} · ${tr.t('evaluation.closesAt', { at: formatTime(e.closesAt) })} · ${tr.t('evaluation.respondents', { count: e.respondents })}</p>
${e.description ? h`<p class="pre">${e.description}</p>` : undefined}
${results(tr, e)}
${offered(evaluationActions, { page, base: evaluationPath(page, e.evaluationId), evaluation: e })}`;
  return {
    html: layout(page.ctx, { title: e.title, crumbs: [...crumbs, { label: e.title }], body }),
  };
}
