import type pg from 'pg';

// Where data keys are kept: one row per person (subject), the key wrapped under the master
// key. Destroying a key removes the wrapped key and keeps the row as a tombstone, so the
// subject is never given a new key. PostgreSQL in the services; memory for service tests.

export interface KeyRow {
  keyId: string;
  subject: string;
  /** The data key wrapped under the master key; null once destroyed. */
  wrapped: Buffer | null;
  masterKeyId: string;
}

export interface KeyStore {
  byIds(keyIds: readonly string[]): Promise<KeyRow[]>;
  bySubjects(subjects: readonly string[]): Promise<KeyRow[]>;
  /** Inserts keys for subjects that have none; answers the subjects inserted. */
  insert(rows: readonly KeyRow[]): Promise<Set<string>>;
  /** Destroys the subject's key (a tombstone when it had none); true when a key was destroyed. */
  destroy(subject: string): Promise<boolean>;
  /** An erasure is about to be recorded: a crash before `destroy` is found at start-up. */
  markErasure(subject: string): Promise<void>;
  clearErasure(subject: string): Promise<void>;
  /** Subjects whose erasure was started and whose key is not destroyed yet. */
  pendingErasures(): Promise<string[]>;
  /** The master keys live data keys are wrapped under. */
  masterKeyIds(): Promise<string[]>;
}

export class MemoryKeyStore implements KeyStore {
  private readonly rows = new Map<string, KeyRow & { pending: boolean }>();

  async byIds(keyIds: readonly string[]): Promise<KeyRow[]> {
    const wanted = new Set(keyIds);
    return [...this.rows.values()].filter((r) => wanted.has(r.keyId)).map(copy);
  }

  async bySubjects(subjects: readonly string[]): Promise<KeyRow[]> {
    return subjects.flatMap((s) => {
      const row = this.rows.get(s);
      return row ? [copy(row)] : [];
    });
  }

  async insert(rows: readonly KeyRow[]): Promise<Set<string>> {
    const inserted = new Set<string>();
    for (const row of rows) {
      if (this.rows.has(row.subject)) continue;
      this.rows.set(row.subject, { ...copy(row), pending: false });
      inserted.add(row.subject);
    }
    return inserted;
  }

  async destroy(subject: string): Promise<boolean> {
    const row = this.rows.get(subject);
    if (!row) {
      this.rows.set(subject, {
        keyId: `tombstone-${this.rows.size}`,
        subject,
        wrapped: null,
        masterKeyId: '',
        pending: false,
      });
      return false;
    }
    const destroyed = row.wrapped !== null;
    row.wrapped = null;
    row.pending = false;
    return destroyed;
  }

  async markErasure(subject: string): Promise<void> {
    const row = this.rows.get(subject);
    if (row) row.pending = true;
  }

  async clearErasure(subject: string): Promise<void> {
    const row = this.rows.get(subject);
    if (row) row.pending = false;
  }

  async pendingErasures(): Promise<string[]> {
    return [...this.rows.values()].filter((r) => r.pending && r.wrapped).map((r) => r.subject);
  }

  async masterKeyIds(): Promise<string[]> {
    return [...new Set([...this.rows.values()].filter((r) => r.wrapped).map((r) => r.masterKeyId))];
  }
}

const copy = (row: KeyRow): KeyRow => ({
  keyId: row.keyId,
  subject: row.subject,
  wrapped: row.wrapped,
  masterKeyId: row.masterKeyId,
});

/**
 * The tables of this package, in the events' database. `pii_keys`: one row per subject; a
 * destroyed key keeps its row with `wrapped` NULL. `pii_key_rotations`: each master key
 * rotation, old and new key ids. `pii_access_log`: reads of personal data by officials.
 */
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS pii_keys (
  key_id             text COLLATE "C" PRIMARY KEY,
  subject            text COLLATE "C" NOT NULL UNIQUE,
  wrapped            bytea,
  master_key_id      text NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  erasure_started_at timestamptz,
  destroyed_at       timestamptz,
  CONSTRAINT pii_keys_destroyed CHECK ((wrapped IS NULL) = (destroyed_at IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS pii_keys_erasure_started ON pii_keys (subject)
  WHERE erasure_started_at IS NOT NULL AND destroyed_at IS NULL;
CREATE TABLE IF NOT EXISTS pii_key_rotations (
  rotated_at         timestamptz NOT NULL DEFAULT now(),
  from_master_key_id text NOT NULL,
  to_master_key_id   text NOT NULL,
  keys               integer NOT NULL
);
CREATE TABLE IF NOT EXISTS pii_access_log (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT now(),
  reader_id    text NOT NULL,
  reader_role  text NOT NULL,
  community_id text NOT NULL,
  person_ids   text[] NOT NULL,
  route        text NOT NULL,
  request_id   text
);
CREATE INDEX IF NOT EXISTS pii_access_log_community ON pii_access_log (community_id, id);
`;

/** Every table and index `SCHEMA_SQL` creates. */
const SCHEMA_OBJECTS = [
  'pii_keys',
  'pii_keys_erasure_started',
  'pii_key_rotations',
  'pii_access_log',
  'pii_access_log_community',
];

/**
 * Creates the tables when missing (serialised: services may start together). When they are all
 * there it runs no DDL: a service's role, which owns no table, may call it.
 */
export async function migratePersonalData(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ missing: number }>(
    'SELECT count(*) FILTER (WHERE to_regclass(o) IS NULL)::int AS missing FROM unnest($1::text[]) AS o',
    [SCHEMA_OBJECTS],
  );
  if (rows[0]!.missing === 0) return;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('yishi personal-data schema'))`);
    await client.query(SCHEMA_SQL);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

interface Row {
  key_id: string;
  subject: string;
  wrapped: Buffer | null;
  master_key_id: string;
}
const rowOf = (r: Row): KeyRow => ({
  keyId: r.key_id,
  subject: r.subject,
  wrapped: r.wrapped,
  masterKeyId: r.master_key_id,
});

export class PostgresKeyStore implements KeyStore {
  constructor(private readonly pool: pg.Pool) {}

  async byIds(keyIds: readonly string[]): Promise<KeyRow[]> {
    if (keyIds.length === 0) return [];
    const { rows } = await this.pool.query<Row>(
      'SELECT key_id, subject, wrapped, master_key_id FROM pii_keys WHERE key_id = ANY($1::text[])',
      [keyIds],
    );
    return rows.map(rowOf);
  }

  async bySubjects(subjects: readonly string[]): Promise<KeyRow[]> {
    if (subjects.length === 0) return [];
    const { rows } = await this.pool.query<Row>(
      'SELECT key_id, subject, wrapped, master_key_id FROM pii_keys WHERE subject = ANY($1::text[])',
      [subjects],
    );
    return rows.map(rowOf);
  }

  async insert(rows: readonly KeyRow[]): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const { rows: inserted } = await this.pool.query<{ subject: string }>(
      `INSERT INTO pii_keys (key_id, subject, wrapped, master_key_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::text[])
       ON CONFLICT (subject) DO NOTHING
       RETURNING subject`,
      [
        rows.map((r) => r.keyId),
        rows.map((r) => r.subject),
        rows.map((r) => r.wrapped),
        rows.map((r) => r.masterKeyId),
      ],
    );
    return new Set(inserted.map((r) => r.subject));
  }

  async destroy(subject: string): Promise<boolean> {
    // A subject without a key gets a tombstone: no key may be made for it later.
    const { rows } = await this.pool.query<{ destroyed: boolean }>(
      `WITH before AS (SELECT wrapped IS NOT NULL AS live FROM pii_keys WHERE subject = $1)
       INSERT INTO pii_keys AS k (key_id, subject, wrapped, master_key_id, destroyed_at)
       VALUES ('tombstone-' || md5($1), $1, NULL, '', now())
       ON CONFLICT (subject) DO UPDATE
         SET wrapped = NULL, destroyed_at = coalesce(k.destroyed_at, now())
       RETURNING coalesce((SELECT live FROM before), false) AS destroyed`,
      [subject],
    );
    return rows[0]?.destroyed ?? false;
  }

  async markErasure(subject: string): Promise<void> {
    await this.pool.query(
      'UPDATE pii_keys SET erasure_started_at = now() WHERE subject = $1 AND destroyed_at IS NULL',
      [subject],
    );
  }

  async clearErasure(subject: string): Promise<void> {
    await this.pool.query('UPDATE pii_keys SET erasure_started_at = NULL WHERE subject = $1', [
      subject,
    ]);
  }

  async pendingErasures(): Promise<string[]> {
    const { rows } = await this.pool.query<{ subject: string }>(
      `SELECT subject FROM pii_keys
        WHERE erasure_started_at IS NOT NULL AND destroyed_at IS NULL ORDER BY subject`,
    );
    return rows.map((r) => r.subject);
  }

  async masterKeyIds(): Promise<string[]> {
    const { rows } = await this.pool.query<{ master_key_id: string }>(
      'SELECT DISTINCT master_key_id FROM pii_keys WHERE wrapped IS NOT NULL',
    );
    return rows.map((r) => r.master_key_id);
  }
}
