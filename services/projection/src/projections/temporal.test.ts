import type { RecordedEvent } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../db.ts';
import { migrateGeneration } from '../runtime/generations.ts';
import { registryProjection } from './registry.ts';
import { applyInTwoPasses, VersionedRows } from './temporal.ts';

let real: ReturnType<typeof createDb>;
const schema = 'rm_probe_g1';

beforeAll(async () => {
  real = createDb(await testDatabaseUrl(), 4);
  await migrateGeneration(real, registryProjection, schema);
});
afterAll(async () => {
  await real.destroy();
});

const event = (type: string, pos: number, data: Record<string, string>): RecordedEvent => ({
  streamId: 'community-x',
  streamVersion: pos,
  globalPosition: BigInt(pos),
  transactionId: 1n,
  type,
  schemaVersion: 1,
  data,
  metadata: {},
  recordedAt: new Date(1_700_000_000_000 + pos),
  prevHash: '',
  hash: '',
});

describe('two passes over a batch', () => {
  it('loads a key the first pass could not foresee and runs the second pass again', async () => {
    const community = (id: string, name: string) => ({
      community_id: id,
      name,
      kind: 'urban',
      settings: {},
      clerk_ids: [],
      registered_at: '2026-01-01T00:00:00Z',
      version: 1,
    });
    // `b` exists from an earlier batch; `a` is created in this one, and only when `a` exists
    // does an event rename `b`: the first pass (which sees no `a`) cannot note `b`.
    const first = new VersionedRows('communities', ['community_id']);
    await applyInTwoPasses(real, schema, [first], [event('Create', 1, { id: 'b' })], (e, at) => {
      first.get([e.data.id as string]);
      first.put(community(e.data.id as string, 'old'), at);
    });
    const communities = new VersionedRows('communities', ['community_id']);
    await applyInTwoPasses(
      real,
      schema,
      [communities],
      [event('Create', 2, { id: 'a' }), event('RenameIfA', 3, { id: 'b' })],
      (e, at) => {
        if (e.type === 'Create') {
          communities.get(['a']);
          communities.put(community('a', 'a'), at);
        } else if (communities.get(['a'])) {
          communities.update(['b'], at, (c) => ({ ...c, name: 'renamed' }));
        }
      },
    );
    const { rows } = await sql<{ community_id: string; name: string }>`
      SELECT community_id, name FROM ${sql.table(`${schema}.communities`)}
       WHERE valid_to_tx IS NULL ORDER BY community_id`.execute(real);
    expect(rows).toEqual([
      { community_id: 'a', name: 'a' },
      { community_id: 'b', name: 'renamed' },
    ]);
  });

  it('over empty tables, applies in one pass without reading them', async () => {
    const empty = 'rm_probe_g2';
    await migrateGeneration(real, registryProjection, empty);
    const calls: string[] = [];
    const communities = new VersionedRows('communities', ['community_id']);
    await applyInTwoPasses(
      real,
      empty,
      [communities],
      [event('Create', 1, { id: 'c' }), event('Rename', 2, { id: 'c' })],
      (e, at) => {
        calls.push(e.type);
        if (e.type === 'Create') {
          communities.put(
            {
              community_id: 'c',
              name: 'first',
              kind: 'urban',
              settings: {},
              clerk_ids: [],
              registered_at: '2026-01-01T00:00:00Z',
              version: 1,
            },
            at,
          );
        } else communities.update(['c'], at, (c) => ({ ...c, name: 'second' }));
      },
      undefined,
      true,
    );
    expect(calls).toEqual(['Create', 'Rename']);
    const { rows } = await sql<{ name: string; valid_to_pos: string | null }>`
      SELECT name, valid_to_pos FROM ${sql.table(`${empty}.communities`)}
       ORDER BY valid_from_pos`.execute(real);
    expect(rows).toEqual([
      { name: 'first', valid_to_pos: '2' },
      { name: 'second', valid_to_pos: null },
    ]);
  });
});
