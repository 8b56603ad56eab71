/**
 * The KurrentDB (EventStoreDB) adapter, through `@eventstore/db-client` 6.x.
 *
 * - Connection: `kurrentdb://`, `kdb://` or `esdb://` (each also `+discover`).
 * - Versions: port version n is revision n - 1 (`mapping.ts`).
 * - Hash chain: computed here and stored in each event's metadata
 *   (`{ metadata, yishi: { schemaVersion, prevHash, hash, commandId } }`), so an append needs the
 *   stream's head: a bounded cache of heads saves its read. Every append is sent at an exact
 *   revision (KurrentDB checks it atomically); 'any' and 'streamExists' are checked against the
 *   head and retried when another writer moved it. Only what this store wrote and was told
 *   succeeded is cached; anything else drops the head from the cache.
 * - Idempotency: `commands.ts`. An attempt reserves its command, then appends events whose ids
 *   are its own; a retry finds an earlier attempt's events by id at the versions it reserved.
 * - Integrity: a stream KurrentDB deleted (softly) or truncated (`$tb`, `$maxCount`, `$maxAge`)
 *   is refused on read and append, and reported by verification: a fold from its middle would
 *   be silently wrong.
 * - Global order: `$all` without system, bookkeeping or foreign records. Checkpoint = (commit,
 *   prepare) position. Scoped verification reads the streams listed for the scope, not `$all`.
 * - Subscriptions: catch-up to `$all` filtered by the server, resubscribing after a drop.
 */

import { randomUUID } from 'node:crypto';
import { type AppendResult as EsdbAppendResult, jsonEvent } from '@eventstore/db-client';
import { EventStoreError, VersionConflictError } from '../errors.ts';
import { GENESIS_HASH } from '../hash.ts';
import type {
  AppendGroup,
  AppendOptions,
  AppendResult,
  BatchHandler,
  Checkpoint,
  EventHeader,
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
} from '../validation.ts';
import {
  appendChecked,
  connectClient,
  esdbConnectionString,
  type KurrentClient,
  mapEsdbError,
  WrongRevision,
} from './client.ts';
import { landedResult, planAttempt, readAttempts, reserve, writtenResults } from './commands.ts';
import {
  COMMAND_CATEGORY,
  chainEvents,
  checkpointOfPosition,
  DIRECTORY_CATEGORY,
  directoryStreamOf,
  isAdapterStream,
  scopeOfPrefix,
  scopeOfStream,
  toExpectedRevision,
  toRecordedEvent,
  versionOfRevision,
} from './mapping.ts';
import {
  catchUpSubscription,
  gapBefore,
  hidesEvents,
  readAllEvents,
  readHead,
  readRaw,
  readReaching,
  truncated,
} from './reading.ts';
import { verifyAllOfAll, verifyScope, verifyStreamIn } from './verification.ts';

export interface EventStoreDbEventStoreOptions {
  /** `kurrentdb://host:2113?tls=false` and the like. */
  connectionString: string;
  upcasters?: Upcaster[];
  /** Tests: a simulated or fault-injecting client instead of a connection. */
  client?: KurrentClient;
}

const HEAD_CACHE_LIMIT = 10_000;
/** Attempts of an append that keeps losing races (for the head, or for its command's record). */
const MAX_ATTEMPTS = 100;

type Group = { commandId?: string | undefined; events: NewEvent[] };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class EventStoreDbEventStore implements EventStore {
  readonly client: KurrentClient;
  private readonly upcasters: Upcaster[];
  private readonly heads = new Map<string, StreamHead>();
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;

  constructor(options: EventStoreDbEventStoreOptions) {
    const url = esdbConnectionString(options.connectionString);
    this.client = options.client ?? connectClient(url);
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

  /**
   * One attempt after another until the append is written, found written by an earlier attempt,
   * or refused. Each attempt: read the commands' attempts and the head; stop on a landed one;
   * check `expected`; reserve; append at the head's exact revision.
   */
  private async appendInternal(
    streamId: string,
    groups: Group[],
    expected: ExpectedVersion,
  ): Promise<AppendResult[]> {
    assertPortStream(streamId);
    assertExpected(expected);
    const prepared = prepareAppend(streamId, groups);
    this.assertOpen();
    return this.guard(async () => {
      // What KurrentDB reported when it refused a write: reads must show as much before the
      // next look (a write it took may not be indexed yet).
      let reported: number | undefined;
      const reportedAttempts = new Map<string, number>();
      for (let attempt = 1; ; attempt++) {
        const cached = attempt === 1 ? this.heads.get(streamId) : undefined;
        const [attempts, read] = await Promise.all([
          Promise.all(
            groups.map((g) =>
              g.commandId
                ? readReaching(
                    () => readAttempts(this.client, g.commandId!),
                    (a) => a.length,
                    reportedAttempts.get(g.commandId),
                    `the attempts of command ${g.commandId}`,
                  )
                : [],
            ),
          ),
          cached
            ? undefined
            : readReaching(
                () => readHead(this.client, streamId),
                (h) => h?.version ?? 0,
                reported,
                `stream ${streamId}`,
              ),
        ]);
        const known = await Promise.all(
          groups.map((g, i) =>
            g.commandId && attempts[i]!.length > 0
              ? landedResult(this.client, g.commandId, attempts[i]!)
              : undefined,
          ),
        );
        if (known.every((k) => k !== undefined)) {
          this.heads.delete(streamId);
          return known;
        }
        if (known.some((k) => k !== undefined)) {
          throw new EventStoreError(
            'invalid-event',
            'some commands of this append were appended before, others not',
            { streamId },
          );
        }
        const head = cached ?? read ?? { version: 0, hash: GENESIS_HASH };
        if (!satisfies(expected, head.version)) {
          if (cached) continue; // the cache may be stale: ask the server
          throw new VersionConflictError(streamId, describeExpected(expected), head.version);
        }
        const plan = planAttempt(streamId, head.version, groups, attempts);
        const [refusals] = await Promise.all([
          Promise.all(
            plan.reservations.map((r) =>
              reserve(this.client, r.commandId, r.attempt, r.reservation),
            ),
          ),
          head.version === 0 ? this.prepareNewStream(streamId) : undefined,
        ]);
        if (refusals.some((r) => r !== undefined)) {
          // Another attempt of a command came first: look again.
          refusals.forEach((r, i) => {
            if (r) reportedAttempts.set(plan.reservations[i]!.commandId, r.taken);
          });
          if (attempt >= MAX_ATTEMPTS) throw unsettled(streamId);
          continue;
        }
        const chained = chainEvents(head, prepared, plan.ids);
        let result: EsdbAppendResult;
        try {
          result = await appendChecked(
            this.client,
            streamId,
            chained.events.map((e) =>
              jsonEvent({
                id: e.id,
                type: e.type,
                data: e.data,
                metadata: e.metadata as unknown as Record<string, unknown>,
              }),
            ),
            toExpectedRevision(head.version),
          );
        } catch (error) {
          this.heads.delete(streamId);
          if (!(error instanceof WrongRevision)) throw error;
          reported = error.actualVersion;
          if (attempt >= MAX_ATTEMPTS) throw unsettled(streamId);
          // Another writer moved the head, or an earlier attempt of these commands landed: back
          // off a little (randomly), then look again.
          await sleep(Math.random() * Math.min(100, 2 ** attempt));
          continue;
        }
        const version = versionOfRevision(result.nextExpectedRevision);
        if (version !== head.version + prepared.length) {
          // Written at other revisions than chained: KurrentDB recreated a deleted stream.
          this.heads.delete(streamId);
          throw truncated(streamId, `its events now end at version ${version}`);
        }
        this.rememberHead(streamId, { version, hash: chained.lastHash });
        const checkpoint: Checkpoint = result.position
          ? checkpointOfPosition(result.position)
          : { transactionId: 0n, globalPosition: 0n };
        return writtenResults(streamId, groups, head.version, checkpoint);
      }
    });
  }

  /**
   * Before a stream's first events: refuse a stream KurrentDB would hide events of (a deleted
   * one, recreated at later revisions, or one with a retention policy), and list the stream under
   * its scope, for scoped verification.
   */
  private async prepareNewStream(streamId: string): Promise<void> {
    const scope = scopeOfStream(streamId);
    const [metadata] = await Promise.all([
      this.client.getStreamMetadata(streamId),
      scope
        ? appendChecked(
            this.client,
            directoryStreamOf(scope),
            [jsonEvent({ id: randomUUID(), type: 'StreamCreated', data: { streamId } })],
            'any',
          )
        : undefined,
    ]);
    if (hidesEvents(metadata.metadata)) {
      throw truncated(streamId, 'it has a deletion or retention policy in KurrentDB');
    }
  }

  async findCommand(commandId: string): Promise<AppendResult | undefined> {
    assertCommandId(commandId);
    this.assertOpen();
    return this.guard(async () =>
      landedResult(this.client, commandId, await readAttempts(this.client, commandId)),
    );
  }

  async streamHead(streamId: string): Promise<StreamHead | undefined> {
    assertPortStream(streamId);
    this.assertOpen();
    return this.guard(() => readHead(this.client, streamId));
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    assertPortStream(streamId);
    const { from, maxCount } = readStreamRange(options);
    this.assertOpen();
    if (maxCount === 0) return [];
    return this.guard(async () => {
      const raw = await readRaw(this.client, streamId, from, maxCount);
      const gap = await gapBefore(this.client, streamId, from, raw);
      if (gap) throw truncated(streamId, gap);
      return raw.flatMap((r) => {
        const event = toRecordedEvent(r);
        return event ? [this.upcast(event)] : [];
      });
    });
  }

  async readAll(from: Checkpoint, batchSize: number): Promise<ReadAllResult> {
    assertCheckpoint(from);
    assertBatchSize(batchSize);
    this.assertOpen();
    return this.guard(() => readAllEvents(this.client, from, batchSize, (e) => this.upcast(e)));
  }

  /** `readAll` mapped to headers: the client reads the events whole from `$all` anyway. */
  async readHeaders(from: Checkpoint, batchSize: number): Promise<ReadAllResult<EventHeader>> {
    assertCheckpoint(from);
    assertBatchSize(batchSize);
    this.assertOpen();
    return this.guard(() => readAllEvents(this.client, from, batchSize, headerOf));
  }

  subscribe(from: Checkpoint, handler: BatchHandler, options: SubscribeOptions = {}): Subscription {
    return this.catchUp(from, handler, options, (e) => this.upcast(e));
  }

  subscribeHeaders(
    from: Checkpoint,
    handler: BatchHandler<EventHeader>,
    options: SubscribeOptions = {},
  ): Subscription {
    return this.catchUp(from, handler, options, headerOf);
  }

  private catchUp<E extends EventHeader>(
    from: Checkpoint,
    handler: BatchHandler<E>,
    options: SubscribeOptions,
    map: (event: RecordedEvent) => E,
  ): Subscription {
    assertCheckpoint(from);
    const opts = options ?? {};
    const batchSize = opts.batchSize ?? 1000;
    assertBatchSize(batchSize);
    this.assertOpen();
    const subscription = catchUpSubscription(this.client, from, handler, batchSize, opts, map);
    this.subscriptions.add(subscription);
    void subscription.done.catch(() => {}).finally(() => this.subscriptions.delete(subscription));
    return subscription;
  }

  async verifyStream(streamId: string): Promise<VerifyResult> {
    assertPortStream(streamId);
    this.assertOpen();
    return this.guard(() => verifyStreamIn(this.client, streamId));
  }

  /**
   * With a prefix inside one scope ("proposal-c1."): the streams listed for that scope, read one
   * by one. Otherwise all of `$all` (so: slow on a large store).
   */
  async verifyAll(options: { streamPrefix?: string } = {}): Promise<VerifyResult> {
    const prefix = options?.streamPrefix ?? '';
    if (typeof prefix !== 'string') {
      throw new EventStoreError('invalid-argument', 'streamPrefix must be a string');
    }
    this.assertOpen();
    const scope = scopeOfPrefix(prefix);
    return this.guard(() =>
      scope ? verifyScope(this.client, scope, prefix) : verifyAllOfAll(this.client, prefix),
    );
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

/** A port stream id, outside the adapter's own categories. */
function assertPortStream(streamId: string): void {
  assertStreamId(streamId);
  if (isAdapterStream(streamId)) {
    throw new EventStoreError(
      'invalid-stream-id',
      `the categories ${COMMAND_CATEGORY} and ${DIRECTORY_CATEGORY} are the KurrentDB adapter's own`,
      { streamId },
    );
  }
}

function unsettled(streamId: string): EventStoreError {
  return new EventStoreError(
    'store-unavailable',
    `stream ${streamId}: the append kept losing races for ${MAX_ATTEMPTS} attempts; retry it`,
    { streamId },
  );
}

// For suites that run over this adapter (the transparency log's): a client of the same node, and
// which of its streams are the adapter's own records.
export { connectClient } from './client.ts';
export { isAdapterStream } from './mapping.ts';
export { COMMAND_CATEGORY, mapEsdbError };
