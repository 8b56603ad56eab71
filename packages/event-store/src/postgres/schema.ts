import { COMMUNITY_ID_MAX_LENGTH, COMMUNITY_OF_STREAM_PATTERN } from '@yishi/domain';
import type pg from 'pg';
import { GENESIS_HASH } from '../hash.ts';
import { EXPECTED_ANY, EXPECTED_STREAM_EXISTS } from './expected-version.ts';

/** Bumped with every change of the layout below; `migrateEventStore` refuses unknown layouts. */
export const SCHEMA_VERSION = 5;

/**
 * The domain's `communityOfStream` of the stream id in `column`, in SQL, or NULL (the category
 * has neither '-' nor '.', the community no '.'). Immutable: a generated column can use it.
 */
export function communityOfStreamSql(column: string): string {
  const part = `split_part(substr(${column}, strpos(${column}, '-') + 1), '.', 1)`;
  return `CASE WHEN ${column} ~ '${COMMUNITY_OF_STREAM_PATTERN}'
  AND length(${part}) <= ${COMMUNITY_ID_MAX_LENGTH} THEN ${part} END`;
}

/** The events' community, kept by the database from the stream id (per-community reads). */
const COMMUNITY_COLUMN = `community_id text COLLATE "C"
    GENERATED ALWAYS AS (${communityOfStreamSql('stream_id')}) STORED`;

/** One community's events in the global order (per-community rebuilds; sharding by community). */
const COMMUNITY_INDEX = `CREATE INDEX IF NOT EXISTS es_events_community
  ON es_events (community_id, transaction_id, global_position) WHERE community_id IS NOT NULL;`;

/**
 * The event store schema: one table.
 *
 * - Global order is `(transaction_id, global_position)`. Readers only read events whose
 *   transaction is older than every transaction still running that may append (reads.ts,
 *   `VISIBLE_HORIZON_SQL`), so an event committed late can never be skipped; a trigger refuses
 *   an append in a transaction that wrote elsewhere first (it could not be seen coming).
 * - The stream version check is the unique key `(stream_id, stream_version)`: two appends at
 *   the same version cannot both commit.
 * - Idempotency: the command id is stored on the last event of its command, unique.
 * - The per-stream hash chain is computed by the database in the appending statement, from the
 *   client's RFC 8785 canonical JSON of data and metadata and the rest of the event's canonical
 *   template (see `templateTail`), once the version is known.
 * - data and metadata are `json` holding that canonical text as it is: a read copies it, where
 *   `jsonb` would be re-serialised on every read (most of the cost of reading the global order).
 * - Stored events cannot be updated, deleted or truncated (trigger); `verifyStream` finds an
 *   alteration by anyone who bypasses that (a superuser disabling the trigger).
 *
 * - `community_id` is the community the stream id names (a stored generated column), indexed
 *   with the global order: one community's events are read without scanning the others'.
 *
 * Stream and command ids use the "C" collation: byte order, so a prefix is one index range.
 */
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS es_schema (
  version integer NOT NULL
);

CREATE TABLE IF NOT EXISTS es_events (
  global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
  stream_id       text COLLATE "C" NOT NULL,
  stream_version  bigint NOT NULL CHECK (stream_version >= 1),
  type            text NOT NULL,
  schema_version  integer NOT NULL,
  data            json NOT NULL,
  metadata        json NOT NULL,
  command_id      text COLLATE "C",
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  prev_hash       text NOT NULL,
  hash            text NOT NULL,
  ${COMMUNITY_COLUMN},
  CONSTRAINT es_events_stream_version UNIQUE (stream_id, stream_version)
);
CREATE INDEX IF NOT EXISTS es_events_global_order ON es_events (transaction_id, global_position);
${COMMUNITY_INDEX}
CREATE UNIQUE INDEX IF NOT EXISTS es_events_command_id ON es_events (command_id)
  WHERE command_id IS NOT NULL;

CREATE OR REPLACE FUNCTION es_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'es_events is append-only: % refused', TG_OP USING ERRCODE = 'YS001';
END
$fn$;
DROP TRIGGER IF EXISTS es_events_append_only ON es_events;
CREATE TRIGGER es_events_append_only BEFORE UPDATE OR DELETE ON es_events
  FOR EACH ROW EXECUTE FUNCTION es_events_append_only();
DROP TRIGGER IF EXISTS es_events_no_truncate ON es_events;
CREATE TRIGGER es_events_no_truncate BEFORE TRUNCATE ON es_events
  FOR EACH STATEMENT EXECUTE FUNCTION es_events_append_only();

-- Readers pass running transactions that hold no lock on es_events (reads.ts,
-- VISIBLE_HORIZON_SQL): a transaction must take the insert's lock before it has an id. An insert
-- takes it when planned, the id comes with its first row; refused here: a transaction that had an
-- id before its first insert into es_events (another write, pg_current_xact_id()). The WHEN
-- clause keeps the common case (an append's first statement: no id yet) out of PL/pgSQL; the
-- function runs only for a transaction that has an id, which may go on only if the id came from
-- its own earlier rows here (an index probe on the global order's index).
CREATE OR REPLACE FUNCTION es_events_lock_before_id() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM es_events WHERE transaction_id = pg_current_xact_id()) THEN
    RAISE EXCEPTION 'es_events: append in a transaction that wrote before (readers could pass it)'
      USING ERRCODE = 'YS002';
  END IF;
  RETURN NULL;
END
$fn$;
DROP TRIGGER IF EXISTS es_events_lock_before_id ON es_events;
CREATE TRIGGER es_events_lock_before_id BEFORE INSERT ON es_events
  FOR EACH STATEMENT WHEN (pg_current_xact_id_if_assigned() IS NOT NULL)
  EXECUTE FUNCTION es_events_lock_before_id();

-- Appends several events (or retries under a per-stream lock) in one round trip.
-- p_expected: >= 0 exact version (0 = no stream), ${EXPECTED_ANY} any, ${EXPECTED_STREAM_EXISTS} stream exists.
-- p_events: a JSON array, per event {c: command id or null, t: type, s: schema version, d: data,
-- m: metadata, l: template tail with U+0001 for the version}; a command's id is on its last event.
-- data and metadata are the client's canonical JSON, kept as they are (json keeps the text).
-- Returns the stream's head before the append, and positions (NULL when expected failed).
CREATE OR REPLACE FUNCTION es_append(
  p_stream text,
  p_expected bigint,
  p_events json,
  p_lock boolean
) RETURNS TABLE (head bigint, positions bigint[], txid text)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_head bigint;
  v_prev text;
  v_n integer := 0;
  v_commands text[] := '{}';
  v_types text[] := '{}';
  v_schema_versions integer[] := '{}';
  v_data json[] := '{}';
  v_metadata json[] := '{}';
  v_prevs text[] := '{}';
  v_hashes text[] := '{}';
  v_positions bigint[];
  r record;
BEGIN
  IF p_lock THEN
    -- Serialises retries of 'any'/'streamExists' appends on one stream. A separate statement,
    -- so the head read below takes its snapshot after the lock is held.
    PERFORM pg_advisory_xact_lock(7251002, hashtext(p_stream));
  END IF;
  SELECT e.stream_version, e.hash INTO v_head, v_prev FROM es_events e
    WHERE e.stream_id = p_stream ORDER BY e.stream_version DESC LIMIT 1;
  IF NOT FOUND THEN
    v_head := 0;
    v_prev := '${GENESIS_HASH}';
  END IF;
  IF (p_expected >= 0 AND v_head <> p_expected) OR (p_expected = ${EXPECTED_STREAM_EXISTS} AND v_head = 0) THEN
    RETURN QUERY SELECT v_head, NULL::bigint[], NULL::text;
    RETURN;
  END IF;
  -- One pass over the events, parsed once (arrays indexed in place: linear, not quadratic).
  FOR r IN SELECT x.c, x.t, x.s, x.d, x.m, x.l
             FROM json_to_recordset(p_events) AS x(c text, t text, s integer, d json, m json, l text)
  LOOP
    v_n := v_n + 1;
    v_commands[v_n] := r.c;
    v_types[v_n] := r.t;
    v_schema_versions[v_n] := r.s;
    v_data[v_n] := r.d;
    v_metadata[v_n] := r.m;
    v_prevs[v_n] := v_prev;
    v_prev := encode(sha256(convert_to(v_prev || '{"data":' || r.d::text || ',"metadata":' ||
      r.m::text || replace(r.l, E'\\x01', (v_head + v_n)::text), 'UTF8')), 'hex');
    v_hashes[v_n] := v_prev;
  END LOOP;
  WITH ins AS (
    INSERT INTO es_events (stream_id, stream_version, type, schema_version, data, metadata,
                           command_id, prev_hash, hash)
      SELECT p_stream, v_head + u.i, u.t, u.sv, u.d, u.m, u.c, u.p, u.h
        FROM unnest(v_types, v_schema_versions, v_data, v_metadata, v_commands, v_prevs, v_hashes)
             WITH ORDINALITY AS u(t, sv, d, m, c, p, h, i)
        ORDER BY u.i
      RETURNING es_events.stream_version, es_events.global_position
  )
  SELECT array_agg(ins.global_position ORDER BY ins.stream_version) INTO v_positions FROM ins;
  RETURN QUERY SELECT v_head, v_positions, pg_current_xact_id()::text;
END
$fn$;
`;

/** From schema version 1: data and metadata were jsonb; es_append had another signature. */
const UPGRADE_FROM_1 = `
DROP FUNCTION IF EXISTS es_append(text, bigint, text[], text[], boolean);
ALTER TABLE es_events
  ALTER COLUMN data TYPE json USING data::text::json,
  ALTER COLUMN metadata TYPE json USING metadata::text::json;
`;

/** From schema version 2: es_append took one array per field. */
const UPGRADE_FROM_2 = `
DROP FUNCTION IF EXISTS es_append(text, bigint, text[], text[], integer[], text[], text[], text[], boolean);
`;

/**
 * From schema version 3: no community column. Adding a stored column rewrites the table under
 * an exclusive lock (appends wait meanwhile, for a time that grows with the table): plan it
 * (infra/scaling.md).
 */
const UPGRADE_FROM_3 = `ALTER TABLE es_events ADD COLUMN IF NOT EXISTS ${COMMUNITY_COLUMN};`;

/**
 * One event with an exact expected version: a plain INSERT that reads the hash of event $2 by
 * its unique key (none for $2 = 0). No row when event $2 does not exist; a unique violation
 * when event $2 + 1 does (or is being written): both mean the expected version did not hold.
 * $1 stream, $2 expected version, $3 command id, $4 type, $5 schema version,
 * $6 canonical data, $7 canonical metadata, $8 template tail.
 */
export const APPEND_EXACT_SQL = `
INSERT INTO es_events (stream_id, stream_version, type, schema_version, data, metadata,
                       command_id, prev_hash, hash)
SELECT $1, $2::bigint + 1, $4::text, $5::integer, $6::text::json, $7::text::json, $3::text, p.h,
       encode(sha256(convert_to(p.h || '{"data":' || $6::text || ',"metadata":' || $7::text ||
         replace($8::text, E'\\x01', ($2::bigint + 1)::text), 'UTF8')), 'hex')
  FROM (SELECT e.hash AS h FROM es_events e WHERE e.stream_id = $1 AND e.stream_version = $2::bigint
        UNION ALL
        SELECT '${GENESIS_HASH}' WHERE $2::bigint = 0) p
RETURNING global_position, transaction_id::text AS txid`;

/**
 * One event against the stream's head ('any', 'streamExists'): reads the head, checks, inserts.
 * $1 stream, $2 expected (`encodeExpected`), $3 command id, $4 type, $5 schema version,
 * $6 canonical data, $7 canonical metadata, $8 template tail.
 */
export const APPEND_ONE_SQL = `
WITH head AS (
  SELECT coalesce(max(h.stream_version), 0)::bigint AS v,
         coalesce(max(h.hash), '${GENESIS_HASH}') AS h
    FROM (SELECT e.stream_version, e.hash FROM es_events e WHERE e.stream_id = $1
           ORDER BY e.stream_version DESC LIMIT 1) h
), ins AS (
  INSERT INTO es_events (stream_id, stream_version, type, schema_version, data, metadata,
                         command_id, prev_hash, hash)
  SELECT $1, head.v + 1, $4::text, $5::integer, $6::text::json, $7::text::json, $3::text, head.h,
         encode(sha256(convert_to(head.h || '{"data":' || $6::text || ',"metadata":' ||
           $7::text || replace($8::text, E'\\x01', (head.v + 1)::text), 'UTF8')), 'hex')
    FROM head
   WHERE CASE WHEN $2::bigint >= 0 THEN head.v = $2::bigint
              WHEN $2::bigint = ${EXPECTED_STREAM_EXISTS} THEN head.v > 0
              ELSE true END
  RETURNING global_position, transaction_id::text AS txid
)
SELECT head.v AS head, ins.global_position, ins.txid FROM head LEFT JOIN ins ON true`;

/** Creates or checks the schema. Safe to run concurrently (advisory lock) and repeatedly. */
export async function migrateEventStore(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    // Serialise concurrent migrations (several services starting at once).
    await client.query('SELECT pg_advisory_lock(7251001)');
    const { rows: enc } = await client.query<{ server_encoding: string }>('SHOW server_encoding');
    if (enc[0]?.server_encoding !== 'UTF8') {
      throw new Error(
        `the event store needs a UTF8 database (hashes cover UTF-8 text); this one is ${enc[0]?.server_encoding}`,
      );
    }
    const { rows } = await client.query<{ events: boolean; schema: boolean }>(
      `SELECT to_regclass('es_events') IS NOT NULL AS events,
              to_regclass('es_schema') IS NOT NULL AS schema`,
    );
    const found = rows[0]!;
    let upgrade: number | null = null;
    if (found.schema) {
      const { rows: versions } = await client.query<{ version: number }>(
        'SELECT max(version) AS version FROM es_schema',
      );
      const version = versions[0]?.version ?? null;
      if (version !== null && version > SCHEMA_VERSION) {
        throw new Error(
          `event store schema version ${version} is newer than this code (${SCHEMA_VERSION})`,
        );
      }
      // Current: no DDL, so a starting instance takes no lock that running appends would wait on.
      if (version === SCHEMA_VERSION) return;
      upgrade = version;
    } else if (found.events) {
      throw new Error(
        'this database has an event store table from a pre-release layout (es_events without ' +
          'es_schema); drop its es_* tables or use a fresh database',
      );
    }
    await client.query('BEGIN');
    if (upgrade === 1) await client.query(UPGRADE_FROM_1);
    if (upgrade === 1 || upgrade === 2) await client.query(UPGRADE_FROM_2);
    if (upgrade !== null && upgrade <= 3) await client.query(UPGRADE_FROM_3);
    await client.query(SCHEMA_SQL);
    await client.query(
      `INSERT INTO es_schema (version) SELECT $1::integer
        WHERE NOT EXISTS (SELECT 1 FROM es_schema WHERE version = $1::integer)`,
      [SCHEMA_VERSION],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    await client.query('SELECT pg_advisory_unlock(7251001)').catch(() => {});
    client.release();
  }
}
