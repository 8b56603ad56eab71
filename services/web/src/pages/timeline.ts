import type { ProposalView, TimelinePage } from '@yishi/projection/contract';
import { type AsOfChoice, formatTime } from '../format.ts';
import { type Html, h } from '../html.ts';
import { communityPath, layout, queryProblem } from '../views/layout.ts';
import {
  asOfOf,
  communityApi,
  communityCrumb,
  loadCommunity,
  type Page,
  type PageAnswer,
  read,
  statusOf,
} from './page.ts';
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
    <p class="muted">${tr.t('timeline.who')}${tr.colon}${e.actor.id ?? '—'}${e.actor.role ? ` · ${tr.label('role', e.actor.role)}` : ''} · ${e.streamId} #${e.streamVersion}</p>
    ${(() => {
      const href = recordAt(page, e.streamId, e.position);
      return href
        ? h`<p><a href="${href}">${tr.t('timeline.recordAt')}<span class="visually-hidden">${tr.colon}${known ? tr.label('eventType', e.type) : e.type} ${formatTime(e.occurredAt ?? e.recordedAt)}</span></a></p>`
        : undefined;
    })()}
    <details><summary>${tr.t('timeline.details')}</summary>
      <p>${tr.t('timeline.hash')}${tr.colon}<code class="hash">${e.hash}</code></p>
      <pre class="minutes"><code>${JSON.stringify(e.details, null, 2)}</code></pre>
    </details>
  </li>`;
  })}</ol>
  ${timeline.next ? h`<p><a class="button secondary" href="${next(timeline.next)}">${tr.t('timeline.more')}</a></p>` : undefined}`;
}

function nextLink(base: string, choice: AsOfChoice | undefined) {
  return (after: string) => {
    const params = new URLSearchParams({ after });
    if (choice?.date) params.set('asOf', choice.date);
    else if (choice) params.set('asOf', choice.param);
    if (choice?.time) params.set('asOfTime', choice.time);
    return `${base}?${params}`;
  };
}

/** The page of the proposal or session an event belongs to, as it stood right after it. */
function recordAt(page: Page, streamId: string, position: string): string | undefined {
  const match = /^(proposal|session)-[a-z0-9-]+\.([A-Za-z0-9_-]+)$/.exec(streamId);
  if (!match) return undefined;
  const collection = match[1] === 'proposal' ? 'proposals' : 'sessions';
  return communityPath(
    page.communityId,
    `/${collection}/${encodeURIComponent(match[2]!)}?asOf=${position}`,
  );
}

export async function proposalTimelinePage(page: Page): Promise<PageAnswer> {
  const { tr } = page;
  const pid = page.param('pid');
  const choice = asOfOf(page);
  const asOf = choice?.param;
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
      crumbs: [communityCrumb(page), { href: base, label: title }, { label: tr.t('nav.timeline') }],
      body: h`<h1>${heading}</h1>
${
  history.ok && history.data.asOf
    ? h`<div class="banner warn" role="status"><p>${tr.t('asof.showing', { at: choice?.label ?? '', position: history.data.asOf.position })}</p><p><a href="${base}/timeline">${tr.t('asof.clear')}</a></p></div>`
    : h`<p class="muted">${tr.t('asof.current')}</p>`
}
${asOfForm(page, `${base}/timeline`, choice)}
${history.ok ? entries(page, history.data, nextLink(`${base}/timeline`, choice)) : queryProblem(tr, history.problem)}`,
    }),
  };
}

export async function communityTimelinePage(page: Page): Promise<PageAnswer> {
  const { tr } = page;
  const choice = asOfOf(page);
  const asOf = choice?.param;
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
      crumbs: [communityCrumb(page), { label: tr.t('timeline.community') }],
      body: h`<h1>${tr.t('timeline.community')}</h1>
${timeline.ok && timeline.data.asOf ? h`<div class="banner warn" role="status"><p>${tr.t('asof.showing', { at: choice?.label ?? '', position: timeline.data.asOf.position })}</p><p><a href="${base}">${tr.t('asof.clear')}</a></p></div>` : undefined}
${asOfForm(page, base, choice)}
${timeline.ok ? entries(page, timeline.data, nextLink(base, choice)) : queryProblem(tr, timeline.problem)}`,
    }),
  };
}
