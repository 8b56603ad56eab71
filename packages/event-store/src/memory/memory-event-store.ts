import { EventStoreError, VersionConflictError } from '../errors.ts';
import { chainHash, GENESIS_HASH } from '../hash.ts';
import { pollingSubscription } from '../subscription.ts';
import type {
  AppendGroup,
  AppendOptions,
  AppendResult,
  BatchHandler,
  Checkpoint,
  EventStore,
  ExpectedVersion,
  NewEvent,
  ReadAllResult,
  ReadStreamOptions,
  RecordedEvent,
  StreamHead,
  SubscribeOptions,
  Subscription,
  VerifyResult,
} from '../types.ts';
import { type Upcaster, upcastEvent } from '../upcast.ts';
import {
  assertEvents,
  assertExpected,
  assertStreamId,
  describeExpected,
  satisfies,
} from '../validation.ts';
import { verifyChain } from '../verify.ts';

/** In-memory adapter for fast unit tests of services. Same semantics, no durability. */
export class MemoryEventStore implements EventStore {
  private readonly all: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly commands = new Map<string, AppendResult>();
  private readonly wakers = new Set<() => void>();
  private readonly clock: () => Date;

  constructor(private readonly options: { upcasters?: Upcaster[]; clock?: () => Date } = {}) {
    this.clock = options.clock ?? (() => new Date());
  }

  async append(
    streamId: string,
    events: NewEvent[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    const [result] = await this.appendGroups(
      streamId,
      [{ commandId: options.commandId as string, events }],
      {
        expected: options.expected,
      },
    );
    return result!;
  }

  async appendGroups(
    streamId: string,
    groups: AppendGroup[],
    options: { expected: ExpectedVersion },
  ): Promise<AppendResult[]> {
    assertStreamId(streamId);
    assertExpected(options.expected);
    if (groups.length === 0) throw new EventStoreError('invalid-event', 'no events to append');
    assertEvents(
      streamId,
      groups.flatMap((g) => g.events),
    );
    const known = groups.map((g) => (g.commandId ? this.commands.get(g.commandId) : undefined));
    if (known.every((k) => k !== undefined)) return known.map((k) => ({ ...k!, duplicate: true }));
    if (known.some((k) => k !== undefined)) {
      throw new EventStoreError('invalid-event', 'a command of this group was appended before');
    }
    const stream = this.streams.get(streamId) ?? [];
    if (!satisfies(options.expected, stream.length)) {
      throw new VersionConflictError(streamId, describeExpected(options.expected), stream.length);
    }
    const results: AppendResult[] = [];
    const transactionId = BigInt(this.all.length + 1);
    let prev = stream[stream.length - 1]?.hash ?? GENESIS_HASH;
    const recordedAt = this.clock();
    const added: RecordedEvent[] = [];
    for (const group of groups) {
      for (const event of group.events) {
        const streamVersion = stream.length + added.length + 1;
        const schemaVersion = event.schemaVersion ?? 1;
        const data = structuredClone(event.data);
        const metadata = structuredClone(event.metadata);
        const hash = chainHash(prev, {
          streamId,
          streamVersion,
          type: event.type,
          schemaVersion,
          data,
          metadata,
        });
        added.push({
          streamId,
          streamVersion,
          globalPosition: BigInt(this.all.length + added.length + 1),
          transactionId,
          type: event.type,
          schemaVersion,
          data,
          metadata,
          recordedAt,
          prevHash: prev,
          hash,
        });
        prev = hash;
      }
      const last = added[added.length - 1]!;
      const result: AppendResult = {
        streamId,
        nextExpectedVersion: last.streamVersion,
        lastGlobalPosition: last.globalPosition,
        checkpoint: { transactionId, globalPosition: last.globalPosition },
        duplicate: false,
      };
      if (group.commandId) this.commands.set(group.commandId, result);
      results.push(result);
    }
    this.streams.set(streamId, [...stream, ...added]);
    this.all.push(...added);
    for (const wake of this.wakers) wake();
    return results;
  }

  async findCommand(commandId: string): Promise<AppendResult | undefined> {
    const found = this.commands.get(commandId);
    return found ? { ...found, duplicate: true } : undefined;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    assertStreamId(streamId);
    const from = Math.max(1, options.fromVersion ?? 1);
    const events = (this.streams.get(streamId) ?? []).slice(from - 1);
    const limited = options.maxCount === undefined ? events : events.slice(0, options.maxCount);
    return limited.map((e) => this.upcast(e));
  }

  async streamHead(streamId: string): Promise<StreamHead | undefined> {
    assertStreamId(streamId);
    const stream = this.streams.get(streamId);
    const last = stream?.[stream.length - 1];
    return last ? { version: last.streamVersion, hash: last.hash } : undefined;
  }

  async readAll(from: Checkpoint, batchSize: number): Promise<ReadAllResult> {
    const start = this.all.findIndex((e) => e.globalPosition > from.globalPosition);
    const events =
      start < 0 ? [] : this.all.slice(start, start + batchSize).map((e) => this.upcast(e));
    const last = events[events.length - 1];
    return {
      events,
      checkpoint: last
        ? { transactionId: last.transactionId, globalPosition: last.globalPosition }
        : from,
    };
  }

  subscribe(from: Checkpoint, handler: BatchHandler, options: SubscribeOptions = {}): Subscription {
    return pollingSubscription({
      from,
      handler,
      options,
      readAll: (cp, n) => this.readAll(cp, n),
      onWake: (wake) => {
        this.wakers.add(wake);
        return () => this.wakers.delete(wake);
      },
    });
  }

  async verifyStream(streamId: string): Promise<VerifyResult> {
    const stream = this.streams.get(streamId);
    return verifyChain(stream ? [stream] : []);
  }

  async verifyAll(options: { streamPrefix?: string } = {}): Promise<VerifyResult> {
    const prefix = options.streamPrefix ?? '';
    const chosen = [...this.streams.entries()]
      .filter(([id]) => id.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, events]) => events);
    return verifyChain(chosen);
  }

  /** Test hook: alter a stored event in place, as an attacker with database access would. */
  tamper(streamId: string, streamVersion: number, data: RecordedEvent['data']): void {
    const event = this.streams.get(streamId)?.[streamVersion - 1];
    if (event) event.data = data;
  }

  private upcast(event: RecordedEvent): RecordedEvent {
    return upcastEvent(event, this.options.upcasters ?? []);
  }

  async close(): Promise<void> {
    this.wakers.clear();
  }
}
