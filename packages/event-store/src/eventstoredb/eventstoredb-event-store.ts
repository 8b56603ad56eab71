/**
 * The EventStoreDB (KurrentDB) adapter, for production at scale.
 *
 * - Connection: an `esdb://` (or `esdb+discover://`) connection string.
 * - Versions: one numbering in the port (see `mapping.ts`): port version n is revision n - 1.
 * - Hash chain: computed here and stored in each event's metadata
 *   (`{ metadata, yishi: { schemaVersion, prevHash, hash, commandId } }`); the data is the
 *   event's data. So the chain needs the stream's head before an append: a bounded cache of
 *   heads makes a warm append one round trip for the append itself. Every append is sent with
 *   an exact expected revision (EventStoreDB checks it atomically); 'any' and 'streamExists'
 *   are checked against the head read and retried when another writer moved it.
 * - Idempotency: event ids are derived from the command id (`eventIdFor`), so EventStoreDB
 *   itself recognises a retried write at the same expected revision. Each command id also gets
 *   a marker stream `yishi_cmd-<sha256(command id)>` whose one event says where the command
 *   landed: `findCommand` reads it, every append with command ids looks it up first, and the
 *   marker written after the events decides which of several identical concurrent appends is
 *   the first (EventStoreDB accepts all of them as one idempotent write; the others are
 *   reported as duplicates). EventStoreDB has no multi-stream transactions: if the process dies
 *   between events and marker, a retry with an exact expected version (or noStream) finds the
 *   events by id after that version and writes the marker then. Limit: a retry with 'any' or
 *   'streamExists' racing a first attempt that is still in flight (its marker not yet written)
 *   can append the command twice; commands that need exactly-once use exact versions, as the
 *   command service does.
 * - Global order: `$all`, filtered to this adapter's events (no system, marker or foreign
 *   events). Checkpoint = (commit, prepare) position. Reads from a position include it, so
 *   events at or before the checkpoint are dropped.
 * - Subscriptions: a catch-up subscription to `$all` with a server-side filter, batched, with a
 *   resubscribe loop from the last delivered checkpoint after any error or end.
 * - Tamper evidence: EventStoreDB events cannot be updated; `verifyStream`/`verifyAll` still
 *   recompute the chain (a scavenged or rewritten database would break it).
 */

import { randomUUID } from 'node:crypto';
import {
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendExpectedRevision,
  BACKWARDS,
  END,
  START as ESDB_START,
  type AppendResult as EsdbAppendResult,
  EventStoreDBClient,
  excludeSystemEvents,
  FORWARDS,
  jsonEvent,
  type ResolvedEvent,
  streamNameFilter,
} from '@eventstore/db-client';
import { EventStoreError, VersionConflictError } from '../errors.ts';
import { GENESIS_HASH } from '../hash.ts';
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
  assertBatchSize,
  assertCheckpoint,
  assertCommandId,
  assertExpected,
  assertStreamId,
  describeExpected,
  prepareAppend,
  readStreamRange,
  satisfies,
} from '../validation.ts';
import { ChainVerifier } from '../verify.ts';
import {
  COMMAND_CATEGORY,
  type CommandRecord,
  chainEvents,
  checkpointOfPosition,
  commandStreamOf,
  type EsdbRecorded,
  eventIdFor,
  isAfter,
  isCommandRecord,
  isStart,
  positionOfCheckpoint,
  toExpectedRevision,
  toRecordedEvent,
  versionOfCurrent,
  versionOfRevision,
} from './mapping.ts';

export interface EventStoreDbEventStoreOptions {
  /** `esdb://host:2113?tls=false` and the like. */
  connectionString: string;
  upcasters?: Upcaster[];
}

const HEAD_CACHE_LIMIT = 10_000;
/** Attempts of an 'any'/'streamExists' append that keeps losing races for the head. */
const MAX_ATTEMPTS = 100;
const MAX_RETRY_DELAY_MS = 5000;

type Group = { commandId?: string | undefined; events: NewEvent[] };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class EventStoreDbEventStore implements EventStore {
  readonly client: EventStoreDBClient;
  private readonly upcasters: Upcaster[];
  private readonly heads = new Map<string, StreamHead>();
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;

  constructor(options: EventStoreDbEventStoreOptions) {
    if (!/^esdb(\+discover)?:\/\//.test(options.connectionString)) {
      throw new EventStoreError(
        'invalid-argument',
        'the EventStoreDB connection string must start with esdb:// or esdb+discover://',
      );
    }
    this.client = EventStoreDBClient.connectionString(options.connectionString);
    this.upcasters = options.upcasters ?? [];
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
    const [result] = await this.appendInternal(
      streamId,
      [{ commandId: options.commandId, events }],
      options.expected,
    );
    return result!;
  }

  appendGroups(
    streamId: string,
    groups: AppendGroup[],
    options: { expected: ExpectedVersion },
  ): Promise<AppendResult[]> {
    return this.appendInternal(streamId, groups, options?.expected);
  }

  private async appendInternal(
    streamId: string,
    groups: Group[],
    expected: ExpectedVersion,
  ): Promise<AppendResult[]> {
    assertStreamId(streamId);
    assertExpected(expected);
    const prepared = prepareAppend(streamId, groups);
    this.assertOpen();
    const commandIds = groups.flatMap((g) => (g.commandId === undefined ? [] : [g.commandId]));
    return this.guard(async () => {
      let cachedHead = this.heads.get(streamId);
      // The command markers and (when not cached) the head, read together.
      const [known, firstHead] = await Promise.all([
        commandIds.length > 0 ? this.duplicateOf(groups) : undefined,
        cachedHead ? undefined : this.readHead(streamId),
      ]);
      if (known) return known;
      let serverHead: StreamHead | undefined = firstHead;
      for (let attempt = 1; ; attempt++) {
        const head = cachedHead ??
          (attempt === 1 ? serverHead : await this.readHead(streamId)) ?? {
            version: 0,
            hash: GENESIS_HASH,
          };
        const fromCache = cachedHead !== undefined;
        cachedHead = undefined;
        serverHead = undefined;
        if (!satisfies(expected, head.version)) {
          if (fromCache) continue; // the cache may be stale: ask the server
          // A retry of a command that landed (its marker missing): its events follow `expected`.
          if (commandIds.length > 0 && (typeof expected === 'number' || expected === 'noStream')) {
            const base = expected === 'noStream' ? 0 : expected;
            const landed = await this.findInStream(streamId, groups, base);
            if (landed) {
              await this.recordCommands(groups, landed);
              return landed.map((r) => ({ ...r, duplicate: true }));
            }
          }
          throw new VersionConflictError(streamId, describeExpected(expected), head.version);
        }
        const revision: AppendExpectedRevision = toExpectedRevision(head.version);
        const chained = chainEvents(head, groups, prepared);
        const events = chained.events.map((e) =>
          jsonEvent({
            id: e.id,
            type: e.type,
            data: e.data,
            metadata: e.metadata as unknown as Record<string, unknown>,
          }),
        );
        const lastHash = chained.lastHash;
        let result: EsdbAppendResult;
        try {
          result = await this.client.appendToStream(streamId, events, {
            expectedRevision: revision,
          });
        } catch (error) {
          if (!isWrongExpectedVersion(error)) throw error;
          this.heads.delete(streamId);
          if (commandIds.length > 0) {
            const landed = await this.findInStream(streamId, groups, head.version);
            if (landed) {
              await this.recordCommands(groups, landed);
              return landed.map((r) => ({ ...r, duplicate: true }));
            }
          }
          const actual = versionOfCurrent(error.actualVersion);
          if (fromCache) continue;
          if (typeof expected !== 'number' && expected !== 'noStream' && attempt < MAX_ATTEMPTS) {
            // Another writer moved the head: back off a little (randomly), read it, try again.
            await sleep(Math.random() * Math.min(100, 2 ** attempt));
            continue;
          }
          throw new VersionConflictError(streamId, describeExpected(expected), actual);
        }
        const version = versionOfRevision(result.nextExpectedRevision);
        this.rememberHead(streamId, { version, hash: lastHash });
        const checkpoint: Checkpoint = result.position
          ? checkpointOfPosition(result.position)
          : { transactionId: 0n, globalPosition: 0n };
        const results = resultsFor(streamId, groups, head.version, checkpoint);
        return await this.recordCommands(groups, results);
      }
    });
  }

  /**
   * Writes each command's marker stream, expecting it not to exist. The marker decides which of
   * several identical concurrent appends (which EventStoreDB all accepts as one idempotent write)
   * is reported as the first: the one whose marker landed. Others return the marker's result
   * as a duplicate. A random marker id keeps EventStoreDB from treating two writers' markers as
   * one idempotent write; the writer nonce recognises our own marker after a retry.
   */
  private async recordCommands(groups: Group[], results: AppendResult[]): Promise<AppendResult[]> {
    const nonce = randomUUID();
    return Promise.all(
      groups.map(async (group, i) => {
        const result = results[i]!;
        if (group.commandId === undefined) return result;
        const record: CommandRecord = {
          streamId: result.streamId,
          version: result.nextExpectedVersion,
          commit: result.checkpoint.transactionId.toString(),
          prepare: result.checkpoint.globalPosition.toString(),
          writer: nonce,
        };
        try {
          await this.client.appendToStream(
            commandStreamOf(group.commandId),
            jsonEvent({ id: randomUUID(), type: 'CommandAppended', data: { ...record } }),
            { expectedRevision: 'no_stream' },
          );
          return result;
        } catch (error) {
          if (!isWrongExpectedVersion(error)) throw error;
          const [marker] = await this.readRaw(commandStreamOf(group.commandId), 1, 1);
          if (marker && isCommandRecord(marker.data) && marker.data.writer === nonce) return result;
          const first = await this.findCommand(group.commandId);
          return first ?? { ...result, duplicate: true };
        }
      }),
    );
  }

  /** When every group's command was appended before, their stored results. */
  private async duplicateOf(groups: Group[]): Promise<AppendResult[] | undefined> {
    const found = await Promise.all(
      groups.map((g) => (g.commandId === undefined ? undefined : this.findCommand(g.commandId))),
    );
    if (found.every((f) => f !== undefined)) return found as AppendResult[];
    if (found.some((f) => f !== undefined)) {
      throw new EventStoreError(
        'invalid-event',
        'some commands of this append were appended before, others not',
      );
    }
    return undefined;
  }

  /** After a lost race: did our own events land after `fromVersion` (a concurrent retry)? */
  private async findInStream(
    streamId: string,
    groups: Group[],
    fromVersion: number,
  ): Promise<AppendResult[] | undefined> {
    const firstIds = new Map<string, number>();
    groups.forEach((g, i) => {
      if (g.commandId !== undefined) firstIds.set(eventIdFor(g.commandId, 0), i);
    });
    if (firstIds.size !== groups.length) return undefined;
    const events = await this.readRaw(streamId, fromVersion + 1, 10_000);
    const start = events.findIndex((e) => firstIds.has(e.id));
    if (start < 0) return undefined;
    const base = versionOfRevision(events[start]!.revision) - 1;
    const lastPosition =
      events[start + groups.reduce((n, g) => n + g.events.length, 0) - 1]?.position;
    const checkpoint = lastPosition
      ? checkpointOfPosition(lastPosition)
      : { transactionId: 0n, globalPosition: 0n };
    return resultsFor(streamId, groups, base, checkpoint).map((r) => ({ ...r, duplicate: true }));
  }

  async findCommand(commandId: string): Promise<AppendResult | undefined> {
    assertCommandId(commandId);
    this.assertOpen();
    return this.guard(async () => {
      const [marker] = await this.readRaw(commandStreamOf(commandId), 1, 1);
      if (!marker || !isCommandRecord(marker.data)) return undefined;
      const record = marker.data;
      const globalPosition = BigInt(record.prepare);
      return {
        streamId: record.streamId,
        nextExpectedVersion: record.version,
        lastGlobalPosition: globalPosition,
        checkpoint: { transactionId: BigInt(record.commit), globalPosition },
        duplicate: true,
      };
    });
  }

  async streamHead(streamId: string): Promise<StreamHead | undefined> {
    assertStreamId(streamId);
    this.assertOpen();
    return this.guard(() => this.readHead(streamId));
  }

  private async readHead(streamId: string): Promise<StreamHead | undefined> {
    const read = this.client.readStream(streamId, {
      direction: BACKWARDS,
      fromRevision: END,
      maxCount: 1,
    });
    try {
      for await (const resolved of read) {
        const event = resolved.event ? toRecordedEvent(resolved.event as EsdbRecorded) : undefined;
        if (!event) {
          throw new EventStoreError(
            'invalid-stream-id',
            `stream ${streamId} holds events not written by this store`,
          );
        }
        return { version: event.streamVersion, hash: event.hash };
      }
      return undefined;
    } catch (error) {
      if (isStreamNotFound(error)) return undefined;
      throw error;
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    assertStreamId(streamId);
    const { from, maxCount } = readStreamRange(options);
    this.assertOpen();
    if (maxCount === 0) return [];
    return this.guard(async () => {
      const raw = await this.readRaw(streamId, from, maxCount);
      return raw.flatMap((r) => {
        const event = toRecordedEvent(r);
        return event ? [this.upcast(event)] : [];
      });
    });
  }

  /** Events of a stream from port version `from`, as stored. A missing stream is empty. */
  private async readRaw(
    streamId: string,
    from: number,
    maxCount: number | undefined,
  ): Promise<(EsdbRecorded & { id: string })[]> {
    const out: (EsdbRecorded & { id: string })[] = [];
    try {
      const read = this.client.readStream(streamId, {
        direction: FORWARDS,
        fromRevision: BigInt(from - 1),
        ...(maxCount === undefined ? {} : { maxCount: BigInt(maxCount) }),
      });
      for await (const resolved of read as AsyncIterable<ResolvedEvent>) {
        if (resolved.event) out.push(resolved.event as unknown as EsdbRecorded & { id: string });
      }
    } catch (error) {
      if (isStreamNotFound(error)) return [];
      throw error;
    }
    return out;
  }

  async readAll(from: Checkpoint, batchSize: number): Promise<ReadAllResult> {
    assertCheckpoint(from);
    assertBatchSize(batchSize);
    this.assertOpen();
    return this.guard(() => this.readAllEvents(from, batchSize, true));
  }

  /** Pages of `$all` until the batch is full or `$all` ends; other events are skipped. */
  private async readAllEvents(
    from: Checkpoint,
    batchSize: number,
    upcast: boolean,
  ): Promise<ReadAllResult> {
    const events: RecordedEvent[] = [];
    let cursor = from;
    const pageSize = batchSize + 1; // a read from a position includes it
    for (let page = 0; page < 100 && events.length < batchSize; page++) {
      const read = this.client.readAll({
        direction: FORWARDS,
        fromPosition: isStart(cursor) ? ESDB_START : positionOfCheckpoint(cursor),
        maxCount: BigInt(pageSize),
        resolveLinkTos: false,
      });
      let count = 0;
      for await (const resolved of read as AsyncIterable<AllStreamResolvedEvent>) {
        count += 1;
        const raw = resolved.event;
        if (!raw?.position || !isAfter(raw.position, cursor)) continue;
        cursor = checkpointOfPosition(raw.position);
        const event = toRecordedEvent(raw as EsdbRecorded);
        if (event) events.push(upcast ? this.upcast(event) : event);
        if (events.length >= batchSize) break;
      }
      if (count < pageSize) break; // the end of $all
    }
    const last = events[events.length - 1];
    return {
      events,
      checkpoint: last
        ? { transactionId: last.transactionId, globalPosition: last.globalPosition }
        : from,
    };
  }

  subscribe(from: Checkpoint, handler: BatchHandler, options: SubscribeOptions = {}): Subscription {
    assertCheckpoint(from);
    const opts = options ?? {};
    const batchSize = opts.batchSize ?? 1000;
    assertBatchSize(batchSize);
    this.assertOpen();
    const subscription = this.catchUpSubscription(from, handler, batchSize, opts);
    this.subscriptions.add(subscription);
    void subscription.done.catch(() => {}).finally(() => this.subscriptions.delete(subscription));
    return subscription;
  }

  /**
   * Catch-up subscription to `$all` with a server-side filter, delivered in batches of what has
   * arrived (up to batchSize), one batch at a time. After an error or the end of the
   * subscription it resubscribes from the last delivered checkpoint, with a growing delay.
   */
  private catchUpSubscription(
    from: Checkpoint,
    handler: BatchHandler,
    batchSize: number,
    options: SubscribeOptions,
  ): Subscription {
    let stopped = false;
    let current: AllStreamSubscription | undefined;
    let wake: (() => void) | undefined;
    const prefixes = options.streamPrefixes;
    const filter = prefixes?.length ? streamNameFilter({ prefixes }) : excludeSystemEvents();

    const run = async () => {
      let checkpoint = from;
      let failures = 0;
      while (!stopped) {
        const sub = this.client.subscribeToAll({
          fromPosition: isStart(checkpoint) ? ESDB_START : positionOfCheckpoint(checkpoint),
          filter,
          resolveLinkTos: false,
        });
        current = sub;
        let ended = false;
        let failure: unknown;
        const signal = () => {
          const w = wake;
          wake = undefined;
          w?.();
        };
        sub.on('readable', signal);
        sub.on('end', () => {
          ended = true;
          signal();
        });
        sub.on('close', () => {
          ended = true;
          signal();
        });
        sub.on('error', (error: unknown) => {
          failure = error;
          ended = true;
          signal();
        });
        try {
          while (!stopped && !ended) {
            const batch: RecordedEvent[] = [];
            while (batch.length < batchSize) {
              const item = sub.read() as AllStreamResolvedEvent | null;
              if (item === null) break;
              const raw = item.event;
              if (!raw?.position || !isAfter(raw.position, checkpoint)) continue;
              const event = toRecordedEvent(raw as EsdbRecorded);
              if (!event) continue;
              if (prefixes && !prefixes.some((p) => event.streamId.startsWith(p))) continue;
              batch.push(this.upcast(event));
            }
            if (batch.length === 0) {
              if (sub.readableLength > 0) continue;
              await new Promise<void>((resolve) => {
                wake = resolve;
                if (sub.readableLength > 0 || ended || stopped) signal();
              });
              continue;
            }
            const last = batch[batch.length - 1]!;
            const next = { transactionId: last.transactionId, globalPosition: last.globalPosition };
            await handler(batch, next);
            checkpoint = next;
            failures = 0;
          }
        } finally {
          current = undefined;
          await sub.unsubscribe().catch(() => {});
        }
        if (stopped) break;
        failures += 1;
        if (failure !== undefined) options.onError?.(failure);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(
            resolve,
            Math.min(MAX_RETRY_DELAY_MS, 50 * 2 ** Math.min(failures, 10)),
          );
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    };
    const done = run();
    done.catch(() => {});
    return {
      done,
      async stop() {
        stopped = true;
        const w = wake;
        wake = undefined;
        w?.();
        await current?.unsubscribe().catch(() => {});
        await done.catch(() => {});
      },
    };
  }

  async verifyStream(streamId: string): Promise<VerifyResult> {
    assertStreamId(streamId);
    this.assertOpen();
    return this.guard(async () => {
      const verifier = new ChainVerifier();
      for (const raw of await this.readRaw(streamId, 1, undefined)) {
        const event = toRecordedEvent(raw);
        if (!event) {
          return {
            ok: false,
            streams: 1,
            events: 0,
            firstBroken: {
              streamId,
              streamVersion: versionOfRevision(raw.revision),
              reason: 'not an event of this store',
            },
          };
        }
        if (!verifier.add(event)) break;
      }
      return verifier.result();
    });
  }

  /** Reads all of `$all` (so: slow on a large store), verifying every stream's chain. */
  async verifyAll(options: { streamPrefix?: string } = {}): Promise<VerifyResult> {
    const prefix = options?.streamPrefix ?? '';
    if (typeof prefix !== 'string') {
      throw new EventStoreError('invalid-argument', 'streamPrefix must be a string');
    }
    this.assertOpen();
    return this.guard(async () => {
      const verifier = new ChainVerifier();
      let checkpoint: Checkpoint = { transactionId: 0n, globalPosition: 0n };
      for (;;) {
        const batch = await this.readAllEvents(checkpoint, 1000, false);
        if (batch.events.length === 0) break;
        for (const event of batch.events) {
          if (event.streamId.startsWith(prefix) && !verifier.add(event)) return verifier.result();
        }
        checkpoint = batch.checkpoint;
      }
      return verifier.result();
    });
  }

  private upcast(event: RecordedEvent): RecordedEvent {
    return this.upcasters.length ? upcastEvent(event, this.upcasters) : event;
  }

  private rememberHead(streamId: string, head: StreamHead): void {
    if (this.heads.size >= HEAD_CACHE_LIMIT) {
      const oldest = this.heads.keys().next().value;
      if (oldest !== undefined) this.heads.delete(oldest);
    }
    this.heads.delete(streamId);
    this.heads.set(streamId, head);
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreError('store-unavailable', 'the event store is closed');
  }

  /** Typed errors for what a caller can act on. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw mapEsdbError(error);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    this.closed = true;
    await this.client.dispose().catch(() => {});
  }
}

/** Per group: its last version and the append's checkpoint (positions per event are not returned). */
function resultsFor(
  streamId: string,
  groups: Group[],
  baseVersion: number,
  checkpoint: Checkpoint,
): AppendResult[] {
  let offset = 0;
  return groups.map((group) => {
    offset += group.events.length;
    return {
      streamId,
      nextExpectedVersion: baseVersion + offset,
      lastGlobalPosition: checkpoint.globalPosition,
      checkpoint,
      duplicate: false,
    };
  });
}

interface WrongExpectedVersion {
  actualVersion: bigint | 'no_stream';
}

function errorType(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null
    ? ((error as { type?: unknown }).type as string | undefined)
    : undefined;
}

function isWrongExpectedVersion(error: unknown): error is WrongExpectedVersion {
  return errorType(error) === 'wrong-expected-version';
}

function isStreamNotFound(error: unknown): boolean {
  return errorType(error) === 'stream-not-found';
}

const UNAVAILABLE = new Set([
  'unavailable',
  'deadline-exceeded',
  'timeout',
  'not-leader',
  'cancelled',
]);

export function mapEsdbError(error: unknown): Error {
  if (error instanceof EventStoreError) return error;
  const type = errorType(error);
  const message = error instanceof Error ? error.message : String(error);
  if (type && UNAVAILABLE.has(type)) {
    return new EventStoreError('store-unavailable', `event store unavailable: ${message}`, {
      cause: type,
    });
  }
  if (type === 'maximum-append-size-exceeded') {
    return new EventStoreError('event-too-large', message);
  }
  if (type === 'stream-deleted') {
    return new EventStoreError('invalid-stream-id', `stream deleted: ${message}`);
  }
  return error instanceof Error ? error : new Error(message);
}

export { COMMAND_CATEGORY };
