import type { EventHeader } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { eventLeafHash } from '@yishi/transparency';
import { ReferenceTree } from '@yishi/transparency/reference';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../db.ts';
import { migrateReadModels } from '../migrations/index.ts';
import type { Database } from '../tables.ts';
import { appendEvents, MerkleTree, TreeLost } from './tree.ts';

let db: Kysely<Database>;

beforeAll(async () => {
  db = createDb(await testDatabaseUrl(), 3);
  await migrateReadModels(db);
});
afterAll(async () => {
  await db?.destroy();
});

const header = (i: number): EventHeader => ({
  streamId: `proposal-c1.p${i % 4}`,
  streamVersion: Math.floor(i / 4) + 1,
  globalPosition: BigInt(i + 1),
  transactionId: BigInt(1000 + i),
  type: 'Noted',
  hash: i.toString(16).padStart(64, '0'),
});
const headers = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, k) => header(from + k));
const end = (events: EventHeader[]) => ({
  transactionId: events.at(-1)!.transactionId,
  globalPosition: events.at(-1)!.globalPosition,
});

describe('the stored tree', () => {
  it('writes a batch only from the size it was read at; a stale batch writes nothing', async () => {
    const tree = new MerkleTree(db);
    const { frontier } = await tree.state();
    const first = headers(0, 5);
    await tree.write(appendEvents(frontier, first, end(first)));
    // Another builder read the tree at size 5 too, and wrote first.
    const theirs = (await tree.state()).frontier;
    const mine = (await tree.state()).frontier;
    const next = headers(5, 9);
    await tree.write(appendEvents(theirs, next, end(next)));
    const stale = appendEvents(mine, headers(5, 12), end(headers(5, 12)));
    await expect(tree.write(stale)).rejects.toBeInstanceOf(TreeLost);
    // And the empty tree's first batch, once the tree is no longer empty.
    const again = appendEvents((await tree.state()).frontier, [], end(next));
    await expect(
      tree.write({ ...again, from: 0, size: 3, leaves: again.leaves.slice(0, 0) }),
    ).rejects.toBeInstanceOf(TreeLost);

    const state = await tree.state();
    expect(state.size).toBe(9);
    expect(state.position).toEqual(end(next));
    const leaves = await db
      .selectFrom('transparency_leaves')
      .select(['leaf_index', 'global_position'])
      .orderBy('leaf_index')
      .execute();
    expect(leaves.map((l) => Number(l.global_position))).toEqual(
      Array.from({ length: 9 }, (_, i) => i + 1),
    );
    const all = headers(0, 9);
    const reference = new ReferenceTree(all.map((h) => eventLeafHash(h)));
    expect(state.root.equals(reference.root(9))).toBe(true);
    const paths = await tree.inclusionProofs([0, 4, 8], 9);
    expect(paths.get(4)).toEqual(reference.path(4, 9));
    expect(await tree.consistencyProof(5, 9)).toEqual(reference.consistency(5, 9));
  });
});
