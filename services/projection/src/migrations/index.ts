import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import { createTransparencyTables } from '../transparency/tables.ts';

/**
 * Dated migrations of the control tables (public schema), in code so that the service carries
 * them wherever it runs. The read-model tables are migrated per generation (see generations.ts).
 */
const migrations: Record<string, Migration> = {
  '2026-11-21-001-read-models': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('projection_checkpoints')
        .addColumn('projection', 'text', (c) => c.primaryKey())
        .addColumn('transaction_id', 'text', (c) => c.notNull())
        .addColumn('global_position', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createTable('rm_communities')
        .addColumn('community_id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('registered_at', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('rm_proposals')
        .addColumn('community_id', 'text', (c) => c.notNull())
        .addColumn('proposal_id', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('procedure_template', 'text', (c) => c.notNull())
        .addColumn('procedure_version', 'integer', (c) => c.notNull())
        .addColumn('stage', 'text', (c) => c.notNull())
        .addColumn('submitted_by', 'text', (c) => c.notNull())
        .addColumn('submitted_role', 'text', (c) => c.notNull())
        .addColumn('submitted_at', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('rm_proposals_pk', ['community_id', 'proposal_id'])
        .execute();
    },
  },
  // The first read models lived in public; they are rebuilt from the events into generation
  // schemas, so the old tables go.
  '2026-11-22-002-generations': {
    async up(db: Kysely<unknown>) {
      await db.schema.dropTable('rm_communities').ifExists().execute();
      await db.schema.dropTable('rm_proposals').ifExists().execute();
      await db.schema.dropTable('projection_checkpoints').ifExists().execute();
      await db.schema
        .createTable('projection_generations')
        .addColumn('projection', 'text', (c) => c.notNull())
        .addColumn('generation', 'integer', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('schema_name', 'text', (c) => c.notNull().unique())
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status IN ('building', 'active', 'retired', 'dropped')`),
        )
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('activated_at', 'timestamptz')
        .addColumn('retired_at', 'timestamptz')
        .addPrimaryKeyConstraint('projection_generations_pk', ['projection', 'generation'])
        .execute();
      // One active and at most one building generation per projection.
      await db.schema
        .createIndex('projection_generations_one_active')
        .on('projection_generations')
        .column('projection')
        .unique()
        .where(sql.ref('status'), '=', 'active')
        .execute();
      await db.schema
        .createIndex('projection_generations_one_building')
        .on('projection_generations')
        .column('projection')
        .unique()
        .where(sql.ref('status'), '=', 'building')
        .execute();
      await db.schema
        .createTable('projection_checkpoints')
        .addColumn('schema_name', 'text', (c) => c.primaryKey())
        .addColumn('projection', 'text', (c) => c.notNull())
        .addColumn('transaction_id', 'int8', (c) => c.notNull())
        .addColumn('global_position', 'int8', (c) => c.notNull())
        .addColumn('events', 'int8', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
    },
  },
  // The notification outbox lives beside the control tables, not in a generation: a rebuild
  // replays the events into the same rows (deterministic ids), so nothing is sent twice.
  '2026-11-22-003-notification-outbox': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('notification_deliveries')
        .addColumn('delivery_id', 'text', (c) => c.primaryKey())
        .addColumn('community_id', 'text', (c) => c.notNull())
        .addColumn('webhook_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('stream_id', 'text', (c) => c.notNull())
        .addColumn('stream_version', 'integer', (c) => c.notNull())
        .addColumn('transaction_id', 'int8', (c) => c.notNull())
        .addColumn('global_position', 'int8', (c) => c.notNull())
        .addColumn('occurred_at', 'text', (c) => c.notNull())
        .addColumn('payload', 'jsonb', (c) => c.notNull())
        .addColumn('status', 'text', (c) =>
          c
            .notNull()
            .defaultTo('pending')
            .check(sql`status IN ('pending', 'delivered', 'dead', 'cancelled')`),
        )
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('claim', 'text')
        .addColumn('last_attempt_at', 'timestamptz')
        .addColumn('last_status', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('delivered_at', 'timestamptz')
        .addColumn('requeued_at', 'timestamptz')
        .addColumn('requeued_by', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      // What the dispatcher takes: due pending rows, oldest first.
      await db.schema
        .createIndex('notification_deliveries_due')
        .on('notification_deliveries')
        .columns(['next_attempt_at', 'global_position'])
        .where(sql.ref('status'), '=', 'pending')
        .execute();
      // What the query lists: a community's deliveries by status, in the global order.
      await db.schema
        .createIndex('notification_deliveries_community')
        .on('notification_deliveries')
        .columns(['community_id', 'status', 'global_position'])
        .execute();
      await db.schema
        .createTable('notification_attempts')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('delivery_id', 'text', (c) =>
          c.notNull().references('notification_deliveries.delivery_id'),
        )
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('url', 'text')
        .addColumn('outcome', 'text', (c) =>
          c.notNull().check(sql`outcome IN ('delivered', 'retry', 'dead', 'cancelled')`),
        )
        .addColumn('http_status', 'integer')
        .addColumn('error', 'text')
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('notification_attempts_delivery')
        .on('notification_attempts')
        .columns(['delivery_id', 'id'])
        .execute();
    },
  },
  // The Merkle tree over the global order and its signed checkpoints (transparency/).
  '2026-12-08-004-transparency-log': { up: createTransparencyTables },
  // Sign-in's lookup by phone number over the registry's sealed numbers (directory/).
  '2026-12-09-005-phone-index': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('phone_index')
        .addColumn('community_id', 'text', (c) => c.notNull())
        .addColumn('person_id', 'text', (c) => c.notNull())
        .addColumn('phone_digest', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('phone_index_pk', ['community_id', 'person_id'])
        .execute();
      await db.schema
        .createIndex('phone_index_digest')
        .on('phone_index')
        .column('phone_digest')
        .execute();
      await db.schema
        .createTable('phone_index_watermark')
        .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
        .addColumn('transaction_id', 'int8', (c) => c.notNull())
        .addColumn('global_position', 'int8', (c) => c.notNull())
        .execute();
    },
  },
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Runs kysely's Migrator over `provider` and names the failing migration. */
export async function runMigrator(migrator: Migrator, what: string): Promise<void> {
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`${what} migration failed${failed ? ` at ${failed}` : ''}`, { cause: error });
  }
}

export async function migrateReadModels<T>(db: Kysely<T>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'rm_migrations',
    migrationLockTableName: 'rm_migrations_lock',
  });
  await runMigrator(migrator, 'read-model');
}
