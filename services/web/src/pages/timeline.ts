import type { ProposalView, TimelinePage } from '../api.ts';
import { endOfDay, formatTime } from '../format.ts';
import { type Html, h } from '../html.ts';
import { communityPath, layout, queryProblem } from '../views/layout.ts';
import { communityApi, loadCommunity, type Page, type PageAnswer, read, statusOf } from './page.ts';
import { asOfForm } from './proposal.ts';

// 时间线: every event in order, who did it, when, with its hash: a proposal's full history
// (with the sessions that discussed it), or the community's, as of any past day.

const PAGE_SIZE = 200;

function entries(page: Page, timeline: TimelinePage, next: (after: string) => string): Html {
  const { tr } = page;
  if (!timeline.items.length) return h`<p>${tr.t('timeline.none')}</p>`;
  return h`<ol class="cards timeline">${timeline.items.map((e) => {
    const known = tr.has('eventType', e.type);
    return h`<li>
    <p><strong>${known ? tr.label('eventType', e.type) : e.type}</strong> <span class="muted">${formatTime(e.occurredAt ?? e.recordedAt)}</span></p>
    <p lang="zh-CN">${e.summary}</p>
    <p class="muted">${tr.t('timeline.who')}：${e.actor.id ?? '—'}${e.actor.role ? ` · ${tr.label('role', e.actor.role)}` : ''} · ${e.streamId} #${e.streamVersion}</p>
    <details><summary>${tr.t('timeline.details')}</summary>
      <p>${tr.t('timeline.hash')}：<code class="hash">${e.hash}</code></p>
      <pre class="minutes"><code>${JSON.stringify(e.details, null, 2)}</code></pre>
    </details>
  </li>`;
  })}</ol>
  ${timeline.next ? h`<p><a class="button secondary" href="${next(timeline.next)}">${tr.t('timeline.more')}</a></p>` : undefined}`;
}

function nextLink(base: string, asOfDate: string | undefined) {
  return (after: string) => {
    const params = new URLSearchParams({ after });
    if (asOfDate) params.set('asOf', asOfDate);
    return `${base}?${params}`;
  };
}

export async function proposalTimelinePage(page: Page): Promise<PageAnswer> {
  const { tr } = page;
  const pid = page.param('pid');
  const asOfDate = page.query('asOf');
  const asOf = asOfDate ? endOfDay(asOfDate) : undefined;
  const after = page.query('after');
  const base = communityPath(page.communityId, `/proposals/${encodeURIComponent(pid)}`);
  const [, proposal, history] = await Promise.all([
    loadCommunity(page),
    read<ProposalView>(page, communityApi(page, `/proposals/${encodeURIComponent(pid)}`), { asOf }),
    read<TimelinePage>(page, communityApi(page, `/proposals/${encodeURIComponent(pid)}/history`), {
      asOf,
      after,
      limit: PAGE_SIZE,
    }),
  ]);
  const title = proposal.ok ? proposal.data.title : pid;
  const heading = tr.t('timeline.title', { title });
  return {
    ...(history.ok ? {} : { status: statusOf(history.problem) }),
    html: layout(page.ctx, {
      title: heading,
      crumbs: [
        {
          href: communityPath(page.communityId),
          label: page.ctx.community?.name ?? page.communityId,
        },
        { href: base, label: title },
        { label: tr.t('nav.timeline') },
      ],
      body: h`<h1>${heading}</h1>
${
  history.ok && history.data.asOf
    ? h`<div class="banner warn" role="status"><p>${tr.t('asof.showing', { at: asOfDate ?? '', position: history.data.asOf.position })}</p><p><a href="${base}/timeline">${tr.t('asof.clear')}</a></p></div>`
    : h`<p class="muted">${tr.t('asof.current')}</p>`
}
${asOfForm(page, `${base}/timeline`, asOfDate)}
${asOfDate ? h`<p><a href="${base}?asOf=${asOfDate}">${title} · ${tr.t('asof.title')}</a></p>` : undefined}
${history.ok ? entries(page, history.data, nextLink(`${base}/timeline`, asOfDate)) : queryProblem(tr, history.problem)}`,
    }),
  };
}

export async function communityTimelinePage(page: Page): Promise<PageAnswer> {
  const { tr } = page;
  const asOfDate = page.query('asOf');
  const asOf = asOfDate ? endOfDay(asOfDate) : undefined;
  const base = communityPath(page.communityId, '/timeline');
  const [, timeline] = await Promise.all([
    loadCommunity(page),
    read<TimelinePage>(page, communityApi(page, '/timeline'), {
      asOf,
      after: page.query('after'),
      limit: PAGE_SIZE,
    }),
  ]);
  return {
    html: layout(page.ctx, {
      title: tr.t('timeline.community'),
      crumbs: [
        {
          href: communityPath(page.communityId),
          label: page.ctx.community?.name ?? page.communityId,
        },
        { label: tr.t('timeline.community') },
      ],
      body: h`<h1>${tr.t('timeline.community')}</h1>
${timeline.ok && timeline.data.asOf ? h`<div class="banner warn" role="status"><p>${tr.t('asof.showing', { at: asOfDate ?? '', position: timeline.data.asOf.position })}</p></div>` : undefined}
${asOfForm(page, base, asOfDate)}
${timeline.ok ? entries(page, timeline.data, nextLink(base, asOfDate)) : queryProblem(tr, timeline.problem)}`,
    }),
  };
}
