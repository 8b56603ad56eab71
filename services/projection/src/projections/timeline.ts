import { communityOfStream } from '@yishi/domain';
import type { Json, JsonObject, RecordedEvent } from '@yishi/event-store';
import { sql } from 'kysely';
import type { Projection, ProjectionContext } from './projection.ts';
import { entityOfStream } from './streams.ts';
import { jsonInsert } from './temporal.ts';

// 时间线: one line per event of every stream, with who, when, which command and the hash the
// read side witnessed. It serves the histories, maps `asOf` times to positions, and lets
// verification notice an event that changed after it was projected.

/** Fields too large for a history line; the dossier has the full events. */
const LARGE = new Set(['electorate', 'description', 'text']);

function details(data: JsonObject): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(data)) {
    if (!LARGE.has(key)) out[key] = value;
    else if (Array.isArray(value)) out[`${key}Count`] = value.length;
    else if (typeof value === 'string')
      out[key] = value.length > 280 ? `${value.slice(0, 280)}…` : value;
  }
  return out;
}

const text = (value: Json | undefined): string | null => (typeof value === 'string' ? value : null);

/** The proposal and session an event concerns: from its stream, else from its data. */
export function subjectsOf(event: RecordedEvent): {
  proposalId: string | null;
  sessionId: string | null;
} {
  const [category, rest] = splitStream(event.streamId);
  const entity = rest?.includes('.') ? rest.slice(rest.indexOf('.') + 1) : null;
  return {
    proposalId: category === 'proposal' ? entity : text(event.data.proposalId),
    sessionId: category === 'session' ? entity : text(event.data.sessionId),
  };
}

function splitStream(streamId: string): [string, string | undefined] {
  const dash = streamId.indexOf('-');
  return dash < 0 ? [streamId, undefined] : [streamId.slice(0, dash), streamId.slice(dash + 1)];
}

export const timelineProjection: Projection = {
  name: 'timeline',
  // 2: lines are worded when read (summarise), not stored.
  version: 2,
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
  },
  statistics: [
    { name: 'timeline_proposals', table: 'timeline', columns: ['community_id', 'proposal_id'] },
    { name: 'timeline_sessions', table: 'timeline', columns: ['community_id', 'session_id'] },
  ],
  async indexes(db) {
    await db.schema
      .createIndex('timeline_stream_version')
      .ifNotExists()
      .on('timeline')
      .columns(['stream_id', 'stream_version'])
      .unique()
      .execute();
    await db.schema
      .createIndex('timeline_order')
      .ifNotExists()
      .on('timeline')
      .columns(['transaction_id', 'global_position'])
      .execute();
    await db.schema
      .createIndex('timeline_community')
      .ifNotExists()
      .on('timeline')
      .columns(['community_id', 'transaction_id', 'global_position'])
      .execute();
    await db.schema
      .createIndex('timeline_proposal')
      .ifNotExists()
      .on('timeline')
      .columns(['community_id', 'proposal_id', 'transaction_id', 'global_position'])
      .where(sql.ref('proposal_id'), 'is not', null)
      .execute();
    await db.schema
      .createIndex('timeline_session')
      .ifNotExists()
      .on('timeline')
      .columns(['community_id', 'session_id', 'transaction_id', 'global_position'])
      .where(sql.ref('session_id'), 'is not', null)
      .execute();
    await db.schema
      .createIndex('timeline_recorded')
      .ifNotExists()
      .on('timeline')
      .columns(['recorded_at', 'transaction_id', 'global_position'])
      .execute();
    await db.schema
      .createIndex('timeline_agenda_proposal')
      .ifNotExists()
      .on('timeline_agenda')
      .columns(['community_id', 'proposal_id'])
      .execute();
  },
  async apply(ctx, events) {
    const agenda = await agendaOf(ctx, events);
    const rows = events.map((event) => {
      const { proposalId, sessionId } = subjectsOf(event);
      const communityId = communityOfStream(event.streamId) ?? '';
      const itemId =
        sessionId && event.streamId.startsWith('session-') ? text(event.data.itemId) : null;
      const meta = event.metadata;
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
        actor_id: text(meta.actorId),
        actor_role: text(meta.actorRole),
        command_id: text(meta.commandId),
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
        const itemId = text(item.itemId);
        if (!itemId) continue;
        const proposalId = text(item.proposalId);
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
