/**
 * Reading KurrentDB for the adapter: streams as stored, stream heads, pages of `$all` (the 6.x
 * client has no server-side filter for reads, so other records are skipped here), and catch-up
 * subscriptions delivered in batches.
 */
import {
  type AllStreamResolvedEvent,
  BACKWARDS,
  END,
  START as ESDB_START,
  FORWARDS,
  type StreamMetadata,
  streamNameFilter,
} from '@eventstore/db-client';
import { EventStoreError } from '../errors.ts';
import type {
  BatchHandler,
  Checkpoint,
  EventHeader,
  ReadAllResult,
  RecordedEvent,
  StreamHead,
  SubscribeOptions,
  Subscription,
} from '../types.ts';
import { isStreamNotFound, type KurrentClient } from './client.ts';
import {
  checkpointOfPosition,
  type EsdbRecorded,
  isAfter,
  isStart,
  PORT_STREAMS_REGEX,
  positionOfCheckpoint,
  toRecordedEvent,
  versionOfRevision,
} from './mapping.ts';

export type RawEvent = EsdbRecorded & { id: string };

const MAX_RETRY_DELAY_MS = 5000;
/** Pages of `$all` grow up to this while they hold no events of the port. */
const MAX_PAGE = 4096;

/** Events of a stream from port version `from`, as stored. A missing stream is empty. */
export async function readRaw(
  client: KurrentClient,
  streamId: string,
  from: number,
  maxCount: number | undefined,
): Promise<RawEvent[]> {
  const out: RawEvent[] = [];
  try {
    const read = client.readStream(streamId, {
      direction: FORWARDS,
      fromRevision: BigInt(from - 1),
      ...(maxCount === undefined ? {} : { maxCount: BigInt(maxCount) }),
    });
    for await (const resolved of read) {
      if (resolved.event) out.push(resolved.event as unknown as RawEvent);
    }
  } catch (error) {
    if (isStreamNotFound(error)) return [];
    throw error;
  }
  return out;
}

/** The last event's version and hash; undefined for a stream that reads as empty or missing. */
export async function readHead(
  client: KurrentClient,
  streamId: string,
): Promise<StreamHead | undefined> {
  try {
    const read = client.readStream(streamId, {
      direction: BACKWARDS,
      fromRevision: END,
      maxCount: 1,
    });
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

/**
 * The next `batchSize` events of the port after `from`, reading `$all` until they are found or
 * `$all` ends: a long run of other records (the adapter's own, the server's, other
 * applications') is read through, never answered as "nothing more". Pages grow while they skip.
 */
export async function readAllEvents<E extends EventHeader>(
  client: KurrentClient,
  from: Checkpoint,
  batchSize: number,
  map: (event: RecordedEvent) => E,
): Promise<ReadAllResult<E>> {
  const events: E[] = [];
  let cursor = from;
  let pageSize = batchSize + 1; // a read from a position includes it
  for (;;) {
    const read = client.readAll({
      direction: FORWARDS,
      fromPosition: isStart(cursor) ? ESDB_START : positionOfCheckpoint(cursor),
      maxCount: BigInt(pageSize),
      resolveLinkTos: false,
    });
    let count = 0;
    let full = false;
    for await (const resolved of read as AsyncIterable<AllStreamResolvedEvent>) {
      count += 1;
      const raw = resolved.event;
      if (!raw?.position || !isAfter(raw.position, cursor)) continue;
      cursor = checkpointOfPosition(raw.position);
      const event = toRecordedEvent(raw as EsdbRecorded);
      if (event) events.push(map(event));
      if (events.length >= batchSize) {
        full = true;
        break;
      }
    }
    if (full || count < pageSize) break; // the batch is full, or $all ended
    pageSize = Math.min(MAX_PAGE, pageSize * 2);
  }
  const last = events[events.length - 1];
  return {
    events,
    checkpoint: last
      ? { transactionId: last.transactionId, globalPosition: last.globalPosition }
      : from,
  };
}

/**
 * Catch-up subscription to `$all`, filtered by the server (the given prefixes, or every stream
 * that may be the port's: system and bookkeeping records never travel), delivered in batches of
 * what has arrived (up to batchSize), one batch at a time. After an error or the end of the
 * subscription it resubscribes from the last delivered checkpoint, with a growing delay.
 */
export function catchUpSubscription<E extends EventHeader>(
  client: KurrentClient,
  from: Checkpoint,
  handler: BatchHandler<E>,
  batchSize: number,
  options: SubscribeOptions,
  map: (event: RecordedEvent) => E,
): Subscription {
  let stopped = false;
  let current: { unsubscribe(): Promise<void> } | undefined;
  let wake: (() => void) | undefined;
  const prefixes = options.streamPrefixes?.length ? options.streamPrefixes : undefined;
  const filter = prefixes
    ? streamNameFilter({ prefixes })
    : streamNameFilter({ regex: PORT_STREAMS_REGEX });

  const run = async () => {
    let checkpoint = from;
    let failures = 0;
    while (!stopped) {
      const sub = client.subscribeToAll({
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
          const batch: E[] = [];
          while (batch.length < batchSize) {
            const item = sub.read() as AllStreamResolvedEvent | null;
            if (item === null) break;
            const raw = item.event;
            if (!raw?.position || !isAfter(raw.position, checkpoint)) continue;
            const event = toRecordedEvent(raw as EsdbRecorded);
            if (!event) continue;
            if (prefixes && !prefixes.some((p) => event.streamId.startsWith(p))) continue;
            batch.push(map(event));
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

/**
 * Why a read from `from` does not start there, if it does not: KurrentDB deleted or truncated
 * the events before (the stream reads as missing, or from a later revision). Folding such a
 * stream from its middle would be silently wrong.
 */
export async function gapBefore(
  client: KurrentClient,
  streamId: string,
  from: number,
  raw: RawEvent[],
): Promise<string | undefined> {
  const first = raw[0];
  if (first) {
    const version = versionOfRevision(first.revision);
    return version === from ? undefined : `its events before version ${version} are gone`;
  }
  if (from !== 1) return undefined;
  const { metadata } = await client.getStreamMetadata(streamId);
  return hidesEvents(metadata) ? 'its events are gone' : undefined;
}

/** Metadata under which KurrentDB hides events from stream reads: deletion or retention. */
export function hidesEvents(metadata: StreamMetadata | undefined): boolean {
  return (
    metadata?.truncateBefore !== undefined ||
    metadata?.maxCount !== undefined ||
    metadata?.maxAge !== undefined
  );
}

export function truncated(streamId: string, why: string): EventStoreError {
  return new EventStoreError(
    'invalid-stream-id',
    `stream ${streamId} was deleted or truncated in KurrentDB (${why}); this store needs every event of a stream`,
    { streamId },
  );
}

/** How long a read waits to show what KurrentDB reported (a write not yet indexed). */
const INDEX_WAIT_MS = 5000;

/**
 * A read, repeated until it shows at least `reported` (what KurrentDB's writer reported when it
 * refused a write): a write it took may not be readable yet (not yet indexed), and an attempt
 * must not be judged on reads that do not show it. Gives up after a while: store-unavailable.
 */
export async function readReaching<T>(
  read: () => Promise<T>,
  size: (value: T) => number,
  reported: number | undefined,
  what: string,
): Promise<T> {
  const deadline = Date.now() + INDEX_WAIT_MS;
  for (let delay = 5; ; delay = Math.min(200, delay * 2)) {
    const value = await read();
    if (reported === undefined || size(value) >= reported) return value;
    if (Date.now() > deadline) {
      throw new EventStoreError(
        'store-unavailable',
        `KurrentDB reported ${reported} events in ${what}, its reads show ${size(value)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
