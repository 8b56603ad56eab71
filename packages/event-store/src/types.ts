export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Who did it, in which role, when, and which command caused it. */
export interface EventMetadata extends JsonObject {
  commandId: string;
  actorId: string;
  actorRole: string;
  occurredAt: string;
  correlationId: string;
  causationId: string;
}

export interface NewEvent {
  type: string;
  /** Schema version of `data`; old versions are upcast on read. */
  schemaVersion?: number;
  data: JsonObject;
  metadata: JsonObject;
}

export interface RecordedEvent {
  streamId: string;
  /** 1-based position in the stream; the stream's version is the version of its last event. */
  streamVersion: number;
  /** Global order: (transactionId, globalPosition). */
  globalPosition: bigint;
  transactionId: bigint;
  type: string;
  schemaVersion: number;
  data: JsonObject;
  metadata: JsonObject;
  recordedAt: Date;
  prevHash: string;
  hash: string;
}

/**
 * Expected version of a stream before an append: `any`, `noStream` (no event yet),
 * `streamExists` (at least one event), or the exact version (number of events; 0 = none).
 */
export type ExpectedVersion = 'any' | 'noStream' | 'streamExists' | number;

export interface AppendOptions {
  expected: ExpectedVersion;
  /** Idempotency: an append with a command id already stored returns the first result. */
  commandId?: string;
}

export interface AppendResult {
  streamId: string;
  /** Stream version after the append (the version of its last event). */
  nextExpectedVersion: number;
  /** Global position of the last event appended. */
  lastGlobalPosition: bigint;
  /** Checkpoint of the last event: a reader past it has seen this append. */
  checkpoint: Checkpoint;
  /** True when the command id had been appended before: nothing new was written. */
  duplicate: boolean;
}

/** One command's events inside a group commit. */
export interface AppendGroup {
  commandId: string;
  events: NewEvent[];
}

/** A reader's position in the global order. */
export interface Checkpoint {
  transactionId: bigint;
  globalPosition: bigint;
}

export const START: Checkpoint = Object.freeze({ transactionId: 0n, globalPosition: 0n });

export function checkpointOf(event: RecordedEvent): Checkpoint {
  return { transactionId: event.transactionId, globalPosition: event.globalPosition };
}

export function formatCheckpoint(cp: Checkpoint): string {
  return `${cp.transactionId}:${cp.globalPosition}`;
}

export function parseCheckpoint(text: string): Checkpoint | undefined {
  const match = /^(\d{1,20}):(\d{1,20})$/.exec(text);
  if (!match) return undefined;
  return { transactionId: BigInt(match[1]!), globalPosition: BigInt(match[2]!) };
}

export interface ReadStreamOptions {
  /** First stream version to return (1-based); default 1. */
  fromVersion?: number;
  maxCount?: number;
}

/**
 * An event without its data and metadata: where it is in the global order, what it is, and its
 * stored chain hash (which covers the rest). For readers of the global order that need only
 * that (the transparency log's leaves): the store reads and parses no data for them.
 */
export type EventHeader = Pick<
  RecordedEvent,
  'streamId' | 'streamVersion' | 'globalPosition' | 'transactionId' | 'type' | 'hash'
>;

/** The header of an event (a new object: it keeps nothing else of the event alive). */
export function headerOf(event: EventHeader): EventHeader {
  return {
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    globalPosition: event.globalPosition,
    transactionId: event.transactionId,
    type: event.type,
    hash: event.hash,
  };
}

export interface ReadAllResult<E extends EventHeader = RecordedEvent> {
  events: E[];
  /** Checkpoint after the last returned event (unchanged when none). */
  checkpoint: Checkpoint;
}

export interface StreamHead {
  version: number;
  hash: string;
}

export interface Subscription {
  /** Stops the subscription; resolves when the handler is no longer running. */
  stop(): Promise<void>;
  /** Settles when the subscription has stopped; rejects with the handler's error if it failed. */
  readonly done: Promise<void>;
}

export interface SubscribeOptions {
  batchSize?: number;
  /** Fallback poll interval when no notification arrives (ms). */
  pollIntervalMs?: number;
  /** Only events whose stream id starts with one of these prefixes. */
  streamPrefixes?: string[];
  /**
   * Given: a failed read is reported here and retried from the last checkpoint with a growing
   * delay (up to 5 s). Not given: a failed read stops the subscription (`done` rejects), as a
   * failing handler always does. (EventStoreDB: a dropped subscription is always resubscribed.)
   */
  onError?: (error: unknown) => void;
}

export type BatchHandler<E extends EventHeader = RecordedEvent> = (
  events: E[],
  checkpoint: Checkpoint,
) => Promise<void>;

export interface VerifyResult {
  ok: boolean;
  streams: number;
  events: number;
  /** The first event whose stored hash does not match, or whose chain is broken. */
  firstBroken?: { streamId: string; streamVersion: number; reason: string };
}

/** The event store port. Every adapter checks `expected` atomically. */
export interface EventStore {
  append(streamId: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult>;
  /** Group commit: several commands' events on one stream, one atomic append. */
  appendGroups(
    streamId: string,
    groups: AppendGroup[],
    options: { expected: ExpectedVersion },
  ): Promise<AppendResult[]>;
  /** The stored result of an earlier append with this command id, if any. */
  findCommand(commandId: string): Promise<AppendResult | undefined>;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  streamHead(streamId: string): Promise<StreamHead | undefined>;
  readAll(from: Checkpoint, batchSize: number): Promise<ReadAllResult>;
  subscribe(from: Checkpoint, handler: BatchHandler, options?: SubscribeOptions): Subscription;
  /** `readAll` of the events' headers only: the same events, batches and checkpoints. */
  readHeaders(from: Checkpoint, batchSize: number): Promise<ReadAllResult<EventHeader>>;
  /** `subscribe` to the events' headers only: the same events, batches and checkpoints. */
  subscribeHeaders(
    from: Checkpoint,
    handler: BatchHandler<EventHeader>,
    options?: SubscribeOptions,
  ): Subscription;
  verifyStream(streamId: string): Promise<VerifyResult>;
  verifyAll(options?: { streamPrefix?: string }): Promise<VerifyResult>;
  close(): Promise<void>;
}

/** Is `a` at or past `b` in the global order? */
export function checkpointReached(a: Checkpoint, b: Checkpoint): boolean {
  return (
    a.transactionId > b.transactionId ||
    (a.transactionId === b.transactionId && a.globalPosition >= b.globalPosition)
  );
}
