import { WishCategory } from '@yishi/domain';
import type {
  AmendmentView,
  CommentView,
  DiscussionView,
  EvaluationDetailView,
  ProposalView,
  WishView,
} from '@yishi/projection/contract';
import { documentField } from '../attachments.ts';
import { h } from '../html.ts';
import { type FormScope, selectField, textField } from '../views/forms.ts';
import { type Action, hidden, type OnPage } from './action.ts';
import { defined, type FormFields, FormInputError, newId } from './form-fields.ts';

// The forms of participation: comments and amendments on the proposal page, micro-wishes on
// their pages, evaluations on theirs. The service decides; the console only offers.

// ---- discussion and amendments (proposal page) --------------------------------------------

export interface DiscussionContext extends OnPage {
  proposal: ProposalView;
  discussion: DiscussionView | undefined;
  amendment?: AmendmentView;
}

const discussionOpen = (c: DiscussionContext) =>
  c.proposal.status === 'active' && !c.proposal.decidedAt;
const amendable = (c: DiscussionContext) => discussionOpen(c) && c.proposal.vote === null;
const answersAmendments = (c: DiscussionContext) =>
  c.page.viewer.role === 'convener' || c.page.viewer.personId === c.proposal.submittedBy.personId;
const pending = (c: DiscussionContext) =>
  (c.discussion?.amendments ?? [])
    .filter((a) => a.status === 'pending')
    .map((amendment) => ({ ...c, amendment }));
const amendmentAnswer = (c: DiscussionContext) =>
  h`${hidden('amendmentId', c.amendment?.amendmentId)}<p>${c.amendment?.amendmentId}${c.page.tr.colon}${c.amendment?.title ?? c.amendment?.description ?? ''}</p>`;

/** The comments hidden (or standing), for a moderator's select. */
const commentsWhere = (c: DiscussionContext, hidden: boolean) =>
  (c.discussion?.comments ?? []).filter((x) => (x.hidden !== null) === hidden);
const moderationFields = (c: DiscussionContext, s: FormScope, comments: readonly CommentView[]) => {
  const { tr } = c.page;
  // Moderators read hidden texts; a comment's first words tell it apart from its id.
  const label = (x: CommentView) =>
    `${x.commentId} · ${x.authorId} · ${(x.body ?? '').slice(0, 24)}`;
  return h`<div class="row">${selectField(
    s,
    { name: 'commentId', label: tr.t('discussion.commentId'), required: true },
    comments.map((x) => [x.commentId, label(x)] as const),
  )}
    ${textField(s, { name: 'reason', label: tr.t('discussion.reason'), required: true })}</div>`;
};

export const discussionActions = {
  'post-comment': {
    command: 'PostComment',
    when: discussionOpen,
    fields: (c, s) => {
      const { tr } = c.page;
      const about: [string, string][] = [
        ['', tr.t('discussion.whole')],
        ...c.proposal.items.flatMap((i): [string, string][] => [
          [i.itemId, i.title],
          ...i.options.map((o): [string, string] => [
            `${i.itemId}/${o.optionId}`,
            `${i.title} · ${o.optionId} ${o.title}`,
          ]),
        ]),
      ];
      return h`${textField(s, { name: 'body', label: tr.t('discussion.body'), required: true, multiline: true })}
        <div class="row">${selectField(s, { name: 'about', label: tr.t('discussion.about') }, about)}
        ${textField(s, { name: 'parentId', label: tr.t('discussion.parentId') })}</div>`;
    },
    build: (f) => {
      const parentId = f.opt('parentId');
      const [itemId, optionId] = (f.opt('about') ?? '').split('/');
      // A reply is about what its comment is about: the service takes it from there.
      return parentId
        ? { body: f.text('body'), parentId }
        : defined({ body: f.text('body'), itemId: itemId || undefined, optionId });
    },
  },
  'hide-comment': {
    command: 'HideComment',
    when: (c) => commentsWhere(c, false).length > 0,
    folded: true,
    fields: (c, s) => moderationFields(c, s, commentsWhere(c, false)),
    build: (f) => ({ commentId: f.text('commentId'), reason: f.text('reason') }),
  },
  'unhide-comment': {
    command: 'UnhideComment',
    when: (c) => commentsWhere(c, true).length > 0,
    folded: true,
    fields: (c, s) => moderationFields(c, s, commentsWhere(c, true)),
    build: (f) => ({ commentId: f.text('commentId'), reason: f.text('reason') }),
  },
  'propose-amendment': {
    command: 'ProposeAmendment',
    when: amendable,
    folded: true,
    fields: (c, s) => {
      const { tr } = c.page;
      // Not `title`: the form's heading has the id `<form>-title`.
      return h`${textField(s, { name: 'newTitle', label: tr.t('amendment.newTitle') })}
        ${textField(s, { name: 'description', label: tr.t('amendment.newDescription'), multiline: true })}
        ${textField(s, { name: 'reason', label: tr.t('amendment.reason'), required: true, multiline: true })}`;
    },
    build: (f) =>
      defined({
        title: f.opt('newTitle'),
        description: f.opt('description'),
        reason: f.text('reason'),
      }),
  },
  'accept-amendment': {
    command: 'AcceptAmendment',
    when: (c) => amendable(c) && answersAmendments(c),
    each: pending,
    id: (c) => `accept-${c.amendment?.amendmentId ?? ''}`,
    intro: amendmentAnswer,
    fields: (c, s) =>
      textField(s, { name: 'reason', label: c.page.tr.t('amendment.reason'), required: true }),
    build: (f) => ({ amendmentId: f.text('amendmentId'), reason: f.text('reason') }),
  },
  'reject-amendment': {
    command: 'RejectAmendment',
    when: answersAmendments,
    each: pending,
    secondary: true,
    id: (c) => `reject-${c.amendment?.amendmentId ?? ''}`,
    intro: amendmentAnswer,
    fields: (c, s) =>
      textField(s, { name: 'reason', label: c.page.tr.t('amendment.reason'), required: true }),
    build: (f) => ({ amendmentId: f.text('amendmentId'), reason: f.text('reason') }),
  },
} satisfies Record<string, Action<DiscussionContext>>;

// ---- micro-wishes ------------------------------------------------------------------------

export type WishListContext = OnPage;

export const wishListActions = {
  'post-wish': {
    command: 'PostWish',
    when: () => true,
    fields: (c, s) => {
      const { tr } = c.page;
      return h`<div class="row">${selectField(
        s,
        { name: 'kind', label: tr.t('wish.field.kind'), required: true },
        [
          ['wish', tr.t('wish.kind.wish')],
          ['need', tr.t('wish.kind.need')],
        ],
      )}
      ${selectField(
        s,
        { name: 'category', label: tr.t('wish.field.category'), required: true },
        WishCategory.options.map((k) => [k, tr.lookup(`wish.category.${k}`) ?? k] as const),
      )}</div>
      ${textField(s, { name: 'wishTitle', label: tr.t('wish.field.title'), required: true })}
      ${textField(s, { name: 'description', label: tr.t('wish.field.description'), required: true, multiline: true })}`;
    },
    build: (f) => ({
      wishId: newId('w'),
      kind: f.text('kind'),
      category: f.text('category'),
      title: f.text('wishTitle'),
      description: f.text('description'),
    }),
  },
} satisfies Record<string, Action<WishListContext>>;

export interface WishContext extends OnPage {
  wish: WishView;
}

const isRequester = (c: WishContext) => c.page.viewer.personId === c.wish.requesterId;
const reasonField = (
  c: WishContext,
  s: Parameters<NonNullable<Action<WishContext>['fields']>>[1],
  required: boolean,
) => textField(s, { name: 'reason', label: c.page.tr.t('wish.field.reason'), required });

export const wishActions = {
  'claim-wish': {
    command: 'ClaimWish',
    when: (c) => c.wish.status === 'open' && !isRequester(c),
    fields: (c, s) => textField(s, { name: 'note', label: c.page.tr.t('wish.field.note') }),
    build: (f) => defined({ note: f.opt('note') }),
  },
  'complete-wish': {
    command: 'CompleteWish',
    when: (c) => c.wish.status === 'claimed' && c.wish.claim?.personId === c.page.viewer.personId,
    fields: (c, s) => {
      const { tr } = c.page;
      return h`${documentField(c.page, s, { name: 'photo', label: tr.t('wish.field.photo'), hint: tr.t('wish.field.photo.hint'), required: true })}
        ${textField(s, { name: 'note', label: tr.t('wish.field.note'), multiline: true })}`;
    },
    build: (f) => defined({ photo: f.text('photo'), note: f.opt('note') }),
  },
  'rate-wish': {
    command: 'RateWish',
    when: (c) => c.wish.status === 'done' && c.wish.rating === null && isRequester(c),
    fields: (c, s) => {
      const { tr } = c.page;
      return h`${selectField(
        s,
        { name: 'stars', label: tr.t('wish.field.stars'), required: true, value: '5' },
        [
          ['5', '5 ★★★★★'],
          ['4', '4 ★★★★'],
          ['3', '3 ★★★'],
          ['2', '2 ★★'],
          ['1', '1 ★'],
        ],
      )}
      ${textField(s, { name: 'comment', label: tr.t('wish.field.comment') })}`;
    },
    build: (f) => defined({ stars: f.int('stars'), comment: f.opt('comment') }),
  },
  'unclaim-wish': {
    command: 'UnclaimWish',
    when: (c) => c.wish.status === 'claimed',
    folded: true,
    fields: (c, s) => reasonField(c, s, false),
    build: (f) => defined({ reason: f.opt('reason') }),
  },
  'cancel-wish': {
    command: 'CancelWish',
    when: (c) =>
      (c.wish.status === 'open' || c.wish.status === 'claimed') &&
      (isRequester(c) || ['clerk', 'convener'].includes(c.page.viewer.role)),
    folded: true,
    fields: (c, s) => reasonField(c, s, true),
    build: (f) => ({ reason: f.text('reason') }),
  },
} satisfies Record<string, Action<WishContext>>;

// ---- evaluations -------------------------------------------------------------------------

export type EvaluationListContext = OnPage;

/** "question" is a 1–5 rating; "question|option|option" a choice. */
function questionsOf(f: FormFields): Record<string, unknown>[] {
  const lines = f
    .text('questions')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length === 0) throw new FormInputError('questions', 'at least one question');
  return lines.map((line, i) => {
    const [text, ...options] = line.split('|').map((x) => x.trim());
    const questionId = `q${i + 1}`;
    return options.length === 0
      ? { questionId, text, kind: 'scale' }
      : {
          questionId,
          text,
          kind: 'choice',
          options: options.map((label, j) => ({ optionId: `o${j + 1}`, label })),
        };
  });
}

export const evaluationListActions = {
  'open-evaluation': {
    command: 'OpenEvaluation',
    when: () => true,
    folded: true,
    fields: (c, s) => {
      const { tr } = c.page;
      return h`${textField(s, { name: 'evaluationTitle', label: tr.t('evaluation.field.title'), required: true })}
        ${textField(s, { name: 'subject', label: tr.t('evaluation.field.subject') })}
        ${textField(s, { name: 'closesAt', label: tr.t('evaluation.field.closesAt'), type: 'datetime-local', required: true })}
        ${textField(s, { name: 'questions', label: tr.t('evaluation.field.questions'), hint: tr.t('evaluation.field.questions.hint'), required: true, multiline: true })}`;
    },
    build: (f) =>
      defined({
        evaluationId: newId('e'),
        title: f.text('evaluationTitle'),
        subject: f.opt('subject'),
        closesAt: f.time('closesAt'),
        questions: questionsOf(f),
      }),
  },
} satisfies Record<string, Action<EvaluationListContext>>;

export interface EvaluationContext extends OnPage {
  evaluation: EvaluationDetailView;
}

export const evaluationActions = {
  'answer-evaluation': {
    command: 'AnswerEvaluation',
    when: (c) =>
      c.evaluation.status === 'open' &&
      !c.evaluation.respondentList.some((r) => r.personId === c.page.viewer.personId),
    intro: (c) => h`<p class="muted">${c.page.tr.t('evaluation.sealed')}</p>`,
    fields: (c, s) => {
      const { tr } = c.page;
      return c.evaluation.questions.map((q) =>
        q.kind === 'scale'
          ? selectField(
              s,
              {
                name: `scale:${q.questionId}`,
                label: q.text,
                hint: tr.t('evaluation.scale'),
                required: true,
              },
              [['', '—'], ...[5, 4, 3, 2, 1].map((v) => [String(v), String(v)] as const)],
            )
          : selectField(s, { name: `choice:${q.questionId}`, label: q.text, required: true }, [
              ['', '—'],
              ...q.options.map((o) => [o.optionId, o.label] as const),
            ]),
      );
    },
    build: (f) => ({
      answers: [
        ...f
          .prefixed('scale:')
          .map(([questionId]) => ({ questionId, value: f.int(`scale:${questionId}`) })),
        ...f.prefixed('choice:').map(([questionId, optionId]) => ({ questionId, optionId })),
      ],
    }),
  },
  'close-evaluation': {
    command: 'CloseEvaluation',
    when: (c) => c.evaluation.status === 'open',
    folded: true,
    build: () => ({}),
  },
} satisfies Record<string, Action<EvaluationContext>>;
