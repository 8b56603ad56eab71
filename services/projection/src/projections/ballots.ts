import type { ProposalEvent } from '@yishi/domain';
import type { RecordedEvent } from '@yishi/event-store';
import type { BallotsTable } from '../db.ts';
import { chunkValues, IN_CHUNK, streamsOfChunk } from '../runtime/in-database.ts';
import type { Projection } from './projection.ts';
import { createAppendTable, TEXT_ARRAY } from './schema.ts';
import { entityOfStream } from './streams.ts';
import { jsonInsert } from './temporal.ts';

// 选票: every ballot as its event stated it, one row per item, never changed. Most events of a
// district are ballots, so this read model keeps no versions and looks nothing up while it is
// written: a voter's current ballot (and the ballot as it stood at any position) is the fold of
// their rows in order, made when a query reads them. Its own projection, so that it is written
// side by side with the proposals rather than after them.

type BallotEvent = Extract<
  ProposalEvent,
  { type: 'BallotCast' | 'BallotChanged' | 'PaperBallotCorrected' }
>;

const BALLOT_TYPES: readonly BallotEvent['type'][] = [
  'BallotCast',
  'BallotChanged',
  'PaperBallotCorrected',
];

/** Whether an event of a proposal's stream is a ballot (cast, changed or corrected). */
export function isBallot(type: string): type is BallotEvent['type'] {
  return (BALLOT_TYPES as readonly string[]).includes(type);
}

function rowsOf(event: RecordedEvent, rows: Record<string, unknown>[]): void {
  const ids = entityOfStream('proposal-', event.streamId);
  if (!ids) return;
  const d = (event as unknown as BallotEvent).data;
  const via = 'via' in d ? d.via : null;
  const castBy = 'castBy' in d ? d.castBy : null;
  const authorisations = 'authorisationIds' in d ? d.authorisationIds : undefined;
  const tx = event.transactionId.toString();
  const pos = event.globalPosition.toString();
  for (const c of d.choices) {
    rows.push({
      community_id: ids.cid,
      proposal_id: ids.id,
      vote_id: d.voteId,
      voter_id: d.voterId,
      item_id: c.itemId,
      choice: 'choice' in c ? c.choice : null,
      ranking: 'ranking' in c ? c.ranking : null,
      via,
      cast_by: castBy,
      authorisation_id: via === null ? null : (authorisations?.[c.itemId] ?? null),
      document_ref: d.documentRef ?? null,
      cast_at: d.at,
      transaction_id: tx,
      global_position: pos,
    } satisfies Record<keyof BallotsTable, unknown>);
  }
}

/** A voter's current ballot on one item, as the decider holds it. */
export interface CurrentBallot {
  voterId: string;
  itemId: string;
  choice: string | null;
  ranking: string[] | null;
  via: string;
  castBy: string;
  authorisationId: string | null;
  documentRef: string | null;
  castAt: string;
  versions: number;
}

/** The columns `foldBallots` reads. */
export const ballotFactColumns = [
  'voter_id',
  'item_id',
  'choice',
  'ranking',
  'via',
  'cast_by',
  'authorisation_id',
  'document_ref',
  'cast_at',
] as const;

export type BallotFact = Pick<BallotsTable, (typeof ballotFactColumns)[number]>;

/**
 * The current ballots from the facts of one vote, each voter's and item's in the order they were
 * recorded. Mirrors the decider's `recordBallot`: a correction (no `via`) keeps how, by whom and
 * under which authorisation the ballot was cast; a paper reference stays until another is given.
 * In order of first appearance.
 */
export function foldBallots(facts: Iterable<BallotFact>): CurrentBallot[] {
  const current = new Map<string, CurrentBallot>();
  for (const f of facts) {
    const key = `${f.voter_id}\u0000${f.item_id}`;
    const earlier = current.get(key);
    current.set(key, {
      voterId: f.voter_id,
      itemId: f.item_id,
      choice: f.choice,
      ranking: f.ranking,
      via: f.via ?? earlier?.via ?? 'paper',
      castBy: f.cast_by ?? earlier?.castBy ?? f.voter_id,
      authorisationId: f.via === null ? (earlier?.authorisationId ?? null) : f.authorisation_id,
      documentRef: f.document_ref ?? earlier?.documentRef ?? null,
      castAt: f.cast_at,
      versions: (earlier?.versions ?? 0) + 1,
    });
  }
  return [...current.values()];
}

export const ballotsProjection: Projection = {
  name: 'ballots',
  version: 1,
  tables: ['ballots'],
  migrations: {
    '2026-11-22-001-ballots': {
      async up(db) {
        await createAppendTable(db, 'ballots', [
          ['community_id', 'text'],
          ['proposal_id', 'text'],
          ['vote_id', 'text'],
          ['voter_id', 'text'],
          ['item_id', 'text'],
          ['choice', 'text', 'null'],
          ['ranking', TEXT_ARRAY, 'null'],
          ['via', 'text', 'null'],
          ['cast_by', 'text', 'null'],
          ['authorisation_id', 'text', 'null'],
          ['document_ref', 'text', 'null'],
          ['cast_at', 'text'],
        ]);
      },
    },
  },
  statistics: [
    {
      name: 'ballots_votes',
      table: 'ballots',
      columns: ['community_id', 'proposal_id', 'vote_id'],
    },
  ],
  async indexes(db) {
    // A voter's facts on an item, newest first: the current ballot is the first of each.
    await db.schema
      .createIndex('ballots_key')
      .ifNotExists()
      .on('ballots')
      .columns([
        'community_id',
        'proposal_id',
        'vote_id',
        'voter_id',
        'item_id',
        'transaction_id desc',
        'global_position desc',
      ])
      .unique()
      .execute();
  },
  concerns: (streamId) => streamId.startsWith('proposal-'),
  eventTypes: BALLOT_TYPES,
  inDatabase: {
    types: BALLOT_TYPES,
    // rowsOf's rows: json_to_record reads each event's data once; its columns are the fields
    // rowsOf reads (a missing key and a JSON null are both NULL, as `?? null` has them).
    async chunk(client, schema, chunk) {
      await client.query(
        `INSERT INTO ${schema}.ballots (community_id, proposal_id, vote_id, voter_id, item_id,
           choice, ranking, via, cast_by, authorisation_id, document_ref, cast_at,
           transaction_id, global_position)
         SELECT st.community_id, st.entity,
                d."voteId", d."voterId", c."itemId", c.choice, c.ranking, d.via, d."castBy",
                CASE WHEN d.via IS NOT NULL THEN d."authorisationIds" ->> c."itemId" END,
                d."documentRef", d.at, e.transaction_id::text::int8, e.global_position
           FROM es_events e
           JOIN ${streamsOfChunk(`e.type = ANY($5::text[]) AND starts_with(e.stream_id, 'proposal-')`)}
             ON st.stream_id = e.stream_id AND st.community_id IS NOT NULL AND st.entity IS NOT NULL
          CROSS JOIN LATERAL json_to_record(e.data) AS d("voteId" text, "voterId" text,
                choices json, via text, "castBy" text, "authorisationIds" json,
                "documentRef" text, at text)
          CROSS JOIN LATERAL json_to_recordset(d.choices) AS c("itemId" text, choice text,
                ranking text[])
          WHERE ${IN_CHUNK} AND e.type = ANY($5::text[])`,
        [...chunkValues(chunk), BALLOT_TYPES],
      );
    },
  },
  async apply(ctx, events) {
    const rows: Record<string, unknown>[] = [];
    for (const event of events) if (isBallot(event.type)) rowsOf(event, rows);
    await (ctx.insert ?? jsonInsert(ctx.db, ctx.schema))('ballots', rows);
  },
};
