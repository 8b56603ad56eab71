import { hash, randomUUID } from 'node:crypto';
import type { Actor, Decider, DomainError } from '@yishi/domain';
import {
  type AppendGroup,
  type AppendResult,
  type EventStore,
  formatCheckpoint,
  isVersionConflict,
} from '@yishi/event-store';
import {
  destroyErasedKeys,
  PersonalDataErasedError,
  sealEvents,
  type Vault,
} from '@yishi/personal-data';
import { type DecidedBatch, decideBatch } from './decide-batch.ts';
import { type AnyDecider, StateReader } from './state-reader.ts';

export interface CommandDeps {
  store: EventStore;
  /** Shared with route code that reads other streams (the registry) for context. */
  states?: StateReader;
  clock: () => Date;
  newId: () => string;
  /** Events decided under a simulated (demo) clock say so in their metadata. */
  simulatedClock?: boolean;
  /** Seals personal fields before an append, destroys erased persons' keys after it. */
  personalData?: Vault;
  /** Called once per append with the number of commands it carried (metrics). */
  onBatch?: (commands: number) => void;
  /** Each append acknowledged (the scheduler reads up to it before firing timers). */
  onAppended?: (results: readonly AppendResult[]) => void;
  /** Seconds spent deciding a batch and appending it (metrics). */
  onTimings?: (decideSeconds: number, appendSeconds: number) => void;
}

export interface CommandInput<TCommand, TEvent, TState> {
  communityId: string;
  streamId: string;
  decider: Decider<TCommand, TEvent, TState>;
  /** Builds the command; `at` comes from the clock when the command is decided. */
  command: (at: string) => TCommand;
  actor: Actor;
  idempotencyKey: string | undefined;
  /** What the key is bound to (method, path, body): see `requestDigest()`. */
  requestDigest?: string;
  requestId: string;
  /** From `If-Match`: the stream version the client saw. */
  expectedVersion?: number;
}

export type CommandOutcome =
  | { kind: 'ok'; result: AppendResult; duplicate: boolean }
  | { kind: 'refused'; error: DomainError }
  | { kind: 'precondition-failed'; actual: number }
  | { kind: 'conflict'; actual: number }
  /** The Idempotency-Key was used before for a different request. */
  | { kind: 'key-reused' };

export interface Pending {
  input: CommandInput<unknown, { type: string; data: unknown }, unknown>;
  commandId: string;
  resolve(outcome: CommandOutcome): void;
  reject(error: unknown): void;
}

const MAX_ATTEMPTS = 5;
const MAX_BATCH = 256;

/** The command id: an Idempotency-Key is scoped to the community and the person sending it. */
export function commandIdFor(
  communityId: string,
  personId: string,
  key: string | undefined,
): string {
  if (!key) return `cmd-${randomUUID()}`;
  const digest = hash('sha256', `${communityId}\u0000${personId}\u0000${key}`, 'hex');
  return `idem-${digest.slice(0, 48)}`;
}

export function responseOf(result: AppendResult) {
  return {
    streamId: result.streamId,
    version: result.nextExpectedVersion,
    position: formatCheckpoint(result.checkpoint),
  };
}

/**
 * Read, fold, decide, append — with group commit. Commands for one stream queue in-process;
 * whoever runs the queue decides every waiting command in order against the evolving state
 * and appends all their events in one atomic append, each command still answered with its
 * own result. Folded states are cached by stream and version, so only new events are read.
 * A version conflict (another instance appended) is retried a bounded number of times.
 */
export class CommandHandler {
  private readonly queues = new Map<string, Pending[]>();
  private readonly states: StateReader;

  constructor(private readonly deps: CommandDeps) {
    this.states = deps.states ?? new StateReader(deps.store, undefined, deps.personalData);
  }

  handle<TCommand, TEvent extends { type: string; data: unknown }, TState>(
    input: CommandInput<TCommand, TEvent, TState>,
  ): Promise<CommandOutcome> {
    const commandId = commandIdFor(input.communityId, input.actor.personId, input.idempotencyKey);
    return new Promise<CommandOutcome>((resolve, reject) => {
      const pending: Pending = {
        input: input as unknown as Pending['input'],
        commandId,
        resolve,
        reject,
      };
      const queue = this.queues.get(input.streamId);
      if (queue) {
        queue.push(pending);
        return;
      }
      this.queues.set(input.streamId, [pending]);
      void this.drain(input.streamId);
    });
  }

  private async drain(streamId: string): Promise<void> {
    const queue = this.queues.get(streamId)!;
    while (queue.length > 0) {
      const batch = queue.splice(0, MAX_BATCH);
      try {
        await this.processBatch(streamId, batch);
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    this.queues.delete(streamId);
  }

  private async processBatch(streamId: string, batch: Pending[]): Promise<void> {
    const commands = byCommand(batch);
    let attempt = 1;
    while (!(await this.attempt(streamId, commands, attempt))) attempt++;
  }

  /**
   * Decides the batch and appends it once; false when it must be decided again on a fresh
   * read. The common path only: what is rare (a failed append, refusals on a cached state)
   * has functions of its own, so this one stays small to compile and sees few shapes.
   */
  private async attempt(streamId: string, commands: ByCommand, attempt: number): Promise<boolean> {
    const { firsts, settle } = commands;
    const decider = firsts[0]!.input.decider as AnyDecider;
    // The first attempt trusts the cache (one round trip less per batch); a conflict means
    // another instance appended, and the retry reads what it wrote.
    const { version, state } =
      attempt === 1
        ? await this.states.cachedOrRead(streamId, decider)
        : await this.states.read(streamId, decider);
    const at = this.deps.clock().toISOString();
    const decideStarted = performance.now();
    const batch = decideBatch(
      firsts,
      decider,
      state,
      version,
      at,
      this.deps.simulatedClock === true,
    );
    let results: AppendResult[] = [];
    if (batch.groups.length > 0) {
      const communityId = firsts[0]!.input.communityId;
      try {
        results = await this.append(streamId, communityId, batch.groups, version, decideStarted);
      } catch (error) {
        return this.appendFailed(streamId, commands, batch, version, attempt, error);
      }
      await this.afterAppend(streamId, communityId, batch, results);
    } else if (
      attempt === 1 &&
      batch.decided.size > 0 &&
      (await this.headMoved(streamId, version))
    ) {
      return false;
    }
    await this.answer(batch.appended, results, batch.decided, settle);
    return true;
  }

  /** Refusals decided on a cached state: whether another instance appended since. */
  private async headMoved(streamId: string, version: number): Promise<boolean> {
    const head = await this.deps.store.streamHead(streamId);
    if ((head?.version ?? 0) === version) return false;
    this.states.forget(streamId);
    return true;
  }

  /** After an append: the cached state, then erasures. */
  private async afterAppend(
    streamId: string,
    communityId: string,
    batch: DecidedBatch,
    results: readonly AppendResult[],
  ): Promise<void> {
    if (results.some((r) => r.duplicate)) this.states.forget(streamId);
    else this.states.remember(streamId, batch.currentVersion, batch.current);
    // Before answering: an erasure answered is an erasure done. Should this fail, the
    // erasure stays marked as started and the next start finishes it (reconcileErasures).
    const vault = this.deps.personalData;
    if (vault) {
      for (const group of batch.groups) await destroyErasedKeys(vault, communityId, group.events);
    }
  }

  /**
   * A failed append: false to decide again on a fresh read, or each command answered (a
   * conflict after the last attempt, one by one, or the error).
   */
  private async appendFailed(
    streamId: string,
    { firsts, settle, fail }: ByCommand,
    batch: DecidedBatch,
    version: number,
    attempt: number,
    error: unknown,
  ): Promise<boolean> {
    this.states.forget(streamId);
    // Sealing for a person erased since the cached state: decide again on a fresh read.
    if (isVersionConflict(error) || error instanceof PersonalDataErasedError) {
      if (attempt < MAX_ATTEMPTS) return false;
      const actual = isVersionConflict(error) ? error.actual : version;
      for (const p of firsts) settle(p, { kind: 'conflict', actual });
      return true;
    }
    if (batch.groups.length > 1) {
      // One command of the group was appended before (a retry racing another instance)
      // or its events were refused: decide them one by one to answer each on its own.
      await this.oneByOne(streamId, firsts, settle, fail);
      return true;
    }
    fail(batch.appended[0]!, error);
    for (const [p, outcome] of batch.decided) await this.answerRefusal(p, outcome, settle);
    return true;
  }

  /** Seals and appends a decided batch in one atomic append (one transaction). */
  private async append(
    streamId: string,
    communityId: string,
    groups: AppendGroup[],
    version: number,
    decideStarted: number,
  ): Promise<AppendResult[]> {
    const toStore = await this.sealed(communityId, groups);
    const appendStarted = performance.now();
    const results = await this.deps.store.appendGroups(streamId, toStore, { expected: version });
    this.deps.onAppended?.(results);
    this.deps.onBatch?.(groups.length);
    this.deps.onTimings?.(
      (appendStarted - decideStarted) / 1000,
      (performance.now() - appendStarted) / 1000,
    );
    return results;
  }

  /** Answers each command of a batch: appended (or appended before), refused, or not current. */
  private async answer(
    appended: readonly Pending[],
    results: readonly AppendResult[],
    decided: ReadonlyMap<Pending, CommandOutcome>,
    settle: Settle,
  ): Promise<void> {
    for (let i = 0; i < appended.length; i++) {
      const pending = appended[i]!;
      const result = results[i]!;
      settle(pending, result.duplicate ? await this.replay(pending, result) : ok(result));
    }
    for (const [p, outcome] of decided) await this.answerRefusal(p, outcome, settle);
  }

  /** The groups as they are stored: personal fields sealed (when the service has a vault). */
  private async sealed(communityId: string, groups: AppendGroup[]): Promise<AppendGroup[]> {
    const vault = this.deps.personalData;
    if (!vault) return groups;
    // One call for the batch: one key lookup, however many commands it carries.
    const all: AppendGroup['events'] = [];
    for (const g of groups) for (const event of g.events) all.push(event);
    const sealed = await sealEvents(vault, communityId, all);
    // Arrays built by `push` (packed, as in `decideBatch`), groups of one shape.
    const result: AppendGroup[] = [];
    let next = 0;
    for (const g of groups) {
      const events: AppendGroup['events'] = [];
      for (let i = 0; i < g.events.length; i++) events.push(sealed[next + i]!);
      next += g.events.length;
      result.push({ commandId: g.commandId, events });
    }
    return result;
  }

  /** A refused command whose key was accepted before answers with the first result. */
  private async answerRefusal(
    pending: Pending,
    outcome: CommandOutcome,
    settle: Settle,
  ): Promise<void> {
    if (pending.input.idempotencyKey) {
      const earlier = await this.deps.store.findCommand(pending.commandId);
      if (earlier) {
        settle(pending, await this.replay(pending, earlier));
        return;
      }
    }
    settle(pending, outcome);
  }

  /**
   * The answer to a key the store already holds: the first result when the request is the
   * same, `key-reused` when it is another. Only this rare path reads the stored event (the
   * command's last one, which carries the digest); a first request reads nothing more.
   */
  private async replay(pending: Pending, earlier: AppendResult): Promise<CommandOutcome> {
    const [event] = await this.deps.store.readStream(earlier.streamId, {
      fromVersion: earlier.nextExpectedVersion,
      maxCount: 1,
    });
    const stored = event?.metadata.requestDigest;
    return sameRequest(pending.input.requestDigest, typeof stored === 'string' ? stored : undefined)
      ? duplicateOf(earlier)
      : { kind: 'key-reused' };
  }

  private async oneByOne(
    streamId: string,
    firsts: Pending[],
    settle: (p: Pending, o: CommandOutcome) => void,
    fail: (p: Pending, e: unknown) => void,
  ): Promise<void> {
    for (const pending of firsts) {
      try {
        await this.processBatch(streamId, [
          {
            input: pending.input,
            commandId: pending.commandId,
            resolve: (o) => settle(pending, o),
            reject: (e) => fail(pending, e),
          },
        ]);
      } catch (error) {
        fail(pending, error);
      }
    }
  }
}

function ok(result: AppendResult): CommandOutcome {
  return { kind: 'ok', result, duplicate: result.duplicate };
}

/** The outcome of a command appended before: the first result, answered as a duplicate. */
function duplicateOf(result: AppendResult): CommandOutcome {
  return { kind: 'ok', result, duplicate: true };
}

/**
 * Whether two requests under one key are the same. A missing digest matches anything: events
 * stored before keys were bound to their request have none, and their keys keep replaying.
 */
export function sameRequest(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}

type Settle = (first: Pending, outcome: CommandOutcome) => void;

/**
 * The batch by command id: the first of each id is decided, and the same id again in one batch
 * is answered with the first's outcome (`key-reused` when its request differs).
 */
interface ByCommand {
  firsts: Pending[];
  settle: Settle;
  fail: (first: Pending, error: unknown) => void;
}

function byCommand(batch: readonly Pending[]): ByCommand {
  const unique = new Map<string, Pending[]>();
  for (const p of batch) {
    const same = unique.get(p.commandId);
    if (same) same.push(p);
    else unique.set(p.commandId, [p]);
  }
  const firsts: Pending[] = [];
  for (const group of unique.values()) firsts.push(group[0]!);
  const settle: Settle = (first, outcome) => {
    const all = unique.get(first.commandId)!;
    all.forEach((p, i) => {
      if (i === 0) p.resolve(outcome);
      else if (!sameRequest(p.input.requestDigest, first.input.requestDigest)) {
        p.resolve({ kind: 'key-reused' });
      } else p.resolve(outcome.kind === 'ok' ? duplicateOf(outcome.result) : outcome);
    });
  };
  const fail = (first: Pending, error: unknown) => {
    for (const p of unique.get(first.commandId)!) p.reject(error);
  };
  return { firsts, settle, fail };
}
