import { type AnyDomainEvent, eventCatalog } from '@yishi/domain';
import {
  type Checkpoint,
  chainHash,
  GENESIS_HASH,
  type JsonObject,
  type RecordedEvent,
  START,
} from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { type Kysely, type Selectable, sql } from 'kysely';
import { expect } from 'vitest';
import { createDb } from '../db.ts';
import { migrateReadModels } from '../migrations/index.ts';
import type { Projection } from '../projections/projection.ts';
import { applyBatch } from '../runtime/apply.ts';
import { indexGeneration, migrateGeneration } from '../runtime/generations.ts';
import type { Database, ReadModelTables } from '../tables.ts';
import { compareGenerations } from './compare.ts';

// Given/when/then specs for projections over the real PostgreSQL (after Emmett's
// `PostgreSQLProjectionSpec`): given these events, when these events, then these rows. The
// events go through the runtime's own batch path (`applyBatch`: the events the projection reads,
// in their current schema, rows copied in) into a generation schema of their own; every event
// is checked against its schema in the domain's catalogue first, as the decider specs check
// what deciders emit.
//
// Each spec also holds the projection to its promise that rows do not depend on batching: the
// events are applied a second time, one event per batch, into another schema, and both must
// hold the same rows (the live projector's small batches and a rebuild's large ones write alike).

/** An event of a stream, as a spec states it. */
export interface SpecEvent {
  streamId: string;
  type: string;
  data: unknown;
  metadata?: JsonObject;
}

/** Events of one stream, in order (their versions and positions are given when applied). */
export function inStream(streamId: string, events: readonly AnyDomainEvent[]): SpecEvent[] {
  return events.map((event) => ({ streamId, type: event.type, data: event.data }));
}

type Row<T extends keyof ReadModelTables> = Selectable<ReadModelTables[T]>;

/** Per table, the rows expected (each with the columns it names; every row of the table). */
export type ExpectedRows = { [T in keyof ReadModelTables]?: readonly Partial<Row<T>>[] };

/** The rows of the schema the spec's events were applied to. */
export interface SpecRows {
  /** The current rows (of a versioned table, the versions no event has replaced). */
  current<T extends keyof ReadModelTables>(table: T): Promise<Row<T>[]>;
  /** Every row; of a versioned table, every version with its validity. */
  all<T extends keyof ReadModelTables>(table: T): Promise<Row<T>[]>;
}

type Then = ExpectedRows | ((rows: SpecRows) => unknown);

export interface ProjectionSpec {
  (
    ...events: readonly (SpecEvent | readonly SpecEvent[])[]
  ): {
    when(...events: readonly (SpecEvent | readonly SpecEvent[])[]): {
      /** The current rows of each named table, or a check of its own. */
      then(expected: Then): Promise<void>;
      /** Every version of each named table's rows, oldest first. */
      thenVersions(expected: ExpectedRows): Promise<void>;
    };
  };
  /** Closes the spec's database connection (afterAll). */
  close(): Promise<void>;
}

/** A base time for the events' `recordedAt`: event n was recorded n seconds after it. */
const RECORDED_FROM = Date.parse('2026-01-01T00:00:00.000Z');

/**
 * The events as the store would record them: stream versions counted per stream, global
 * positions (and transaction ids, one transaction each) counted from 1, hashes chained.
 */
function recorded(events: readonly SpecEvent[]): RecordedEvent[] {
  const heads = new Map<string, { version: number; hash: string }>();
  return events.map((event, i) => {
    const definition = Object.hasOwn(eventCatalog, event.type)
      ? eventCatalog[event.type as keyof typeof eventCatalog]
      : undefined;
    expect(definition, `${event.type} is in the domain's catalogue`).toBeDefined();
    const data = JSON.parse(JSON.stringify(event.data)) as JsonObject;
    expect(data, `${event.type} is plain JSON`).toEqual(event.data);
    expect(definition?.schema.parse(data), `${event.type} matches its schema`).toEqual(data);
    const position = i + 1;
    const recordedAt = new Date(RECORDED_FROM + position * 1000);
    const by = (data.by ?? {}) as { personId?: string; role?: string };
    const metadata: JsonObject = event.metadata ?? {
      commandId: `spec-${position}`,
      actorId: by.personId ?? 'spec',
      actorRole: by.role ?? 'clerk',
      occurredAt: recordedAt.toISOString(),
      correlationId: `spec-${position}`,
      causationId: `spec-${position}`,
    };
    const head = heads.get(event.streamId) ?? { version: 0, hash: GENESIS_HASH };
    const fields = {
      streamId: event.streamId,
      streamVersion: head.version + 1,
      type: event.type,
      schemaVersion: definition?.version ?? 1,
      data,
      metadata,
    };
    const hash = chainHash(head.hash, fields);
    heads.set(event.streamId, { version: fields.streamVersion, hash });
    return {
      ...fields,
      globalPosition: BigInt(position),
      transactionId: BigInt(position),
      recordedAt,
      prevHash: head.hash,
      hash,
    };
  });
}

const checkpointOf = (event: RecordedEvent): Checkpoint => ({
  transactionId: event.transactionId,
  globalPosition: event.globalPosition,
});

export function projectionSpec(projection: Projection): ProjectionSpec {
  let database: Promise<Kysely<Database>> | undefined;
  let schemas = 0;
  const db = () => {
    database ??= testDatabaseUrl().then(async (url) => {
      const made = createDb(url, 4);
      await migrateReadModels(made);
      return made;
    });
    return database;
  };

  /** A generation schema of the spec's own, the events applied in the batches given. */
  const build = async (batches: readonly (readonly RecordedEvent[])[]): Promise<string> => {
    const conn = await db();
    schemas += 1;
    const schema = `spec_${projection.name}_${schemas}`;
    await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(conn);
    await conn
      .insertInto('projection_checkpoints')
      .values({
        schema_name: schema,
        projection: projection.name,
        transaction_id: '0',
        global_position: '0',
        events: '0',
      })
      .execute();
    await migrateGeneration(conn, projection, schema);
    const target = { projection, schema, checkpoint: START };
    for (const batch of batches) {
      if (batch.length > 0) await applyBatch(conn, [target], batch, checkpointOf(batch.at(-1)!));
    }
    // The unique indexes a generation gets when it serves queries (one version per event).
    await indexGeneration(conn, projection, schema);
    return schema;
  };

  const drop = async (schema: string) => {
    const conn = await db();
    await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(conn);
    await conn.deleteFrom('projection_checkpoints').where('schema_name', '=', schema).execute();
  };

  const rowsOf = async (schema: string, table: string, current: boolean) => {
    const conn = await db();
    const { rows: columns } = await sql<{ name: string }>`
      SELECT column_name AS name FROM information_schema.columns
       WHERE table_schema = ${schema} AND table_name = ${table}`.execute(conn);
    const has = new Set(columns.map((c) => c.name));
    expect(has.size, `${table} is a table of ${projection.name}`).toBeGreaterThan(0);
    // In the order events made them; rows one event made, in a fixed order of their own.
    const order = has.has('valid_from_tx')
      ? sql`valid_from_tx, valid_from_pos`
      : has.has('global_position')
        ? sql`transaction_id, global_position`
        : sql`1`;
    const where = current && has.has('valid_to_tx') ? sql`valid_to_tx IS NULL` : sql`TRUE`;
    const { rows } = await sql<Record<string, unknown>>`
      SELECT * FROM ${sql.table(`${schema}.${table}`)} AS r WHERE ${where}
       ORDER BY ${order}, to_jsonb(r)::text`.execute(conn);
    return rows;
  };

  const run = async (
    given: readonly SpecEvent[],
    when: readonly SpecEvent[],
    check: (rows: SpecRows) => unknown,
  ): Promise<void> => {
    const events = recorded([...given, ...when]);
    const live = await build([events.slice(0, given.length), events.slice(given.length)]);
    const single = await build(events.map((event) => [event]));
    try {
      for (const d of await compareGenerations(await db(), projection, live, single)) {
        expect(d, `${d.table}: the same rows whatever the batches`).toMatchObject({
          onlyInFirst: 0,
          onlyInSecond: 0,
        });
      }
      await check({
        current: (table) => rowsOf(live, table, true) as Promise<Row<typeof table>[]>,
        all: (table) => rowsOf(live, table, false) as Promise<Row<typeof table>[]>,
      });
    } finally {
      await drop(live);
      await drop(single);
    }
  };

  const rowsAre = (expected: ExpectedRows, read: keyof SpecRows) => async (rows: SpecRows) => {
    for (const [table, want] of Object.entries(expected)) {
      const got = await rows[read](table as keyof ReadModelTables);
      expect(got, `${table} (${got.length} rows)`).toMatchObject(want as object[]);
    }
  };

  const flat = (events: readonly (SpecEvent | readonly SpecEvent[])[]): SpecEvent[] =>
    events.flatMap((e): SpecEvent[] => (Array.isArray(e) ? [...e] : [e as SpecEvent]));

  const spec = ((...given: readonly (SpecEvent | readonly SpecEvent[])[]) => ({
    when: (...when: readonly (SpecEvent | readonly SpecEvent[])[]) => ({
      // biome-ignore lint/suspicious/noThenProperty: given/when/then reads as a spec (as Emmett's)
      then: (expected: Then) =>
        run(
          flat(given),
          flat(when),
          typeof expected === 'function' ? expected : rowsAre(expected, 'current'),
        ),
      thenVersions: (expected: ExpectedRows) =>
        run(flat(given), flat(when), rowsAre(expected, 'all')),
    }),
  })) as ProjectionSpec;
  spec.close = async () => {
    if (database) await (await database).destroy();
  };
  return spec;
}
