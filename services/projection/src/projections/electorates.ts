import type { ProposalEvent } from '@yishi/domain';
import { sql } from 'kysely';
import { chunkValues, IN_CHUNK, streamsOfChunk } from '../runtime/in-database.ts';
import type { Projection } from './projection.ts';
import { createAppendTable } from './schema.ts';
import { entityOfStream } from './streams.ts';
import { atOf, jsonInsert } from './temporal.ts';

// 选民名册: the electorate each vote froze when it opened (every voter with area and head-count
// weight), once per vote, never changed. Large (a 12,000-voter vote is a megabyte) and only
// copied: its own projection, so that a rebuild copies it inside the database instead of
// parsing and serialising it in Node, and the proposals projection never writes it.

type VotingOpened = Extract<ProposalEvent, { type: 'VotingOpened' }>;

const TYPES: readonly VotingOpened['type'][] = ['VotingOpened'];

export const electoratesProjection: Projection = {
  name: 'electorates',
  version: 1,
  tables: ['electorates'],
  migrations: {
    '2026-12-04-001-electorates': {
      async up(db) {
        await createAppendTable(db, 'electorates', [
          ['community_id', 'text'],
          ['proposal_id', 'text'],
          ['vote_id', 'text'],
          ['electorate', 'json'],
        ]);
        // Written once and large: uncompressed (pglz was most of the cost of writing them).
        await sql`ALTER TABLE electorates ALTER COLUMN electorate SET STORAGE EXTERNAL`.execute(db);
      },
    },
  },
  indexes: (db) => [
    db.schema
      .createIndex('electorates_key')
      .ifNotExists()
      .on('electorates')
      .columns(['community_id', 'proposal_id', 'vote_id'])
      .unique(),
  ],
  concerns: (streamId) => streamId.startsWith('proposal-'),
  eventTypes: TYPES,
  inDatabase: {
    types: TYPES,
    // apply's rows: the electorate as stored (its text; the same JSON value).
    async chunk(client, schema, chunk) {
      await client.query(
        `INSERT INTO ${schema}.electorates (community_id, proposal_id, vote_id, electorate,
           transaction_id, global_position)
         SELECT st.community_id, st.entity, e.data ->> 'voteId', e.data -> 'electorate',
                e.transaction_id::text::int8, e.global_position
           FROM es_events e
           JOIN ${streamsOfChunk(`e.type = 'VotingOpened' AND starts_with(e.stream_id, 'proposal-')`)}
             ON st.stream_id = e.stream_id AND st.community_id IS NOT NULL AND st.entity IS NOT NULL
          WHERE ${IN_CHUNK} AND e.type = 'VotingOpened'`,
        chunkValues(chunk),
      );
    },
  },
  async apply(ctx, events) {
    const rows: Record<string, unknown>[] = [];
    for (const event of events) {
      if (event.type !== 'VotingOpened') continue;
      const ids = entityOfStream('proposal-', event.streamId);
      if (!ids) continue;
      const d = (event as unknown as VotingOpened).data;
      const at = atOf(event);
      rows.push({
        community_id: ids.cid,
        proposal_id: ids.id,
        vote_id: d.voteId,
        electorate: d.electorate,
        transaction_id: at.tx,
        global_position: at.pos,
      });
    }
    await (ctx.insert ?? jsonInsert(ctx.db, ctx.schema))('electorates', rows);
  },
};
