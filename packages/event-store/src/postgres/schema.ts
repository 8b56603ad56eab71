import type pg from 'pg';
import { GENESIS_HASH } from '../hash.ts';

/** Bumped with every change of the layout below; `migrateEventStore` refuses unknown layouts. */
export const SCHEMA_VERSION = 1;

/**
 * The event store schema: one table.
 *
 * - Global order is `(transaction_id, global_position)`. Readers only read events whose
 *   transaction is older than every transaction still running (`pg_snapshot_xmin`), so an
 *   event committed late can never be skipped.
 * - The stream version check is the unique key `(stream_id, stream_version)`: two appends at
 *   the same version cannot both commit.
 * - Idempotency: the command id is stored on the last event of its command, unique.
 * - The per-stream hash chain is computed by the database in the appending statement, from the
 *   client's RFC 8785 canonical JSON template (see `canonicalEventTemplate`).
 * - Stored events cannot be updated, deleted or truncated (trigger); `verifyStream` finds an
 *   alteration by anyone who bypasses that (a superuser disabling the trigger).
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
  data            jsonb NOT NULL,
  metadata        jsonb NOT NULL,
  command_id      text COLLATE "C",
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  prev_hash       text NOT NULL,
  hash            text NOT NULL,
  CONSTRAINT es_events_stream_version UNIQUE (stream_id, stream_version)
);
CREATE INDEX IF NOT EXISTS es_events_global_order ON es_events (transaction_id, global_position);
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

-- Appends several events (or retries under a per-stream lock) in one round trip.
-- p_expected: >= 0 exact version (0 = no stream), -1 any, -2 stream exists.
-- p_command_ids: per event; a command's id on its last event, NULL elsewhere.
-- p_templates: canonical JSON of each event with U+0001 where its stream version goes.
-- Returns the stream's head before the append, and positions (NULL when expected failed).
CREATE OR REPLACE FUNCTION es_append(
  p_stream text,
  p_expected bigint,
  p_command_ids text[],
  p_templates text[],
  p_lock boolean
) RETURNS TABLE (head bigint, positions bigint[], txid text)
LANGUAGE plpgsql AS $fn$
DECLARE
  n integer := cardinality(p_templates);
  v_head bigint;
  v_prev text;
  v_text text;
  v_hashes text[] := '{}';
  v_prevs text[] := '{}';
  v_bodies jsonb[] := '{}';
  v_positions bigint[];
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
  IF (p_expected >= 0 AND v_head <> p_expected) OR (p_expected = -2 AND v_head = 0) THEN
    RETURN QUERY SELECT v_head, NULL::bigint[], NULL::text;
    RETURN;
  END IF;
  FOR i IN 1..n LOOP
    v_text := replace(p_templates[i], E'\\x01', (v_head + i)::text);
    v_prevs[i] := v_prev;
    v_prev := encode(sha256(convert_to(v_prev || v_text, 'UTF8')), 'hex');
    v_hashes[i] := v_prev;
    v_bodies[i] := v_text::jsonb;
  END LOOP;
  WITH ins AS (
    INSERT INTO es_events (stream_id, stream_version, type, schema_version, data, metadata,
                           command_id, prev_hash, hash)
      SELECT p_stream, v_head + u.i, u.b->>'type', (u.b->>'schemaVersion')::integer,
             u.b->'data', u.b->'metadata', p_command_ids[u.i], v_prevs[u.i], v_hashes[u.i]
        FROM unnest(v_bodies) WITH ORDINALITY AS u(b, i)
        ORDER BY u.i
      RETURNING es_events.stream_version, es_events.global_position
  )
  SELECT array_agg(ins.global_position ORDER BY ins.stream_version) INTO v_positions FROM ins;
  RETURN QUERY SELECT v_head, v_positions, pg_current_xact_id()::text;
END
$fn$;
`;

/**
 * One event in one statement (the common case; a plpgsql call costs more than the insert).
 * $1 stream, $2 expected (as in es_append), $3 command id, $4 template.
 * The subqueries are fenced (OFFSET 0) so the template is filled and parsed once.
 */
export const APPEND_ONE_SQL = `
WITH head AS (
  SELECT coalesce(max(h.stream_version), 0)::bigint AS v,
         coalesce(max(h.hash), '${GENESIS_HASH}') AS h
    FROM (SELECT e.stream_version, e.hash FROM es_events e WHERE e.stream_id = $1
           ORDER BY e.stream_version DESC LIMIT 1) h
), body AS (
  SELECT x.v, x.prev, x.t, x.t::jsonb AS j
    FROM (SELECT head.v + 1 AS v, head.h AS prev,
                 replace($4::text, E'\\x01', (head.v + 1)::text) AS t
            FROM head
           WHERE CASE WHEN $2::bigint >= 0 THEN head.v = $2::bigint
                      WHEN $2::bigint = -2 THEN head.v > 0
                      ELSE true END
          OFFSET 0) x
  OFFSET 0
), ins AS (
  INSERT INTO es_events (stream_id, stream_version, type, schema_version, data, metadata,
                         command_id, prev_hash, hash)
  SELECT $1, b.v, b.j->>'type', (b.j->>'schemaVersion')::integer, b.j->'data', b.j->'metadata',
         $3::text, b.prev, encode(sha256(convert_to(b.prev || b.t, 'UTF8')), 'hex')
    FROM body b
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
    } else if (found.events) {
      throw new Error(
        'this database has an event store table from a pre-release layout (es_events without ' +
          'es_schema); drop its es_* tables or use a fresh database',
      );
    }
    await client.query('BEGIN');
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
