import { describe, expect, it } from 'vitest';
import { clerk, convener, owner, resident } from '../testing/fixtures.ts';
import { commandsOf, day, history, specFor } from '../testing/spec.ts';
import {
  type DiscussedProposal,
  type DiscussionCommand,
  discussionDecider,
  discussionEventSchemas,
} from './discussion.ts';

const spec = specFor(discussionDecider, discussionEventSchemas);
const c = commandsOf<DiscussionCommand>();
const proposal: DiscussedProposal = {
  open: true,
  items: [
    { itemId: 'fund', optionIds: [] },
    { itemId: 'plan', optionIds: ['A', 'B'] },
  ],
};
const post = (
  body: string,
  extra: Partial<{ itemId: string; optionId: string; parentId: string }> = {},
  actor = resident('wang'),
  facts = proposal,
) => c('PostComment', { body, proposal: facts, ...extra }, actor, day(1));
const thread = history(discussionDecider, [
  post('电梯早该换了'),
  post('方案A更省钱', { itemId: 'plan', optionId: 'A' }, owner('li')),
]);

describe('discussion of a proposal', () => {
  it('numbers comments and keeps what they are about', () => {
    spec
      .given(thread)
      .when(post('同意', { parentId: 'c2' }, owner('zhao')))
      .then([
        {
          type: 'CommentPosted',
          data: {
            commentId: 'c3',
            body: '同意',
            itemId: 'plan',
            optionId: 'A',
            parentId: 'c2',
            at: day(1),
            by: owner('zhao'),
          },
        },
      ]);
  });

  it('replies one level deep, to comments that exist and are not hidden', () => {
    const replied = history(discussionDecider, [post('同意', { parentId: 'c1' })], thread);
    spec
      .given(replied)
      .when(post('再回复', { parentId: 'c3' }))
      .thenRefused('invalid-command', { field: 'parentId' });
    spec
      .given(thread)
      .when(post('x', { parentId: 'c9' }))
      .thenRefused('not-found');
    const hidden = history(
      discussionDecider,
      [c('HideComment', { commentId: 'c1', reason: '人身攻击' }, clerk, day(2))],
      thread,
    );
    spec
      .given(hidden)
      .when(post('x', { parentId: 'c1' }))
      .thenRefused('comment-hidden');
    spec
      .given(thread)
      .when(post('x', { parentId: 'c2', itemId: 'fund' }))
      .thenRefused('invalid-command', { field: 'itemId' });
  });

  it('refuses items and plans the proposal does not have', () => {
    spec
      .given([])
      .when(post('x', { itemId: 'nope' }))
      .thenRefused('not-found', { field: 'itemId' });
    spec
      .given([])
      .when(post('x', { itemId: 'plan', optionId: 'Z' }))
      .thenRefused('not-found', { field: 'optionId' });
    spec
      .given([])
      .when(post('x', { optionId: 'A' }))
      .thenRefused('invalid-command', { field: 'itemId' });
  });

  it('stops when the proposal is decided or withdrawn', () => {
    spec
      .given(thread)
      .when(post('晚了', {}, resident('wang'), { ...proposal, open: false }))
      .thenRefused('proposal-closed');
  });

  it('hides a comment once, with a reason', () => {
    const hidden = spec
      .given(thread)
      .when(c('HideComment', { commentId: 'c1', reason: '泄露他人信息' }, convener, day(2)))
      .thenState();
    expect(hidden.comments.size).toBe(2);
    const twice = history(
      discussionDecider,
      [c('HideComment', { commentId: 'c1', reason: 'r' }, clerk, day(2))],
      thread,
    );
    spec
      .given(twice)
      .when(c('HideComment', { commentId: 'c1', reason: 'r' }, clerk, day(3)))
      .thenRefused('already-resolved');
    spec
      .given(thread)
      .when(c('HideComment', { commentId: 'c7', reason: 'r' }, clerk, day(3)))
      .thenRefused('not-found');
  });

  it('shows a hidden comment again, with a reason; replies to it are taken again', () => {
    const hidden = history(
      discussionDecider,
      [c('HideComment', { commentId: 'c1', reason: '误判' }, clerk, day(2))],
      thread,
    );
    spec
      .given(hidden)
      .when(c('UnhideComment', { commentId: 'c1', reason: '经核实不属人身攻击' }, convener, day(3)))
      .then([
        {
          type: 'CommentUnhidden',
          data: { commentId: 'c1', reason: '经核实不属人身攻击', at: day(3), by: convener },
        },
      ]);
    const shown = history(
      discussionDecider,
      [c('UnhideComment', { commentId: 'c1', reason: 'r' }, clerk, day(3))],
      hidden,
    );
    spec
      .given(shown)
      .when(post('再说一句', { parentId: 'c1' }))
      .then((events) => expect(events.map((e) => e.type)).toEqual(['CommentPosted']));
    spec
      .given(shown)
      .when(c('UnhideComment', { commentId: 'c1', reason: 'r' }, clerk, day(4)))
      .thenRefused('already-resolved');
    spec
      .given(thread)
      .when(c('UnhideComment', { commentId: 'c2', reason: 'r' }, clerk, day(3)))
      .thenRefused('already-resolved');
    spec
      .given(thread)
      .when(c('UnhideComment', { commentId: 'c9', reason: 'r' }, clerk, day(3)))
      .thenRefused('not-found');
  });
});
