/**
 * The part of `@eventstore/db-client` (6.x) that the adapter uses, as an interface: the real
 * client satisfies it, and tests put `SimulatedKurrentDb` (no server runs on the development
 * machines) or a `FaultInjectingClient` in its place.
 */
import type { Readable } from 'node:stream';
import {
  type AllStreamResolvedEvent,
  type AppendToStreamOptions,
  type AppendResult as EsdbAppendResult,
  type ReadStreamOptions as EsdbReadStreamOptions,
  type EventData,
  EventStoreDBClient,
  type GetStreamMetadataResult,
  type ReadAllOptions,
  type ResolvedEvent,
  type SubscribeToAllOptions,
} from '@eventstore/db-client';
import { EventStoreError } from '../errors.ts';
import { versionOfCurrent } from './mapping.ts';

/** A catch-up subscription as the client returns it: a readable of resolved events. */
export type KurrentSubscription = Readable & { unsubscribe(): Promise<void> };

export interface KurrentClient {
  appendToStream(
    streamName: string,
    events: EventData | EventData[],
    options?: AppendToStreamOptions,
  ): Promise<EsdbAppendResult>;
  readStream(streamName: string, options?: EsdbReadStreamOptions): AsyncIterable<ResolvedEvent>;
  readAll(options?: ReadAllOptions): AsyncIterable<AllStreamResolvedEvent>;
  subscribeToAll(options?: SubscribeToAllOptions): KurrentSubscription;
  getStreamMetadata(streamName: string): Promise<GetStreamMetadataResult>;
  dispose(): Promise<void>;
}

/**
 * KurrentDB's clients accept `kurrentdb://`, `kurrent://`, `kdb://` and `esdb://` (each also with
 * `+discover`); the 6.x client knows only `esdb`. Anything else is refused.
 * https://github.com/kurrent-io/KurrentDB-Client-NodeJS (parseConnectionString in 1.x)
 */
export function esdbConnectionString(connectionString: string): string {
  const match = /^(esdb|kurrentdb|kurrent|kdb)(\+discover)?:\/\//.exec(connectionString);
  if (!match) {
    throw new EventStoreError(
      'invalid-argument',
      'the KurrentDB connection string must start with kurrentdb://, kdb:// or esdb:// (optionally +discover)',
    );
  }
  return `esdb${match[2] ?? ''}://${connectionString.slice(match[0].length)}`;
}

export function connectClient(connectionString: string): KurrentClient {
  return EventStoreDBClient.connectionString(esdbConnectionString(connectionString));
}

/** The `type` of a db-client error (`wrong-expected-version`, `stream-not-found`, ...). */
export function errorType(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const type = (error as { type?: unknown }).type;
  return typeof type === 'string' ? type : undefined;
}

export function isStreamNotFound(error: unknown): boolean {
  return errorType(error) === 'stream-not-found';
}

/** A refused append: the stream was not at the expected revision (actual when known). */
export class WrongRevision extends Error {
  constructor(readonly actualVersion: number | undefined) {
    super('wrong expected revision');
  }
}

/**
 * Appends and turns both ways the client reports a refusal into `WrongRevision`: a thrown
 * wrong-expected-version error, and `{ success: false }` when the connection string sets
 * `throwOnAppendFailure=false` (whose revision is unreliable in 6.x batch appends:
 * `BigInt(hasCurrentStreamRevision())`, so it is not used).
 */
export async function appendChecked(
  client: KurrentClient,
  streamName: string,
  events: EventData[],
  expectedRevision: AppendToStreamOptions['expectedRevision'],
): Promise<EsdbAppendResult> {
  let result: EsdbAppendResult;
  try {
    result = await client.appendToStream(streamName, events, { expectedRevision });
  } catch (error) {
    if (errorType(error) !== 'wrong-expected-version') throw error;
    const actual = (error as { actualVersion?: unknown }).actualVersion;
    throw new WrongRevision(
      typeof actual === 'bigint' || actual === 'no_stream' ? versionOfCurrent(actual) : undefined,
    );
  }
  if (!result.success) throw new WrongRevision(undefined);
  return result;
}

const UNAVAILABLE = new Set([
  'unavailable',
  'deadline-exceeded',
  'timeout',
  'not-leader',
  'cancelled',
]);

/** Typed errors for what a caller can act on; anything else passes unchanged. */
export function mapEsdbError(error: unknown): Error {
  if (error instanceof EventStoreError) return error;
  const type = errorType(error);
  const message = error instanceof Error ? error.message : String(error);
  if (type && UNAVAILABLE.has(type)) {
    return new EventStoreError('store-unavailable', `event store unavailable: ${message}`, {
      cause: type,
    });
  }
  if (type === 'access-denied') {
    // Nothing was done; the credentials in the connection string lack the rights.
    return new EventStoreError(
      'store-unavailable',
      'KurrentDB denied access: check the user in the connection string and its stream ACLs',
      { cause: type },
    );
  }
  if (type === 'maximum-append-size-exceeded') {
    return new EventStoreError(
      'event-too-large',
      `${message} (KurrentDB's MaxAppendSize should be 16 MiB, its maximum)`,
    );
  }
  if (type === 'stream-deleted') {
    return new EventStoreError('invalid-stream-id', `stream deleted: ${message}`);
  }
  return error instanceof Error ? error : new Error(message);
}
