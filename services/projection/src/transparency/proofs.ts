import type { Kysely } from 'kysely';
import { sleep } from '../runtime/lease.ts';
import type { Database } from '../tables.ts';
import { CheckpointLog, type StoredCheckpoint } from './checkpoints.ts';
import { MerkleTree } from './tree.ts';

// Proofs that events are in the log, to one signed checkpoint that covers them all: what a
// dossier carries. A proposal just decided may not be in a checkpoint yet: the export waits
// (bounded) for one, and asks the builder to sign soon rather than at its interval.

export class CheckpointPending extends Error {
  constructor(readonly waitedMs: number) {
    super(`no signed checkpoint covered these events within ${waitedMs} ms`);
    this.name = 'CheckpointPending';
  }
}

export interface EventProofs {
  checkpoint: StoredCheckpoint;
  /** By global position: the event's leaf and its inclusion proof to the checkpoint. */
  proofs: Map<bigint, { leafIndex: number; path: Buffer[] }>;
}

export interface LogProofOptions {
  /** How long to wait for a checkpoint covering the events (ms). */
  waitMs: number;
  /** Asks the builder for a checkpoint now (when it runs in this process). */
  signSoon?: () => void;
  pollMs?: number;
}

export class LogProofs {
  private readonly tree: MerkleTree;
  private readonly checkpoints: CheckpointLog;

  constructor(
    db: Kysely<Database>,
    private readonly options: LogProofOptions,
  ) {
    this.tree = new MerkleTree(db);
    this.checkpoints = new CheckpointLog(db);
  }

  /** Inclusion proofs of the events at `positions` to the latest checkpoint, once one covers them. */
  async prove(positions: readonly bigint[]): Promise<EventProofs> {
    const started = Date.now();
    for (;;) {
      const leaves = await this.tree.leavesAt(positions);
      const inTree = leaves.size === new Set(positions).size;
      const latest = inTree ? await this.checkpoints.latest() : undefined;
      let last = -1;
      for (const leaf of leaves.values()) last = Math.max(last, leaf.leafIndex);
      if (latest && latest.treeSize > last) {
        const indexes = [...leaves.values()].map((l) => l.leafIndex);
        const paths = await this.tree.inclusionProofs(indexes, latest.treeSize);
        const proofs = new Map<bigint, { leafIndex: number; path: Buffer[] }>();
        for (const [position, leaf] of leaves) {
          proofs.set(position, { leafIndex: leaf.leafIndex, path: paths.get(leaf.leafIndex)! });
        }
        return { checkpoint: latest, proofs };
      }
      this.options.signSoon?.();
      const waited = Date.now() - started;
      if (waited >= this.options.waitMs) throw new CheckpointPending(this.options.waitMs);
      await sleep(Math.min(this.options.pollMs ?? 100, this.options.waitMs - waited));
    }
  }
}
