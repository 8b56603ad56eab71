/**
 * SIMULATION, not a server: an in-process stand-in for one KurrentDB node behind the part of
 * `@eventstore/db-client` the adapter uses (`KurrentClient`). No KurrentDB server can run on the
 * development machines; this reproduces the server's documented behaviour so that the adapter's
 * promises can be tested. A pass here is not a pass against KurrentDB: the conformance suite
 * also runs against a real server wherever EVENTSTORE_URL is set (infra/kurrentdb.compose.yaml).
 *
 * Modelled, after KurrentDB's `IndexWriter.CheckCommit` (github.com/kurrent-io/KurrentDB,
 * src/KurrentDB.Core/Services/Storage/ReaderIndex/IndexWriter.cs) and the documented idempotence
 * rules (https://developers.eventstore.com/clients/dotnet/21.2/appending/optimistic-concurrency-and-idempotence.html):
 * - Appends with an expected revision. Exact and behind the head: idempotent when the event ids
 *   at those revisions are the ids sent (all of them; the first differing is a
 *   wrong-expected-version, a later one too: "corrupted idempotency"). Exact at the head: appended,
 *   ids not compared. Past the head: wrong-expected-version. `no_stream` is exact -1. `any` and
 *   `stream_exists`: idempotent only when the ids are among recently written ones (a bounded cache).
 * - A duplicate of a write that is written but not yet indexed (`holdIndex`) gets no answer: the
 *   client times out ("just drop the write and wait for the client to retry").
 * - Reads see indexed events only. `$all` holds every stream's events in log order, system
 *   streams (`$…`) included, at (commit, prepare) positions that are byte-like offsets.
 * - Soft deletion (`softDelete`): the stream reads as not found; an append recreates it and its
 *   revisions continue. `$tb`, `$maxCount` and `$maxAge` (stream metadata) hide earlier events
 *   from stream reads, not from `$all`. A tombstone (`tombstone`): stream-deleted on every call.
 * - `connect({ throwOnAppendFailure: false })`: `{ success: false }`, with the revision the 6.x
 *   batch append computes (`BigInt(hasCurrentStreamRevision())`: 1n whenever the stream exists).
 * - Catch-up subscriptions to `$all`, filtered by stream name or event type (prefixes or regex),
 *   from a position (exclusive), live after catching up.
 * Not modelled: clusters, replication and elections (their symptoms are `FaultInjectingClient`'s
 * lost answers, timeouts and drops), scavenging, ACLs (access denied is a fault), persistent
 * subscriptions, projections and links, MaxAppendSize, the checkpoint messages of filtered
 * subscriptions, and the real size of the event-id cache.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  type AllStreamResolvedEvent,
  type AppendToStreamOptions,
  DeadlineExceededError,
  type AppendResult as EsdbAppendResult,
  type EventData,
  type Filter,
  type GetStreamMetadataResult,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type ResolvedEvent,
  StreamDeletedError,
  StreamNotFoundError,
  type SubscribeToAllOptions,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import type { KurrentClient, KurrentSubscription } from './client.ts';

interface StoredRecord {
  /** Index in the log. */
  seq: number;
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  contentType: string;
  data: string | Uint8Array;
  metadata: string | Uint8Array | undefined;
  created: Date;
  position: Position;
}

interface StreamState {
  records: StoredRecord[];
  /** Hidden from stream reads before this revision (`$tb`); soft-deleted: MAX_SAFE_INTEGER. */
  truncateBefore?: number;
  maxCount?: number;
  /** Seconds. */
  maxAge?: number;
  tombstoned?: boolean;
}

export interface SimulatedKurrentDbOptions {
  /** How long a dropped write keeps its caller waiting before the deadline error (ms). */
  deadlineMs?: number;
  /** Entries of the recent event-id cache that `any`/`stream_exists` idempotency consults. */
  eventIdCache?: number;
  now?: () => Date;
}

const SOFT_DELETED = Number.MAX_SAFE_INTEGER;

/** The simulated node: its log, streams and index. Clients reach it through `connect()`. */
export class SimulatedKurrentDb {
  private readonly log: StoredRecord[] = [];
  private readonly streams = new Map<string, StreamState>();
  /** Recently written event ids (insertion-ordered, bounded): id -> stream and revision. */
  private readonly recentIds = new Map<string, { streamId: string; revision: bigint }>();
  private readonly subscriptions = new Set<SimulatedSubscription>();
  /** Records [0, indexed) are visible to reads; the rest are written, not yet indexed. */
  private indexed = 0;
  private holding = false;
  private nextPosition = 0n;
  private readonly options: Required<Omit<SimulatedKurrentDbOptions, 'now'>> & {
    now: () => Date;
  };
  /** Calls made, by kind, over all connections: tests read it to show what a path costs. */
  readonly calls = { append: 0, readStream: 0, readAll: 0, subscribe: 0, metadata: 0 };
  /** Records sent to subscribers, by stream category (the stream id up to its first '-'). */
  readonly delivered = new Map<string, number>();

  constructor(options: SimulatedKurrentDbOptions = {}) {
    this.options = {
      deadlineMs: options.deadlineMs ?? 100,
      eventIdCache: options.eventIdCache ?? 100_000,
      now: options.now ?? (() => new Date()),
    };
    // A fresh node's log starts with its own records, as KurrentDB's does.
    this.writeSystem('$epochs', '$epoch', { epoch: 0 });
  }

  // ---- server-side knobs for tests -------------------------------------------------------

  /** From now on, appends land in the log but stay invisible to reads until `releaseIndex`. */
  holdIndex(): void {
    this.holding = true;
  }

  releaseIndex(): void {
    this.holding = false;
    this.advanceIndex();
  }

  softDelete(streamId: string): void {
    const stream = this.streams.get(streamId);
    if (!stream) return;
    stream.truncateBefore = SOFT_DELETED;
    this.writeSystem(`$$${streamId}`, '$metadata', { $tb: SOFT_DELETED });
  }

  tombstone(streamId: string): void {
    const stream = this.stream(streamId);
    stream.tombstoned = true;
    this.writeSystem(streamId, '$streamDeleted', {});
  }

  setStreamMetadata(
    streamId: string,
    metadata: { truncateBefore?: number; maxCount?: number; maxAge?: number },
  ): void {
    Object.assign(this.stream(streamId), metadata);
    this.writeSystem(`$$${streamId}`, '$metadata', {
      ...(metadata.truncateBefore === undefined ? {} : { $tb: metadata.truncateBefore }),
      ...(metadata.maxCount === undefined ? {} : { $maxCount: metadata.maxCount }),
      ...(metadata.maxAge === undefined ? {} : { $maxAge: metadata.maxAge }),
    });
  }

  /** Writes events of another application (or the server's own) straight into the log. */
  writeForeign(streamId: string, count: number, type = 'ForeignEvent'): void {
    for (let i = 0; i < count; i++) this.writeSystem(streamId, type, { i });
  }

  /** Every record as stored, for assertions (not a client call). */
  records(streamId: string): readonly StoredRecord[] {
    return this.streams.get(streamId)?.records ?? [];
  }

  /** A client connection, as `EventStoreDBClient.connectionString(...)` would open one. */
  connect(options: { throwOnAppendFailure?: boolean } = {}): KurrentClient {
    return new SimulatedConnection(this, options.throwOnAppendFailure ?? true);
  }

  // ---- what the connections call -----------------------------------------------------------

  async append(
    streamName: string,
    events: EventData[],
    expected: NonNullable<AppendToStreamOptions['expectedRevision']>,
    throwOnAppendFailure: boolean,
  ): Promise<EsdbAppendResult> {
    this.calls.append += 1;
    await tick();
    const stream = this.stream(streamName);
    if (stream.tombstoned) throw StreamDeletedError.fromStreamName(streamName);
    const decision = this.checkCommit(streamName, stream, expected, events);
    switch (decision.kind) {
      case 'ok':
        return this.write(streamName, stream, events);
      case 'idempotent':
        return {
          success: true,
          nextExpectedRevision: decision.last.revision,
          position: decision.last.position,
        };
      case 'not-ready':
        // The server drops the write; the client learns nothing until its deadline passes.
        await sleep(this.options.deadlineMs);
        throw new DeadlineExceededError(undefined, 'Deadline exceeded (simulated: write dropped)');
      case 'deleted':
        throw StreamDeletedError.fromStreamName(streamName);
      case 'wrong-expected-version': {
        const current = stream.records.length === 0 ? 'no_stream' : lastRevision(stream);
        if (throwOnAppendFailure) {
          throw new WrongExpectedVersionError(undefined, {
            streamName,
            current,
            expected,
          });
        }
        // As 6.x batchAppend computes it: BigInt(true) when the stream has a revision.
        return { success: false, nextExpectedRevision: current === 'no_stream' ? -1n : 1n };
      }
      default: {
        const _exhaustive: never = decision;
        throw new Error(`unknown decision ${String(_exhaustive)}`);
      }
    }
  }

  readStream(streamName: string, options: ReadStreamOptions = {}): AsyncIterable<ResolvedEvent> {
    this.calls.readStream += 1;
    const direction = options.direction ?? 'forwards';
    const from = options.fromRevision ?? (direction === 'forwards' ? 'start' : 'end');
    const maxCount = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        await tick();
        const stream = self.streams.get(streamName);
        if (stream?.tombstoned) throw StreamDeletedError.fromStreamName(streamName);
        const visible = stream ? self.visibleRecords(stream) : undefined;
        if (!visible) throw new StreamNotFoundError(undefined, streamName);
        const ordered = direction === 'forwards' ? visible : [...visible].reverse();
        let count = 0;
        for (const record of ordered) {
          if (count >= maxCount) break;
          if (from !== 'start' && from !== 'end') {
            if (direction === 'forwards' ? record.revision < from : record.revision > from)
              continue;
          } else if (direction === 'forwards' && from === 'end') break;
          count += 1;
          yield { event: toRecorded(record), commitPosition: record.position.commit };
        }
      },
    };
  }

  readAll(options: ReadAllOptions = {}): AsyncIterable<AllStreamResolvedEvent> {
    this.calls.readAll += 1;
    if (options.direction === 'backwards') throw new Error('not modelled: backwards $all reads');
    const from = options.fromPosition ?? 'start';
    const maxCount = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        await tick();
        let count = 0;
        for (let i = 0; i < self.indexed && count < maxCount; i++) {
          const record = self.log[i]!;
          // A read from a position includes the record at it.
          if (from === 'end' || (from !== 'start' && before(record.position, from))) continue;
          count += 1;
          yield {
            event: toRecorded(record),
            commitPosition: record.position.commit,
          } as AllStreamResolvedEvent;
        }
      },
    };
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): SimulatedSubscription {
    this.calls.subscribe += 1;
    const subscription = new SimulatedSubscription(
      options.fromPosition ?? 'start',
      options.filter,
      (record) => {
        const category = record.streamId.split('-')[0]!;
        this.delivered.set(category, (this.delivered.get(category) ?? 0) + 1);
      },
      () => this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    // Catch up on the next turn, as a server answers: the caller attaches its listeners first.
    setImmediate(() => subscription.offer(this.log, this.indexed));
    return subscription;
  }

  async getStreamMetadata(streamName: string): Promise<GetStreamMetadataResult> {
    this.calls.metadata += 1;
    await tick();
    const stream = this.streams.get(streamName);
    if (
      !stream ||
      (stream.truncateBefore === undefined &&
        stream.maxCount === undefined &&
        stream.maxAge === undefined)
    ) {
      return { streamName };
    }
    return {
      streamName,
      metadata: {
        ...(stream.truncateBefore === undefined ? {} : { truncateBefore: stream.truncateBefore }),
        ...(stream.maxCount === undefined ? {} : { maxCount: stream.maxCount }),
        ...(stream.maxAge === undefined ? {} : { maxAge: stream.maxAge }),
      },
    };
  }

  // ---- internals -----------------------------------------------------------------------------

  private stream(streamId: string): StreamState {
    let stream = this.streams.get(streamId);
    if (!stream) {
      stream = { records: [] };
      this.streams.set(streamId, stream);
    }
    return stream;
  }

  /** KurrentDB's decision for an append (IndexWriter.CheckCommit), on the writer's view. */
  private checkCommit(
    streamId: string,
    stream: StreamState,
    expected: NonNullable<AppendToStreamOptions['expectedRevision']>,
    events: EventData[],
  ):
    | { kind: 'ok' | 'not-ready' | 'deleted' | 'wrong-expected-version' }
    | { kind: 'idempotent'; last: StoredRecord } {
    const current = stream.records.length - 1; // -1: no stream
    const softDeleted = stream.truncateBefore === SOFT_DELETED;
    if (expected === 'stream_exists') {
      if (softDeleted) return { kind: 'deleted' };
      if (current < 0) return { kind: 'wrong-expected-version' };
    }
    if (expected === 'any' || expected === 'stream_exists') {
      const found: StoredRecord[] = [];
      for (const [i, event] of events.entries()) {
        const seen = this.recentIds.get(event.id);
        if (!seen || seen.streamId !== streamId) {
          return { kind: i === 0 ? 'ok' : 'wrong-expected-version' };
        }
        found.push(stream.records[Number(seen.revision)]!);
      }
      return this.idempotent(stream, found[found.length - 1]!);
    }
    const exact = expected === 'no_stream' ? -1 : Number(expected);
    if (exact < current) {
      for (const [i, event] of events.entries()) {
        const record = stream.records[exact + 1 + i];
        if (record?.id === event.id) continue;
        if (i > 0) return { kind: 'wrong-expected-version' }; // corrupted idempotency
        if (expected === 'no_stream' && softDeleted) return { kind: 'ok' };
        return { kind: 'wrong-expected-version' };
      }
      return this.idempotent(stream, stream.records[exact + events.length]!);
    }
    if (exact > current) return { kind: 'wrong-expected-version' };
    return { kind: 'ok' };
  }

  private idempotent(
    stream: StreamState,
    last: StoredRecord,
  ): { kind: 'not-ready' } | { kind: 'idempotent'; last: StoredRecord } {
    const indexedHead = stream.records.filter((r) => this.isIndexed(r)).length - 1;
    return indexedHead >= Number(last.revision)
      ? { kind: 'idempotent', last }
      : { kind: 'not-ready' };
  }

  private write(streamId: string, stream: StreamState, events: EventData[]): EsdbAppendResult {
    if (stream.truncateBefore === SOFT_DELETED) {
      // Recreating a soft-deleted stream: its revisions continue; the old events stay hidden.
      stream.truncateBefore = stream.records.length;
    }
    let last: StoredRecord | undefined;
    for (const event of events) {
      last = this.record(streamId, stream, {
        id: event.id,
        type: event.type,
        contentType: event.contentType,
        data:
          event.contentType === 'application/json'
            ? JSON.stringify(event.data)
            : (event.data as Uint8Array),
        metadata:
          event.metadata === undefined
            ? undefined
            : event.metadata instanceof Uint8Array
              ? event.metadata
              : JSON.stringify(event.metadata),
      });
    }
    this.advanceIndex();
    return { success: true, nextExpectedRevision: last!.revision, position: last!.position };
  }

  private record(
    streamId: string,
    stream: StreamState,
    content: Pick<StoredRecord, 'id' | 'type' | 'contentType' | 'data' | 'metadata'>,
  ): StoredRecord {
    const size = typeof content.data === 'string' ? content.data.length : content.data.byteLength;
    const position = this.nextPosition;
    // Positions are offsets in the log: they grow by each record's size, not by one.
    this.nextPosition += BigInt(128 + size);
    const record: StoredRecord = {
      seq: this.log.length,
      streamId,
      revision: BigInt(stream.records.length),
      created: this.options.now(),
      position: { commit: position, prepare: position },
      ...content,
    };
    stream.records.push(record);
    this.log.push(record);
    this.recentIds.set(record.id, { streamId, revision: record.revision });
    if (this.recentIds.size > this.options.eventIdCache) {
      this.recentIds.delete(this.recentIds.keys().next().value!);
    }
    return record;
  }

  private writeSystem(streamId: string, type: string, data: Record<string, unknown>): void {
    this.record(streamId, this.stream(streamId), {
      id: randomUUID(),
      type,
      contentType: 'application/json',
      data: JSON.stringify(data),
      metadata: undefined,
    });
    this.advanceIndex();
  }

  private advanceIndex(): void {
    if (this.holding) return;
    this.indexed = this.log.length;
    for (const subscription of this.subscriptions) subscription.offer(this.log, this.indexed);
  }

  private isIndexed(record: StoredRecord): boolean {
    return record.seq < this.indexed;
  }

  /** Indexed records a stream read shows; undefined when the stream reads as not found. */
  private visibleRecords(stream: StreamState): StoredRecord[] | undefined {
    const indexed = stream.records.filter((r) => this.isIndexed(r));
    if (indexed.length === 0 || stream.truncateBefore === SOFT_DELETED) return undefined;
    const oldest =
      this.options.now().getTime() - (stream.maxAge ?? Number.POSITIVE_INFINITY) * 1000;
    const fromCount = stream.maxCount === undefined ? 0 : indexed.length - stream.maxCount;
    return indexed.filter(
      (r, i) =>
        Number(r.revision) >= (stream.truncateBefore ?? 0) &&
        i >= fromCount &&
        r.created.getTime() >= oldest,
    );
  }
}

/** One client's connection to the simulated node: the `KurrentClient` surface. */
class SimulatedConnection implements KurrentClient {
  private readonly subscriptions = new Set<SimulatedSubscription>();

  constructor(
    private readonly node: SimulatedKurrentDb,
    private readonly throwOnAppendFailure: boolean,
  ) {}

  appendToStream(
    streamName: string,
    events: EventData | EventData[],
    options: AppendToStreamOptions = {},
  ): Promise<EsdbAppendResult> {
    return this.node.append(
      streamName,
      Array.isArray(events) ? events : [events],
      options.expectedRevision ?? 'any',
      this.throwOnAppendFailure,
    );
  }

  readStream(streamName: string, options?: ReadStreamOptions): AsyncIterable<ResolvedEvent> {
    return this.node.readStream(streamName, options);
  }

  readAll(options?: ReadAllOptions): AsyncIterable<AllStreamResolvedEvent> {
    return this.node.readAll(options);
  }

  subscribeToAll(options?: SubscribeToAllOptions): KurrentSubscription {
    const subscription = this.node.subscribeToAll(options);
    this.subscriptions.add(subscription);
    subscription.on('close', () => this.subscriptions.delete(subscription));
    return subscription;
  }

  getStreamMetadata(streamName: string): Promise<GetStreamMetadataResult> {
    return this.node.getStreamMetadata(streamName);
  }

  async dispose(): Promise<void> {
    for (const subscription of [...this.subscriptions]) await subscription.unsubscribe();
  }
}

/** A catch-up subscription: a readable of resolved events, fed by the simulated node. */
class SimulatedSubscription extends Readable implements KurrentSubscription {
  /** Records [0, next) of the log have been considered. */
  private next = 0;
  private started = false;
  private ended = false;

  constructor(
    private readonly from: 'start' | 'end' | Position,
    private readonly eventFilter: Filter | undefined,
    private readonly onDeliver: (record: StoredRecord) => void,
    private readonly onEnd: () => void,
  ) {
    super({ objectMode: true, read() {} });
  }

  offer(log: readonly StoredRecord[], indexed: number): void {
    if (this.ended) return;
    if (!this.started) {
      this.started = true;
      if (this.from === 'end') this.next = indexed;
    }
    for (; this.next < indexed; this.next++) {
      const record = log[this.next]!;
      // A subscription from a position starts after it.
      if (typeof this.from === 'object' && !before(this.from, record.position)) continue;
      if (!matches(this.eventFilter, record)) continue;
      this.onDeliver(record);
      this.push({ event: toRecorded(record), commitPosition: record.position.commit });
    }
  }

  fail(error: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
    this.destroy(error);
  }

  async unsubscribe(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
    this.destroy();
  }
}

function matches(filter: Filter | undefined, record: StoredRecord): boolean {
  if (!filter) return true;
  const subject = filter.filterOn === 'streamName' ? record.streamId : record.type;
  if ('prefixes' in filter) return filter.prefixes.some((p) => subject.startsWith(p));
  return new RegExp(filter.regex).test(subject);
}

/** Is `a` strictly before `b` in `$all`? */
function before(a: Position, b: Position): boolean {
  return a.commit < b.commit || (a.commit === b.commit && a.prepare < b.prepare);
}

function lastRevision(stream: StreamState): bigint {
  return BigInt(stream.records.length - 1);
}

/** The client's view of a stored record (JSON parsed, as `convertGrpcRecord` does). */
function toRecorded(record: StoredRecord): AllStreamResolvedEvent['event'] {
  const isJson = record.contentType === 'application/json';
  const metadata = typeof record.metadata === 'string' ? parseOr(record.metadata) : record.metadata;
  return {
    streamId: record.streamId,
    id: record.id,
    revision: record.revision,
    type: record.type,
    created: record.created,
    isJson,
    data: isJson && typeof record.data === 'string' ? parseOr(record.data) : record.data,
    metadata,
    position: record.position,
  } as AllStreamResolvedEvent['event'];
}

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return Buffer.from(text);
  }
}

/** A server answers on a later turn, never synchronously. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
