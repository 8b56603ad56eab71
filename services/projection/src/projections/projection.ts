import type { Checkpoint, RecordedEvent } from '@yishi/event-store';
import type { Compilable, Kysely, Migration } from 'kysely';
import type pg from 'pg';
import type { Database, ReadModelTables } from '../tables.ts';
import { type At, applyInTwoPasses, type BatchRows, type Insert } from './temporal.ts';

/** What a projection gets to write one batch: the transaction and its generation's schema. */
export interface ProjectionContext {
  /** The batch transaction (unscoped: reach read-model tables through `rm` or `schema`). */
  db: Kysely<Database>;
  /** The same transaction scoped to the generation's schema. */
  rm: Kysely<Database>;
  schema: string;
  /**
   * Inserts rows into one of the generation's tables: binary COPY in the batch transaction.
   * Without it (a hand-made context), one INSERT from JSON.
   */
  insert?: Insert;
  /**
   * The tables hold no row yet that the events could change (a per-community rebuild's staging
   * copies, applied in one batch): nothing needs to be read before applying.
   */
  empty?: boolean;
}

/**
 * A projection: its tables (kysely migrations, run in each generation's schema) and how a batch
 * of events changes them. `version` changes when the same events must give different rows:
 * the service then builds the new version beside the old and switches when it has caught up.
 */
export interface Projection {
  name: string;
  version: number;
  migrations: Record<string, Migration>;
  /**
   * Indexes only queries need (idempotent statements, each independent of the others: they are
   * built side by side). A generation being built gets them once it has caught up: building them
   * at the end is much cheaper than maintaining them row by row.
   */
  indexes(db: Kysely<Database>): readonly Compilable[];
  /**
   * Columns whose values depend on each other (a proposal belongs to one community): statistics
   * over them together, made with the indexes. Without them the planner multiplies the columns'
   * selectivities, expects a few rows where a large vote has thousands, and reads them all.
   */
  statistics?: readonly {
    name: string;
    table: keyof ReadModelTables;
    columns: readonly string[];
  }[];
  /** Its tables, for comparisons and status. */
  tables: readonly (keyof ReadModelTables)[];
  apply(ctx: ProjectionContext, events: readonly RecordedEvent[]): Promise<void>;
  /**
   * Whether events of this stream can change the read model; without it, every stream does.
   * With `eventTypes`, it decides which events `apply` is given (`readsEvent`).
   */
  concerns?(streamId: string): boolean;
  /**
   * The event types `apply` reads; every type when absent. A rebuild that reads the events for
   * some projections while others are built in the database asks the store for these only; a
   * live projector writes nothing for a batch without one (see `readsEvent`).
   */
  eventTypes?: readonly string[];
  /**
   * Top-level members of an event type's data that `apply` never reads (a vote's electorate):
   * a rebuild's filtered read may leave them out unparsed when no projection it feeds reads
   * them. The incremental-equals-rebuild tests hold a projection to its word.
   */
  unread?: Readonly<Record<string, readonly string[]>>;
  /**
   * How to rebuild this projection set-based, from the event store's table, when the store is
   * the PostgreSQL adapter in the read models' own database: the same rows `apply` writes, made
   * by `INSERT … SELECT` without the events passing through Node.
   */
  inDatabase?: InDatabaseBuild;
}

/** A range of the event store's table (`es_events`) for a set-based rebuild. */
export interface EventChunk {
  /** Global positions in (after, upTo]… */
  after: bigint;
  upTo: bigint;
  /** …of the events at or before this checkpoint in the global order… */
  until: Checkpoint;
  /** …of this community's streams only (`es_events.community_id`), when given. */
  communityId?: string;
}

/**
 * A projection's set-based rebuild: statements on one transaction's client, into the tables of
 * the generation `schema` (a quoted identifier), for the events of `es_events` (see `EventChunk`).
 */
export interface InDatabaseBuild {
  /** The event types it reads (every type when absent): upcasters for them rule it out. */
  types?: readonly string[];
  /**
   * Once, before the chunks: rows every chunk looks up, from all events up to `until` (of one
   * community's streams when `communityId` is given).
   */
  prepare?(
    client: pg.PoolClient,
    schema: string,
    until: Checkpoint,
    communityId?: string,
  ): Promise<void>;
  /** The rows of one chunk's events; the number of events it made rows of. */
  chunk(client: pg.PoolClient, schema: string, chunk: EventChunk): Promise<number>;
}

/**
 * `apply` for a projection that writes through `BatchRows`: fresh ones for each batch, whose
 * events `handle` applies in two passes (see `applyInTwoPasses`).
 */
export function applyThroughRows<R extends Record<string, BatchRows>>(
  batchRows: () => R,
  handle: (rows: R, event: RecordedEvent, at: At) => void,
): Projection['apply'] {
  return async (ctx, events) => {
    const rows = batchRows();
    await applyInTwoPasses(
      ctx.db,
      ctx.schema,
      Object.values(rows),
      events,
      (event, at) => handle(rows, event, at),
      ctx.insert,
      ctx.empty,
    );
  };
}

const readers = new WeakMap<Projection, (event: RecordedEvent) => boolean>();

/**
 * Whether `apply` reads the event: of a stream the projection concerns and of a type it names.
 * Batches are applied with these events only, and a live projector writes no transaction for a
 * batch without any (under a vote's load, most projections see only ballots they never read).
 */
export function readsEvent(projection: Projection): (event: RecordedEvent) => boolean {
  let reads = readers.get(projection);
  if (!reads) {
    const { concerns } = projection;
    const types = projection.eventTypes ? new Set(projection.eventTypes) : undefined;
    reads = (event) =>
      (concerns === undefined || concerns(event.streamId)) &&
      (types === undefined || types.has(event.type));
    readers.set(projection, reads);
  }
  return reads;
}
