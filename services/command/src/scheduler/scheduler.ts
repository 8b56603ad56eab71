import {
  type AnyDomainEvent,
  crowdfundingDecider,
  type Decider,
  decisionFact,
  type ProposalState,
  proposalDecider,
  SYSTEM_ACTOR,
  sessionDecider,
  streams,
  upcastEvent,
} from '@yishi/domain';
import {
  type Checkpoint,
  checkpointReached,
  type EventStore,
  type ReadAllResult,
  START,
} from '@yishi/event-store';
import { type Logger, silentLogger } from '@yishi/platform';
import type { CommandHandler, CommandOutcome } from '../command-handler.ts';
import { readRegistry } from '../context.ts';
import type { StateReader } from '../state-reader.ts';
import { TIMER_EVENT_TYPES, type Timer, TimerBook } from './timers.ts';

// 定时器: fires what is due as commands of the system actor, through the command handler like
// any request. Each firing's command id is derived from (stream, timer kind, due time), so it is
// the same in every instance and after every restart: the store's unique command id turns a
// second firing into a duplicate, and the decider refuses what was already done (the vote is
// closed). Exactly once, with no lock and no table of its own.

export interface SchedulerDeps {
  store: EventStore;
  handler: CommandHandler;
  states: StateReader;
  clock: () => Date;
  logger?: Logger;
}

export interface Firing {
  timer: Timer;
  outcome: CommandOutcome['kind'] | 'skipped';
  duplicate?: boolean;
  code?: string;
}

const BATCH = 1000;

/**
 * What the PostgreSQL store offers beyond the port: a read of some event types only, up to a
 * checkpoint every reader can see. The first catch-up reads the timers' few types through it,
 * not every ballot of the log's history.
 */
interface TypedReads {
  visibleEnd(): Promise<Checkpoint | undefined>;
  readAllOfTypes(
    from: Checkpoint,
    until: Checkpoint,
    batchSize: number,
    types: readonly string[],
  ): Promise<ReadAllResult>;
}

function typedReads(store: EventStore): TypedReads | undefined {
  const candidate = store as Partial<TypedReads>;
  return typeof candidate.visibleEnd === 'function' &&
    typeof candidate.readAllOfTypes === 'function'
    ? (candidate as TypedReads)
    : undefined;
}
type AnyDecider = Decider<unknown, { type: string; data: unknown }, unknown>;

/** The idempotency key of a timer: the same wherever and whenever it fires. */
export function timerKey(timer: Timer): string {
  return `timer:${timer.kind}:${timer.streamId}:${timer.dueAt}`;
}

export class Scheduler {
  private readonly book = new TimerBook();
  private checkpoint: Checkpoint = START;
  /** Whether the first catch-up (over the timers' event types only) is done. */
  private started = false;
  /** The furthest append this process acknowledged: a tick reads up to it before firing. */
  private appended: Checkpoint | undefined;
  /** Timers refused for good (nothing left to do): not asked again by this instance. */
  private readonly settled = new Set<string>();
  private running: Promise<Firing[]> | undefined;
  private interval: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly deps: SchedulerDeps) {}

  /** An append this process acknowledged (the command handler tells). */
  noteAppended(checkpoint: Checkpoint): void {
    if (!this.appended || !checkpointReached(this.appended, checkpoint)) this.appended = checkpoint;
  }

  /**
   * Catches up, then waits (up to 5 s) for the appends this process acknowledged: a reader sees
   * a commit only once every older transaction has ended, and a meeting convened on a record
   * missing an accepted item would leave it off the agenda.
   */
  private async catchUpToAcknowledged(): Promise<void> {
    await this.catchUp();
    for (let tries = 0; tries < 250; tries++) {
      if (!this.appended || checkpointReached(this.checkpoint, this.appended)) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
      await this.catchUp();
    }
  }

  /** Folds the events recorded since the last look into the book. */
  async catchUp(): Promise<void> {
    if (!this.started) {
      await this.catchUpOnTimerTypes();
      this.started = true;
    }
    for (;;) {
      const batch = await this.deps.store.readAll(this.checkpoint, BATCH);
      this.fold(batch);
      if (batch.events.length < BATCH) return;
    }
  }

  /** At start, the history up to what every reader sees: only the types the book reads. */
  private async catchUpOnTimerTypes(): Promise<void> {
    const typed = typedReads(this.deps.store);
    const until = await typed?.visibleEnd();
    if (!typed || !until) return;
    for (;;) {
      const batch = await typed.readAllOfTypes(this.checkpoint, until, BATCH, TIMER_EVENT_TYPES);
      this.fold(batch);
      if (batch.events.length < BATCH) return;
    }
  }

  private fold({ events, checkpoint }: ReadAllResult): void {
    for (const stored of events) {
      let event: AnyDomainEvent;
      try {
        event = upcastEvent(stored);
      } catch {
        continue; // not a domain event (or one this version does not know): no timer
      }
      this.book.apply(stored.streamId, event);
    }
    this.checkpoint = checkpoint;
  }

  /**
   * Catches up and fires everything due now. Calls overlapping one running tick share it: the
   * interval and a clock advance never fire the same timer side by side in one instance.
   */
  tick(): Promise<Firing[]> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<Firing[]> {
    await this.catchUpToAcknowledged();
    const firings: Firing[] = [];
    for (const timer of this.book.due(this.deps.clock())) {
      const key = timerKey(timer);
      if (this.settled.has(key)) continue;
      const firing = await this.fire(timer);
      if (firing.outcome === 'refused' || firing.outcome === 'skipped') this.settled.add(key);
      firings.push(firing);
      this.deps.logger?.info(
        {
          kind: timer.kind,
          streamId: timer.streamId,
          dueAt: timer.dueAt,
          outcome: firing.outcome,
          ...(firing.code ? { code: firing.code } : {}),
        },
        'timer fired',
      );
    }
    // What was fired is recorded: read it, so the next tick does not ask again.
    if (firings.length > 0) await this.catchUp();
    return firings;
  }

  private async fire(timer: Timer): Promise<Firing> {
    const command = await this.commandOf(timer);
    if (!command) return { timer, outcome: 'skipped' };
    const outcome = await this.deps.handler.handle({
      communityId: timer.communityId,
      streamId: timer.streamId,
      decider: command.decider,
      actor: SYSTEM_ACTOR,
      idempotencyKey: timerKey(timer),
      requestId: `scheduler:${timer.kind}`,
      command: (at: string) => ({
        type: command.type,
        data: command.data,
        actor: SYSTEM_ACTOR,
        at,
      }),
    });
    return {
      timer,
      outcome: outcome.kind,
      ...(outcome.kind === 'ok' ? { duplicate: outcome.duplicate } : {}),
      ...(outcome.kind === 'refused' ? { code: outcome.error.code } : {}),
    };
  }

  private async commandOf(
    timer: Timer,
  ): Promise<{ decider: AnyDecider; type: string; data: unknown } | undefined> {
    const proposal = proposalDecider as unknown as AnyDecider;
    switch (timer.kind) {
      case 'close-vote':
        return { decider: proposal, type: 'CloseVoting', data: {} };
      case 'remind-non-voters':
        return { decider: proposal, type: 'RemindNonVoters', data: { voteId: timer.voteId } };
      case 'implementation-overdue':
        return {
          decider: proposal,
          type: 'FlagImplementationOverdue',
          data: { dueAt: timer.dueAt },
        };
      case 'remind-signers':
        return {
          decider: sessionDecider as unknown as AnyDecider,
          type: 'RemindSigners',
          data: { version: timer.version },
        };
      case 'regular-meeting': {
        const registry = await readRegistry(this.deps.states, timer.communityId);
        if (!registry) return undefined;
        const { body, agenda } = timer;
        const wanted = new Set([...body.partyIds, ...agenda.flatMap((a) => a.concernedPartyIds)]);
        const parties = [...wanted]
          .map((id) => registry.parties[id])
          .filter((p) => p?.active)
          .slice(0, 30)
          .map((p) => ({ partyId: p!.partyId, kind: p!.kind, name: p!.name }));
        const invited = new Set(parties.map((p) => p.partyId));
        return {
          decider: sessionDecider as unknown as AnyDecider,
          type: 'ConveneSession',
          data: {
            communityId: timer.communityId,
            sessionId: timer.sessionId,
            kind: body.kind,
            title: `${body.name} ${timer.sessionId.slice(-8)}`,
            scheduledAt: timer.dueAt,
            parties,
            agenda: agenda.map((a) => ({
              itemId: a.proposalId,
              title: a.title,
              proposalId: a.proposalId,
              concernedPartyIds: a.concernedPartyIds.filter((id) => invited.has(id)),
            })),
            ...(body.kind === 'residents-council' ? { memberIds: body.memberIds } : {}),
            venue: body.venue,
            standingBodyId: body.bodyId,
          },
        };
      }
      case 'close-crowdfunding': {
        // The decision as the proposal holds it now: the decider names the reason from it.
        const { state } = await this.deps.states.read(
          streams.proposal(timer.communityId, timer.proposalId),
          proposal,
        );
        const decision = decisionFact(state as ProposalState, timer.itemId);
        if (!decision) return undefined;
        return {
          decider: crowdfundingDecider as unknown as AnyDecider,
          type: 'CloseCrowdfunding',
          data: {
            decision,
            note:
              timer.reason === 'not-adopted'
                ? '方案未获通过，众筹自动关闭，已收款项应予退还'
                : '截止时未达目标，众筹自动关闭，已收款项应予退还',
          },
        };
      }
      default: {
        const _exhaustive: never = timer;
        return undefined;
      }
    }
  }

  /** Ticks every `intervalMs` until `stop()`; a failed tick is logged and the next one retries. */
  start(intervalMs: number): void {
    if (this.interval) return;
    const logger = this.deps.logger ?? silentLogger;
    this.interval = setInterval(() => {
      this.tick().catch((error: unknown) =>
        logger.error({ error: String(error) }, 'scheduler tick failed'),
      );
    }, intervalMs);
    this.interval.unref();
  }

  async stop(): Promise<void> {
    if (this.interval) clearInterval(this.interval);
    this.interval = undefined;
    await this.running?.catch(() => undefined);
  }
}
