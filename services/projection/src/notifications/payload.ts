import type {
  DiscussionEvent,
  ProposalEvent,
  SessionEvent,
  WebhookEventKind,
  WishEvent,
} from '@yishi/domain';
import type { RecordedEvent } from '@yishi/event-store';

// What a notification says: one JSON body per event and webhook. It carries what a gateway
// needs for a short message (title, times, outcome) and links to the full record; never the
// electorate, ballots or anyone's personal data.

/** The events that notify, and under which kind a webhook subscribes to them. */
export const NOTIFYING: Readonly<Record<string, WebhookEventKind>> = {
  // 会议通知: a session's notice, and a proposal's advance notice of a vote (业主大会 notice).
  SessionNoticeGiven: 'session-notice',
  NoticeGiven: 'session-notice',
  VotingOpened: 'vote-opened',
  ProposalDecided: 'decision',
  ProposalPublished: 'publication',
  MinutesPublished: 'publication',
  // 提醒: to each reachable non-voter (one delivery a person), and an overdue implementation.
  NonVotersReminded: 'reminder',
  ImplementationOverdue: 'reminder',
  // 提醒: to each reachable person who has not signed the minutes.
  SignersReminded: 'reminder',
  // 参与 (as Loomio and Decidim tell a participant): a reply to the author of the comment
  // replied to; a wish claimed, and a wish done (please rate it), to the resident who posted it.
  CommentPosted: 'participation',
  WishClaimed: 'participation',
  WishCompleted: 'participation',
};

/** Reminders that name their persons (`personIds`): one delivery to each reachable one. */
const TO_PERSONS: ReadonlySet<string> = new Set(['NonVotersReminded', 'SignersReminded']);

/**
 * The persons a reminder goes to, one delivery each (if reachable); undefined: the event goes
 * to the community's webhooks as a whole. An overdue implementation reaches its responsible
 * person (落实责任人) when one is named.
 */
export function remindedPersons(event: RecordedEvent): readonly string[] | undefined {
  if (TO_PERSONS.has(event.type)) return event.data.personIds as string[];
  if (event.type === 'ImplementationOverdue' && typeof event.data.responsibleId === 'string') {
    return [event.data.responsibleId];
  }
  return undefined;
}

/**
 * Events for one person the stream's earlier events name (see `addresseeKey`): the author of
 * the comment replied to, the resident who posted the wish; every participation message is.
 * One delivery when reachable.
 */
export const TO_ADDRESSEE: ReadonlySet<string> = new Set(
  Object.keys(NOTIFYING).filter((type) => NOTIFYING[type] === 'participation'),
);

/**
 * Who an event is for, as a key of its stream's addressees: a comment's author is kept under
 * the comment's id, a wish's requester under `requester`. Undefined: the event is for no one
 * (a comment that replies to nothing).
 */
export function addresseeKey(event: RecordedEvent): string | undefined {
  if (event.type === 'CommentPosted') {
    const { parentId } = event.data;
    return typeof parentId === 'string' ? parentId : undefined;
  }
  return event.type === 'WishClaimed' || event.type === 'WishCompleted' ? 'requester' : undefined;
}

/** A proposal's or session's title (and a session's time), as the notifications know it. */
export interface Subject {
  title: string;
  scheduledAt: string | null;
}

export interface NotificationBody {
  deliveryId: string;
  communityId: string;
  kind: WebhookEventKind;
  /** The event type (`SessionNoticeGiven`, `VotingOpened`, ...). */
  event: string;
  occurredAt: string;
  streamId: string;
  streamVersion: number;
  /** The event's position: `?minPosition=` on a query sees it. */
  position: string;
  data: Record<string, unknown>;
  /**
   * A reminder's one addressee: the person and the channels they consented to. The gateway
   * looks up the contact details itself: they are never in a notification.
   */
  recipient?: { personId: string; channels: string[] };
  /** Paths on the query service (relative to its base URL). */
  links: Record<string, string>;
}

/** Texts longer than this are cut (the link leads to the full text). */
const MAX_TEXT = 2000;
const cut = (text: string) => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text);

type Category = 'proposal' | 'session' | 'discussion' | 'wish';

/**
 * The community, the kind of stream and the entity id of `proposal-<cid>.<id>`,
 * `session-<cid>.<id>`, `discussion-<cid>.<proposal id>` or `wish-<cid>.<id>`.
 */
export function subjectOfStream(
  streamId: string,
): { communityId: string; category: Category; id: string } | undefined {
  const match =
    /^(proposal|session|discussion|wish)-([a-z0-9][a-z0-9-]{0,62})\.([A-Za-z0-9_-]{1,64})$/.exec(
      streamId,
    );
  if (!match) return undefined;
  return {
    category: match[1] as Category,
    communityId: match[2]!,
    id: match[3]!,
  };
}

/** The stream whose title a notification quotes: a discussion's is its proposal's. */
export function titleStreamOf(streamId: string): string {
  const ids = subjectOfStream(streamId);
  return ids?.category === 'discussion' ? `proposal-${ids.communityId}.${ids.id}` : streamId;
}

/** When the event happened: its own time, else the command's, else when it was recorded. */
export function occurredAt(event: RecordedEvent): string {
  const at = event.data.at ?? event.metadata.occurredAt;
  return typeof at === 'string' ? at : event.recordedAt.toISOString();
}

/** What the notification says about the event (undefined for an event that does not notify). */
export function notificationData(
  event: RecordedEvent,
  subject: Subject | undefined,
): Record<string, unknown> | undefined {
  const ids = subjectOfStream(event.streamId);
  if (!ids) return undefined;
  const title = subject?.title ?? null;
  if (ids.category === 'discussion') {
    const e = { type: event.type, data: event.data } as DiscussionEvent;
    // Only a reply notifies (its parent's author); a comment of its own notifies no one.
    if (e.type !== 'CommentPosted' || e.data.parentId === undefined) return undefined;
    return {
      proposalId: ids.id,
      title,
      subject: 'reply',
      commentId: e.data.commentId,
      parentId: e.data.parentId,
      ...(e.data.itemId === undefined ? {} : { itemId: e.data.itemId }),
    };
  }
  if (ids.category === 'wish') {
    const e = { type: event.type, data: event.data } as WishEvent;
    const wish = { wishId: ids.id, title };
    switch (e.type) {
      case 'WishClaimed':
        return {
          ...wish,
          subject: 'claimed',
          // A party claims in its own name; a volunteer's name is theirs to give.
          claimant:
            e.data.claimant.kind === 'party'
              ? { kind: 'party', name: e.data.claimant.name }
              : { kind: 'person' },
        };
      case 'WishCompleted':
        // Done: the requester is asked to rate the help (评价).
        return { ...wish, subject: 'rate' };
      default:
        return undefined;
    }
  }
  if (ids.category === 'session') {
    const e = { type: event.type, data: event.data } as SessionEvent;
    const session = { sessionId: ids.id, title, scheduledAt: subject?.scheduledAt ?? null };
    switch (e.type) {
      case 'SessionNoticeGiven':
        return withRef({ ...session, text: cut(e.data.text) }, e.data.documentRef);
      case 'MinutesPublished':
        return withRef(
          { ...session, subject: 'minutes', minutesVersion: e.data.version },
          e.data.documentRef,
        );
      case 'SignersReminded':
        return { ...session, subject: 'minutes', minutesVersion: e.data.version };
      default:
        return undefined;
    }
  }
  const e = { type: event.type, data: event.data } as ProposalEvent;
  const proposal = { proposalId: ids.id, title };
  switch (e.type) {
    case 'NoticeGiven':
      return withRef(
        {
          ...proposal,
          stageId: e.data.stageId,
          text: cut(e.data.text),
          nextStageFrom: e.data.nextStageFrom,
        },
        e.data.documentRef,
      );
    case 'VotingOpened':
      return {
        ...proposal,
        voteId: e.data.voteId,
        stageId: e.data.stageId,
        closesAt: e.data.closesAt,
        items: e.data.items.map((i) => ({ itemId: i.itemId, title: i.title })),
        voters: e.data.totals.voters,
      };
    case 'ProposalDecided':
      return {
        ...proposal,
        stageId: e.data.stageId,
        outcome: e.data.outcome,
        ...(e.data.voteId === undefined ? {} : { voteId: e.data.voteId }),
        ...(e.data.sessionId === undefined ? {} : { sessionId: e.data.sessionId }),
        items: e.data.items.map((i) => ({ itemId: i.itemId, outcome: i.outcome })),
      };
    case 'NonVotersReminded':
      return { ...proposal, voteId: e.data.voteId, closesAt: e.data.closesAt };
    case 'ImplementationOverdue':
      return {
        ...proposal,
        dueAt: e.data.dueAt,
        ...(e.data.progressPercent === undefined
          ? {}
          : { progressPercent: e.data.progressPercent }),
      };
    case 'ProposalPublished':
      return withRef(
        {
          ...proposal,
          stageId: e.data.stageId,
          subject: e.data.subject,
          text: cut(e.data.text),
          endsAt: e.data.endsAt,
          ...(e.data.implementationDueAt === undefined
            ? {}
            : { implementationDueAt: e.data.implementationDueAt }),
        },
        e.data.documentRef,
      );
    default:
      return undefined;
  }
}

function withRef<T extends object>(data: T, documentRef: string | undefined) {
  return documentRef === undefined ? data : { ...data, documentRef };
}

/** Where the full record is: the proposal or session, and the stream's timeline. */
export function linksOf(streamId: string): Record<string, string> {
  const ids = subjectOfStream(streamId);
  if (!ids) return {};
  const base = `/v1/communities/${ids.communityId}`;
  const timeline = `${base}/timeline?stream=${encodeURIComponent(streamId)}`;
  switch (ids.category) {
    case 'discussion':
      return {
        proposal: `${base}/proposals/${ids.id}`,
        discussion: `${base}/proposals/${ids.id}/discussion`,
        timeline,
      };
    case 'wish':
      return { wish: `${base}/wishes/${ids.id}`, timeline };
    default:
      return { [ids.category]: `${base}/${ids.category}s/${ids.id}`, timeline };
  }
}
