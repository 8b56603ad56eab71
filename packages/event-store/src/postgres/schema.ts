import type pg from 'pg';

/**
 * The event store schema. Global order is (transaction_id, global_position): readers only
 * read below pg_snapshot_xmin, so an event committed late is never skipped.
 */
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS es_streams (
  stream_id   text PRIMARY KEY,
  version     bigint NOT NULL,
  last_hash   text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS es_events (
  global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
  stream_id       text NOT NULL,
  stream_version  bigint NOT NULL,
  type            text NOT NULL,
  schema_version  integer NOT NULL,
  data            jsonb NOT NULL,
  metadata        jsonb NOT NULL,
  command_id      text,
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  prev_hash       text NOT NULL,
  hash            text NOT NULL,
  CONSTRAINT es_events_stream_version UNIQUE (stream_id, stream_version)
);
CREATE INDEX IF NOT EXISTS es_events_global_order ON es_events (transaction_id, global_position);

CREATE TABLE IF NOT EXISTS es_commands (
  command_id           text PRIMARY KEY,
  stream_id            text NOT NULL,
  last_version         bigint NOT NULL,
  last_global_position bigint NOT NULL,
  transaction_id       xid8 NOT NULL DEFAULT pg_current_xact_id(),
  recorded_at          timestamptz NOT NULL DEFAULT now()
);

-- One round trip per append. Returns status ok | conflict | duplicate.
-- p_command_ids holds each event's command id (one value per group; NULL for none).
CREATE OR REPLACE FUNCTION es_append(
  p_stream text,
  p_expected bigint,
  p_prev_hash text,
  p_command_ids text[],
  p_types text[],
  p_schema_versions integer[],
  p_data jsonb[],
  p_metadata jsonb[],
  p_prev_hashes text[],
  p_hashes text[]
) RETURNS TABLE (status text, version bigint, positions bigint[], duplicate_command text, txid text)
LANGUAGE plpgsql AS $fn$
DECLARE
  n integer := cardinality(p_types);
  v_new bigint := p_expected + cardinality(p_types);
  v_dup text;
  v_actual bigint;
  v_positions bigint[];
  v_groups integer;
  v_inserted integer;
BEGIN
  SELECT c.command_id INTO v_dup FROM es_commands c
    WHERE c.command_id = ANY (p_command_ids) LIMIT 1;
  IF v_dup IS NOT NULL THEN
    RETURN QUERY SELECT 'duplicate'::text, c.last_version, ARRAY[c.last_global_position], c.command_id, c.transaction_id::text
      FROM es_commands c WHERE c.command_id = v_dup;
    RETURN;
  END IF;

  IF p_expected = 0 THEN
    INSERT INTO es_streams (stream_id, version, last_hash)
      VALUES (p_stream, v_new, p_hashes[n]) ON CONFLICT (stream_id) DO NOTHING;
  ELSE
    UPDATE es_streams s SET version = v_new, last_hash = p_hashes[n]
      WHERE s.stream_id = p_stream AND s.version = p_expected AND s.last_hash = p_prev_hash;
  END IF;
  IF NOT FOUND THEN
    SELECT s.version INTO v_actual FROM es_streams s WHERE s.stream_id = p_stream;
    RETURN QUERY SELECT 'conflict'::text, coalesce(v_actual, 0), NULL::bigint[], NULL::text, NULL::text;
    RETURN;
  END IF;

  WITH ins AS (
    INSERT INTO es_events (stream_id, stream_version, type, schema_version, data, metadata,
                           command_id, prev_hash, hash)
      SELECT p_stream, p_expected + i, p_types[i], p_schema_versions[i], p_data[i], p_metadata[i],
             p_command_ids[i], p_prev_hashes[i], p_hashes[i]
        FROM generate_series(1, n) AS i ORDER BY i
      RETURNING es_events.stream_version, es_events.global_position
  )
  SELECT array_agg(ins.global_position ORDER BY ins.stream_version) INTO v_positions FROM ins;

  SELECT count(DISTINCT c) INTO v_groups FROM unnest(p_command_ids) AS c WHERE c IS NOT NULL;
  IF v_groups > 0 THEN
    INSERT INTO es_commands (command_id, stream_id, last_version, last_global_position)
      SELECT g.cid, p_stream, p_expected + max(g.i), v_positions[max(g.i)]
        FROM unnest(p_command_ids) WITH ORDINALITY AS g(cid, i)
        WHERE g.cid IS NOT NULL GROUP BY g.cid
      ON CONFLICT (command_id) DO NOTHING;
    GET DIAGNOSTICS v_inserted = ROW_COUNT;
    IF v_inserted < v_groups THEN
      -- A concurrent append with the same command id committed first: undo ours.
      RAISE EXCEPTION USING ERRCODE = 'YS002', MESSAGE = 'duplicate command';
    END IF;
  END IF;

  PERFORM pg_notify('es_events', p_stream);
  RETURN QUERY SELECT 'ok'::text, v_new, v_positions, NULL::text, pg_current_xact_id()::text;
END
$fn$;
`;

export async function migrateEventStore(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    // Serialise concurrent migrations (several services starting at once).
    await client.query('SELECT pg_advisory_lock(7251001)');
    await client.query(SCHEMA_SQL);
  } finally {
    await client.query('SELECT pg_advisory_unlock(7251001)').catch(() => {});
    client.release();
  }
}
