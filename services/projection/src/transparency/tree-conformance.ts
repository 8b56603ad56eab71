/**
 * The transparency log over any adapter of the `EventStore` port: the tree builder follows the
 * port's global order (`subscribeHeaders`: the events' headers, all a leaf needs), so the tree and its checkpoints are the same whatever stores
 * the events. One suite, run for every adapter (tree-conformance.test.ts), in the style of the
 * event store's conformance suite:
 *
 *   treeConformance('postgres', async () => ({ open: ..., treeDatabaseUrl: ... }));
 *
 * The tree itself lives in the query service's PostgreSQL, as deployed. The suite reads the
 * global order from the start, so it also runs against a shared server that holds other events.
 */
import { randomBytes } from 'node:crypto';
import { type EventHeader, type EventStore, type RecordedEvent, START } from '@yishi/event-store';
import { meta, readOrderToEnd } from '@yishi/event-store/conformance';
import { eventLeafHash, verifyConsistency, verifyInclusion } from '@yishi/transparency';
import { ReferenceTree } from '@yishi/transparency/reference';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../db.ts';
import { migrateReadModels } from '../migrations/index.ts';
import type { Database } from '../tables.ts';
import { startTreeBuilder, testSigningKey } from '../testing/transparency.ts';
import type { TreeBuilder } from './builder.ts';
import { CheckpointLog, type StoredCheckpoint } from './checkpoints.ts';
import { MerkleTree } from './tree.ts';

export interface TreeHarness {
  /** The store under test. */
  open(): Promise<EventStore>;
  /** A fresh PostgreSQL database for the tree (the query service's). */
  treeDatabaseUrl(): Promise<string>;
  /**
   * Writes events to the backend that are not the port's (another application's, or system
   * events), in a stream of that name. Adapters whose backend holds only the port's events leave
   * this out.
   */
  appendForeign?(streamId: string, count: number): Promise<void>;
  /** The adapter's own records in the backend (markers): never leaves. */
  isAdapterRecord?(streamId: string): boolean;
  teardown?(): Promise<void>;
}

export interface TreeConformanceOptions {
  /** Skip the whole suite, reporting this reason in its name. */
  skip?: string;
}

/** The whole global order, from the start, as the port reads it back (whole, or headers). */
const readAll = async (store: EventStore): Promise<RecordedEvent[]> =>
  (await readOrderToEnd((cp, n) => store.readAll(cp, n), START)).events;
const readHeaders = async (store: EventStore): Promise<EventHeader[]> =>
  (await readOrderToEnd((cp, n) => store.readHeaders(cp, n), START)).events;

export function treeConformance(
  name: string,
  setup: () => Promise<TreeHarness>,
  options: TreeConformanceOptions = {},
): void {
  const title = options.skip
    ? `transparency log over the store: ${name} (skipped: ${options.skip})`
    : `transparency log over the store: ${name}`;
  describe.skipIf(options.skip !== undefined)(title, () => {
    const run = randomBytes(4).toString('hex');
    const foreign = `billing-${run}`;
    let harness: TreeHarness;
    let store: EventStore;
    let db: Kysely<Database>;
    let builder: TreeBuilder;
    let appended = 0;

    /** Appends `count` events over three streams of this run, one command each. */
    async function append(count: number): Promise<void> {
      for (let i = 0; i < count; i++, appended++) {
        const id = `tree-${run}-${appended}`;
        await store.append(
          `proposal-tree${run}.${appended % 3}`,
          [{ type: 'Noted', data: { n: appended }, metadata: meta(id) }],
          { expected: 'any', commandId: id },
        );
      }
    }

    /** Waits for a signed checkpoint of every event the port reads back; both. */
    async function signedThroughEnd(): Promise<{
      events: RecordedEvent[];
      checkpoint: StoredCheckpoint;
    }> {
      const events = await readAll(store);
      builder.signSoon();
      const log = new CheckpointLog(db);
      // A loop, not expect.poll: the first checkpoint is waited for in beforeAll.
      const deadline = Date.now() + 30_000;
      while (((await log.latest())?.treeSize ?? 0) < events.length) {
        if (Date.now() > deadline) throw new Error(`no checkpoint of ${events.length} events`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const checkpoint = (await new CheckpointLog(db).latest())!;
      // Another writer on a shared server may have appended meanwhile: the tree's prefix.
      return { events: (await readAll(store)).slice(0, checkpoint.treeSize), checkpoint };
    }

    let first: { events: RecordedEvent[]; checkpoint: StoredCheckpoint };

    beforeAll(async () => {
      harness = await setup();
      store = await harness.open();
      db = createDb(await harness.treeDatabaseUrl(), 5);
      await migrateReadModels(db);
      // Foreign events between the port's, and the port's in batches the builder cuts small.
      await append(20);
      await harness.appendForeign?.(foreign, 5);
      await append(21);
      builder = await startTreeBuilder(store, db, testSigningKey(), { batchSize: 7 });
      first = await signedThroughEnd();
    }, 60_000);
    afterAll(async () => {
      await builder?.stop();
      await db?.destroy();
      await store?.close();
      await harness?.teardown?.();
    });

    it("has a leaf for each of the port's events, in the store's global order", async () => {
      const { events, checkpoint } = first;
      expect(checkpoint.treeSize).toBe(events.length);
      const leaves = await db
        .selectFrom('transparency_leaves')
        .select(['leaf_index', 'global_position', 'transaction_id', 'stream_id', 'hash'])
        .where('leaf_index', '<', String(checkpoint.treeSize))
        .orderBy('leaf_index')
        .execute();
      expect(leaves.map((l) => Number(l.leaf_index))).toEqual(events.map((_, i) => i));
      expect(
        leaves.map((l) => [l.stream_id, BigInt(l.transaction_id), BigInt(l.global_position)]),
      ).toEqual(events.map((e) => [e.streamId, e.transactionId, e.globalPosition]));
      expect(leaves.map((l) => l.hash.toString('hex'))).toEqual(
        events.map((e) => eventLeafHash(e).toString('hex')),
      );
      // This run's events are all there, in the order they were appended.
      const ours = events.filter((e) => e.streamId.startsWith(`proposal-tree${run}.`));
      expect(ours.map((e) => e.data.n)).toEqual(Array.from({ length: 41 }, (_, i) => i));
    });

    it('is not made of events that are not the port’s: foreign, system or the adapter’s own', async () => {
      const streams = new Set(first.events.map((e) => e.streamId));
      for (const streamId of streams) {
        expect(streamId.startsWith('$'), streamId).toBe(false);
        expect(harness.isAdapterRecord?.(streamId) ?? false, streamId).toBe(false);
      }
      // Where the backend holds foreign events (written between this run's), none is a leaf.
      if (harness.appendForeign) expect(streams.has(foreign)).toBe(false);
    });

    it('has the root of the RFC 9162 tree over the events read back', async () => {
      const { events, checkpoint } = first;
      const reference = new ReferenceTree(events.map((e) => eventLeafHash(e)));
      expect(checkpoint.rootHash.toString('hex')).toBe(
        reference.root(events.length).toString('hex'),
      );
    });

    it("has the same leaves and root from the events' headers as from the whole events", async () => {
      const { events, checkpoint } = first;
      const headers = (await readHeaders(store)).slice(0, checkpoint.treeSize);
      expect(headers.map((h) => [h.streamId, h.globalPosition])).toEqual(
        events.map((e) => [e.streamId, e.globalPosition]),
      );
      const fromHeaders = headers.map((h) => eventLeafHash(h));
      expect(fromHeaders).toEqual(events.map((e) => eventLeafHash(e)));
      expect(new ReferenceTree(fromHeaders).root(headers.length).equals(checkpoint.rootHash)).toBe(
        true,
      );
    });

    it('proves every event in the checkpoint, as the RFC says, and the proofs verify', async () => {
      const { events, checkpoint } = first;
      const size = checkpoint.treeSize;
      const reference = new ReferenceTree(events.map((e) => eventLeafHash(e)));
      const tree = new MerkleTree(db);
      const indexes = events.map((_, i) => i);
      const paths = await tree.inclusionProofs(indexes, size);
      for (const [i, e] of events.entries()) {
        const path = paths.get(i)!;
        expect(path, `leaf ${i}`).toEqual(reference.path(i, size));
        expect(verifyInclusion(i, size, eventLeafHash(e), path, checkpoint.rootHash)).toBe(true);
        const found = await tree.leafWithProof(e.globalPosition, size);
        expect(found?.leaf.leafIndex).toBe(i);
        expect(found?.path, `leaf ${i}`).toEqual(path);
      }
    });

    it('proves the next checkpoint consistent with this one', async () => {
      await append(24);
      const second = await signedThroughEnd();
      const [m, n] = [first.checkpoint.treeSize, second.checkpoint.treeSize];
      expect(n).toBeGreaterThanOrEqual(m + 24);
      const reference = new ReferenceTree(second.events.map((e) => eventLeafHash(e)));
      expect(second.checkpoint.rootHash.equals(reference.root(n))).toBe(true);
      const proof = await new MerkleTree(db).consistencyProof(m, n);
      expect(proof).toEqual(reference.consistency(m, n));
      expect(
        verifyConsistency(m, n, first.checkpoint.rootHash, second.checkpoint.rootHash, proof),
      ).toBe(true);
      expect(
        verifyConsistency(m, n, second.checkpoint.rootHash, first.checkpoint.rootHash, proof),
      ).toBe(false);
    });
  });
}
