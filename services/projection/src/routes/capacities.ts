import { createRoute, z } from '@hono/zod-openapi';
import { CapacityKind, CONVENING_PARTY_KINDS, capacityRoles, isAdult, Role } from '@yishi/domain';
import {
  addRoute,
  CommunityParams,
  createRouter,
  idParam,
  problem,
  problemContent,
} from '@yishi/platform';
import { sql } from 'kysely';
import { visibleAt } from '../projections/temporal.ts';
import {
  AsOfInfo,
  jsonResponses,
  type QueryDeps,
  READERS,
  ReadQuery,
  readContext,
  withAsOf,
} from './common.ts';
import { visibilityOf } from './visibility.ts';

// The capacities the registry gives a person in one community (业主, 居民, 户代表, 委托代理人,
// 书记员, 协商主体代表, 召集人): the console lets a person act only in these. Read by the person
// themselves, and by those who keep or oversee the registry.

export const Capacity = z
  .object({
    kind: CapacityKind,
    role: Role.clone().openapi({ description: 'The role a token for this capacity carries' }),
    partyId: z.string().optional().openapi({ description: 'A party representative’s party' }),
    partyName: z.string().optional(),
    /** What the capacity rests on, for the person to recognise it. */
    unitIds: z.array(z.string()).optional(),
    householdId: z.string().optional(),
    authorisations: z.number().int().optional().openapi({ description: 'Active ones held' }),
    convenes: z
      .array(z.string())
      .optional()
      .openapi({ description: 'The convening bodies (party ids) the person represents' }),
  })
  .openapi('Capacity');

export const Capacities = z
  .object({
    communityId: z.string(),
    personId: z.string(),
    capacities: z.array(Capacity),
    asOf: AsOfInfo.optional(),
  })
  .openapi('Capacities');

const PersonParams = CommunityParams.extend({ personId: idParam('personId', 'p1') });

/** Who reads anyone's capacities; everyone else reads only their own. */
const REGISTRY_KEEPERS = ['clerk', 'official', 'admin'];

const getCapacities = createRoute({
  method: 'get',
  operationId: 'getPersonCapacities',
  path: '/v1/communities/{communityId}/persons/{personId}/capacities',
  summary: 'The capacities the registry gives a person (身份): what they may act as',
  description:
    'Read by the person themselves (the token’s subject), clerks, officials and admins. Owner: holds units; resident: adult resident of an active household; household representative instead of resident for a household’s representative; proxy: holds active authorisations; clerk: appointed; party representative: one per active party; convener: a representative of the party organisation, the residents’ or villagers’ committee or the owners’ committee.',
  tags: ['registry'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: { params: PersonParams, query: ReadQuery },
  responses: {
    ...jsonResponses('The person’s capacities', Capacities, { notFound: ['person-not-found'] }),
    403: {
      description:
        '`role-forbidden` (with `allowedRoles`: clerk, official, admin): another person’s capacities; `community-forbidden`: the token is not valid for this community',
      content: problemContent,
    },
  },
});

type Capacity = z.infer<typeof Capacity>;

export function capacityQueries(deps: QueryDeps) {
  const app = createRouter();
  addRoute(app, getCapacities, async (c) => {
    const { communityId, personId } = c.req.valid('param');
    const principal = c.get('principal');
    if (principal.personId !== personId && !visibilityOf(principal).personal) {
      return problem(
        c,
        403,
        'role-forbidden',
        'Only the person, clerks, officials and admins read a person’s capacities',
        { allowedRoles: REGISTRY_KEEPERS },
      );
    }
    const ctx = await readContext(c, deps, c.req.valid('query'), ['registry']);
    if (ctx instanceof Response) return ctx;
    const schema = ctx.schema('registry');
    const rm = ctx.db.withSchema(schema);
    const person = await rm
      .selectFrom('persons')
      .select(['person_id', 'birth_date', 'adult', 'household_id'])
      .where('community_id', '=', communityId)
      .where('person_id', '=', personId)
      .where(visibleAt(ctx.asOf))
      .executeTakeFirst();
    if (!person) {
      return problem(c, 404, 'person-not-found', `No person ${personId} in ${communityId}`);
    }
    const [community, units, households, proxies, parties] = await Promise.all([
      rm
        .selectFrom('communities')
        .select('clerk_ids')
        .where('community_id', '=', communityId)
        .where(visibleAt(ctx.asOf))
        .executeTakeFirst(),
      rm
        .selectFrom('units')
        .select('unit_id')
        .where('community_id', '=', communityId)
        .where(sql<boolean>`owner_ids @> ARRAY[${personId}]::text[]`)
        .where(visibleAt(ctx.asOf))
        .orderBy('unit_id')
        .execute(),
      rm
        .selectFrom('households')
        .select(['household_id', 'representative_id'])
        .where('community_id', '=', communityId)
        .where('active', '=', true)
        .where((eb) =>
          eb.or([
            eb('representative_id', '=', personId),
            eb('household_id', '=', person.household_id ?? ''),
          ]),
        )
        .where(visibleAt(ctx.asOf))
        .execute(),
      rm
        .selectFrom('proxies')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('community_id', '=', communityId)
        .where('proxy_id', '=', personId)
        .where('active', '=', true)
        .where(visibleAt(ctx.asOf))
        .executeTakeFirstOrThrow(),
      rm
        .selectFrom('parties')
        .select(['party_id', 'kind', 'name'])
        .where('community_id', '=', communityId)
        .where('active', '=', true)
        .where(sql<boolean>`representative_ids @> ARRAY[${personId}]::text[]`)
        .where(visibleAt(ctx.asOf))
        .orderBy('party_id')
        .execute(),
    ]);
    const capacities: Capacity[] = [];
    const add = (kind: CapacityKind, facts: Omit<Capacity, 'kind' | 'role'> = {}) =>
      capacities.push({ kind, role: capacityRoles[kind], ...facts });
    if (units.length > 0) add('owner', { unitIds: units.map((u) => u.unit_id) });
    const represented = households.find((h) => h.representative_id === personId);
    const home = households.find((h) => h.household_id === person.household_id);
    const adult = isAdult(
      {
        personId,
        name: '',
        ...(person.birth_date ? { birthDate: person.birth_date } : {}),
        ...(person.adult === null ? {} : { adult: person.adult }),
      },
      ctx.asOfTime.toISOString(),
    );
    // A household's representative votes for it as a resident: one capacity, not two.
    if (represented) add('household-representative', { householdId: represented.household_id });
    else if (home && adult) add('resident', { householdId: home.household_id });
    if (proxies.n > 0) add('proxy', { authorisations: proxies.n });
    if (community?.clerk_ids.includes(personId)) add('clerk');
    for (const party of parties) {
      add('party-representative', { partyId: party.party_id, partyName: party.name });
    }
    const convenes = parties.filter((p) =>
      (CONVENING_PARTY_KINDS as readonly string[]).includes(p.kind),
    );
    if (convenes.length > 0) add('convener', { convenes: convenes.map((p) => p.party_id) });
    return c.json(withAsOf(ctx, { communityId, personId, capacities }));
  });
  return app;
}
