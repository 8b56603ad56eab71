import { createRoute, z } from '@hono/zod-openapi';
import { CommunitySettings, Id, Stage } from '@yishi/domain';
import { addRoute, CommunityParams, createRouter, problem } from '@yishi/platform';
import { sql } from 'kysely';
import { visibleAt } from '../projections/temporal.ts';
import {
  AsOfInfo,
  commaList,
  jsonResponses,
  type QueryDeps,
  READERS,
  ReadQuery,
  readContext,
  withAsOf,
} from './common.ts';
import { displayName, logPersonalRead, PersonalFields, visibilityOf } from './visibility.ts';

export const Party = z.object({
  partyId: z.string(),
  kind: z.string(),
  name: z.string(),
  active: z.boolean(),
  representativeIds: z.array(z.string()),
  memberIds: z.array(z.string()),
});

export const Community = z
  .object({
    communityId: z.string(),
    name: z.string(),
    kind: z.string(),
    settings: CommunitySettings,
    clerkIds: z.array(z.string()),
    registeredAt: z.string(),
    counts: z.object({
      units: z.number().int(),
      owners: z.number().int(),
      areaCentiM2: z.string().openapi({ description: 'Total area of the units, 0.01 m²' }),
      persons: z.number().int(),
      households: z.number().int(),
      residentGroups: z.number().int(),
    }),
    parties: z.array(Party),
    procedures: z.array(
      z.object({
        templateId: z.string(),
        version: z.number().int(),
        name: z.string(),
        stages: z.array(Stage),
      }),
    ),
    asOf: AsOfInfo.optional(),
  })
  .openapi('Community');

const getCommunity = createRoute({
  method: 'get',
  operationId: 'getCommunity',
  path: '/v1/communities/{communityId}',
  summary: 'A community from the registry (社区名册): settings, counts, parties, procedures',
  tags: ['registry'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: { params: CommunityParams, query: ReadQuery },
  responses: jsonResponses('The community', Community, { notFound: ['community-not-found'] }),
});

export const CommunitySummary = z.object({
  communityId: z.string(),
  name: z.string(),
  kind: z.string(),
});
export const CommunityList = z.object({
  items: z.array(CommunitySummary),
  asOf: AsOfInfo.optional(),
});
const listCommunities = createRoute({
  method: 'get',
  operationId: 'listCommunities',
  path: '/v1/communities',
  summary: 'The communities this token may read',
  tags: ['registry'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: { query: ReadQuery },
  responses: jsonResponses('Communities', CommunityList),
});

const Unit = z.object({
  unitId: z.string(),
  building: z.string(),
  label: z.string().nullable(),
  kind: z.string(),
  areas: z.record(z.string(), z.number()),
  areaCentiM2: z.string(),
  developerUnsold: z.boolean(),
  ownerIds: z.array(z.string()),
});
const listUnits = createRoute({
  method: 'get',
  operationId: 'listUnits',
  path: '/v1/communities/{communityId}/units',
  summary: 'Units (专有部分) with their areas and owners',
  tags: ['registry'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: {
    params: CommunityParams,
    query: ReadQuery.extend({
      limit: z.coerce.number().int().min(1).max(5000).default(500),
      after: Id.optional().openapi({ description: 'Cursor: the last unitId of the previous page' }),
    }),
  },
  responses: jsonResponses(
    'Units, by unit id',
    z.object({
      items: z.array(Unit),
      next: z.string().nullable(),
      asOf: AsOfInfo.optional(),
    }),
  ),
});

const MAX_PERSON_IDS = 200;

export const PersonName = z.object({
  personId: z.string(),
  displayName: z.string().openapi({
    description:
      'The name to clerks, officials and admins (“个人信息已删除” once erased); to others the person id (names are personal information)',
  }),
  erased: z.boolean().openapi({
    description: 'Their personal data was erased (PIPL Art. 47): no name, birth date or phone',
  }),
});
export const PersonPage = z.object({
  items: z.array(PersonName),
  next: z.string().nullable(),
  asOf: AsOfInfo.optional(),
});
const listPersons = createRoute({
  method: 'get',
  operationId: 'listPersons',
  path: '/v1/communities/{communityId}/persons',
  summary: 'Persons of the registry (人员) as this reader may name them',
  tags: ['registry'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: {
    params: CommunityParams,
    query: ReadQuery.extend({
      ids: commaList(Id, MAX_PERSON_IDS, 'person ids').optional().openapi({
        description: 'Only these persons (unknown ids are left out)',
        example: 'p1,p2',
      }),
      limit: z.coerce.number().int().min(1).max(5000).default(500),
      after: Id.optional().openapi({
        description: 'Cursor: the last personId of the previous page',
      }),
    }),
  },
  responses: jsonResponses('Persons, by person id', PersonPage),
});

export function registryQueries(deps: QueryDeps) {
  const app = createRouter();
  addRoute(app, getCommunity, async (c) => {
    const { communityId } = c.req.valid('param');
    const ctx = await readContext(c, deps, c.req.valid('query'), ['registry']);
    if (ctx instanceof Response) return ctx;
    const rm = ctx.db.withSchema(ctx.schema('registry'));
    const community = await rm
      .selectFrom('communities')
      .selectAll()
      .where('community_id', '=', communityId)
      .where(visibleAt(ctx.asOf))
      .executeTakeFirst();
    if (!community) {
      return problem(c, 404, 'community-not-found', `No community ${communityId}`);
    }
    const [units, owners, persons, households, groups, parties, procedures] = await Promise.all([
      rm
        .selectFrom('units')
        .select([
          sql<number>`count(*)::int`.as('units'),
          sql<string>`coalesce(sum(area_centi_m2), 0)::text`.as('area'),
        ])
        .where('community_id', '=', communityId)
        .where(visibleAt(ctx.asOf))
        .executeTakeFirstOrThrow(),
      sql<{ owners: number }>`
        SELECT count(DISTINCT owner)::int AS owners
          FROM ${sql.table(`${ctx.schema('registry')}.units`)} AS u, unnest(u.owner_ids) AS owner
         WHERE u.community_id = ${communityId} AND ${visibleAt(ctx.asOf, 'u')}`.execute(ctx.db),
      countOf(rm, 'persons', communityId, ctx.asOf),
      countOf(rm, 'households', communityId, ctx.asOf),
      countOf(rm, 'resident_groups', communityId, ctx.asOf),
      rm
        .selectFrom('parties')
        .selectAll()
        .where('community_id', '=', communityId)
        .where(visibleAt(ctx.asOf))
        .orderBy('party_id')
        .execute(),
      rm
        .selectFrom('procedures')
        .selectAll()
        .where('community_id', '=', communityId)
        .where(visibleAt(ctx.asOf))
        .orderBy('template_id')
        .orderBy('procedure_version')
        .execute(),
    ]);
    return c.json(
      withAsOf(ctx, {
        communityId: community.community_id,
        name: community.name,
        kind: community.kind,
        settings: community.settings,
        clerkIds: community.clerk_ids,
        registeredAt: community.registered_at,
        counts: {
          units: units.units,
          owners: owners.rows[0]?.owners ?? 0,
          areaCentiM2: units.area,
          persons,
          households,
          residentGroups: groups,
        },
        parties: parties.map((p) => ({
          partyId: p.party_id,
          kind: p.kind,
          name: p.name,
          active: p.active,
          representativeIds: p.representative_ids,
          memberIds: p.member_ids,
        })),
        procedures: procedures.map((p) => ({
          templateId: p.template_id,
          version: p.procedure_version,
          name: p.name,
          stages: p.stages,
        })),
      }),
    );
  });

  addRoute(app, listCommunities, async (c) => {
    const ctx = await readContext(c, deps, c.req.valid('query'), ['registry']);
    if (ctx instanceof Response) return ctx;
    const granted = c.get('principal').communities;
    let query = ctx.db
      .withSchema(ctx.schema('registry'))
      .selectFrom('communities')
      .select(['community_id', 'name', 'kind'])
      .where(visibleAt(ctx.asOf))
      .orderBy('community_id')
      .limit(10_000);
    if (!granted.includes('*')) query = query.where('community_id', 'in', [...granted]);
    const rows = await query.execute();
    return c.json(
      withAsOf(ctx, {
        items: rows.map((r) => ({ communityId: r.community_id, name: r.name, kind: r.kind })),
      }),
    );
  });

  addRoute(app, listUnits, async (c) => {
    const { communityId } = c.req.valid('param');
    const query = c.req.valid('query');
    const ctx = await readContext(c, deps, query, ['registry']);
    if (ctx instanceof Response) return ctx;
    let q = ctx.db
      .withSchema(ctx.schema('registry'))
      .selectFrom('units')
      .selectAll()
      .where('community_id', '=', communityId)
      .where(visibleAt(ctx.asOf))
      .orderBy('unit_id')
      .limit(query.limit + 1);
    if (query.after) q = q.where('unit_id', '>', query.after);
    const rows = await q.execute();
    const page = rows.slice(0, query.limit);
    return c.json(
      withAsOf(ctx, {
        items: page.map((u) => ({
          unitId: u.unit_id,
          building: u.building,
          label: u.label,
          kind: u.kind,
          areas: u.areas,
          areaCentiM2: u.area_centi_m2,
          developerUnsold: u.developer_unsold,
          ownerIds: u.owner_ids,
        })),
        next: rows.length > query.limit ? (page.at(-1)?.unit_id ?? null) : null,
      }),
    );
  });
  addRoute(app, listPersons, async (c) => {
    const { communityId } = c.req.valid('param');
    const query = c.req.valid('query');
    const ctx = await readContext(c, deps, query, ['registry']);
    if (ctx instanceof Response) return ctx;
    let q = ctx.db
      .withSchema(ctx.schema('registry'))
      .selectFrom('persons')
      .select(['person_id', 'name', personErased])
      .where('community_id', '=', communityId)
      .where(visibleAt(ctx.asOf))
      .orderBy('person_id')
      .limit(query.limit + 1);
    if (query.ids) q = q.where('person_id', 'in', query.ids.split(','));
    if (query.after) q = q.where('person_id', '>', query.after);
    const rows = await q.execute();
    const page = rows.slice(0, query.limit);
    const fields = await PersonalFields.load(
      deps.personalData.vault,
      visibilityOf(c.get('principal')),
      page.map((p) => p.name),
    );
    const items = page.map((p) => ({
      personId: p.person_id,
      displayName: displayName({ personId: p.person_id, name: p.name, erased: p.erased }, fields),
      erased: p.erased,
    }));
    await logPersonalRead(deps.personalData, c, communityId, listPersons.path, fields.shown);
    return c.json(
      withAsOf(ctx, {
        items,
        next: rows.length > query.limit ? (page.at(-1)?.person_id ?? null) : null,
      }),
    );
  });
  return app;
}

/**
 * Whether a person's data was erased; false in a generation of version 1 (served while version
 * 2 is built), which has no such column: its erased persons read as erased when opened.
 */
export const personErased =
  sql<boolean>`coalesce((to_jsonb(persons) ->> 'erased')::boolean, false)`.as('erased');

async function countOf(
  rm: QueryDeps['db'],
  table: 'persons' | 'households' | 'resident_groups',
  communityId: string,
  asOf: Parameters<typeof visibleAt>[0],
): Promise<number> {
  const row = await rm
    .selectFrom(table)
    .select(sql<number>`count(*)::int`.as('n'))
    .where('community_id', '=', communityId)
    .where(visibleAt(asOf))
    .executeTakeFirstOrThrow();
  return row.n;
}
