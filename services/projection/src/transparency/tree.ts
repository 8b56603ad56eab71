import { type Checkpoint, type EventHeader, START } from '@yishi/event-store';
import {
  consistencyProof,
  EMPTY_ROOT,
  eventLeafHash,
  Frontier,
  foldedSource,
  HASH_SIZE,
  inclusionProof,
  isStoredLevel,
  type NewNode,
  type NodeKey,
  type NodeSource,
  nodeMap,
  nodesNeeded,
  storedCovers,
} from '@yishi/transparency';
import { type Kysely, sql } from 'kysely';
import type pg from 'pg';
import { poolOf } from '../db.ts';
import type { Database } from '../tables.ts';

// The Merkle tree over the global order, in PostgreSQL. Leaves are the events in the order the
// store's readers see them; a batch appends its leaves, the complete subtrees they close at every
// `STORED_STRIDE`-th level and the tree's new size and position in one transaction (a
// compare-and-set on the size: only the builder that holds the tree writes). Proofs read the
// stored subtrees they need in one query and fold the levels between.

/**
 * Subtrees above the leaves are stored at even levels (2, 4, 6, …): an append writes 1/3 of a row
 * per leaf for them instead of one, and a subtree of an odd level is the fold of the two stored
 * below it. Every 4th level would write 1/15 of a row, but its proofs read and fold up to 8
 * subtrees a level and cost the query service twice the CPU (docs/benchmarks.md). A tree written
 * when every level was stored still reads: it has these levels too.
 */
export const STORED_STRIDE = 2;
// As a literal in SQL: a constant of the statement, not a parameter the planner guesses.
const HASH = sql.lit(HASH_SIZE);

/** The tree as stored, with the edge an append continues from. */
export interface TreeState {
  size: number;
  root: Buffer;
  /** The last event in the tree (START for the empty tree). */
  position: Checkpoint;
  frontier: Frontier;
}

/** A leaf as stored: where its event is, and its hash. */
export interface StoredLeaf {
  leafIndex: number;
  position: Checkpoint;
  streamId: string;
  hash: Buffer;
}

interface Batch {
  leaves: { event: EventHeader; hash: Buffer }[];
  nodes: NewNode[];
  from: number;
  size: number;
  root: Buffer;
  position: Checkpoint;
}

/** The key of a subtree above the leaves (level 1 to 63) in `transparency_nodes`. */
export function nodeKey(level: number, index: number): number {
  const key = index * 64 + level;
  if (level < 1 || level > 63 || !Number.isSafeInteger(key)) {
    throw new RangeError(`no subtree ${level}:${index}`);
  }
  return key;
}

export class TreeLost extends Error {
  constructor(expected: number) {
    super(`the tree is no longer at size ${expected}: another builder wrote it`);
    this.name = 'TreeLost';
  }
}

/** Appends the events (their headers are all a leaf needs) to the frontier; the rows to write. */
export function appendEvents(
  frontier: Frontier,
  events: readonly EventHeader[],
  position: Checkpoint,
): Batch {
  const from = frontier.size;
  const leaves: Batch['leaves'] = [];
  const nodes: NewNode[] = [];
  for (const event of events) {
    const hash = eventLeafHash(event);
    leaves.push({ event, hash });
    for (const node of frontier.append(hash)) {
      if (node.level > 0 && isStoredLevel(node.level, STORED_STRIDE)) nodes.push(node);
    }
  }
  return { leaves, nodes, from, size: frontier.size, root: frontier.root(), position };
}

export class MerkleTree {
  constructor(private readonly db: Kysely<Database>) {}

  /** The tree as stored now. */
  async state(): Promise<TreeState> {
    const row = await this.db
      .selectFrom('transparency_tree')
      .select(['size', 'root', 'transaction_id', 'global_position'])
      .executeTakeFirst();
    if (!row || row.size === '0') {
      return { size: 0, root: EMPTY_ROOT, position: START, frontier: Frontier.empty() };
    }
    const size = Number(row.size);
    const frontier = Frontier.load(size, await this.nodes(Frontier.keys(size)));
    if (!frontier.root().equals(row.root)) {
      throw new Error('the stored tree does not match its recorded root');
    }
    return {
      size,
      root: row.root,
      position: {
        transactionId: BigInt(row.transaction_id),
        globalPosition: BigInt(row.global_position),
      },
      frontier,
    };
  }

  /** The tree's size now (0 when empty). */
  async size(): Promise<number> {
    const row = await this.db.selectFrom('transparency_tree').select('size').executeTakeFirst();
    return row ? Number(row.size) : 0;
  }

  /**
   * Writes a batch: its leaves, its subtrees and the tree's new size, root and position, if the
   * tree is still at the size the batch started from (else `TreeLost`). One statement (atomic
   * by itself, one round trip): the rows are inserted only when the tree's row moved.
   */
  async write(batch: Batch): Promise<void> {
    const [tx, pos] = [batch.position.transactionId, batch.position.globalPosition];
    // Only from the size this builder read: a tree moved (or emptied) meanwhile is not its own.
    const moved =
      batch.from === 0
        ? sql`
            INSERT INTO transparency_tree AS t (size, root, transaction_id, global_position)
            VALUES (${batch.size}, ${batch.root}, ${tx.toString()}, ${pos.toString()})
            ON CONFLICT (id) DO UPDATE SET size = excluded.size, root = excluded.root,
              transaction_id = excluded.transaction_id, global_position = excluded.global_position,
              updated_at = now()
            WHERE t.size = 0 RETURNING 1`
        : sql`
            UPDATE transparency_tree SET size = ${batch.size}, root = ${batch.root},
              transaction_id = ${tx.toString()}, global_position = ${pos.toString()},
              updated_at = now()
             WHERE size = ${batch.from} RETURNING 1`;
    const e = batch.leaves.map((l) => l.event);
    // The hashes go as one binary parameter, cut in SQL: a bytea[] parameter is sent as text,
    // two hex digits a byte, which cost the builder more CPU than hashing them.
    const { rows } = await sql<{ moved: string }>`
      WITH moved AS (${moved}),
      leaves AS (
        INSERT INTO transparency_leaves (leaf_index, transaction_id, global_position, stream_id, hash)
        SELECT ${batch.from}::int8 + o - 1, t, g, s,
               substring(${packed(batch.leaves.map((l) => l.hash))}::bytea FROM ((o - 1) * ${HASH} + 1)::int FOR ${HASH})
          FROM unnest(
            ${e.map((x) => x.transactionId.toString())}::int8[],
            ${e.map((x) => x.globalPosition.toString())}::int8[],
            ${e.map((x) => x.streamId)}::text[]) WITH ORDINALITY AS u(t, g, s, o)
         WHERE EXISTS (SELECT FROM moved)
      ),
      nodes AS (
        INSERT INTO transparency_nodes (node_key, hash)
        SELECT k, substring(${packed(batch.nodes.map((n) => n.hash))}::bytea FROM ((o - 1) * ${HASH} + 1)::int FOR ${HASH})
          FROM unnest(${batch.nodes.map((n) => nodeKey(n.level, n.index))}::int8[]) WITH ORDINALITY AS u(k, o)
         WHERE EXISTS (SELECT FROM moved)
      )
      -- The tree follows the store, which keeps every event: what a crash loses is appended
      -- again from there, so the commit (this statement's own) does not wait for the disk.
      SELECT count(*)::text AS moved, set_config('synchronous_commit', 'off', true) FROM moved`.execute(
      this.db,
    );
    if (Number(rows[0]?.moved ?? 0) !== 1) throw new TreeLost(batch.from);
  }

  /** The subtrees `keys` names (leaves at level 0), as a `NodeSource`: read, or folded from those read. */
  async nodes(keys: readonly NodeKey[]): Promise<NodeSource> {
    const stored = storedCovers(keys, STORED_STRIDE);
    const leaves = stored.filter((k) => k.level === 0).map((k) => k.index);
    const inner = stored.filter((k) => k.level > 0).map((k) => nodeKey(k.level, k.index));
    const { rows } = await sql<{ leaf: boolean; key: string; hash: Buffer }>`
      SELECT true AS leaf, leaf_index AS key, hash FROM transparency_leaves
       WHERE leaf_index = ANY(${leaves}::int8[])
      UNION ALL
      SELECT false, node_key, hash FROM transparency_nodes WHERE node_key = ANY(${inner}::int8[])`.execute(
      this.db,
    );
    return foldedSource(
      nodeMap(
        rows.map((r) => {
          const key = Number(r.key);
          const level = r.leaf ? 0 : key % 64;
          return [{ level, index: r.leaf ? key : (key - level) / 64 }, r.hash];
        }),
      ),
      STORED_STRIDE,
    );
  }

  /** Inclusion proofs of several leaves in the tree of `treeSize` leaves, in one read. */
  async inclusionProofs(
    leafIndexes: readonly number[],
    treeSize: number,
  ): Promise<Map<number, Buffer[]>> {
    const keys = new Map<string, NodeKey>();
    for (const index of leafIndexes) {
      for (const key of nodesNeeded((n) => inclusionProof(index, treeSize, n))) {
        keys.set(`${key.level}:${key.index}`, key);
      }
    }
    const source = await this.nodes([...keys.values()]);
    return new Map(leafIndexes.map((index) => [index, inclusionProof(index, treeSize, source)]));
  }

  /**
   * The leaf of the event at `globalPosition` with its inclusion proof in the tree of `treeSize`
   * leaves, and the tree's size now: one statement (one round trip), the proof's subtrees found
   * from the leaf's index in SQL. Undefined when the event is not in the tree; `path` undefined
   * when its leaf is not in a tree of `treeSize`.
   *
   * The subtrees an inclusion proof needs (RFC 9162 PATH): at each level l below the tree's
   * height, the sibling s = (index >> l) xor 1 of the leaf's ancestor, when that sibling's leaves
   * are all in the tree; at most one sibling, on the right, is cut by the tree's edge: its hash
   * is made of the perfect subtrees of [s << l, size), largest first (as `rangeHash` reads them).
   * A subtree of an unstored level is read as the stored subtrees below it (`storedCover`).
   */
  async leafWithProof(
    globalPosition: bigint,
    treeSize: number,
  ): Promise<{ leaf: StoredLeaf; path: Buffer[] | undefined; size: number } | undefined> {
    const { rows } = await namedQuery<LeafWithProofRow>(this.db, {
      ...LEAF_WITH_PROOF,
      values: [globalPosition.toString(), String(treeSize)],
    });
    const row = rows[0];
    if (!row) return undefined;
    const leaf: StoredLeaf = {
      leafIndex: Number(row.leaf_index),
      position: {
        transactionId: BigInt(row.transaction_id),
        globalPosition: BigInt(row.global_position),
      },
      streamId: row.stream_id,
      hash: row.hash,
    };
    const size = row.tree_size === null ? 0 : Number(row.tree_size);
    if (leaf.leafIndex >= treeSize || treeSize > size) return { leaf, path: undefined, size };
    const levels = row.levels ?? [];
    const indexes = row.indexes ?? [];
    // One bytea, the hashes end to end: a bytea[] comes back as text to parse element by element.
    const hashes = row.hashes ?? Buffer.alloc(0);
    const source = foldedSource(
      nodeMap(
        levels.map((level, i) => [
          { level, index: Number(indexes[i]) },
          hashes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE),
        ]),
      ),
      STORED_STRIDE,
    );
    return { leaf, path: inclusionProof(leaf.leafIndex, treeSize, source), size };
  }

  /** The consistency proof from the tree of `from` leaves to the tree of `to`. */
  async consistencyProof(from: number, to: number): Promise<Buffer[]> {
    const source = await this.nodes(nodesNeeded((n) => consistencyProof(from, to, n)));
    return consistencyProof(from, to, source);
  }

  /** The leaves of the events at these global positions (those in the tree). */
  async leavesAt(positions: readonly bigint[]): Promise<Map<bigint, StoredLeaf>> {
    if (positions.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('transparency_leaves')
      .select(['leaf_index', 'transaction_id', 'global_position', 'stream_id', 'hash'])
      .where(
        'global_position',
        'in',
        positions.map((p) => p.toString()),
      )
      .execute();
    return new Map(
      rows.map((r) => [
        BigInt(r.global_position),
        {
          leafIndex: Number(r.leaf_index),
          position: {
            transactionId: BigInt(r.transaction_id),
            globalPosition: BigInt(r.global_position),
          },
          streamId: r.stream_id,
          hash: r.hash,
        },
      ]),
    );
  }
}

interface LeafWithProofRow {
  leaf_index: string;
  transaction_id: string;
  global_position: string;
  stream_id: string;
  hash: Buffer;
  tree_size: string | null;
  levels: number[] | null;
  indexes: string[] | null;
  hashes: Buffer | null;
}

/**
 * `leafWithProof`'s statement ($1 the event's global position, $2 the tree's size), named: each
 * connection plans it once. Planning it was half of PostgreSQL's CPU per proof
 * (docs/benchmarks.md).
 */
const LEAF_WITH_PROOF = {
  name: 'transparency_leaf_with_proof',
  text: `
      WITH leaf AS (
        SELECT leaf_index, transaction_id, global_position, stream_id, hash
          FROM transparency_leaves WHERE global_position = $1::int8
      ), sibling AS (
        SELECT l, (leaf.leaf_index >> l) # 1 AS s
          FROM leaf, generate_series(0, 62) AS l
         WHERE (1::int8 << l) < $2::int8
      ), wanted AS (
        SELECT l AS level, s AS idx FROM sibling WHERE ((s + 1) << l) <= $2::int8
        UNION ALL
        SELECT b, ((s << l) + ((($2::int8 - (s << l)) >> (b + 1)) << (b + 1))) >> b
          FROM sibling, generate_series(0, 62) AS b
         WHERE (s << l) < $2::int8 AND ((s + 1) << l) > $2::int8
           AND (($2::int8 - (s << l)) >> b) & 1 = 1
      ), covers AS (
        SELECT DISTINCT level - level % ${STORED_STRIDE} AS level,
               generate_series(idx << (level % ${STORED_STRIDE}), ((idx + 1) << (level % ${STORED_STRIDE})) - 1) AS idx
          FROM wanted
      ), found AS (
        SELECT w.level, w.idx, h.hash FROM covers w, LATERAL (
          SELECT t.hash FROM transparency_leaves t WHERE w.level = 0 AND t.leaf_index = w.idx
          UNION ALL
          SELECT t.hash FROM transparency_nodes t WHERE w.level > 0 AND t.node_key = w.idx * 64 + w.level
        ) h
      )
      SELECT leaf.leaf_index, leaf.transaction_id, leaf.global_position, leaf.stream_id, leaf.hash,
             (SELECT size FROM transparency_tree) AS tree_size, f.levels, f.indexes, f.hashes
        FROM leaf, (SELECT array_agg(level ORDER BY level, idx) AS levels,
                           array_agg(idx ORDER BY level, idx) AS indexes,
                           string_agg(hash, ''::bytea ORDER BY level, idx) AS hashes FROM found) f`,
} as const;

/** A named statement through the pool, handed to pg with a callback as db.ts does (why: there). */
function namedQuery<R extends pg.QueryResultRow>(
  db: Kysely<Database>,
  config: pg.QueryConfig,
): Promise<pg.QueryResult<R>> {
  return new Promise((resolve, reject) => {
    poolOf(db).query<R>(config, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/** Hashes as one buffer, end to end. */
function packed(hashes: readonly Buffer[]): Buffer {
  return Buffer.concat(hashes, hashes.length * HASH_SIZE);
}
