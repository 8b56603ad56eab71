import {
  type CommandsOf,
  type Decider,
  type Decision,
  type EventsOf,
  eventsFor,
  type OfType,
} from '../shared/decider.ts';
import { refuse } from '../shared/errors.ts';
import { defined } from '../shared/objects.ts';
import { emptyPMap, type PMap, pget, pset } from '../shared/pmap.ts';
import type { discussionCommandSchemas, discussionEventSchemas } from './schemas.ts';

export * from './schemas.ts';

export type DiscussionCommand = CommandsOf<typeof discussionCommandSchemas>;
export type DiscussionEvent = EventsOf<typeof discussionEventSchemas>;

interface CommentState {
  readonly itemId?: string;
  readonly optionId?: string;
  readonly parentId?: string;
  readonly hidden: boolean;
}

export interface DiscussionState {
  readonly count: number;
  readonly comments: PMap<CommentState>;
}

type DiscussionDecision = Decision<DiscussionEvent>;

function postComment(
  command: OfType<DiscussionCommand, 'PostComment'>,
  state: DiscussionState,
): DiscussionDecision {
  const { body, parentId, proposal } = command.data;
  if (!proposal.open) {
    return refuse(
      'proposal-closed',
      'the discussion ends when the proposal is decided or withdrawn',
    );
  }
  let { itemId, optionId } = command.data;
  if (parentId !== undefined) {
    const parent = pget(state.comments, parentId);
    if (!parent) return refuse('not-found', `no comment ${parentId}`, { field: 'parentId' });
    if (parent.parentId !== undefined) {
      return refuse('invalid-command', 'replies are one level deep: reply to the first comment', {
        field: 'parentId',
        threadId: parent.parentId,
      });
    }
    if (parent.hidden) return refuse('comment-hidden', `comment ${parentId} was hidden`);
    const differs =
      (itemId !== undefined && itemId !== parent.itemId) ||
      (optionId !== undefined && optionId !== parent.optionId);
    if (differs) {
      return refuse('invalid-command', 'a reply is about what its comment is about', {
        field: itemId !== parent.itemId ? 'itemId' : 'optionId',
      });
    }
    ({ itemId, optionId } = parent);
  } else {
    if (optionId !== undefined && itemId === undefined) {
      return refuse('invalid-command', 'a plan is named with its item', { field: 'itemId' });
    }
    const item = itemId === undefined ? undefined : proposal.items.find((i) => i.itemId === itemId);
    if (itemId !== undefined && !item) {
      return refuse('not-found', `the proposal has no item ${itemId}`, { field: 'itemId' });
    }
    if (optionId !== undefined && !item?.optionIds.includes(optionId)) {
      return refuse('not-found', `item ${itemId} has no plan ${optionId}`, { field: 'optionId' });
    }
  }
  const emit = eventsFor<DiscussionEvent>(command);
  return [
    emit(
      'CommentPosted',
      defined({ commentId: `c${state.count + 1}`, body, itemId, optionId, parentId }),
    ),
  ];
}

function hideComment(
  command: OfType<DiscussionCommand, 'HideComment'>,
  state: DiscussionState,
): DiscussionDecision {
  const comment = pget(state.comments, command.data.commentId);
  if (!comment) return refuse('not-found', `no comment ${command.data.commentId}`);
  if (comment.hidden) return refuse('already-resolved', 'the comment is hidden already');
  const emit = eventsFor<DiscussionEvent>(command);
  return [emit('CommentHidden', command.data)];
}

function unhideComment(
  command: OfType<DiscussionCommand, 'UnhideComment'>,
  state: DiscussionState,
): DiscussionDecision {
  const comment = pget(state.comments, command.data.commentId);
  if (!comment) return refuse('not-found', `no comment ${command.data.commentId}`);
  if (!comment.hidden) return refuse('already-resolved', 'the comment is not hidden');
  const emit = eventsFor<DiscussionEvent>(command);
  return [emit('CommentUnhidden', command.data)];
}

export const discussionDecider: Decider<DiscussionCommand, DiscussionEvent, DiscussionState> = {
  initialState: () => ({ count: 0, comments: emptyPMap() }),
  evolve(state, event) {
    switch (event.type) {
      case 'CommentPosted': {
        const { commentId, itemId, optionId, parentId } = event.data;
        const comment = { ...defined({ itemId, optionId, parentId }), hidden: false };
        return { count: state.count + 1, comments: pset(state.comments, commentId, comment) };
      }
      case 'CommentHidden':
      case 'CommentUnhidden': {
        const comment = pget(state.comments, event.data.commentId);
        if (!comment) return state;
        const changed = { ...comment, hidden: event.type === 'CommentHidden' };
        return { ...state, comments: pset(state.comments, event.data.commentId, changed) };
      }
      default: {
        const _exhaustive: never = event;
        return state;
      }
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'PostComment':
        return postComment(command, state);
      case 'HideComment':
        return hideComment(command, state);
      case 'UnhideComment':
        return unhideComment(command, state);
      default: {
        const _exhaustive: never = command;
        return refuse('invalid-command', 'unknown command');
      }
    }
  },
};
