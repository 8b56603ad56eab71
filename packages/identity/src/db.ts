import {
  Kysely,
  type Migration,
  type MigrationProvider,
  Migrator,
  PostgresDialect,
  sql,
} from 'kysely';
import pg from 'pg';
import type { IdentityDatabase } from './tables.ts';

// The sign-in's connection and its dated migrations, in a schema of its own (`identity`), so
// its tables never meet the event store's or the read models'.

export const IDENTITY_SCHEMA = 'identity';

export type IdentityDb = Kysely<IdentityDatabase>;

export function createIdentityDb(connectionString: string, max = 5): IdentityDb {
  const pool = new pg.Pool({ connectionString, max });
  // An idle client's error (server restart) must not crash the console.
  pool.on('error', () => {});
  return new Kysely<IdentityDatabase>({ dialect: new PostgresDialect({ pool }) });
}

/** The sign-in's tables: every query goes through this. */
export const tables = (db: IdentityDb) => db.withSchema(IDENTITY_SCHEMA);

const migrations: Record<string, Migration> = {
  '2026-12-08-001-sign-in': {
    async up(db: Kysely<unknown>) {
      const s = db.schema.withSchema(IDENTITY_SCHEMA);
      await s
        .createTable('otp_codes')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('phone_hmac', 'text', (c) => c.notNull())
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('used_at', 'timestamptz')
        .execute();
      await s
        .createIndex('otp_codes_by_phone')
        .on('otp_codes')
        .columns(['phone_hmac', 'created_at'])
        .execute();
      await s
        .createTable('rate_limits')
        .addColumn('bucket', 'text', (c) => c.notNull())
        .addColumn('window_start', 'timestamptz', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('rate_limits_pk', ['bucket', 'window_start'])
        .execute();
      await s
        .createTable('sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('identities', 'jsonb', (c) => c.notNull())
        .addColumn('person_id', 'text')
        .addColumn('community_id', 'text')
        .addColumn('capacity', 'text')
        .addColumn('party_id', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .addColumn('revoked_at', 'timestamptz')
        .execute();
      await s
        .createTable('bootstrap_codes')
        .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('used_at', 'timestamptz')
        .execute();
      await s
        .createTable('phone_numbers')
        .addColumn('phone_hmac', 'text', (c) => c.notNull())
        .addColumn('community_id', 'text', (c) => c.notNull())
        .addColumn('person_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addPrimaryKeyConstraint('phone_numbers_pk', ['phone_hmac', 'community_id', 'person_id'])
        .execute();
      // One number per person: linking a new one replaces the old.
      await s
        .createIndex('phone_numbers_person')
        .on('phone_numbers')
        .columns(['community_id', 'person_id'])
        .unique()
        .execute();
    },
  },
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * Creates or updates the sign-in's tables (idempotent; safe from several processes). Once they
 * are current it runs no DDL: the console's role, which may not create a schema, may call it.
 */
export async function migrateIdentity(db: IdentityDb): Promise<void> {
  const root = db as unknown as Kysely<unknown>;
  const { rows } = await sql<{ found: boolean }>`
    SELECT to_regnamespace(${IDENTITY_SCHEMA}) IS NOT NULL AS found`.execute(root);
  if (!rows[0]?.found)
    await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(IDENTITY_SCHEMA)}`.execute(root);
  const migrator = new Migrator({
    db: root,
    provider,
    migrationTableSchema: IDENTITY_SCHEMA,
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`identity migration failed: ${failed?.migrationName ?? ''}`, { cause: error });
  }
}
