import type { OpenAPIHono } from '@hono/zod-openapi';
import { createRoute, type RouteConfig, type z } from '@hono/zod-openapi';
import {
  type Actor,
  type Aggregate,
  type CommandDefinition,
  commandCatalog,
  communityDecider,
  convocationDecider,
  proposalDecider,
  sessionDecider,
  streams,
} from '@yishi/domain';
import type { EventStore } from '@yishi/event-store';
import type { Vault } from '@yishi/personal-data';
import {
  type AppEnv,
  addRoute,
  createRouter,
  fieldErrors,
  problem,
  type RouteContext,
} from '@yishi/platform';
import type { MiddlewareHandler } from 'hono';
import { actorOf } from '../authorisation.ts';
import type { CommandHandler } from '../command-handler.ts';
import {
  ContextError,
  contextFillers,
  REGISTERED_ROLES,
  readRegistry,
  roleProblem,
} from '../context.ts';
import { answer, idempotencyKey, ifMatch } from '../http-outcome.ts';
import { canonicalBody, personalRequestDigest } from '../request-body.ts';
import type { AnyDecider, StateReader } from '../state-reader.ts';
import {
  CommunityParams,
  commandHeaderParameters,
  commandResponses,
  ProposalParams,
  RequestParams,
  SessionParams,
} from './schemas.ts';

/** One HTTP route per domain command, generated from the domain's command catalogue. */
export interface CommandRoute {
  definition: CommandDefinition;
  method: 'post' | 'put';
  /** OpenAPI path, e.g. `/v1/communities/{communityId}/proposals/{proposalId}/cast-ballot`. */
  path: string;
  /** The entity id a creating command may take from the body or have generated. */
  createsId?: 'proposalId' | 'sessionId' | 'requestId';
}

const kebab = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

const base = '/v1/communities/{communityId}';
/** Requests to convene a residents' meeting (提议召开居民会议). */
const requests = 'residents-meeting-requests';

function routeOf(definition: CommandDefinition): CommandRoute {
  switch (definition.name) {
    case 'RegisterCommunity':
      return { definition, method: 'put', path: base };
    case 'SubmitProposal':
      return { definition, method: 'post', path: `${base}/proposals`, createsId: 'proposalId' };
    case 'ConveneSession':
      return { definition, method: 'post', path: `${base}/sessions`, createsId: 'sessionId' };
    case 'RequestResidentsMeeting':
      return { definition, method: 'post', path: `${base}/${requests}`, createsId: 'requestId' };
    default:
      break;
  }
  const slug = kebab(definition.name);
  switch (definition.aggregate) {
    case 'community':
      return { definition, method: 'post', path: `${base}/registry/${slug}` };
    case 'proposal':
      return { definition, method: 'post', path: `${base}/proposals/{proposalId}/${slug}` };
    case 'session':
      return { definition, method: 'post', path: `${base}/sessions/{sessionId}/${slug}` };
    case 'convocation':
      return { definition, method: 'post', path: `${base}/${requests}/{requestId}/${slug}` };
    default: {
      const _exhaustive: never = definition.aggregate;
      throw new Error('unknown aggregate');
    }
  }
}

/** Every command route, in catalogue order: the authorisation matrix enumerates these. */
export const commandRoutes: readonly CommandRoute[] = Object.values(commandCatalog).map(routeOf);

const deciders: Record<Aggregate, AnyDecider> = {
  community: communityDecider as unknown as AnyDecider,
  proposal: proposalDecider as unknown as AnyDecider,
  session: sessionDecider as unknown as AnyDecider,
  convocation: convocationDecider as unknown as AnyDecider,
};

function streamOf(
  aggregate: Aggregate,
  communityId: string,
  params: Record<string, string>,
): string {
  switch (aggregate) {
    case 'community':
      return streams.community(communityId);
    case 'proposal':
      return streams.proposal(communityId, params.proposalId!);
    case 'session':
      return streams.session(communityId, params.sessionId!);
    case 'convocation':
      return streams.convocation(communityId, params.requestId!);
    default: {
      const _exhaustive: never = aggregate;
      throw new Error('unknown aggregate');
    }
  }
}

/** What a route needs on every request, worked out once. */
interface RoutePlan {
  route: CommandRoute;
  decider: AnyDecider;
  /** Path ids that are also fields of the command (the path's value wins). */
  pathData: readonly string[];
  /** Fields only the service fills in (the catalogue's context): never taken from the body. */
  context: readonly string[];
}

/** The registry, read at most once per request and only if asked for. */
function registryOnce(states: StateReader, communityId: string) {
  let read: ReturnType<typeof readRegistry> | undefined;
  return () => {
    read ??= readRegistry(states, communityId);
    return read;
  };
}

/** The command as decided at `at` (a returned closure: no per-request naming under tsx). */
function commandAt(type: string, data: unknown, actor: Actor) {
  return (at: string) => ({ type, data, actor, at });
}

/** The ids a route's path carries, e.g. `communityId` and `proposalId`. */
function pathKeys(route: CommandRoute): string[] {
  return [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
}

/** The body a client sends: the catalogue's body without what the path already says. */
function bodySchema(route: CommandRoute): z.ZodObject {
  const omit: Record<string, true> = {};
  for (const key of pathKeys(route)) {
    if (key in route.definition.body.shape) omit[key] = true;
  }
  let schema = route.definition.body.omit(omit);
  if (route.createsId) schema = schema.partial({ [route.createsId]: true } as never);
  return schema;
}

function paramsSchema(route: CommandRoute) {
  if (route.path.includes('{proposalId}')) return ProposalParams;
  if (route.path.includes('{sessionId}')) return SessionParams;
  if (route.path.includes('{requestId}')) return RequestParams;
  return CommunityParams;
}

function roleGuard(definition: CommandDefinition): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { role } = c.get('principal');
    if (!definition.roles.includes(role)) {
      return problem(c, 403, 'role-forbidden', `Role ${role} may not send ${definition.name}`, {
        allowedRoles: definition.roles,
      });
    }
    await next();
  };
}

export function commandRouter(
  handler: CommandHandler,
  states: StateReader,
  store: EventStore,
  newId: () => string,
  clock: () => Date,
  personalData: Vault,
): OpenAPIHono<AppEnv> {
  const app = createRouter();
  for (const route of commandRoutes) {
    const { definition } = route;
    const config = createRoute({
      method: route.method,
      path: route.path,
      summary: definition.summary,
      operationId: definition.name,
      tags: [definition.aggregate === 'community' ? 'registry' : `${definition.aggregate}s`],
      description: `Command \`${definition.name}\`. Roles: ${definition.roles.join(', ')}.`,
      security: [{ bearer: [] }],
      parameters: [...commandHeaderParameters],
      // Before validation: a role that may not send the command learns nothing of its schema.
      middleware: [roleGuard(definition)] as const,
      request: {
        params: paramsSchema(route),
        body: { required: true, content: { 'application/json': { schema: bodySchema(route) } } },
      },
      responses: commandResponses,
    }) satisfies RouteConfig;
    const plan: RoutePlan = {
      route,
      decider: deciders[definition.aggregate],
      pathData: pathKeys(route).filter((key) => key in definition.schema.shape),
      context: definition.context,
    };
    addRoute(app, config, (c) => handle(c, plan));
  }

  async function handle(c: RouteContext<RouteConfig>, plan: RoutePlan): Promise<Response> {
    const { route } = plan;
    const { definition } = route;
    const principal = c.get('principal');
    const params = c.req.param() as Record<string, string>;
    const communityId = params.communityId!;
    if (!definition.roles.includes(principal.role)) {
      return problem(
        c,
        403,
        'role-forbidden',
        `Role ${principal.role} may not send ${definition.name}`,
        {
          allowedRoles: definition.roles,
        },
      );
    }
    const body = (await c.req.json()) as Record<string, unknown>;
    const validated: unknown = c.req.valid('json' as never);
    const canonical = canonicalBody(c, validated);
    if (canonical instanceof Response) return canonical;
    if (definition.partyField && body[definition.partyField] !== principal.partyId) {
      return problem(c, 403, 'party-mismatch', 'A representative acts only for their own party', {
        errors: [
          { field: `body.${definition.partyField}`, message: 'must be the party of the token' },
        ],
      });
    }
    const idem = idempotencyKey(c);
    if (idem instanceof Response) return idem;
    const match = ifMatch(c);
    if (match instanceof Response) return match;

    const registry = registryOnce(states, communityId);
    // Clerks, representatives and conveners must be known to the registry. Other commands
    // read it only for context: a ballot on an existing proposal costs no registry read.
    if (
      definition.aggregate !== 'community' &&
      (REGISTERED_ROLES.has(principal.role) || route.createsId)
    ) {
      const known = await registry();
      if (!known)
        return problem(c, 404, 'community-not-found', `Community ${communityId} is not registered`);
      const refused = roleProblem(principal, known);
      if (refused) return problem(c, 403, 'role-not-registered', refused);
    }

    const ids: Record<string, string> = {};
    if (route.createsId)
      ids[route.createsId] = (body[route.createsId] as string | undefined) ?? newId();
    const pathIds = { ...params, ...ids };
    const now = clock().toISOString();
    let context: Record<string, unknown> = {};
    const fill = contextFillers[definition.name];
    try {
      if (fill) {
        context = await fill({
          communityId,
          params: pathIds,
          body,
          principal,
          now,
          registry,
          store,
        });
      }
    } catch (error) {
      if (error instanceof ContextError) {
        return problem(
          c,
          error.status,
          error.code,
          error.message,
          error.details ? { details: error.details } : {},
        );
      }
      throw error;
    }
    // What the path says wins over anything the body repeats.
    const pathData: Record<string, unknown> = {};
    for (const key of plan.pathData) pathData[key] = params[key];
    // The body schema leaves the context fields out, but a body may still carry them: a filler
    // that sets nothing for this request (no party, no authorisation found) must not let the
    // client's own `onBehalfOf` or `authorisations` through.
    const sent: Record<string, unknown> = { ...body };
    for (const key of plan.context) delete sent[key];
    const parsed = definition.schema.safeParse({ ...sent, ...pathData, ...ids, ...context });
    if (!parsed.success) {
      return problem(c, 422, 'invalid-command', 'The command is not valid with its context', {
        errors: fieldErrors(parsed.error.issues, 'command'),
      });
    }
    const actor = actorOf(principal);
    const outcome = await handler.handle({
      communityId,
      streamId: streamOf(definition.aggregate, communityId, pathIds),
      decider: plan.decider,
      actor,
      idempotencyKey: idem.key,
      ...(idem.key
        ? {
            requestDigest: await personalRequestDigest(
              personalData,
              communityId,
              c.req.method,
              c.req.path,
              validated,
              canonical,
            ),
          }
        : {}),
      requestId: c.get('requestId'),
      ...(match.version === undefined ? {} : { expectedVersion: match.version }),
      command: commandAt(definition.name, parsed.data, actor),
    });
    if (outcome.kind === 'ok' && route.createsId) {
      const created = outcome.result.streamId.split('.').pop()!;
      const collection = { proposalId: 'proposals', sessionId: 'sessions', requestId: requests }[
        route.createsId
      ];
      c.header('location', `/v1/communities/${communityId}/${collection}/${created}`);
      return answer(c, outcome, { [route.createsId]: created });
    }
    return answer(c, outcome, { ...ids });
  }

  return app;
}
