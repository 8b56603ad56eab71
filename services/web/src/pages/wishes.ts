import type { WishListView, WishView } from '@yishi/projection/contract';
import { offered } from '../actions/action.ts';
import { wishActions, wishListActions } from '../actions/participation.ts';
import { attachmentInfos, documentRef } from '../attachments.ts';
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

// 微心愿: the community's list (what is open, claimed, done), one wish with its story, and the
// forms to post, claim, complete, rate, give up and cancel.

const STATUS_BADGE = { open: 'info', claimed: 'warn', done: 'ok', cancelled: 'bad' } as const;

function statusBadge(tr: Translator, status: WishView['status']): Html {
  return badge(STATUS_BADGE[status], tr.t(`wish.status.${status}`));
}

const wishPath = (page: Page, wishId = '') =>
  communityPath(page.communityId, `/wishes${wishId ? `/${encodeURIComponent(wishId)}` : ''}`);

function wishCard(page: Page, w: WishView): Html {
  const { tr } = page;
  return h`<li><a class="title" href="${wishPath(page, w.wishId)}">${w.title}</a>
  <div>${tr.t(`wish.kind.${w.kind}`)} · ${tr.lookup(`wish.category.${w.category}`) ?? w.category} · ${statusBadge(tr, w.status)}</div>
  <span class="muted">${formatTime(w.postedAt)}</span></li>`;
}

export async function wishesPage(page: Page): Promise<PageAnswer> {
  const { tr } = page;
  const status = page.query('status');
  const [, list] = await Promise.all([
    loadCommunity(page),
    read<WishListView>(page, communityApi(page, '/wishes'), {
      status:
        status && ['open', 'claimed', 'done', 'cancelled'].includes(status) ? status : undefined,
    }),
  ]);
  const crumbs = [communityCrumb(page)];
  const filters = (['open', 'claimed', 'done'] as const).map(
    (s) =>
      h`<a class="button secondary" href="${wishPath(page)}?status=${s}">${tr.t(`wish.status.${s}`)}</a>`,
  );
  const body = h`<h1>${tr.t('wish.title')}</h1>
<p class="muted">${tr.t('wish.intro')}</p>
${list.ok ? h`<p id="wish-counts">${tr.t('wish.counts', list.data.counts)}</p>` : queryProblem(tr, list.problem)}
<div class="actions"><a class="button secondary" href="${wishPath(page)}">${tr.t('wish.all')}</a>${filters}</div>
${
  list.ok
    ? list.data.items.length
      ? h`<ul class="cards" id="wishes">${list.data.items.map((w) => wishCard(page, w))}</ul>`
      : h`<p>${tr.t('wish.none')}</p>`
    : undefined
}
${offered(wishListActions, { page, base: wishPath(page) })}`;
  return {
    status: list.ok ? 200 : statusOf(list.problem),
    html: layout(page.ctx, {
      title: tr.t('wish.title'),
      crumbs: [...crumbs, { label: tr.t('wish.title') }],
      body,
    }),
  };
}

export async function wishPage(page: Page): Promise<PageAnswer> {
  const { tr } = page;
  const wishId = page.param('wid');
  const [, result] = await Promise.all([
    loadCommunity(page),
    read<WishView>(page, communityApi(page, `/wishes/${encodeURIComponent(wishId)}`)),
  ]);
  const crumbs = [communityCrumb(page), { href: wishPath(page), label: tr.t('wish.title') }];
  if (!result.ok) return problemPage(page, wishId, crumbs, result.problem);
  const w = result.data;
  const infos = await attachmentInfos(page, [w.completion?.photo]);
  const claimant = w.claim
    ? w.claim.partyName
      ? `${w.claim.partyName}（${w.claim.personId}）`
      : w.claim.personId
    : '';
  const body = h`<h1>${w.title}</h1>
<p id="wish-status">${statusBadge(tr, w.status)} ${tr.t(`wish.kind.${w.kind}`)} · ${tr.lookup(`wish.category.${w.category}`) ?? w.category}</p>
<p class="pre">${w.description}</p>
<ul>
  <li>${tr.t('wish.postedBy', { who: w.requesterId, at: formatTime(w.postedAt) })}</li>
  ${w.claim ? h`<li>${tr.t('wish.claimedBy', { who: claimant, at: formatTime(w.claim.at) })}${w.claim.note ? ` · ${w.claim.note}` : ''}</li>` : undefined}
  ${w.completion ? h`<li>${tr.t('wish.doneAt', { at: formatTime(w.completion.at) })} · ${tr.t('wish.photo')}${tr.colon}${w.completion.photo.startsWith('https://') ? h`<a href="${w.completion.photo}" rel="noopener noreferrer">${w.completion.photo}</a>` : documentRef(page.communityId, w.completion.photo, tr.t('attach.ref'), infos)}${w.completion.note ? ` · ${w.completion.note}` : ''}</li>` : undefined}
  ${w.rating ? h`<li>${tr.t('wish.rated', { stars: w.rating.stars })}${w.rating.comment ? ` · ${w.rating.comment}` : ''}</li>` : undefined}
  ${w.cancellation ? h`<li>${tr.t('wish.cancelled', { reason: w.cancellation.reason })}</li>` : undefined}
</ul>
${offered(wishActions, { page, base: wishPath(page, w.wishId), wish: w })}`;
  return {
    html: layout(page.ctx, { title: w.title, crumbs: [...crumbs, { label: w.title }], body }),
  };
}
