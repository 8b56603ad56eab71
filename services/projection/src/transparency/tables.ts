import type { ColumnType, Kysely } from 'kysely';
import { sql } from 'kysely';

// The log's tables (public: the tree outlives read-model generations). The Merkle tree over the
// global order: a leaf per event, the complete subtrees of the stored levels (`STORED_STRIDE`),
// the tree's size and position (written in the same transaction as the rows that made it), the
// signed checkpoints and every key that signed one.

type Int8 = ColumnType<string, string | number | bigint, string | number | bigint>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** Leaf `leaf_index` of the tree: the event at that place in the global order. */
export interface TransparencyLeavesTable {
  leaf_index: Int8;
  transaction_id: Int8;
  global_position: Int8;
  stream_id: string;
  /** SHA-256(0x00 ‖ leaf data). */
  hash: Buffer;
}

/**
 * A complete subtree above the leaves: leaves [index · 2^level, (index + 1) · 2^level), keyed
 * `index · 64 + level` (`nodeKey`): one int8, so that a proof's subtrees are one index lookup of
 * `= ANY(keys)`, whatever the planner thinks of a list of pairs.
 */
export interface TransparencyNodesTable {
  node_key: Int8;
  hash: Buffer;
}

/** The tree as built (one row): its size, root, and the last event it holds. */
export interface TransparencyTreeTable {
  id: ColumnType<boolean, boolean | undefined, boolean>;
  size: Int8;
  root: Buffer;
  transaction_id: Int8;
  global_position: Int8;
  updated_at: DefaultTimestamp;
}

/** Every signed checkpoint, as signed. */
export interface TransparencyCheckpointsTable {
  tree_size: Int8;
  root_hash: Buffer;
  signed_at: Date;
  origin: string;
  key_fingerprint: string;
  key_id: string;
  /** The signed note. */
  note: string;
  /** The position of the last event the checkpoint covers. */
  transaction_id: Int8;
  global_position: Int8;
}

/** Every key that signed checkpoints here (rotation keeps them; verifiers trust their own copy). */
export interface TransparencyKeysTable {
  fingerprint: string;
  key_id: string;
  origin: string;
  /** SPKI PEM. */
  public_key: string;
  first_used_at: DefaultTimestamp;
}

export interface TransparencyTables {
  transparency_leaves: TransparencyLeavesTable;
  transparency_nodes: TransparencyNodesTable;
  transparency_tree: TransparencyTreeTable;
  transparency_checkpoints: TransparencyCheckpointsTable;
  transparency_keys: TransparencyKeysTable;
}

/** The migration that creates them. */
export async function createTransparencyTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('transparency_leaves')
    .addColumn('leaf_index', 'int8', (c) => c.primaryKey())
    .addColumn('transaction_id', 'int8', (c) => c.notNull())
    .addColumn('global_position', 'int8', (c) => c.notNull().unique())
    .addColumn('stream_id', 'text', (c) => c.notNull())
    .addColumn('hash', 'bytea', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('transparency_nodes')
    .addColumn('node_key', 'int8', (c) => c.primaryKey())
    .addColumn('hash', 'bytea', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('transparency_tree')
    .addColumn('id', 'boolean', (c) => c.primaryKey().defaultTo(true).check(sql`id`))
    .addColumn('size', 'int8', (c) => c.notNull())
    .addColumn('root', 'bytea', (c) => c.notNull())
    .addColumn('transaction_id', 'int8', (c) => c.notNull())
    .addColumn('global_position', 'int8', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('transparency_checkpoints')
    .addColumn('tree_size', 'int8', (c) => c.primaryKey())
    .addColumn('root_hash', 'bytea', (c) => c.notNull())
    .addColumn('signed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('key_fingerprint', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('transaction_id', 'int8', (c) => c.notNull())
    .addColumn('global_position', 'int8', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('transparency_keys')
    .addColumn('fingerprint', 'text', (c) => c.primaryKey())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('first_used_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}
