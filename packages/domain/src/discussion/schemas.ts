import { z } from 'zod';
import { Actor, Id, IsoTime, Text } from '../shared/decider.ts';

// The discussion of a proposal (议题讨论), stream `discussion-<cid>.<pid>`: residents and owners
// comment on the proposal or on one of its items or plans, and reply to a comment (one level:
// a reply answers a thread's first comment). The clerk or convener hides a comment with a
// reason; the text stays on record and officials still read it. Comments stop when the
// proposal is decided or withdrawn. Fields marked "context" come from the proposal's stream.

/** The longest comment: a few paragraphs, as a notice board takes. */
export const COMMENT_MAX = 5000;

/** Context: the proposal as it stands now (its stream, read by the command service). */
export const DiscussedProposal = z.object({
  /** Submitted, neither decided nor withdrawn. */
  open: z.boolean(),
  items: z.array(z.object({ itemId: Id, optionIds: z.array(Id).max(200) })).max(50),
});
export type DiscussedProposal = z.infer<typeof DiscussedProposal>;

export const PostCommentData = z.object({
  body: Text(COMMENT_MAX),
  /** The item the comment is about; absent: the proposal as a whole. */
  itemId: Id.optional(),
  /** The plan of that item the comment is about. */
  optionId: Id.optional(),
  /** The comment replied to: a thread's first comment (its item and plan are the reply's). */
  parentId: Id.optional(),
  /** Context. */
  proposal: DiscussedProposal,
});
export const HideCommentData = z.object({
  commentId: Id,
  /** Why, shown to the author and to officials (e.g. 人身攻击, 泄露他人信息). */
  reason: Text(500),
});

/** A moderator shows a hidden comment again (the hiding was a mistake, or is answered). */
export const UnhideCommentData = z.object({
  commentId: Id,
  /** Why it is shown again, on the record like the hiding. */
  reason: Text(500),
});

const Meta = { at: IsoTime, by: Actor };

export const CommentPostedData = z.object({
  /** `c1`, `c2`, …: numbered in the order posted. */
  commentId: Id,
  body: z.string(),
  itemId: Id.optional(),
  optionId: Id.optional(),
  parentId: Id.optional(),
  ...Meta,
});
export const CommentHiddenData = HideCommentData.extend(Meta);
export const CommentUnhiddenData = UnhideCommentData.extend(Meta);

export const discussionCommandSchemas = {
  PostComment: PostCommentData,
  HideComment: HideCommentData,
  UnhideComment: UnhideCommentData,
} as const;

export const discussionEventSchemas = {
  CommentPosted: CommentPostedData,
  CommentHidden: CommentHiddenData,
  CommentUnhidden: CommentUnhiddenData,
} as const;
