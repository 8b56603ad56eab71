import type pg from 'pg';
import type { Checkpoint, EventHeader } from '../types.ts';
import { VISIBLE_HORIZON_SQL } from './reads.ts';

// The global order as headers only (`readHeaders`): the columns a reader of the order needs,
// without data and metadata, which are most of a row's bytes and of its parsing.

/** A header row in `rowMode: 'array'`, in the order of the statement's columns. */
export type HeaderRow = [
  globalPosition: string,
  transactionId: string,
  streamId: string,
  streamVersion: string,
  type: string,
  hash: string,
];

// As `es_read_all` (reads.ts), the same rows, fewer columns.
const READ_HEADERS = {
  name: 'es_read_all_headers',
  rowMode: 'array',
  text: `SELECT global_position, transaction_id::text AS txid, stream_id, stream_version, type, hash
           FROM es_events
          WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
            AND transaction_id < ${VISIBLE_HORIZON_SQL}
          ORDER BY transaction_id, global_position LIMIT $3`,
} as const;

/** Up to `batchSize` headers after `from` in the global order, below the horizon. */
export function globalHeadersQuery(from: Checkpoint, batchSize: number): pg.QueryConfig {
  return {
    ...READ_HEADERS,
    values: [from.transactionId.toString(), from.globalPosition.toString(), batchSize],
  };
}

export function rowToHeader(row: HeaderRow): EventHeader {
  return {
    streamId: row[2],
    streamVersion: Number(row[3]),
    globalPosition: BigInt(row[0]),
    transactionId: BigInt(row[1]),
    type: row[4],
    hash: row[5],
  };
}
