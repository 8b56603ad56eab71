import { createRoute, z } from '@hono/zod-openapi';
import { CommunityId, Id, Role, streams } from '@yishi/domain';
import {
  addRoute,
  CommunityParams,
  createRouter,
  idParam,
  problem,
  problemContent,
} from '@yishi/platform';
import { sql } from 'kysely';
import { recordedBy, visibleAt } from '../projections/temporal.ts';
import {
  AsOfInfo,
  jsonResponses,
  type QueryDeps,
  ReadQuery,
  readContext,
  withAsOf,
} from './common.ts';
import { personErased } from './registry.ts';
import { TimelineEntry, timelineEntries } from './timeline.ts';
import { ERASED_TEXT, PersonalFields, personalValues } from './visibility.ts';

// A person's own data (PIPL Art. 45: access and copy): what the registry holds about them,
// opened, and the record's events about them or by them, as one JSON download. And the log of
// officials' reads of personal data, for admins.

/** Who may export someone else's data: the clerks and admins who keep the registry. */
const EXPORTERS: ReadonlySet<Role> = new Set(['clerk', 'admin']);
/** The most events an export lists (`truncated` says when there were more). */
const MAX_EXPORT_EVENTS = 10_000;

const PersonParams = CommunityParams.extend({ personId: idParam('personId', 'p1') });

export const PersonalDataExport = z
  .object({
    communityId: z.string(),
    personId: z.string(),
    exportedAt: z.string(),
    person: z.object({
      name: z.string().nullable(),
      birthDate: z.string().nullable(),
      phone: z.string().nullable(),
      adult: z.boolean().nullable(),
      erased: z.boolean().openapi({
        description: 'Personal data erased (PIPL Art. 47): name, birth date and phone are gone',
      }),
    }),
    household: z
      .object({
        householdId: z.string(),
        address: z.string().nullable(),
        unitId: z.string().nullable(),
        residentGroupId: z.string().nullable(),
        representative: z.boolean(),
      })
      .nullable(),
    units: z.array(
      z.object({
        unitId: z.string(),
        building: z.string(),
        label: z.string().nullable(),
        kind: z.string(),
        areaCentiM2: z.string(),
        ownerIds: z.array(z.string()),
      }),
    ),
    clerk: z.boolean(),
    parties: z.array(
      z.object({
        partyId: z.string(),
        name: z.string(),
        member: z.boolean(),
        representative: z.boolean(),
      }),
    ),
    proxies: z.array(
      z.object({
        authorisationId: z.string(),
        as: z.enum(['owner', 'proxy']),
        ownerId: z.string(),
        proxyId: z.string(),
        proposalId: z.string(),
        itemId: z.string(),
        active: z.boolean(),
      }),
    ),
    events: z.array(TimelineEntry).openapi({
      description:
        'Registry events about the person and every other event they acted in, oldest first',
    }),
    truncated: z.boolean(),
    asOf: AsOfInfo.optional(),
  })
  .openapi('PersonalDataExport');

const exportRoute = createRoute({
  method: 'get',
  operationId: 'exportPersonalData',
  path: '/v1/communities/{communityId}/persons/{personId}/personal-data',
  summary: 'A person’s own data as a JSON download (个人信息查阅、复制, PIPL Art. 45)',
  description:
    'The person themselves (the token’s person), or a clerk or admin. Personal fields opened; an export by someone other than the person is logged.',
  tags: ['registry'],
  security: [{ bearer: [] }],
  'x-roles': [...Role.options],
  request: { params: PersonParams, query: ReadQuery },
  responses: {
    ...jsonResponses('The person’s data', PersonalDataExport, {
      notFound: ['person-not-found'],
    }),
    403: {
      description:
        '`community-forbidden`: not granted this community; `not-own-data` (with `allowedRoles`: clerk, admin): not the person, a clerk or an admin',
      content: problemContent,
    },
  },
});

const AccessRecord = z.object({
  id: z.string(),
  at: z.string(),
  readerId: z.string(),
  readerRole: z.string(),
  communityId: z.string(),
  personIds: z.array(z.string()),
  route: z.string(),
  requestId: z.string().optional(),
});

const accessLogRoute = createRoute({
  method: 'get',
  operationId: 'listPersonalDataAccess',
  path: '/v1/personal-data/access-log',
  summary: 'Reads of personal data by officials (who, when, whose, which route), oldest first',
  description: 'Admins only, over the communities their token covers.',
  tags: ['registry'],
  security: [{ bearer: [] }],
  'x-roles': ['admin'],
  request: {
    query: z.object({
      communityId: CommunityId.optional(),
      personId: Id.optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      after: z
        .string()
        .regex(/^\d{1,18}$/)
        .optional()
        .openapi({ description: 'Cursor: the `next` of the previous page' }),
    }),
  },
  responses: {
    ...jsonResponses(
      'Access records',
      z.object({ items: z.array(AccessRecord), next: z.string().nullable() }),
      { asOf: false, minPosition: false },
    ),
    403: {
      description: '`role-forbidden` (with `allowedRoles`: admin): not an admin',
      content: problemContent,
    },
  },
});

export function personalDataQueries(deps: QueryDeps) {
  const app = createRouter();

  addRoute(app, exportRoute, async (c) => {
    const { communityId, personId } = c.req.valid('param');
    const principal = c.get('principal');
    if (principal.personId !== personId && !EXPORTERS.has(principal.role)) {
      return problem(
        c,
        403,
        'not-own-data',
        'Only the person themselves, a clerk or an admin exports a person’s data',
        { allowedRoles: [...EXPORTERS] },
      );
    }
    const ctx = await readContext(c, deps, c.req.valid('query'), ['registry', 'timeline']);
    if (ctx instanceof Response) return ctx;
    const body = await exportOf(deps, ctx, communityId, personId);
    if (!body)
      return problem(c, 404, 'person-not-found', `No person ${personId} in ${communityId}`);
    if (principal.personId !== personId) {
      await deps.personalData.accessLog.record({
        readerId: principal.personId,
        readerRole: principal.role,
        communityId,
        personIds: [personId],
        route: exportRoute.path,
        requestId: c.get('requestId'),
      });
    }
    c.header(
      'content-disposition',
      `attachment; filename="personal-data-${communityId}-${personId}.json"`,
    );
    return c.json(body);
  });

  addRoute(app, accessLogRoute, async (c) => {
    const principal = c.get('principal');
    if (principal.role !== 'admin') {
      return problem(c, 403, 'role-forbidden', 'Only admins read the personal data access log', {
        allowedRoles: ['admin'],
      });
    }
    const query = c.req.valid('query');
    const rows = await deps.personalData.accessLog.list({
      communities: principal.communities,
      communityId: query.communityId,
      personId: query.personId,
      after: query.after,
      limit: query.limit + 1,
    });
    const items = rows.slice(0, query.limit);
    return c.json({
      items,
      next: rows.length > query.limit ? (items.at(-1)?.id ?? null) : null,
    });
  });
  return app;
}

type ExportContext = Exclude<Awaited<ReturnType<typeof readContext>>, Response>;

async function exportOf(
  deps: QueryDeps,
  ctx: ExportContext,
  communityId: string,
  personId: string,
) {
  const rm = ctx.db.withSchema(ctx.schema('registry'));
  const at = visibleAt(ctx.asOf);
  const person = await rm
    .selectFrom('persons')
    .select(['person_id', 'name', 'birth_date', 'adult', 'household_id', personErased])
    .select(sql<string | null>`to_jsonb(persons) ->> 'phone'`.as('phone'))
    .where('community_id', '=', communityId)
    .where('person_id', '=', personId)
    .where(at)
    .executeTakeFirst();
  if (!person) return undefined;
  const [household, units, community, parties, proxies, events] = await Promise.all([
    person.household_id === null
      ? undefined
      : rm
          .selectFrom('households')
          .selectAll()
          .where('community_id', '=', communityId)
          .where('household_id', '=', person.household_id)
          .where(at)
          .executeTakeFirst(),
    rm
      .selectFrom('units')
      .selectAll()
      .where('community_id', '=', communityId)
      .where(sql<boolean>`${personId} = ANY(owner_ids)`)
      .where(at)
      .orderBy('unit_id')
      .execute(),
    rm
      .selectFrom('communities')
      .select('clerk_ids')
      .where('community_id', '=', communityId)
      .where(at)
      .executeTakeFirst(),
    rm
      .selectFrom('parties')
      .selectAll()
      .where('community_id', '=', communityId)
      .where(sql<boolean>`(${personId} = ANY(member_ids) OR ${personId} = ANY(representative_ids))`)
      .where(at)
      .orderBy('party_id')
      .execute(),
    rm
      .selectFrom('proxies')
      .selectAll()
      .where('community_id', '=', communityId)
      .where((eb) => eb.or([eb('owner_id', '=', personId), eb('proxy_id', '=', personId)]))
      .where(at)
      .orderBy('authorisation_id')
      .execute(),
    eventsOf(ctx, communityId, personId),
  ]);
  // The person's own fields only: the events chosen hold no one else's.
  // Their own comments' texts too, hidden or not (an author reads their own).
  const own = { personal: true, configuration: false, moderation: true };
  const fields = await PersonalFields.load(deps.personalData.vault, own, [
    person.name,
    person.birth_date,
    person.phone,
    ...events.flatMap((r) => personalValues(r.type, r.details)),
  ]);
  const opened = (field: string, value: string | null) =>
    value === null ? null : (fields.open(personId, field, value) ?? null);
  // A generation of version 1 has no `erased`: its erased persons' fields open as erased.
  const erased = person.erased || opened('name', person.name) === ERASED_TEXT;
  const entries = timelineEntries(events, MAX_EXPORT_EVENTS, fields);
  return withAsOf(ctx, {
    communityId,
    personId,
    exportedAt: new Date().toISOString(),
    person: {
      name: erased ? null : opened('name', person.name),
      birthDate: erased ? null : opened('birthDate', person.birth_date),
      phone: erased ? null : opened('phone', person.phone),
      adult: person.adult,
      erased,
    },
    household: household
      ? {
          householdId: household.household_id,
          address: household.address,
          unitId: household.unit_id,
          residentGroupId: household.resident_group_id,
          representative: household.representative_id === personId,
        }
      : null,
    units: units.map((u) => ({
      unitId: u.unit_id,
      building: u.building,
      label: u.label,
      kind: u.kind,
      areaCentiM2: u.area_centi_m2,
      ownerIds: u.owner_ids,
    })),
    clerk: community?.clerk_ids.includes(personId) ?? false,
    parties: parties.map((p) => ({
      partyId: p.party_id,
      name: p.name,
      member: p.member_ids.includes(personId),
      representative: p.representative_ids.includes(personId),
    })),
    proxies: proxies.map((p) => ({
      authorisationId: p.authorisation_id,
      as: p.owner_id === personId ? ('owner' as const) : ('proxy' as const),
      ownerId: p.owner_id,
      proxyId: p.proxy_id,
      proposalId: p.proposal_id,
      itemId: p.item_id,
      active: p.active,
    })),
    events: entries.items,
    truncated: entries.next !== null,
  });
}

/**
 * Registry events about the person (their `personId`), and every event of other streams they
 * acted in (ballots, statements, objections…). Registry events they recorded as a clerk are
 * about others, so they are not theirs to export.
 */
function eventsOf(ctx: ExportContext, communityId: string, personId: string) {
  const registry = streams.community(communityId);
  return ctx.db
    .withSchema(ctx.schema('timeline'))
    .selectFrom('timeline')
    .selectAll()
    .where('community_id', '=', communityId)
    .where(
      sql<boolean>`CASE WHEN stream_id = ${registry} THEN details ->> 'personId' = ${personId}
        ELSE coalesce(metadata ->> 'actorId', actor_id) = ${personId} END`,
    )
    .where(recordedBy(ctx.asOf))
    .orderBy('transaction_id')
    .orderBy('global_position')
    .limit(MAX_EXPORT_EVENTS + 1)
    .execute();
}
