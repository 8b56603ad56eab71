import { type Actor, type AttachmentCommand, attachmentDecider, streams } from '@yishi/domain';
import { PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../db.ts';
import { migrateReadModels } from '../migrations/index.ts';
import type { Database } from '../tables.ts';
import { Random } from '../testing/random.ts';
import { Simulator } from '../testing/simulate.ts';
import { startTreeBuilder, testLogProofs, testSigningKey } from '../testing/transparency.ts';
import type { TreeBuilder } from '../transparency/builder.ts';
import { exportDossier, verifyDossier } from './dossier.ts';

// A dossier lists the attachments its events name, with the upload events among its streams
// (proven in the log like every other event): a reader holding the scan checks its SHA-256.

const key = testSigningKey();
const sha256 = 'c0ffee'.padEnd(64, '0');
let store: PostgresEventStore;
let db: Kysely<Database>;
let builder: TreeBuilder;

beforeAll(async () => {
  const url = await testDatabaseUrl();
  store = new PostgresEventStore({ connectionString: url });
  db = createDb(url, 6);
  await migrateReadModels(db);
  const sim = new Simulator(store, new Random(9));
  await sim.registerCommunity('c1');
  const clerk: Actor = { personId: 'clerk1', role: 'clerk' };
  await sim.send(
    streams.attachment('c1', sha256),
    attachmentDecider,
    (at): AttachmentCommand => ({
      type: 'RecordAttachment',
      data: { sha256, size: 2048, mediaType: 'application/pdf', communityId: 'c1' },
      actor: clerk,
      at,
    }),
    clerk,
    'c1',
  );
  await sim.proposal(
    'c1',
    'lift',
    'SubmitProposal',
    {
      communityId: 'c1',
      proposalId: 'lift',
      title: '加装电梯',
      description: '业主提议',
      procedure: 'owners-joint-decision',
      items: [{ itemId: 'fund', title: '使用维修资金', kind: 'motion', options: [] }],
      submitterUnitIds: ['u1'],
    },
    { personId: 'o1', role: 'owner' },
  );
  await sim.proposal(
    'c1',
    'lift',
    'GiveNotice',
    { text: '表决公告（扫描件见附件）', documentRef: `attachment:${sha256}` },
    { personId: 'conv', role: 'convener' },
  );
  builder = await startTreeBuilder(store, db, key);
});
afterAll(async () => {
  await builder.stop();
  await db.destroy();
  await store.close();
});

describe('a dossier’s attachments', () => {
  it('lists the attachments its events name, proven with the rest, and checks the list offline', async () => {
    const dossier = (await exportDossier(
      store,
      testLogProofs(db, builder),
      'c1',
      'lift',
      undefined,
    ))!;
    expect(dossier.attachments).toEqual([
      { sha256, size: 2048, mediaType: 'application/pdf', streamId: `attachment-c1.${sha256}` },
    ]);
    expect(dossier.streams.map((s) => s.streamId)).toContain(`attachment-c1.${sha256}`);
    expect(verifyDossier(dossier, [key.publicKey])).toMatchObject({ ok: true });
    const swapped = {
      ...dossier,
      attachments: [{ ...dossier.attachments![0]!, sha256: 'f'.repeat(64) }],
    };
    expect(verifyDossier(swapped, [key.publicKey])).toMatchObject({
      ok: false,
      problem: 'the attachment list differs from what the upload events record',
    });
  });
});
