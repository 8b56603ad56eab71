import { z } from '@hono/zod-openapi';
import { COMMUNITY_ID_MAX_LENGTH, ItemResultSchema, Role } from '@yishi/domain';
import { type Checkpoint, formatCheckpoint, parseCheckpoint } from '@yishi/event-store';
import { type AppEnv, problem, problemContent } from '@yishi/platform';
import type { Context } from 'hono';
import { type Kysely, sql } from 'kysely';
import type { Projector } from '../runtime/projector.ts';
import type { ReadModels } from '../runtime/read-models.ts';
import type { Database } from '../tables.ts';
import type { PersonalDataDeps } from './visibility.ts';

/** What every query route needs. */
export interface QueryDeps {
  db: Kysely<Database>;
  /**
   * `READ_REPLICA_URL`: a streaming replica of `db`. Officials' queries that name no
   * `minPosition` read there (reports across many communities, which tolerate a replica's few
   * seconds of lag); read-your-writes and everyone else's queries stay on `db`.
   */
  replica?: Kysely<Database> | undefined;
  readModels: ReadModels;
  /** Opens personal fields for the readers who may read them; logs officials' reads. */
  personalData: PersonalDataDeps;
  /** `minPosition` waits until each of these has passed it. */
  projectors: readonly Projector[];
  /** Upper bound of a `minPosition` wait (ms). */
  minPositionWaitMs?: number;
  /**
   * The store's last event every reader can see, where the store can tell it: an `asOf` time
   * later than the timeline's last event waits for the timeline to reach it, so that an event
   * recorded before that time but not yet projected is not left out.
   */
  visibleEnd?: (() => Promise<Checkpoint | undefined>) | undefined;
}

/** Who may call a query open to every role of the community (documented as `x-roles`). */
export const READERS: Role[] = [...Role.options];

const problemOf = (description: string) => ({ description, content: problemContent });

/** What every query may answer besides its own: bad input, token, community, the service. */
export const problemResponses = {
  400: problemOf('`invalid-input`: a parameter is not valid (each in `errors`)'),
  401: problemOf('`unauthenticated` (no bearer token) or `invalid-token`'),
  403: problemOf('`community-forbidden`: the token is not valid for this community'),
  503: problemOf(
    '`read-model-unavailable`: a read model this query reads is not built yet (retry); `unavailable`: the service could not complete the request',
  ),
};

/** What `asOf` and `minPosition` add. */
const readResponses = {
  409: problemOf(
    '`position-not-reached`: the read model did not reach `minPosition`, or the position `asOf` stands at, in time (`currentPosition` says where it is, `projection` which one); retry',
  ),
};
const POSITION_NOT_FOUND = '`position-not-found`: `asOf` is a global position with no event';

export interface QueryAnswers {
  /** The codes of a 404 besides `position-not-found`, e.g. `proposal-not-found`. */
  notFound?: readonly string[];
  /** false for a query without `asOf` (no `position-not-found`). */
  asOf?: boolean;
  /** false for a query without `minPosition` (with `asOf` false too: no `position-not-reached`). */
  minPosition?: boolean;
}

/** A query's responses: its JSON answer, or a problem with the codes this query answers. */
export function jsonResponses<S extends z.ZodType>(
  description: string,
  schema: S,
  answers: QueryAnswers = {},
) {
  return {
    200: { description, content: { 'application/json': { schema } } },
    ...errorResponses(answers),
  };
}

/** The problems of a query (for a route whose 200 is not JSON, or whose own 4xx is added). */
export function errorResponses({ notFound = [], asOf = true, minPosition = true }: QueryAnswers) {
  const missing = [...notFound.map((code) => `\`${code}\``), ...(asOf ? [POSITION_NOT_FOUND] : [])];
  return {
    ...problemResponses,
    ...(minPosition || asOf ? readResponses : {}),
    ...(missing.length > 0 ? { 404: problemOf(missing.join('; ')) } : {}),
  };
}

const POSITION = /^\d{1,20}:\d{1,20}$/;
const INT8_MAX = 9_223_372_036_854_775_807n;
/** Each number of a position fits the database's int8 (never throws: any text may come). */
export const fitsInt8 = (v: string) =>
  v.split(':').every((n) => /^\d{1,20}$/.test(n) && BigInt(n) <= INT8_MAX);
/**
 * A position "txid:pos", checked in one refinement: zod runs refinements even after a failed
 * regex, and one field should get one message.
 */
const Position = (message: string) =>
  z.string().refine((v) => POSITION.test(v) && fitsInt8(v), message);
/** Times PostgreSQL can compare (years 1 to 9999). */
const storableTime = (v: string) => {
  const year = new Date(v).getUTCFullYear();
  return year >= 1 && year <= 9999;
};

/**
 * A query parameter listing up to `max` values separated by commas (`?ids=a,b`), each one
 * `item`: refused whole (400 naming the parameter) when one is not.
 */
export function commaList(item: z.ZodType<string>, max: number, what: string) {
  return z
    .string()
    .max(max * 65)
    .refine((v) => {
      const values = v.split(',');
      return values.length <= max && values.every((x) => item.safeParse(x).success);
    }, `${what} separated by commas, at most ${max}`);
}

export const ReadQuery = z.object({
  asOf: z
    .string()
    .max(64)
    .refine(
      (v) =>
        ((POSITION.test(v) || /^\d{1,20}$/.test(v)) && fitsInt8(v)) ||
        (isIsoDateTime(v) && storableTime(v)),
      'a time (ISO 8601 with offset), a position "txid:pos" or a global position',
    )
    .optional()
    .openapi({
      description:
        'Time travel: answer as the record stood at this time (the last event recorded at or before it) or position',
      example: '2026-03-01T00:00:00+08:00',
    }),
  minPosition: Position('a position returned by the command service, e.g. 812:40')
    .optional()
    .openapi({ description: 'Wait (bounded) until the read model has passed this position' }),
});
export type ReadQuery = z.infer<typeof ReadQuery>;

/** A date or time the database can compare, for ranges (`from`, `to`). */
export const TimeBound = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .refine(storableTime, 'years 1 to 9999');

/**
 * A stream id as the domain writes them (`<category>-<communityId>[.<entityId>]`): anything else
 * is refused here, before it reaches SQL (PostgreSQL refuses NUL in text with an error).
 */
export const StreamId = z
  .string()
  .max(200)
  .regex(
    new RegExp(
      `^[a-z][a-z0-9_]{0,30}-[a-z0-9][a-z0-9-]{0,${COMMUNITY_ID_MAX_LENGTH - 1}}(\\.[A-Za-z0-9_-]{1,64})?$`,
    ),
    'a stream id, e.g. proposal-c1.p1',
  );

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(10_000).default(500).openapi({ example: 500 }),
  after: Position('the `next` of the previous page, e.g. 812:40')
    .optional()
    .openapi({ description: 'Cursor: the `next` of the previous page' }),
});

/** One item's outcome under a rule, as tallied or as decided (the domain's rule results). */
export const ItemOutcome = ItemResultSchema;

export const AsOfInfo = z
  .object({
    requested: z.string(),
    position: z.string().openapi({ description: 'The position the answer stands at' }),
  })
  .openapi('AsOf');

function isIsoDateTime(value: string): boolean {
  return z.iso.datetime({ offset: true }).safeParse(value).success;
}

/** How a query reads: the schema of each projection and, with `asOf`, the position. */
export interface ReadContext {
  /** Where this query reads: the primary, or the replica (see `QueryDeps.replica`). */
  db: Kysely<Database>;
  asOf: Checkpoint | undefined;
  asOfInfo: { requested: string; position: string } | undefined;
  /** The time an `asOf` stands at (for deadlines: "overdue as of"), else now. */
  asOfTime: Date;
  schema(projection: string): string;
}

type AnyContext = Context<AppEnv>;

/**
 * Read-your-writes, then time travel: waits for `minPosition` (409 after the bound), resolves
 * `asOf` to a position, and finds the generation schemas the query will read.
 */
export async function readContext(
  c: AnyContext,
  deps: QueryDeps,
  query: ReadQuery,
  projections: readonly string[],
): Promise<ReadContext | Response> {
  const deadline = Date.now() + (deps.minPositionWaitMs ?? 5_000);
  if (query.minPosition) {
    const target = parseCheckpoint(query.minPosition);
    if (!target) return problem(c, 400, 'invalid-input', 'minPosition is not a position');
    const late = await passed(c, deps, projections, target, deadline, 'minPosition');
    if (late) return late;
  }
  const db =
    deps.replica && !query.minPosition && c.get('principal')?.role === 'official'
      ? deps.replica
      : deps.db;
  const schemas = new Map<string, string>();
  for (const name of new Set([...projections, 'timeline'])) {
    const schema = await deps.readModels.schemaOf(name);
    if (!schema) {
      return problem(c, 503, 'read-model-unavailable', `The ${name} read model is not built yet`);
    }
    schemas.set(name, schema);
  }
  const schema = (name: string) => {
    const found = schemas.get(name);
    if (!found) throw new Error(`query did not declare projection ${name}`);
    return found;
  };
  if (!query.asOf) {
    return { db, asOf: undefined, asOfInfo: undefined, asOfTime: new Date(), schema };
  }
  let resolved = await resolveAsOf(db, schema('timeline'), query.asOf);
  if (resolved?.latest && deps.visibleEnd) {
    // Nothing in the timeline after that time: events recorded before it may not be projected
    // yet. Resolve again once the timeline has every event visible now.
    const end = await deps.visibleEnd();
    if (end) {
      const late = await passed(c, deps, ['timeline'], end, deadline, 'asOf');
      if (late) return late;
      resolved = await resolveAsOf(db, schema('timeline'), query.asOf);
    }
  }
  if (!resolved) {
    return problem(c, 404, 'position-not-found', `No event at position ${query.asOf}`);
  }
  // The answer stands at that position only once every read model it reads has passed it.
  const late = await passed(c, deps, projections, resolved.checkpoint, deadline, 'asOf');
  if (late) return late;
  return {
    db,
    asOf: resolved.checkpoint,
    asOfInfo: { requested: query.asOf, position: formatCheckpoint(resolved.checkpoint) },
    asOfTime: resolved.time,
    schema,
  };
}

/**
 * Waits until the projectors of `projections` (all of them when none is named) have passed
 * `target`: nothing, or the 409 to answer when one has not by `deadline`.
 */
async function passed(
  c: AnyContext,
  deps: QueryDeps,
  projections: readonly string[],
  target: Checkpoint,
  deadline: number,
  parameter: 'minPosition' | 'asOf',
): Promise<Response | undefined> {
  for (const projector of deps.projectors) {
    if (!projections.includes(projector.projection.name) && projections.length > 0) continue;
    if (!(await projector.waitFor(target, Math.max(0, deadline - Date.now())))) {
      const detail =
        parameter === 'minPosition'
          ? 'The read model has not reached minPosition yet'
          : 'The read model has not reached the position asOf stands at yet';
      return problem(c, 409, 'position-not-reached', detail, {
        currentPosition: formatCheckpoint(projector.position),
        projection: projector.projection.name,
      });
    }
  }
  return undefined;
}

/** Where an `asOf` stands. */
export interface AsOfPosition {
  checkpoint: Checkpoint;
  time: Date;
  /** A time with no event of the timeline after it: the timeline may not hold them all yet. */
  latest?: boolean;
}

/**
 * `asOf` to a position: "txid:pos" as given; a bare number is the event with that global
 * position; a time is the last event recorded at or before it (the start, before any event).
 */
export async function resolveAsOf(
  db: Kysely<Database>,
  timelineSchema: string,
  asOf: string,
): Promise<AsOfPosition | undefined> {
  const timeline = db.withSchema(timelineSchema);
  const direct = parseCheckpoint(asOf);
  if (direct) {
    // The time of the last event at or before it in the global order: the event at that very
    // position, as positions the services hand out are (by the key); any other through the
    // whole order (no index serves it: rare, and not worth one more index on every line).
    const tx = direct.transactionId.toString();
    const pos = direct.globalPosition.toString();
    const row =
      (await timeline
        .selectFrom('timeline')
        .select('recorded_at')
        .where('global_position', '=', pos)
        .where('transaction_id', '=', tx)
        .executeTakeFirst()) ??
      (await timeline
        .selectFrom('timeline')
        .select('recorded_at')
        .where(sql<boolean>`(transaction_id, global_position) <= (${tx}::int8, ${pos}::int8)`)
        .orderBy('transaction_id', 'desc')
        .orderBy('global_position', 'desc')
        .limit(1)
        .executeTakeFirst());
    return { checkpoint: direct, time: row?.recorded_at ?? new Date(0) };
  }
  if (/^\d+$/.test(asOf)) {
    const row = await timeline
      .selectFrom('timeline')
      .select(['transaction_id', 'global_position', 'recorded_at'])
      .where('global_position', '=', asOf)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      checkpoint: {
        transactionId: BigInt(row.transaction_id),
        globalPosition: BigInt(row.global_position),
      },
      time: row.recorded_at,
    };
  }
  const time = new Date(asOf);
  const row = await timeline
    .selectFrom('timeline')
    .select(['transaction_id', 'global_position'])
    .where('recorded_at', '<=', time)
    .orderBy('recorded_at', 'desc')
    .orderBy('transaction_id', 'desc')
    .orderBy('global_position', 'desc')
    .limit(1)
    .executeTakeFirst();
  return {
    checkpoint: row
      ? { transactionId: BigInt(row.transaction_id), globalPosition: BigInt(row.global_position) }
      : { transactionId: 0n, globalPosition: 0n },
    time,
    latest: !(await timeline
      .selectFrom('timeline')
      .select('global_position')
      .where('recorded_at', '>', time)
      .limit(1)
      .executeTakeFirst()),
  };
}

/** Adds the `asOf` the answer stands at, when one was asked. */
export function withAsOf<T extends object>(
  ctx: ReadContext,
  body: T,
): T & { asOf?: { requested: string; position: string } } {
  return ctx.asOfInfo ? { ...body, asOf: ctx.asOfInfo } : body;
}

export function positionOf(tx: string, pos: string): string {
  return `${tx}:${pos}`;
}
