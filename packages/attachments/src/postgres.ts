import pg from 'pg';
import type { BlobStore } from './blob-store.ts';

// The default store: a table in the events' PostgreSQL, keyed by the hash. Backed up with the
// events, so a dossier's attachments are restored with the record they belong to.

const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS attachment_blobs (
  sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size integer NOT NULL,
  bytes bytea NOT NULL,
  stored_at timestamptz NOT NULL DEFAULT now()
);
-- Photos and PDFs are compressed already: no point in TOAST compressing them again.
ALTER TABLE attachment_blobs ALTER COLUMN bytes SET STORAGE EXTERNAL;
`;

export class PostgresBlobStore implements BlobStore {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly owned: boolean,
  ) {}

  /** Opens a pool on the database and creates the table if it is missing. */
  static async open(databaseUrl: string, maxConnections = 4): Promise<PostgresBlobStore> {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: maxConnections });
    // An idle connection the server closed is replaced on the next query.
    pool.on('error', () => {});
    try {
      await migrateAttachments(pool);
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresBlobStore(pool, true);
  }

  async put(sha256: string, bytes: Uint8Array): Promise<void> {
    await this.pool.query(
      `INSERT INTO attachment_blobs (sha256, size, bytes) VALUES ($1, $2, $3)
       ON CONFLICT (sha256) DO NOTHING`,
      [sha256, bytes.byteLength, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)],
    );
  }

  async get(sha256: string): Promise<Uint8Array | undefined> {
    const { rows } = await this.pool.query<{ bytes: Buffer }>(
      'SELECT bytes FROM attachment_blobs WHERE sha256 = $1',
      [sha256],
    );
    const bytes = rows[0]?.bytes;
    return bytes && new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  async close(): Promise<void> {
    if (this.owned) await this.pool.end();
  }
}

/**
 * Creates the table when it is missing (as the owner: `pnpm db:migrate`, `pnpm start`); a
 * service role, which may not create tables, finds it there and changes nothing.
 */
export async function migrateAttachments(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ found: boolean }>(
    `SELECT to_regclass('attachment_blobs') IS NOT NULL AS found`,
  );
  if (rows[0]?.found) return;
  await migrate(pool);
}

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Two services start at once: one creates the table, the other waits for it.
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('yishi attachments schema'))`);
    await client.query(SCHEMA_SQL);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
