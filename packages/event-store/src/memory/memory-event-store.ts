import { EventStoreError, VersionConflictError } from '../errors.ts';
import { chainHashOfText, fillTemplate, GENESIS_HASH } from '../hash.ts';
import { pollingSubscription } from '../subscription.ts';
import type {
  AppendGroup,
  AppendOptions,
  AppendResult,
  BatchHandler,
  Checkpoint,
  EventHeader,
  EventStore,
  ExpectedVersion,
  JsonObject,
  NewEvent,
  ReadAllResult,
  ReadStreamOptions,
  RecordedEvent,
  StreamHead,
  SubscribeOptions,
  Subscription,
  VerifyResult,
} from '../types.ts';
import { headerOf } from '../types.ts';
import { type Upcaster, upcastEvent } from '../upcast.ts';
import {
  assertBatchSize,
  assertCheckpoint,
  assertCommandId,
  assertExpected,
  assertStreamId,
  describeExpected,
  prepareAppend,
  readStreamRange,
  satisfies,
  templateOfPrepared,
} from '../validation.ts';
import { verifyChain } from '../verify.ts';

/** In-memory adapter for fast unit tests of services. Same semantics, no durability. */
export class MemoryEventStore implements EventStore {
  private readonly all: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly commands = new Map<string, AppendResult>();
  private readonly wakers = new Set<() => void>();
  private readonly subscriptions = new Set<Subscription>();
  private readonly clock: () => Date;
  private closed = false;

  constructor(private readonly options: { upcasters?: Upcaster[]; clock?: () => Date } = {}) {
    this.clock = options.clock ?? (() => new Date());
  }

  async append(
    streamId: string,
    events: NewEvent[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    if (typeof options !== 'object' || options === null) {
      throw new EventStoreError('invalid-event', 'append options are required');
    }
    assertCommandId(options.commandId);
    const group: AppendGroup = { commandId: options.commandId as string, events };
    if (options.commandId === undefined) delete (group as { commandId?: string }).commandId;
    const [result] = await this.appendGroups(streamId, [group], { expected: options.expected });
    return result!;
  }

  async appendGroups(
    streamId: string,
    groups: AppendGroup[],
    options: { expected: ExpectedVersion },
  ): Promise<AppendResult[]> {
    assertStreamId(streamId);
    assertExpected(options?.expected);
    const prepared = prepareAppend(streamId, groups);
    this.assertOpen();
    const known = groups.map((g) =>
      g.commandId !== undefined ? this.commands.get(g.commandId) : undefined,
    );
    if (known.every((k) => k !== undefined)) return known.map((k) => ({ ...k!, duplicate: true }));
    if (known.some((k) => k !== undefined)) {
      throw new EventStoreError(
        'invalid-event',
        'some commands of this append were appended before, others not',
        { streamId },
      );
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
    let index = 0;
    for (const group of groups) {
      for (let k = 0; k < group.events.length; k++) {
        const event = prepared[index++]!;
        const streamVersion = stream.length + added.length + 1;
        // Stored as it would come back from a database: parsed from its canonical JSON.
        const data = JSON.parse(event.canonicalData) as JsonObject;
        const metadata = JSON.parse(event.canonicalMetadata) as JsonObject;
        const hash = chainHashOfText(prev, fillTemplate(templateOfPrepared(event), streamVersion));
        added.push({
          streamId,
          streamVersion,
          globalPosition: BigInt(this.all.length + added.length + 1),
          transactionId,
          type: event.type,
          schemaVersion: event.schemaVersion,
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
      if (group.commandId !== undefined) this.commands.set(group.commandId, result);
      results.push(result);
    }
    for (const e of added) stream.push(e);
    this.streams.set(streamId, stream);
    for (const e of added) this.all.push(e);
    for (const wake of this.wakers) wake();
    return results;
  }

  async findCommand(commandId: string): Promise<AppendResult | undefined> {
    this.assertOpen();
    assertCommandId(commandId);
    const found = this.commands.get(commandId);
    return found ? { ...found, duplicate: true } : undefined;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    assertStreamId(streamId);
    const { from, maxCount } = readStreamRange(options);
    const events = (this.streams.get(streamId) ?? []).slice(from - 1);
    const limited = maxCount === undefined ? events : events.slice(0, maxCount);
    return limited.map((e) => this.upcast(e));
  }

  async streamHead(streamId: string): Promise<StreamHead | undefined> {
    this.assertOpen();
    assertStreamId(streamId);
    const stream = this.streams.get(streamId);
    const last = stream?.[stream.length - 1];
    return last ? { version: last.streamVersion, hash: last.hash } : undefined;
  }

  async readAll(from: Checkpoint, batchSize: number): Promise<ReadAllResult> {
    return this.readFrom(from, batchSize, (e) => this.upcast(e));
  }

  async readHeaders(from: Checkpoint, batchSize: number): Promise<ReadAllResult<EventHeader>> {
    return this.readFrom(from, batchSize, headerOf);
  }

  /** Up to `batchSize` events after `from` in the global order, each as `map` returns it. */
  private readFrom<E extends EventHeader>(
    from: Checkpoint,
    batchSize: number,
    map: (event: RecordedEvent) => E,
  ): ReadAllResult<E> {
    this.assertOpen();
    assertCheckpoint(from);
    assertBatchSize(batchSize);
    // Positions ascend with the order of the array (one writer): binary search.
    let lo = 0;
    let hi = this.all.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const e = this.all[mid]!;
      const after =
        e.transactionId > from.transactionId ||
        (e.transactionId === from.transactionId && e.globalPosition > from.globalPosition);
      if (after) hi = mid;
      else lo = mid + 1;
    }
    const events = this.all.slice(lo, lo + batchSize).map(map);
    const last = events[events.length - 1];
    return {
      events,
      checkpoint: last
        ? { transactionId: last.transactionId, globalPosition: last.globalPosition }
        : from,
    };
  }

  subscribe(from: Checkpoint, handler: BatchHandler, options: SubscribeOptions = {}): Subscription {
    return this.poll(from, handler, options, (cp, n) => this.readAll(cp, n));
  }

  subscribeHeaders(
    from: Checkpoint,
    handler: BatchHandler<EventHeader>,
    options: SubscribeOptions = {},
  ): Subscription {
    return this.poll(from, handler, options, (cp, n) => this.readHeaders(cp, n));
  }

  private poll<E extends EventHeader>(
    from: Checkpoint,
    handler: BatchHandler<E>,
    options: SubscribeOptions,
    readAll: (from: Checkpoint, batchSize: number) => Promise<ReadAllResult<E>>,
  ): Subscription {
    this.assertOpen();
    const subscription = pollingSubscription({
      from,
      handler,
      options,
      readAll,
      onWake: (wake) => {
        this.wakers.add(wake);
        return () => this.wakers.delete(wake);
      },
    });
    this.subscriptions.add(subscription);
    void subscription.done.catch(() => {}).finally(() => this.subscriptions.delete(subscription));
    return subscription;
  }

  async verifyStream(streamId: string): Promise<VerifyResult> {
    this.assertOpen();
    assertStreamId(streamId);
    const stream = this.streams.get(streamId);
    return verifyChain(stream ? [stream] : []);
  }

  async verifyAll(options: { streamPrefix?: string } = {}): Promise<VerifyResult> {
    this.assertOpen();
    const prefix = options?.streamPrefix ?? '';
    if (typeof prefix !== 'string') {
      throw new EventStoreError('invalid-argument', 'streamPrefix must be a string');
    }
    const chosen = [...this.streams.entries()]
      .filter(([id]) => id.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, events]) => events);
    return verifyChain(chosen);
  }

  /** Test hook: alter a stored event in place, as an attacker with database access would. */
  tamper(streamId: string, streamVersion: number, data: RecordedEvent['data']): void {
    const event = this.streams.get(streamId)?.[streamVersion - 1];
    if (event) event.data = data;
  }

  /** A copy (callers must not be able to alter the store), upcast. */
  private upcast(event: RecordedEvent): RecordedEvent {
    return upcastEvent(structuredClone(event), this.options.upcasters ?? []);
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreError('store-unavailable', 'the event store is closed');
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    this.closed = true;
    this.wakers.clear();
  }
}
