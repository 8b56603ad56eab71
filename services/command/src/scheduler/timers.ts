import {
  type AnyDomainEvent,
  chosenOption,
  communityOfStream,
  cstDate,
  DEFAULT_REMINDER_DAYS,
  dueMeeting,
  type StandingBody,
} from '@yishi/domain';
import { daysBefore } from './schedule.ts';

// 定时: the due times, derived from the events. The scheduler folds every event into this book
// (a rebuild is a replay of the log: nothing else is stored) and asks it what is due. A timer
// leaves the book when the event it waits for is recorded — whoever recorded it.
//
// What fires: a vote closes at `closesAt`; its non-voters are reminded N days before; an
// implementation past its due time is flagged; a standing body's regular meeting is convened;
// whoever has not signed a version of the minutes three days after it was written is reminded;
// a crowdfunding campaign whose plan was not adopted, or whose deadline passed short of its
// target, is closed so that its money is owed back (众筹退款) without waiting for anyone.
// Notice, publication and objection periods do not fire: a stage starts with its own command
// (opening the vote, publishing) once its period has passed, and the decider checks the time;
// nothing changes in the record when a period merely ends. A meeting's start needs no command.

/** Every event type `TimerBook.apply` reads: a start-up read asks the store for these only. */
export const TIMER_EVENT_TYPES: readonly string[] = [
  'CommunityRegistered',
  'CommunitySettingsChanged',
  'StandingBodyEstablished',
  'StandingBodyChanged',
  'StandingBodyDissolved',
  'SessionConvened',
  'MinutesDrafted',
  'MinutesAmended',
  'SignersReminded',
  'MinutesFinalised',
  'ProposalSubmitted',
  'ProposalAmended',
  'ProposalAcceptedOntoAgenda',
  'VotingOpened',
  'NonVotersReminded',
  'VotingClosed',
  'ProposalPublished',
  'ImplementationOverdue',
  'ImplementationReported',
  'ProposalWithdrawn',
  'ProposalDecided',
  'ProposalReturned',
  'CrowdfundingOpened',
  'PledgeMade',
  'CrowdfundingClosed',
];

export type Timer =
  | { kind: 'close-vote'; communityId: string; streamId: string; dueAt: string; voteId: string }
  | {
      kind: 'remind-non-voters';
      communityId: string;
      streamId: string;
      dueAt: string;
      voteId: string;
    }
  | { kind: 'implementation-overdue'; communityId: string; streamId: string; dueAt: string }
  | {
      kind: 'remind-signers';
      communityId: string;
      streamId: string;
      dueAt: string;
      /** The minutes' version whose missing signers are reminded. */
      version: number;
    }
  | {
      kind: 'regular-meeting';
      communityId: string;
      streamId: string;
      dueAt: string;
      body: StandingBody;
      sessionId: string;
      /** The proposals accepted onto the agenda since the last meeting, up to this one. */
      agenda: readonly AgendaProposal[];
    }
  | {
      kind: 'close-crowdfunding';
      communityId: string;
      /** The campaign's stream. */
      streamId: string;
      dueAt: string;
      proposalId: string;
      itemId: string;
      reason: 'not-adopted' | 'target-missed';
    };

export interface AgendaProposal {
  proposalId: string;
  title: string;
  concernedPartyIds: readonly string[];
}

interface OpenVote {
  voteId: string;
  closesAt: string;
  reminded: boolean;
}

interface ProposalFacts {
  title: string;
  acceptedAt?: string;
  concernedPartyIds: readonly string[];
  /** On a regular meeting's agenda already. */
  scheduled: boolean;
  vote?: OpenVote;
  implementationDueAt?: string;
}

/** Minutes awaiting signatures: the version and when it was written. */
interface UnsignedMinutes {
  version: number;
  writtenAt: string;
  reminded: boolean;
}

/** Days after a version of the minutes is written until its missing signers are reminded. */
export const SIGNATURE_REMINDER_DAYS = 3;
const DAY_MS = 86_400_000;

/** An open campaign, as far as closing it for refunds needs. */
interface OpenCampaign {
  proposalId: string;
  itemId: string;
  optionId?: string;
  openedAt: string;
  deadline: string;
  targetFen: number;
  pledgedFen: number;
}

/** A proposal's final word: its items' outcomes (and a plans item's chosen plan), or withdrawn. */
type Settled =
  | { at: string; withdrawn: true }
  | { at: string; withdrawn: false; adopted: Map<string, string | undefined> };

interface CommunityFacts {
  reminderDays: number;
  bodies: Map<string, StandingBody & { lastMeetingAt: string }>;
}

/** Sessions of a standing body are `<body>-<YYYYMMDD>`: one meeting a day at most. */
export function regularSessionId(bodyId: string, at: Date): string {
  return `${bodyId.slice(0, 55)}-${cstDate(at)}`;
}

export class TimerBook {
  private readonly communities = new Map<string, CommunityFacts>();
  private readonly proposals = new Map<string, ProposalFacts>();
  private readonly minutes = new Map<string, UnsignedMinutes>();
  private readonly campaigns = new Map<string, OpenCampaign>();
  /** Decided or withdrawn proposals, by stream: what their campaigns stand on. */
  private readonly settled = new Map<string, Settled>();

  private community(cid: string): CommunityFacts {
    let facts = this.communities.get(cid);
    if (!facts) {
      facts = { reminderDays: DEFAULT_REMINDER_DAYS, bodies: new Map() };
      this.communities.set(cid, facts);
    }
    return facts;
  }

  apply(streamId: string, event: AnyDomainEvent): void {
    const cid = communityOfStream(streamId);
    if (cid === undefined) return;
    if (streamId.startsWith('community-')) {
      this.applyRegistry(cid, event);
      return;
    }
    if (streamId.startsWith('session-')) {
      this.applyMinutes(streamId, event);
      if (event.type !== 'SessionConvened' || !event.data.standingBodyId) return;
      const body = this.community(cid).bodies.get(event.data.standingBodyId);
      if (body) body.lastMeetingAt = event.data.scheduledAt;
      for (const item of event.data.agenda) {
        const p = item.proposalId && this.proposals.get(`proposal-${cid}.${item.proposalId}`);
        if (p) p.scheduled = true;
      }
      return;
    }
    if (streamId.startsWith('crowdfunding-')) {
      this.applyCampaign(streamId, event);
      return;
    }
    if (!streamId.startsWith('proposal-')) return;
    this.applySettled(streamId, event);
    if (event.type === 'ProposalSubmitted') {
      this.proposals.set(streamId, {
        title: event.data.title,
        concernedPartyIds: [],
        scheduled: false,
      });
      return;
    }
    const p = this.proposals.get(streamId);
    if (!p) return;
    switch (event.type) {
      case 'ProposalAmended':
        if (event.data.title) p.title = event.data.title;
        break;
      case 'ProposalAcceptedOntoAgenda':
        p.acceptedAt = event.data.at;
        p.concernedPartyIds = event.data.concernedPartyIds;
        // Accepted for a session already named: that session takes it.
        p.scheduled = event.data.sessionId !== undefined;
        break;
      case 'VotingOpened':
        p.vote = { voteId: event.data.voteId, closesAt: event.data.closesAt, reminded: false };
        break;
      case 'NonVotersReminded':
        if (p.vote) p.vote.reminded = true;
        break;
      case 'VotingClosed':
        delete p.vote;
        break;
      case 'ProposalPublished':
        if (event.data.implementationDueAt) p.implementationDueAt = event.data.implementationDueAt;
        break;
      case 'ImplementationOverdue':
        if (p.implementationDueAt === event.data.dueAt) delete p.implementationDueAt;
        break;
      case 'ImplementationReported':
        if (event.data.progressPercent === 100) delete p.implementationDueAt;
        break;
      case 'ProposalWithdrawn':
        this.proposals.delete(streamId);
        break;
      default:
        break;
    }
  }

  private applyCampaign(streamId: string, event: AnyDomainEvent): void {
    switch (event.type) {
      case 'CrowdfundingOpened':
        this.campaigns.set(streamId, {
          proposalId: event.data.proposalId,
          itemId: event.data.itemId,
          ...(event.data.optionId === undefined ? {} : { optionId: event.data.optionId }),
          openedAt: event.data.at,
          deadline: event.data.deadline,
          targetFen: event.data.targetFen,
          pledgedFen: 0,
        });
        return;
      case 'PledgeMade': {
        const c = this.campaigns.get(streamId);
        if (c) c.pledgedFen += event.data.amountFen;
        return;
      }
      case 'CrowdfundingClosed':
        this.campaigns.delete(streamId);
        return;
      default:
        return;
    }
  }

  /** A proposal's decision or withdrawal; a return to an earlier stage undoes the decision. */
  private applySettled(streamId: string, event: AnyDomainEvent): void {
    switch (event.type) {
      case 'ProposalDecided': {
        const adopted = new Map<string, string | undefined>();
        for (const item of event.data.items) {
          if (item.outcome !== 'adopted') continue;
          adopted.set(item.itemId, chosenOption((item as { result: unknown }).result));
        }
        this.settled.set(streamId, { at: event.data.at, withdrawn: false, adopted });
        return;
      }
      case 'ProposalWithdrawn':
        this.settled.set(streamId, { at: event.data.at, withdrawn: true });
        return;
      case 'ProposalReturned':
        this.settled.delete(streamId);
        return;
      default:
        return;
    }
  }

  private applyMinutes(streamId: string, event: AnyDomainEvent): void {
    switch (event.type) {
      case 'MinutesDrafted':
      case 'MinutesAmended':
        this.minutes.set(streamId, {
          version: event.data.version,
          writtenAt: event.data.at,
          reminded: false,
        });
        return;
      case 'SignersReminded': {
        const m = this.minutes.get(streamId);
        if (m?.version === event.data.version) m.reminded = true;
        return;
      }
      case 'MinutesFinalised':
        this.minutes.delete(streamId);
        return;
      default:
        return;
    }
  }

  private applyRegistry(cid: string, event: AnyDomainEvent): void {
    const facts = this.community(cid);
    if (event.type === 'CommunityRegistered' || event.type === 'CommunitySettingsChanged') {
      facts.reminderDays = event.data.settings.reminderDaysBeforeClose ?? DEFAULT_REMINDER_DAYS;
    } else if (event.type === 'StandingBodyEstablished') {
      const { at, by: _by, ...body } = event.data;
      facts.bodies.set(body.bodyId, { ...body, establishedAt: at, lastMeetingAt: at });
    } else if (event.type === 'StandingBodyChanged') {
      // The next meeting follows the new schedule, from the last one held.
      const { at: _at, by: _by, reason: _reason, ...changed } = event.data;
      const body = facts.bodies.get(changed.bodyId);
      if (body) facts.bodies.set(changed.bodyId, { ...body, ...changed });
    } else if (event.type === 'StandingBodyDissolved') {
      facts.bodies.delete(event.data.bodyId);
    }
  }

  /** Every timer due at `now`, earliest first. */
  due(now: Date): Timer[] {
    // Times are compared as instants: an event may write +08:00 where another writes Z.
    const t = now.getTime();
    const reached = (iso: string) => Date.parse(iso) <= t;
    const timers: Timer[] = [];
    for (const [streamId, p] of this.proposals) {
      const communityId = communityOfStream(streamId)!;
      const { vote } = p;
      if (vote) {
        const base = { communityId, streamId, voteId: vote.voteId };
        if (reached(vote.closesAt))
          timers.push({ kind: 'close-vote', dueAt: vote.closesAt, ...base });
        const days = this.community(communityId).reminderDays;
        const remindAt = daysBefore(vote.closesAt, days);
        if (days > 0 && !vote.reminded && reached(remindAt) && !reached(vote.closesAt)) {
          timers.push({ kind: 'remind-non-voters', dueAt: remindAt, ...base });
        }
      }
      if (p.implementationDueAt && reached(p.implementationDueAt)) {
        timers.push({
          kind: 'implementation-overdue',
          communityId,
          streamId,
          dueAt: p.implementationDueAt,
        });
      }
    }
    for (const [streamId, m] of this.minutes) {
      if (m.reminded) continue;
      const dueAt = new Date(Date.parse(m.writtenAt) + SIGNATURE_REMINDER_DAYS * DAY_MS);
      if (dueAt.getTime() > t) continue;
      timers.push({
        kind: 'remind-signers',
        communityId: communityOfStream(streamId)!,
        streamId,
        dueAt: dueAt.toISOString(),
        version: m.version,
      });
    }
    for (const [streamId, c] of this.campaigns) {
      const communityId = communityOfStream(streamId)!;
      const base = { communityId, streamId, proposalId: c.proposalId, itemId: c.itemId };
      const settled = this.settled.get(`proposal-${communityId}.${c.proposalId}`);
      // Not adopted: the item rejected, the proposal withdrawn, or another plan chosen.
      const notAdopted =
        settled !== undefined &&
        (settled.withdrawn ||
          !settled.adopted.has(c.itemId) ||
          (c.optionId !== undefined && settled.adopted.get(c.itemId) !== c.optionId));
      if (notAdopted) {
        const at = Date.parse(settled.at) > Date.parse(c.openedAt) ? settled.at : c.openedAt;
        if (reached(at))
          timers.push({ kind: 'close-crowdfunding', dueAt: at, reason: 'not-adopted', ...base });
      } else if (reached(c.deadline) && c.pledgedFen < c.targetFen) {
        timers.push({
          kind: 'close-crowdfunding',
          dueAt: c.deadline,
          reason: 'target-missed',
          ...base,
        });
      }
    }
    for (const [communityId, facts] of this.communities) {
      for (const body of facts.bodies.values()) {
        const at = dueMeeting(body.schedule, new Date(body.lastMeetingAt), now);
        if (!at) continue;
        const dueAt = at.toISOString();
        const agenda = this.agendaOf(communityId, body.establishedAt, dueAt);
        // Nothing accepted since the last meeting: no meeting is convened.
        if (agenda.length === 0) continue;
        const sessionId = regularSessionId(body.bodyId, at);
        timers.push({
          kind: 'regular-meeting',
          communityId,
          streamId: `session-${communityId}.${sessionId}`,
          dueAt,
          body,
          sessionId,
          agenda,
        });
      }
    }
    return timers.sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
  }

  private agendaOf(cid: string, since: string, until: string): AgendaProposal[] {
    const prefix = `proposal-${cid}.`;
    const agenda: AgendaProposal[] = [];
    for (const [streamId, p] of this.proposals) {
      if (!streamId.startsWith(prefix) || p.scheduled || p.acceptedAt === undefined) continue;
      const accepted = Date.parse(p.acceptedAt);
      // Every item accepted since the body was established and not yet on a meeting's agenda,
      // up to the meeting: one seen late (its commit visible after a meeting was convened)
      // goes to the next, never off the list.
      if (accepted <= Date.parse(since) || accepted > Date.parse(until)) continue;
      agenda.push({
        proposalId: streamId.slice(prefix.length),
        title: p.title,
        concernedPartyIds: p.concernedPartyIds,
      });
    }
    return agenda.slice(0, 50);
  }
}
