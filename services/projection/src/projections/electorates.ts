import type { ProposalEvent } from '@yishi/domain';
import { sql } from 'kysely';
import { chunkValues, IN_CHUNK, streamsOfChunk } from './event-sql.ts';
import type { Projection } from './projection.ts';
import { createAppendTable } from './schema.ts';
import { entityOfStream } from './streams.ts';
import { atOf, jsonInsert } from './temporal.ts';

// 选民名册: the electorate each vote froze when it opened (every voter with area and head-count
// weight), once per vote, never changed. Large (a 12,000-voter vote is a megabyte) and only
// copied: its own projection, so that a rebuild copies it inside the database instead of
// parsing and serialising it in Node, and the proposals projection never writes it. A row is
// the opening event's data as stored, at the event's position: taking the electorate (or the
// vote id) out of it in SQL parses the JSON, which cost 2.3 of the 2.6 s a rebuild spent here
// (`psql`, 100 MB of electorates in 1M events); the tally finds a vote's row by the position
// of the vote's first version, which its opening made (proposals.ts).

type VotingOpened = Extract<ProposalEvent, { type: 'VotingOpened' }>;

const TYPES: readonly VotingOpened['type'][] = ['VotingOpened'];

export const electoratesProjection: Projection = {
  name: 'electorates',
  // 2: the opening event's data, found by its position, instead of the vote id and electorate.
  version: 2,
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
    // Version 2 writes `opened` only. Added beside the columns of version 1, which a generation of
    // version 1 goes on filling and serving while version 2 is built.
    '2026-12-05-001-electorates-opened': {
      async up(db) {
        await db.schema.alterTable('electorates').addColumn('opened', 'json').execute();
        await sql`ALTER TABLE electorates ALTER COLUMN opened SET STORAGE EXTERNAL,
          ALTER COLUMN vote_id DROP NOT NULL, ALTER COLUMN electorate DROP NOT NULL`.execute(db);
      },
    },
  },
  indexes: (db) => [
    db.schema
      .createIndex('electorates_opening')
      .ifNotExists()
      .on('electorates')
      .columns(['community_id', 'proposal_id', 'global_position'])
      .unique(),
  ],
  concerns: (streamId) => streamId.startsWith('proposal-'),
  eventTypes: TYPES,
  inDatabase: {
    types: TYPES,
    // apply's rows: the data as stored (its text; the same JSON value).
    async chunk(client, schema, chunk) {
      const { rowCount } = await client.query(
        `INSERT INTO ${schema}.electorates (community_id, proposal_id, opened, transaction_id,
           global_position)
         SELECT st.community_id, st.entity, e.data, e.transaction_id::text::int8, e.global_position
           FROM es_events e
           JOIN ${streamsOfChunk(`e.type = 'VotingOpened' AND starts_with(e.stream_id, 'proposal-')`)}
             ON st.stream_id = e.stream_id AND st.community_id IS NOT NULL AND st.entity IS NOT NULL
          WHERE ${IN_CHUNK} AND e.type = 'VotingOpened'`,
        chunkValues(chunk),
      );
      return rowCount ?? 0;
    },
  },
  async apply(ctx, events) {
    const rows: Record<string, unknown>[] = [];
    for (const event of events) {
      if (event.type !== 'VotingOpened') continue;
      const ids = entityOfStream('proposal-', event.streamId);
      if (!ids) continue;
      const at = atOf(event);
      rows.push({
        community_id: ids.cid,
        proposal_id: ids.id,
        opened: event.data,
        transaction_id: at.tx,
        global_position: at.pos,
      });
    }
    await (ctx.insert ?? jsonInsert(ctx.db, ctx.schema))('electorates', rows);
  },
};
