import { communityOfStream, SEALED_FIELDS } from '@yishi/domain';
import type { Json, JsonObject, RecordedEvent } from '@yishi/event-store';
import { sql } from 'kysely';
import {
  COMMUNITY_PART_SQL,
  COMMUNITY_SQL,
  chunkValues,
  IN_CHUNK,
  streamsOfChunk,
  UNTIL,
  untilValues,
} from './event-sql.ts';
import type { Projection, ProjectionContext } from './projection.ts';
import { entityOfStream } from './streams.ts';
import { jsonInsert } from './temporal.ts';

// 时间线: one line per event of every stream, with who, when, which command and the hash the
// read side witnessed. It serves the histories, maps `asOf` times to positions, and lets
// verification notice an event that changed after it was projected.

/** Fields too large for a history line (shortened there); the dossier has the full events. */
export const LARGE = new Set(['electorate', 'description', 'text']);

/** Fields no line ever holds: an evaluation's answers (the domain's SEALED_FIELDS). */
const SEALED: ReadonlySet<string> = new Set(SEALED_FIELDS);

/** Characters (code points, as PostgreSQL counts them) a large text keeps in a line. */
const KEPT = 280;

function details(data: JsonObject): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(data)) {
    if (SEALED.has(key)) continue;
    if (!LARGE.has(key)) out[key] = value;
    else if (Array.isArray(value)) out[`${key}Count`] = value.length;
    else if (typeof value === 'string') out[key] = shortened(value);
  }
  return out;
}

function shortened(text: string): string {
  if (text.length <= KEPT) return text;
  const chars = Array.from(text);
  return chars.length > KEPT ? `${chars.slice(0, KEPT).join('')}…` : text;
}

/**
 * `details` in SQL, of `e.data`. Most events have none of the large fields: their data is kept
 * as stored (canonical JSON: a key is never escaped, so a search of its text is exact). The
 * others are made again from their top-level fields in order (json_each reads the text once;
 * parsing to jsonb costs more, electorates being large).
 */
const PLAIN_SQL = [...LARGE, ...SEALED].map((k) => `strpos(p.t, '"${k}"') = 0`).join(' AND ');
const LARGE_SQL = `(${[...LARGE].map((k) => `'${k}'`).join(', ')})`;
const SEALED_SQL = `(${[...SEALED].map((k) => `'${k}'`).join(', ')})`;
const DETAILS_SQL = `CASE WHEN s.plain THEN e.data ELSE (
  SELECT coalesce(json_object_agg(
           CASE WHEN f.k IN ${LARGE_SQL} AND json_typeof(f.v) = 'array' THEN f.k || 'Count' ELSE f.k END,
           CASE WHEN f.k NOT IN ${LARGE_SQL} THEN f.v
                WHEN json_typeof(f.v) = 'array' THEN to_json(json_array_length(f.v))
                WHEN length(f.v #>> '{}') > ${KEPT} THEN to_json(left(f.v #>> '{}', ${KEPT}) || '…')
                ELSE f.v END)
           FILTER (WHERE f.k NOT IN ${SEALED_SQL}
                     AND (f.k NOT IN ${LARGE_SQL} OR json_typeof(f.v) IN ('array', 'string'))), '{}')
    FROM json_each(e.data) AS f(k, v)) END`;

/** A string as it is; anything else (absent, a number, an object) as null. */
export const stringOrNull = (value: unknown): string | null =>
  typeof value === 'string' ? value : null;

/** The proposal and session an event concerns: from its stream, else from its data. */
export function subjectsOf(event: RecordedEvent): {
  proposalId: string | null;
  sessionId: string | null;
} {
  const [category, rest] = splitStream(event.streamId);
  const entity = rest?.includes('.') ? rest.slice(rest.indexOf('.') + 1) : null;
  return {
    proposalId: category === 'proposal' ? entity : stringOrNull(event.data.proposalId),
    sessionId: category === 'session' ? entity : stringOrNull(event.data.sessionId),
  };
}

function splitStream(streamId: string): [string, string | undefined] {
  const dash = streamId.indexOf('-');
  return dash < 0 ? [streamId, undefined] : [streamId.slice(0, dash), streamId.slice(dash + 1)];
}

/** A string field of `e.data` (NULL when absent or not a string); the text search skips the parse. */
const textField = (key: string) =>
  `CASE WHEN strpos(p.t, '"${key}"') > 0 AND json_typeof(e.data -> '${key}') = 'string'
     THEN e.data ->> '${key}' END`;

export const timelineProjection: Projection = {
  name: 'timeline',
  // 2: lines are worded when read (summarise), not stored. 3: large texts are cut after 280
  // characters (code points), no longer 280 UTF-16 units (which could split a character).
  // 4: the event's metadata is kept as it is, instead of three fields taken out of it.
  version: 4,
  tables: ['timeline', 'timeline_agenda'],
  migrations: {
    '2026-11-22-001-timeline': {
      async up(db) {
        await db.schema
          .createTable('timeline')
          .addColumn('global_position', 'int8', (c) => c.primaryKey())
          .addColumn('transaction_id', 'int8', (c) => c.notNull())
          .addColumn('stream_id', 'text', (c) => c.notNull())
          .addColumn('stream_version', 'integer', (c) => c.notNull())
          .addColumn('community_id', 'text', (c) => c.notNull())
          .addColumn('proposal_id', 'text')
          .addColumn('session_id', 'text')
          .addColumn('item_id', 'text')
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('actor_id', 'text')
          .addColumn('actor_role', 'text')
          .addColumn('command_id', 'text')
          .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
          .addColumn('details', 'json', (c) => c.notNull())
          .addColumn('hash', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('timeline_agenda')
          .addColumn('community_id', 'text', (c) => c.notNull())
          .addColumn('session_id', 'text', (c) => c.notNull())
          .addColumn('item_id', 'text', (c) => c.notNull())
          .addColumn('proposal_id', 'text')
          .addPrimaryKeyConstraint('timeline_agenda_pk', ['community_id', 'session_id', 'item_id'])
          .execute();
      },
    },
    // Who, in which role, by which command, and the causation and correlation ids: kept as the
    // event has them (taking fields out of JSON in SQL cost a third of a set-based rebuild).
    // Generations before version 4 have actor_id, actor_role and command_id instead.
    '2026-12-04-001-timeline-metadata': {
      async up(db) {
        await db.schema.alterTable('timeline').addColumn('metadata', 'json').execute();
      },
    },
  },
  statistics: [
    { name: 'timeline_proposals', table: 'timeline', columns: ['community_id', 'proposal_id'] },
    { name: 'timeline_sessions', table: 'timeline', columns: ['community_id', 'session_id'] },
  ],
  indexes: (db) => [
    db.schema
      .createIndex('timeline_stream_version')
      .ifNotExists()
      .on('timeline')
      .columns(['stream_id', 'stream_version'])
      .unique(),
    db.schema
      .createIndex('timeline_community')
      .ifNotExists()
      .on('timeline')
      .columns(['community_id', 'transaction_id', 'global_position']),
    db.schema
      .createIndex('timeline_proposal')
      .ifNotExists()
      .on('timeline')
      .columns(['community_id', 'proposal_id', 'transaction_id', 'global_position'])
      .where(sql.ref('proposal_id'), 'is not', null),
    db.schema
      .createIndex('timeline_session')
      .ifNotExists()
      .on('timeline')
      .columns(['community_id', 'session_id', 'transaction_id', 'global_position'])
      .where(sql.ref('session_id'), 'is not', null),
    db.schema
      .createIndex('timeline_recorded')
      .ifNotExists()
      .on('timeline')
      .columns(['recorded_at', 'transaction_id', 'global_position']),
    db.schema
      .createIndex('timeline_agenda_proposal')
      .ifNotExists()
      .on('timeline_agenda')
      .columns(['community_id', 'proposal_id']),
  ],
  inDatabase: {
    // agendaOf's rows, from every session convened up to the end of the build.
    async prepare(client, schema, until, communityId) {
      await client.query(
        `INSERT INTO ${schema}.timeline_agenda (community_id, session_id, item_id, proposal_id)
         SELECT ${COMMUNITY_PART_SQL}, substr(e.stream_id, strpos(e.stream_id, '.') + 1),
                item ->> 'itemId',
                CASE WHEN json_typeof(item -> 'proposalId') = 'string' THEN item ->> 'proposalId' END
           FROM es_events e
          CROSS JOIN LATERAL json_array_elements(
                CASE WHEN json_typeof(e.data -> 'agenda') = 'array' THEN e.data -> 'agenda' ELSE '[]' END) item
          WHERE ${UNTIL} AND e.type = 'SessionConvened'
            AND starts_with(e.stream_id, 'session-') AND strpos(e.stream_id, '.') > 0
            AND ${COMMUNITY_SQL} IS NOT NULL
            AND json_typeof(item) = 'object' AND json_typeof(item -> 'itemId') = 'string'
            AND item ->> 'itemId' <> ''
            AND ($3::text IS NULL OR e.community_id = $3::text)`,
        [...untilValues(until), communityId ?? null],
      );
      // Statistics for the chunks' lookups: without them the planner scans the whole table. (One
      // community's rows among the others' change them little.)
      if (communityId === undefined) await client.query(`ANALYZE ${schema}.timeline_agenda`);
    },
    // apply's rows: subjectsOf and the agenda lookup on the stream id's parts.
    async chunk(client, schema, chunk) {
      const { rowCount } = await client.query(
        `INSERT INTO ${schema}.timeline (global_position, transaction_id, stream_id,
           stream_version, community_id, proposal_id, session_id, item_id, type, metadata,
           recorded_at, details, hash)
         SELECT e.global_position, e.transaction_id::text::int8, e.stream_id, e.stream_version,
                s.community_id,
                coalesce(s.proposal_id, CASE WHEN s.item_id <> '' THEN (
                  SELECT a.proposal_id FROM ${schema}.timeline_agenda a
                   -- In the table's collation, so that its key is used (stream ids are "C").
                   WHERE a.community_id = s.community_id COLLATE "default"
                     AND a.session_id = s.session_id COLLATE "default"
                     AND a.item_id = s.item_id) END),
                s.session_id, s.item_id, e.type, e.metadata,
                -- Events reach Node with their time in milliseconds (a Date).
                date_trunc('milliseconds', e.recorded_at), ${DETAILS_SQL}, e.hash
           FROM es_events e
           JOIN ${streamsOfChunk()} ON st.stream_id = e.stream_id
          CROSS JOIN LATERAL (
                SELECT coalesce(st.community_id, '') AS community_id,
                       CASE WHEN st.category = 'proposal' THEN st.entity ELSE ${textField('proposalId')} END AS proposal_id,
                       CASE WHEN st.category = 'session' THEN st.entity ELSE ${textField('sessionId')} END AS session_id,
                       CASE WHEN st.category = 'session' AND st.entity <> '' THEN ${textField('itemId')} END AS item_id,
                       ${PLAIN_SQL} AS plain
                  -- OFFSET 0: computed once per event, not again at every use of a column.
                  FROM (SELECT e.data::text AS t OFFSET 0) p OFFSET 0) s
          WHERE ${IN_CHUNK}`,
        chunkValues(chunk),
      );
      return rowCount ?? 0;
    },
  },
  async apply(ctx, events) {
    const agenda = await agendaOf(ctx, events);
    const rows = events.map((event) => {
      const { proposalId, sessionId } = subjectsOf(event);
      const communityId = communityOfStream(event.streamId) ?? '';
      const itemId =
        sessionId && event.streamId.startsWith('session-') ? stringOrNull(event.data.itemId) : null;
      return {
        global_position: event.globalPosition.toString(),
        transaction_id: event.transactionId.toString(),
        stream_id: event.streamId,
        stream_version: event.streamVersion,
        community_id: communityId,
        proposal_id:
          proposalId ??
          (itemId ? (agenda.get(agendaKey(communityId, sessionId ?? '', itemId)) ?? null) : null),
        session_id: sessionId,
        item_id: itemId,
        type: event.type,
        metadata: event.metadata,
        recorded_at: event.recordedAt,
        details: details(event.data),
        hash: event.hash,
      };
    });
    await (ctx.insert ?? jsonInsert(ctx.db, ctx.schema))('timeline', rows);
  },
};

const agendaKey = (cid: string, sid: string, itemId: string) => `${cid}\u0000${sid}\u0000${itemId}`;

/**
 * Which proposal each agenda item of the batch's sessions decides, so that statements and
 * positions on an item appear in that proposal's history. New sessions are recorded here.
 */
async function agendaOf(
  ctx: ProjectionContext,
  events: readonly RecordedEvent[],
): Promise<Map<string, string | null>> {
  const agenda = new Map<string, string | null>();
  const convened: {
    community_id: string;
    session_id: string;
    item_id: string;
    proposal_id: string | null;
  }[] = [];
  const wanted = new Map<string, [string, string]>();
  for (const event of events) {
    const session = entityOfStream('session-', event.streamId);
    if (!session) continue;
    if (event.type === 'SessionConvened') {
      const items = event.data.agenda;
      for (const item of Array.isArray(items) ? items : []) {
        if (item === null || typeof item !== 'object' || Array.isArray(item)) continue;
        const itemId = stringOrNull(item.itemId);
        if (!itemId) continue;
        const proposalId = stringOrNull(item.proposalId);
        agenda.set(agendaKey(session.cid, session.id, itemId), proposalId);
        convened.push({
          community_id: session.cid,
          session_id: session.id,
          item_id: itemId,
          proposal_id: proposalId,
        });
      }
    } else if (typeof event.data.itemId === 'string') {
      wanted.set(`${session.cid}\u0000${session.id}`, [session.cid, session.id]);
    }
  }
  if (wanted.size > 0) {
    const pairs = [...wanted.values()];
    const rows = await ctx.rm
      .selectFrom('timeline_agenda')
      .selectAll()
      .where(({ eb, refTuple, tuple }) =>
        eb(
          refTuple('community_id', 'session_id'),
          'in',
          pairs.map(([cid, sid]) => tuple(cid, sid)),
        ),
      )
      .execute();
    for (const row of rows) {
      agenda.set(agendaKey(row.community_id, row.session_id, row.item_id), row.proposal_id);
    }
  }
  await (ctx.insert ?? jsonInsert(ctx.db, ctx.schema))('timeline_agenda', convened);
  return agenda;
}
