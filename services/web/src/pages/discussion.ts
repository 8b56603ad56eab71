import type { CommentView, DiscussionView, ProposalView } from '@yishi/projection/contract';
import { offered } from '../actions/action.ts';
import { discussionActions } from '../actions/participation.ts';
import { formatTime } from '../format.ts';
import { type Html, h } from '../html.ts';
import type { Translator } from '../i18n.ts';
import { badge, queryProblem } from '../views/layout.ts';
import { communityApi, type Page, read } from './page.ts';

// 讨论 on the proposal page: counts, the latest comments (replies under their comment), the
// residents' amendments with their answers, and the forms the viewer may use.

/** How many threads the proposal page shows; the rest fold away. */
const LATEST = 5;

function commentView(tr: Translator, c: CommentView, replies: readonly CommentView[]): Html {
  const hidden = c.hidden
    ? h`<p>${badge('warn', tr.t('discussion.hidden'))}${c.hidden.reason ? h` <span class="muted">${tr.t('discussion.hiddenReason', { reason: c.hidden.reason })}</span>` : undefined}</p>`
    : undefined;
  return h`<li id="comment-${c.commentId}"><p class="muted">${c.commentId} · ${c.authorId} · ${formatTime(c.postedAt)}${c.itemId ? ` · ${c.itemId}${c.optionId ? `/${c.optionId}` : ''}` : ''}</p>
  ${hidden}${c.body === null ? undefined : h`<p class="pre">${c.body}</p>`}
  ${replies.length ? h`<ul class="replies">${replies.map((r) => commentView(tr, r, []))}</ul>` : undefined}</li>`;
}

export async function discussionSection(
  page: Page,
  proposal: ProposalView,
  base: string,
): Promise<Html> {
  const { tr } = page;
  const result = await read<DiscussionView>(
    page,
    communityApi(page, `/proposals/${encodeURIComponent(proposal.proposalId)}/discussion`),
  );
  const discussion = result.ok ? result.data : undefined;
  const threads = (discussion?.comments ?? []).filter((c) => c.parentId === null);
  const repliesOf = (id: string) => (discussion?.comments ?? []).filter((c) => c.parentId === id);
  const latest = threads.slice(-LATEST);
  const earlier = threads.slice(0, -LATEST);
  const list = (items: readonly CommentView[]) =>
    h`<ul class="comments">${items.map((c) => commentView(tr, c, repliesOf(c.commentId)))}</ul>`;
  const forms = offered(discussionActions, { page, base, proposal, discussion });
  return h`<section aria-labelledby="discussion" id="discussion">
  <h2 id="discussion">${tr.t('discussion.title')}</h2>
  ${
    discussion
      ? h`<p>${tr.t('discussion.counts', { comments: discussion.counts.comments, hidden: discussion.counts.hidden, amendments: discussion.counts.amendments })}</p>`
      : result.ok
        ? undefined
        : queryProblem(tr, result.problem)
  }
  ${threads.length === 0 ? h`<p>${tr.t('discussion.none')}</p>` : undefined}
  ${earlier.length ? h`<details><summary>${tr.t('discussion.all')}</summary>${list(earlier)}</details>` : undefined}
  ${latest.length ? h`<h3>${tr.t('discussion.latest')}</h3>${list(latest)}` : undefined}
  ${
    discussion?.amendments.length
      ? h`<h3>${tr.t('amendment.title')}</h3><ul>${discussion.amendments.map(
          (a) =>
            h`<li>${a.amendmentId} ${badge(a.status === 'accepted' ? 'ok' : a.status === 'rejected' ? 'bad' : 'info', tr.t(`amendment.status.${a.status}`))} ${a.title ?? ''} <span class="muted">${a.proposedBy} · ${a.reason}${a.answer ? ` · ${a.answer.reason}` : ''}</span></li>`,
        )}</ul>`
      : undefined
  }
  ${forms}
</section>`;
}
