import { type Checkpoint, communityOfStreamSql } from '@yishi/event-store';
import type { EventChunk } from './projection.ts';

// SQL over the event store's table (`es_events e`) for the projections' set-based rebuilds
// (`InDatabaseBuild`): which events a chunk holds, and what a stream id says.

/** `es_events e`'s rows of a chunk, with the parameters `chunkValues` gives ($1 to $5). */
export const IN_CHUNK = `e.global_position > $1::bigint AND e.global_position <= $2::bigint
  AND (e.transaction_id, e.global_position) <= ($3::xid8, $4::bigint)
  AND ($5::text IS NULL OR e.community_id = $5::text)`;

export const chunkValues = (chunk: EventChunk): (string | null)[] => [
  chunk.after.toString(),
  chunk.upTo.toString(),
  chunk.until.transactionId.toString(),
  chunk.until.globalPosition.toString(),
  chunk.communityId ?? null,
];

/** What lies between `e.stream_id`'s first '-' and its first '.'. */
export const COMMUNITY_PART_SQL = `split_part(substr(e.stream_id, strpos(e.stream_id, '-') + 1), '.', 1)`;

/**
 * The domain's `communityOfStream` of `e.stream_id` in SQL, or NULL: the event store's own
 * expression of its `community_id` column. (When the pattern matches, it is COMMUNITY_PART_SQL.)
 */
export const COMMUNITY_SQL = communityOfStreamSql('e.stream_id');

/**
 * The streams of a chunk's events (of those `where` also keeps), each parsed once, as
 * `st(stream_id, community_id, category, entity)`: the domain's community of the stream or NULL,
 * what comes before its first '-', and what comes after the first '.' that follows (NULL when
 * none; the proposal or session of `proposal-…` and `session-…` streams). A chunk has far fewer
 * streams than events, and parsing a stream id costs a few microseconds (the pattern most).
 * Join it on `st.stream_id = e.stream_id`; its `$` parameters are `chunkValues`'.
 */
export const streamsOfChunk = (where = 'true') => `(
  SELECT e.stream_id, ${COMMUNITY_SQL} AS community_id,
         CASE WHEN strpos(e.stream_id, '-') > 0 THEN left(e.stream_id, strpos(e.stream_id, '-') - 1)
              ELSE e.stream_id END AS category,
         CASE WHEN strpos(e.stream_id, '-') > 0
               AND strpos(substr(e.stream_id, strpos(e.stream_id, '-') + 1), '.') > 0
              THEN substr(e.stream_id, strpos(e.stream_id, '-')
                     + strpos(substr(e.stream_id, strpos(e.stream_id, '-') + 1), '.') + 1) END AS entity
    FROM (SELECT DISTINCT e.stream_id FROM es_events e WHERE ${IN_CHUNK} AND ${where}) e
  -- OFFSET 0: parsed here, once a stream, not after the join at every event.
  OFFSET 0) st`;

/** `es_events e`'s rows at or before a checkpoint, with `untilValues`' parameters ($1, $2). */
export const UNTIL = `(e.transaction_id, e.global_position) <= ($1::xid8, $2::bigint)`;
export const untilValues = (until: Checkpoint): string[] => [
  until.transactionId.toString(),
  until.globalPosition.toString(),
];
