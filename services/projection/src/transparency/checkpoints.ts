import type { Checkpoint } from '@yishi/event-store';
import {
  noteKeyId,
  type PublicKey,
  publicKeyPem,
  type SignedCheckpoint,
} from '@yishi/transparency';
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../tables.ts';
import type { TransparencyCheckpointsTable } from './tables.ts';

// The signed checkpoints as stored, and the keys that signed them.

export interface StoredCheckpoint extends SignedCheckpoint {
  keyFingerprint: string;
  keyId: string;
  /** The last event the checkpoint covers. */
  position: Checkpoint;
}

const COLUMNS = [
  'tree_size',
  'root_hash',
  'signed_at',
  'origin',
  'key_fingerprint',
  'key_id',
  'note',
  'transaction_id',
  'global_position',
] as const;

/** A checkpoint just signed by `key`, covering up to `position`. */
export function storedCheckpoint(
  checkpoint: SignedCheckpoint,
  key: PublicKey,
  position: Checkpoint,
): StoredCheckpoint {
  return {
    ...checkpoint,
    keyFingerprint: key.fingerprint,
    keyId: noteKeyId(checkpoint.origin, key).toString('hex'),
    position,
  };
}

function fromRow(row: Selectable<TransparencyCheckpointsTable>): StoredCheckpoint {
  return {
    origin: row.origin,
    treeSize: Number(row.tree_size),
    rootHash: row.root_hash,
    signedAt: row.signed_at,
    note: row.note,
    keyFingerprint: row.key_fingerprint,
    keyId: row.key_id,
    position: {
      transactionId: BigInt(row.transaction_id),
      globalPosition: BigInt(row.global_position),
    },
  };
}

/**
 * How long the latest checkpoint read is served from memory: a checkpoint signed by this process
 * replaces it at once (`CheckpointLog.signed`); one signed by another instance shows within this.
 */
const LATEST_MAX_AGE_MS = 1_000;

/** The latest checkpoint as last read or signed, per database handle. */
const latestKnown = new WeakMap<
  Kysely<Database>,
  { checkpoint: StoredCheckpoint | undefined; readAtMs: number; signings: number }
>();

export class CheckpointLog {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * The latest checkpoint, from memory when read less than a second ago or signed here since:
   * every proof asks for it. `fresh` reads it again (a leaf newer than the one in memory).
   */
  async latestCached(fresh = false): Promise<StoredCheckpoint | undefined> {
    const known = latestKnown.get(this.db);
    if (!fresh && known && Date.now() - known.readAtMs < LATEST_MAX_AGE_MS) return known.checkpoint;
    const signings = known?.signings ?? 0;
    const readAtMs = Date.now();
    const checkpoint = await this.latest();
    // A checkpoint signed here while this read ran is the newer one: kept.
    if ((latestKnown.get(this.db)?.signings ?? 0) === signings) {
      latestKnown.set(this.db, { checkpoint, readAtMs, signings });
    }
    return latestKnown.get(this.db)!.checkpoint;
  }

  /** A checkpoint committed by this process: the latest from now on (`latestCached`). */
  static signed(db: Kysely<Database>, checkpoint: StoredCheckpoint): void {
    const signings = (latestKnown.get(db)?.signings ?? 0) + 1;
    latestKnown.set(db, { checkpoint, readAtMs: Date.now(), signings });
  }

  async latest(): Promise<StoredCheckpoint | undefined> {
    const row = await this.db
      .selectFrom('transparency_checkpoints')
      .select(COLUMNS)
      .orderBy('tree_size', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  /** Checkpoints of trees larger than `treeSize`, smallest first. */
  async after(treeSize: number, limit: number): Promise<StoredCheckpoint[]> {
    const rows = await this.db
      .selectFrom('transparency_checkpoints')
      .select(COLUMNS)
      .where('tree_size', '>', String(treeSize))
      .orderBy('tree_size')
      .limit(limit)
      .execute();
    return rows.map(fromRow);
  }

  /** The checkpoint of the tree of exactly `treeSize` leaves, when one was signed. */
  async at(treeSize: number): Promise<StoredCheckpoint | undefined> {
    const row = await this.db
      .selectFrom('transparency_checkpoints')
      .select(COLUMNS)
      .where('tree_size', '=', String(treeSize))
      .executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  /** Stores a checkpoint (once per tree size), in the caller's transaction if given. */
  static async record(db: Kysely<Database>, checkpoint: StoredCheckpoint): Promise<void> {
    await db
      .insertInto('transparency_checkpoints')
      .values({
        tree_size: checkpoint.treeSize,
        root_hash: checkpoint.rootHash,
        signed_at: checkpoint.signedAt,
        origin: checkpoint.origin,
        key_fingerprint: checkpoint.keyFingerprint,
        key_id: checkpoint.keyId,
        note: checkpoint.note,
        transaction_id: checkpoint.position.transactionId.toString(),
        global_position: checkpoint.position.globalPosition.toString(),
      })
      .onConflict((oc) => oc.column('tree_size').doNothing())
      .execute();
  }

  /** Records a key that signs here (kept after a rotation, so that old checkpoints can be read). */
  async recordKey(key: PublicKey, origin: string): Promise<void> {
    await this.db
      .insertInto('transparency_keys')
      .values({
        fingerprint: key.fingerprint,
        key_id: noteKeyId(origin, key).toString('hex'),
        origin,
        public_key: publicKeyPem(key),
      })
      .onConflict((oc) => oc.column('fingerprint').doNothing())
      .execute();
  }

  async keys() {
    return this.db
      .selectFrom('transparency_keys')
      .select(['fingerprint', 'key_id', 'origin', 'public_key', 'first_used_at'])
      .orderBy('first_used_at')
      .orderBy('fingerprint')
      .execute();
  }
}

/** A checkpoint as the API and the webhooks show it. */
export function checkpointJson(c: StoredCheckpoint) {
  return {
    origin: c.origin,
    treeSize: c.treeSize,
    rootHash: c.rootHash.toString('base64'),
    /** The root's first 8 bytes in hex: what a printed notice or minutes can carry. */
    shortHash: c.rootHash.subarray(0, 8).toString('hex'),
    signedAt: c.signedAt.toISOString(),
    keyId: c.keyId,
    keyFingerprint: c.keyFingerprint,
    position: `${c.position.transactionId}:${c.position.globalPosition}`,
    note: c.note,
  };
}
