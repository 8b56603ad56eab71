import { type EventStore, formatCheckpoint, type JsonObject } from '@yishi/event-store';
import type { AppEnv } from '@yishi/platform';
import type { Context } from 'hono';
import { sql } from 'kysely';
import { recordedBy } from '../projections/temporal.ts';
import type { QueryDeps, ReadContext } from '../routes/common.ts';
import type { ChainHead } from './page.ts';

// Where a printed document's facts come from. A document stands on its stream's chain head
// as of the request (the timeline witnessed every hash): the query API's own answers as of
// that head's position (so the page says exactly what the API says there), and from the
// store the texts the timeline keeps only in part (notices, announcements).

export interface SourceDeps extends QueryDeps {
  store: EventStore;
  /** This service's query API, in process: each document prints its answers. */
  self: (request: Request) => Promise<Response>;
}

const headOf = (row: {
  stream_id: string;
  stream_version: number;
  hash: string;
  transaction_id: string;
  global_position: string;
}): ChainHead => ({
  streamId: row.stream_id,
  version: row.stream_version,
  hash: row.hash,
  position: `${row.transaction_id}:${row.global_position}`,
});

/** The last event of each stream at or before the read's `asOf`. */
export async function chainHeads(
  deps: QueryDeps,
  ctx: ReadContext,
  streamIds: readonly string[],
): Promise<Map<string, ChainHead>> {
  if (streamIds.length === 0) return new Map();
  const rows = await deps.db
    .withSchema(ctx.schema('timeline'))
    .selectFrom('timeline')
    .distinctOn('stream_id')
    .select(['stream_id', 'stream_version', 'hash', 'transaction_id', 'global_position'])
    .where('stream_id', 'in', [...streamIds])
    .where(recordedBy(ctx.asOf))
    .orderBy('stream_id')
    .orderBy('stream_version', 'desc')
    .execute();
  return new Map(rows.map((r) => [r.stream_id, headOf(r)]));
}

export async function chainHead(
  deps: QueryDeps,
  ctx: ReadContext,
  streamId: string,
): Promise<ChainHead | undefined> {
  return (await chainHeads(deps, ctx, [streamId])).get(streamId);
}

/** The position of a community's last event at or before the read's `asOf`. */
export async function communityPosition(
  deps: QueryDeps,
  ctx: ReadContext,
  communityId: string,
): Promise<string | undefined> {
  if (ctx.asOf) return formatCheckpoint(ctx.asOf);
  const row = await deps.db
    .withSchema(ctx.schema('timeline'))
    .selectFrom('timeline')
    .select(['transaction_id', 'global_position'])
    .where('community_id', '=', communityId)
    .orderBy('transaction_id', 'desc')
    .orderBy('global_position', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? `${row.transaction_id}:${row.global_position}` : undefined;
}

/**
 * The data of the last event of a type in a stream up to its head (matching `where` on the
 * timeline's details), read whole from the store.
 */
export async function lastEventData(
  deps: SourceDeps,
  ctx: ReadContext,
  head: ChainHead,
  type: string,
  where: Record<string, string> = {},
): Promise<JsonObject | undefined> {
  let q = deps.db
    .withSchema(ctx.schema('timeline'))
    .selectFrom('timeline')
    .select('stream_version')
    .where('stream_id', '=', head.streamId)
    .where('type', '=', type)
    .where('stream_version', '<=', head.version)
    .orderBy('stream_version', 'desc')
    .limit(1);
  for (const [key, value] of Object.entries(where)) {
    q = q.where(sql<string>`details->>${key}`, '=', value);
  }
  const row = await q.executeTakeFirst();
  if (!row) return undefined;
  const [event] = await deps.store.readStream(head.streamId, {
    fromVersion: row.stream_version,
    maxCount: 1,
  });
  return event?.data;
}

/**
 * Reads this service's answers as they stood at a position, with the caller's token: a
 * problem (not found, not reached in time) comes back as the Response to answer with.
 */
export function viewsAt(c: Context<AppEnv>, deps: SourceDeps, position: string) {
  return async <T>(path: string, query: Record<string, string | undefined> = {}) => {
    const url = new URL(path, 'http://projection.internal');
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, value);
    }
    url.searchParams.set('asOf', position);
    url.searchParams.set('minPosition', position);
    const res = await deps.self(
      new Request(url, {
        headers: {
          authorization: c.req.header('authorization') ?? '',
          'x-request-id': c.get('requestId'),
        },
      }),
    );
    if (!res.ok) return res;
    return (await res.json()) as T;
  };
}
