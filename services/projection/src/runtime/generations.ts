import { type Checkpoint, START } from '@yishi/event-store';
import { type Kysely, Migrator, type Selectable, sql } from 'kysely';
import { runMigrator } from '../migrations/index.ts';
import type { Projection } from '../projections/projection.ts';
import type { Database, GenerationStatus, ProjectionGenerationsTable } from '../tables.ts';
import { inLanes } from './settle.ts';

// Versioned projections (blue-green): each build of a projection is a generation with its own
// schema. Queries read the active generation; a new one builds beside it and is switched in
// when it has caught up. Retired generations are dropped after a grace period.

export interface Generation {
  projection: string;
  generation: number;
  version: number;
  schema: string;
  status: GenerationStatus;
}

/** Namespace of the service's two-key advisory locks ('YSHP'). */
export const LOCK_NAMESPACE = 0x59534850;

/** A stable 32-bit key for an advisory lock on `name`. */
export function lockKey(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

export function schemaName(projection: string, generation: number): string {
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(projection))
    throw new Error(`bad projection name ${projection}`);
  return `rm_${projection}_g${generation}`;
}

type GenerationRow = Pick<
  Selectable<ProjectionGenerationsTable>,
  'projection' | 'generation' | 'version' | 'schema_name' | 'status'
>;

function toGeneration(row: GenerationRow): Generation {
  return {
    projection: row.projection,
    generation: row.generation,
    version: row.version,
    schema: row.schema_name,
    status: row.status,
  };
}

const COLUMNS = ['projection', 'generation', 'version', 'schema_name', 'status'] as const;

/** The projection's generation in this status: at most one is active and one building. */
async function generationIn(
  db: Kysely<Database>,
  projection: string,
  status: 'active' | 'building',
): Promise<Generation | undefined> {
  const row = await db
    .selectFrom('projection_generations')
    .select(COLUMNS)
    .where('projection', '=', projection)
    .where('status', '=', status)
    .executeTakeFirst();
  return row && toGeneration(row);
}

export const activeGeneration = (db: Kysely<Database>, projection: string) =>
  generationIn(db, projection, 'active');

export const buildingGeneration = (db: Kysely<Database>, projection: string) =>
  generationIn(db, projection, 'building');

export async function generationStatus(
  db: Kysely<Database>,
  schema: string,
): Promise<GenerationStatus | undefined> {
  const row = await db
    .selectFrom('projection_generations')
    .select('status')
    .where('schema_name', '=', schema)
    .executeTakeFirst();
  return row?.status;
}

/** Runs `fn` holding a session advisory lock (serialises creating generations). */
async function withCreateLock<T>(
  db: Kysely<Database>,
  projection: string,
  fn: () => Promise<T>,
): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`SELECT pg_advisory_lock(${LOCK_NAMESPACE + 1}, ${lockKey(projection)})`.execute(conn);
    try {
      return await fn();
    } finally {
      await sql`SELECT pg_advisory_unlock(${LOCK_NAMESPACE + 1}, ${lockKey(projection)})`.execute(
        conn,
      );
    }
  });
}

/**
 * Applies the projection's migrations (kysely's Migrator) inside the generation's schema: its
 * builders name the schema, and raw SQL finds its tables there too (search_path, on the one
 * connection the migrations use).
 */
export async function migrateGeneration(
  db: Kysely<Database>,
  projection: Projection,
  schema: string,
): Promise<void> {
  await withSessionSetting(db, 'search_path', `"${schema}", public`, async (conn) => {
    const migrator = new Migrator({
      db: conn.withSchema(schema),
      provider: { getMigrations: async () => projection.migrations },
      migrationTableSchema: schema,
      migrationTableName: 'migrations',
      migrationLockTableName: 'migrations_lock',
    });
    await runMigrator(migrator, `${projection.name} (${schema})`);
  });
}

/** Runs `work` on one connection with a setting of its session, reset before the pool has it back. */
async function withSessionSetting(
  db: Kysely<Database>,
  setting: string,
  value: string,
  work: (conn: Kysely<Database>) => Promise<void>,
): Promise<void> {
  await db.connection().execute(async (conn) => {
    await sql`SELECT set_config(${setting}, ${value}, false)`.execute(conn);
    try {
      await work(conn);
    } finally {
      await sql`RESET ${sql.id(setting)}`.execute(conn);
    }
  });
}

/**
 * Index builds at once per generation: the timeline's five over a million lines took 4.5-5.2 s
 * one after the other and 3.4-3.6 s in two lanes (`psql`, two cores); more lanes gave no more.
 */
const INDEX_LANES = 2;
/** Sort memory of each lane. */
const INDEX_MEMORY = '256MB';

/**
 * The indexes only queries need, and fresh statistics for the planner; done when a generation
 * starts serving queries.
 */
export async function indexGeneration(
  db: Kysely<Database>,
  projection: Projection,
  schema: string,
): Promise<void> {
  // Connections with their own sort memory, so building an index over a million rows sorts in
  // memory instead of through temporary files; INDEX_LANES of them, each taking the next index
  // to build, since one build leaves much of the machine idle (its merge and its writing are one
  // process). A plain CREATE INDEX: its transaction appends no event, so the event store's
  // readers pass it (they wait only for transactions that may append); built CONCURRENTLY, an
  // index scanned its table twice and a table's indexes had to wait for each other (two
  // concurrent builds on one table deadlock), the timeline's five one after the other. An invalid
  // index an interrupted concurrent build left is dropped first: IF NOT EXISTS would keep it.
  await dropInvalidIndexes(db, schema);
  const indexes = projection.indexes(db.withSchema(schema)).map((index) => index.compile());
  // Every lane ends before this returns or throws (none goes on building in a generation its
  // caller may drop next); after a failure the others start no other build.
  await inLanes(indexes, INDEX_LANES, (next) =>
    withSessionSetting(db, 'maintenance_work_mem', INDEX_MEMORY, async (conn) => {
      for (let index = next(); index; index = next()) await conn.executeQuery(index);
    }),
  );
  // Statistics after the indexes (ANALYZE would wait for an index build on its table anyway).
  await withSessionSetting(db, 'maintenance_work_mem', INDEX_MEMORY, async (trx) => {
    for (const stat of projection.statistics ?? []) {
      await sql`CREATE STATISTICS IF NOT EXISTS ${sql.table(`${schema}.${stat.name}`)} (dependencies, mcv)
        ON ${sql.join(stat.columns.map((c) => sql.ref(c)))} FROM ${sql.table(`${schema}.${stat.table}`)}`.execute(
        trx,
      );
    }
    for (const table of projection.tables) {
      // Statistics of the columns queries filter and sort on; documents (json) are only shown,
      // and sampling them is most of the cost of ANALYZE.
      const { rows } = await sql<{ name: string }>`
        SELECT attname AS name FROM pg_attribute
         WHERE attrelid = to_regclass(${`"${schema}"."${table}"`}) AND attnum > 0
           AND NOT attisdropped AND atttypid NOT IN ('json'::regtype, 'jsonb'::regtype)
         ORDER BY attnum`.execute(trx);
      await sql`ANALYZE ${sql.table(`${schema}.${table}`)} (${sql.join(rows.map((r) => sql.ref(r.name)))})`.execute(
        trx,
      );
    }
  });
}

/** Drops the invalid indexes a failed concurrent build left in the schema. */
async function dropInvalidIndexes(db: Kysely<Database>, schema: string): Promise<void> {
  const { rows } = await sql<{ name: string }>`
    SELECT c.relname AS name FROM pg_index i
      JOIN pg_class c ON c.oid = i.indexrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = ${schema} AND NOT i.indisvalid`.execute(db);
  for (const { name } of rows) {
    await sql`DROP INDEX CONCURRENTLY IF EXISTS ${sql.table(`${schema}.${name}`)}`.execute(db);
  }
}

/** Creates the next generation: schema, tables and a checkpoint at the start. */
async function createGeneration(
  db: Kysely<Database>,
  projection: Projection,
  status: 'building' | 'active',
): Promise<Generation> {
  const last = await db
    .selectFrom('projection_generations')
    .select((eb) => eb.fn.max('generation').as('max'))
    .where('projection', '=', projection.name)
    .executeTakeFirst();
  const generation = (last?.max ?? 0) + 1;
  const schema = schemaName(projection.name, generation);
  await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(db);
  // The row and its checkpoint together: a generation interrupted while its tables are being
  // created is resumed (migrations are transactional), never left without a checkpoint.
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('projection_generations')
      .values({
        projection: projection.name,
        generation,
        version: projection.version,
        schema_name: schema,
        status: 'building',
      })
      .execute();
    await trx
      .insertInto('projection_checkpoints')
      .values({
        schema_name: schema,
        projection: projection.name,
        transaction_id: '0',
        global_position: '0',
        events: '0',
      })
      .execute();
  });
  await migrateGeneration(db, projection, schema);
  if (status === 'active') {
    await indexGeneration(db, projection, schema);
    await db
      .updateTable('projection_generations')
      .set({ status: 'active', activated_at: new Date() })
      .where('schema_name', '=', schema)
      .execute();
  }
  return { projection: projection.name, generation, version: projection.version, schema, status };
}

/**
 * The generation queries read; the first one is created (and active at once: there is nothing
 * older to serve). Its schema is brought up to the projection's latest migration.
 */
export async function ensureActiveGeneration(
  db: Kysely<Database>,
  projection: Projection,
): Promise<Generation> {
  const found = await activeGeneration(db, projection.name);
  if (found) return found;
  return withCreateLock(db, projection.name, async () => {
    const active = await activeGeneration(db, projection.name);
    if (active) return active;
    // A first generation whose creation was interrupted: activate it, it resumes from its checkpoint.
    const building = await buildingGeneration(db, projection.name);
    if (building) {
      await migrateGeneration(db, projection, building.schema);
      await indexGeneration(db, projection, building.schema);
      await db
        .updateTable('projection_generations')
        .set({ status: 'active', activated_at: new Date() })
        .where('schema_name', '=', building.schema)
        .execute();
      return { ...building, status: 'active' };
    }
    return createGeneration(db, projection, 'active');
  });
}

/** A new generation to build beside the active one (an unfinished build of the same version is resumed). */
export async function startBuilding(
  db: Kysely<Database>,
  projection: Projection,
  options: { fresh?: boolean } = {},
): Promise<Generation> {
  return withCreateLock(db, projection.name, async () => {
    const building = await buildingGeneration(db, projection.name);
    if (building && !options.fresh && building.version === projection.version) {
      await migrateGeneration(db, projection, building.schema);
      return building;
    }
    if (building) await dropGeneration(db, building);
    return createGeneration(db, projection, 'building');
  });
}

/** Switches queries to the built generations, in one transaction; the old ones retire. */
export async function switchTo(db: Kysely<Database>, built: readonly Generation[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const gen of built) {
      await trx
        .updateTable('projection_generations')
        .set({ status: 'retired', retired_at: new Date() })
        .where('projection', '=', gen.projection)
        .where('status', '=', 'active')
        .execute();
      const switched = await trx
        .updateTable('projection_generations')
        .set({ status: 'active', activated_at: new Date() })
        .where('schema_name', '=', gen.schema)
        .where('status', '=', 'building')
        .executeTakeFirst();
      if (switched.numUpdatedRows !== 1n) {
        throw new Error(`generation ${gen.schema} is no longer building; not switched`);
      }
    }
  });
}

export async function dropGeneration(db: Kysely<Database>, gen: Generation): Promise<void> {
  await sql`DROP SCHEMA IF EXISTS ${sql.id(gen.schema)} CASCADE`.execute(db);
  await db.deleteFrom('projection_checkpoints').where('schema_name', '=', gen.schema).execute();
  await db
    .updateTable('projection_generations')
    .set({ status: 'dropped' })
    .where('schema_name', '=', gen.schema)
    .execute();
}

/**
 * Drops the generations of projections the service no longer runs (their read model was folded
 * into another, as the ballots into the timeline): nothing reads them, and they would otherwise
 * keep their tables for ever. Returns them.
 */
export async function dropDiscontinued(
  db: Kysely<Database>,
  running: readonly string[],
): Promise<Generation[]> {
  const gone = (
    await db
      .selectFrom('projection_generations')
      .select(COLUMNS)
      .where('projection', 'not in', running)
      .where('status', '!=', 'dropped')
      .execute()
  ).map(toGeneration);
  for (const gen of gone) await dropGeneration(db, gen);
  return gone;
}

/** Drops retired generations retired more than `graceMs` ago. */
export async function dropRetired(
  db: Kysely<Database>,
  projection: string | undefined,
  graceMs: number,
): Promise<Generation[]> {
  let query = db
    .selectFrom('projection_generations')
    .select(COLUMNS)
    .where('status', '=', 'retired')
    .where('retired_at', '<=', new Date(Date.now() - graceMs));
  if (projection) query = query.where('projection', '=', projection);
  const retired = (await query.execute()).map(toGeneration);
  for (const gen of retired) await dropGeneration(db, gen);
  return retired;
}

export async function loadCheckpoint(db: Kysely<Database>, schema: string): Promise<Checkpoint> {
  const row = await db
    .selectFrom('projection_checkpoints')
    .select(['transaction_id', 'global_position'])
    .where('schema_name', '=', schema)
    .executeTakeFirst();
  return row
    ? { transactionId: BigInt(row.transaction_id), globalPosition: BigInt(row.global_position) }
    : START;
}

export async function listGenerations(db: Kysely<Database>) {
  return db
    .selectFrom('projection_generations as g')
    .leftJoin('projection_checkpoints as c', 'c.schema_name', 'g.schema_name')
    .select([
      'g.projection',
      'g.generation',
      'g.version',
      'g.schema_name',
      'g.status',
      'g.activated_at',
      'c.transaction_id',
      'c.global_position',
      'c.events',
      'c.updated_at',
    ])
    .where('g.status', '!=', 'dropped')
    .orderBy('g.projection')
    .orderBy('g.generation')
    .execute();
}
