import type { OpenAPIHono } from '@hono/zod-openapi';
import { createRoute, type RouteConfig, type z } from '@hono/zod-openapi';
import {
  type Actor,
  type Aggregate,
  attachmentDecider,
  type CommandDefinition,
  commandCatalog,
  communityDecider,
  convocationDecider,
  crowdfundingDecider,
  discussionDecider,
  evaluationDecider,
  fundDecider,
  installationDecider,
  proposalDecider,
  sessionDecider,
  streams,
  wishDecider,
} from '@yishi/domain';
import type { EventStore } from '@yishi/event-store';
import type { Vault } from '@yishi/personal-data';
import {
  type AppEnv,
  createRouter,
  fieldErrors,
  invalidInput,
  mayActOn,
  problem,
} from '@yishi/platform';
import type { Context } from 'hono';
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
import { canonicalBody, jsonBody, personalRequestDigest } from '../request-body.ts';
import type { AnyDecider, StateReader } from '../state-reader.ts';
import { missingAttachments } from './attachments.ts';
import {
  CampaignParams,
  CommunityParams,
  commandHeaderParameters,
  commandResponses,
  EvaluationParams,
  FundParams,
  ProposalParams,
  RequestParams,
  SessionParams,
  WishParams,
} from './schemas.ts';

/** One HTTP route per domain command, generated from the domain's command catalogue. */
export interface CommandRoute {
  definition: CommandDefinition;
  method: 'post' | 'put';
  /** OpenAPI path, e.g. `/v1/communities/{communityId}/proposals/{proposalId}/cast-ballot`. */
  path: string;
  /** The entity id a creating command may take from the body or have generated. */
  createsId?: CreatedId;
}

/** The entity a creating command makes, and the collection the query service serves it in. */
const COLLECTION_OF = {
  proposalId: 'proposals',
  sessionId: 'sessions',
  requestId: 'residents-meeting-requests',
  wishId: 'wishes',
  evaluationId: 'evaluations',
  campaignId: 'crowdfunding',
  fundId: 'funds',
} as const;
type CreatedId = keyof typeof COLLECTION_OF;

const kebab = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

const base = '/v1/communities/{communityId}';
/** The installation's own commands: of no community. */
const installationBase = '/v1/installation';
/** Requests to convene a residents' meeting (提议召开居民会议). */
const requests = COLLECTION_OF.requestId;

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
    case 'PostWish':
      return { definition, method: 'post', path: `${base}/wishes`, createsId: 'wishId' };
    case 'OpenEvaluation':
      return { definition, method: 'post', path: `${base}/evaluations`, createsId: 'evaluationId' };
    case 'OpenCrowdfunding':
      return { definition, method: 'post', path: `${base}/crowdfunding`, createsId: 'campaignId' };
    case 'OpenFund':
      return { definition, method: 'post', path: `${base}/funds`, createsId: 'fundId' };
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
    case 'discussion':
      return {
        definition,
        method: 'post',
        path: `${base}/proposals/{proposalId}/discussion/${slug}`,
      };
    case 'wish':
      return { definition, method: 'post', path: `${base}/wishes/{wishId}/${slug}` };
    case 'evaluation':
      return { definition, method: 'post', path: `${base}/evaluations/{evaluationId}/${slug}` };
    case 'crowdfunding':
      return { definition, method: 'post', path: `${base}/crowdfunding/{campaignId}/${slug}` };
    case 'fund':
      return { definition, method: 'post', path: `${base}/funds/{fundId}/${slug}` };
    case 'installation':
      return { definition, method: 'post', path: `${installationBase}/${slug}` };
    case 'attachment':
      return { definition, method: 'post', path: `${base}/attachments` };
    default: {
      const _exhaustive: never = definition.aggregate;
      throw new Error('unknown aggregate');
    }
  }
}

/** Every command route, in catalogue order: the authorisation matrix enumerates these. */
export const commandRoutes: readonly CommandRoute[] = Object.values(commandCatalog)
  // An attachment is uploaded as bytes, not JSON: its route is routes/attachments.ts.
  .filter((definition) => definition.automatic !== 'only' && definition.aggregate !== 'attachment')
  .map(routeOf);

export const deciders: Record<Aggregate, AnyDecider> = {
  community: communityDecider as unknown as AnyDecider,
  proposal: proposalDecider as unknown as AnyDecider,
  session: sessionDecider as unknown as AnyDecider,
  convocation: convocationDecider as unknown as AnyDecider,
  discussion: discussionDecider as unknown as AnyDecider,
  wish: wishDecider as unknown as AnyDecider,
  evaluation: evaluationDecider as unknown as AnyDecider,
  crowdfunding: crowdfundingDecider as unknown as AnyDecider,
  fund: fundDecider as unknown as AnyDecider,
  installation: installationDecider as unknown as AnyDecider,
  attachment: attachmentDecider as unknown as AnyDecider,
};

export function streamOf(
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
    case 'discussion':
      return streams.discussion(communityId, params.proposalId!);
    case 'wish':
      return streams.wish(communityId, params.wishId!);
    case 'evaluation':
      return streams.evaluation(communityId, params.evaluationId!);
    case 'crowdfunding':
      return streams.crowdfunding(communityId, params.campaignId!);
    case 'fund':
      return streams.fund(communityId, params.fundId!);
    case 'installation':
      return streams.installation();
    case 'attachment':
      return streams.attachment(communityId, params.sha256!);
    default: {
      const _exhaustive: never = aggregate;
      throw new Error('unknown aggregate');
    }
  }
}

/** The OpenAPI tag of an aggregate's commands. */
function tagOf(aggregate: Aggregate): string {
  if (aggregate === 'community') return 'registry';
  return aggregate === 'installation' ? 'installation' : `${aggregate}s`;
}

/** What stands for the community of the installation's commands (no community id is `*`). */
const INSTALLATION_SCOPE = '*';

/** What a route needs on every request, worked out once. */
interface RoutePlan {
  route: CommandRoute;
  decider: AnyDecider;
  /** The documented path ids (none for the installation's) and body, validated in handle(). */
  params: z.ZodObject | undefined;
  body: z.ZodObject;
  /** Path ids that are also fields of the command (the path's value wins). */
  pathData: readonly string[];
  /** Fields only the service fills in (the catalogue's context): never taken from the body. */
  context: readonly string[];
  /**
   * The validated body is the whole command (the same schema, nothing from the path, no ids,
   * no context): parsing it again as the command could change nothing.
   */
  bodyIsCommand: boolean;
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

/** The command's data from the validated body, the path, the ids and the context. */
function parseCommand(
  plan: RoutePlan,
  body: Record<string, unknown>,
  params: Record<string, string>,
  ids: Record<string, string>,
  context: Record<string, unknown>,
) {
  // What the path says wins over anything the body repeats.
  const pathData: Record<string, unknown> = {};
  for (const key of plan.pathData) pathData[key] = params[key];
  // The body schema leaves the context fields out, but a body may still carry them: a filler
  // that sets nothing for this request (no party, no authorisation found) must not let the
  // client's own `onBehalfOf` or `authorisations` through.
  const sent: Record<string, unknown> = { ...body };
  for (const key of plan.context) delete sent[key];
  return plan.route.definition.schema.safeParse({ ...sent, ...pathData, ...ids, ...context });
}

/** The ids a route's path carries, e.g. `communityId` and `proposalId`. */
function pathKeys(route: CommandRoute): string[] {
  return [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
}

/** The body a client sends: the catalogue's body without what the path already says. */
function bodySchema(route: CommandRoute): z.ZodObject {
  const { body } = route.definition;
  const omit: Record<string, true> = {};
  for (const key of pathKeys(route)) {
    if (key in body.shape) omit[key] = true;
  }
  // The catalogue's own schema when nothing is left out, so it can be told to be the command's.
  if (Object.keys(omit).length === 0 && !route.createsId) return body;
  let schema = body.omit(omit);
  if (route.createsId) schema = schema.partial({ [route.createsId]: true } as never);
  return schema;
}

function paramsSchema(route: CommandRoute) {
  if (route.definition.aggregate === 'installation') return undefined;
  if (route.path.includes('{proposalId}')) return ProposalParams;
  if (route.path.includes('{sessionId}')) return SessionParams;
  if (route.path.includes('{requestId}')) return RequestParams;
  if (route.path.includes('{wishId}')) return WishParams;
  if (route.path.includes('{evaluationId}')) return EvaluationParams;
  if (route.path.includes('{campaignId}')) return CampaignParams;
  if (route.path.includes('{fundId}')) return FundParams;
  return CommunityParams;
}

export function commandRouter(
  handler: CommandHandler,
  states: StateReader,
  store: EventStore,
  newId: () => string,
  clock: () => Date,
  /** The query service's base URL: where a created resource is served. */
  projectionUrl: string,
  personalData: Vault,
): OpenAPIHono<AppEnv> {
  const app = createRouter();
  for (const route of commandRoutes) {
    const { definition } = route;
    const body = bodySchema(route);
    const params = paramsSchema(route);
    const config = createRoute({
      method: route.method,
      path: route.path,
      summary: definition.summary,
      operationId: definition.name,
      tags: [tagOf(definition.aggregate)],
      description: `Command \`${definition.name}\`. Roles: ${definition.roles.join(', ')}.`,
      security: [{ bearer: [] }],
      'x-roles': [...definition.roles],
      parameters: [...commandHeaderParameters],
      request: {
        ...(params ? { params } : {}),
        body: { required: true, content: { 'application/json': { schema: body } } },
      },
      responses: commandResponses(definition, route.createsId !== undefined),
    }) satisfies RouteConfig;
    // Documented as app.openapi() documents a route, but validated by handle() itself: after
    // the role, in one synchronous step, instead of three asynchronous middlewares per request.
    app.openAPIRegistry.registerPath(config);
    const pathData = pathKeys(route).filter((key) => key in definition.schema.shape);
    const plan: RoutePlan = {
      route,
      decider: deciders[definition.aggregate],
      params,
      body,
      pathData,
      context: definition.context,
      bodyIsCommand:
        body === definition.schema && pathData.length === 0 && !contextFillers[definition.name],
    };
    app.on(route.method, config.getRoutingPath(), (c) => handle(c, plan));
  }

  async function handle(c: Context<AppEnv>, plan: RoutePlan): Promise<Response> {
    const { route } = plan;
    const { definition } = route;
    const principal = c.get('principal');
    // Before validation: a role that may not send the command learns nothing of its schema.
    if (!definition.roles.includes(principal.role)) {
      return problem(
        c,
        403,
        'role-forbidden',
        `Role ${principal.role} may not send ${definition.name}`,
        { allowedRoles: definition.roles },
      );
    }
    const installation = definition.aggregate === 'installation';
    // The installation's commands take a token for every community (`*`), no community's.
    if (installation && !mayActOn(principal, INSTALLATION_SCOPE)) {
      return problem(
        c,
        403,
        'community-forbidden',
        'The installation is managed with a token for every community',
        { communityId: INSTALLATION_SCOPE },
      );
    }
    // The path's ids first, then the body, as the documented route says.
    const path = plan.params?.safeParse(c.req.param()) ?? { success: true as const, data: {} };
    if (!path.success) return invalidInput(c, path.error.issues, 'param');
    const sent = plan.body.safeParse(await jsonBody(c));
    if (!sent.success) return invalidInput(c, sent.error.issues, 'body');
    const params = path.data as Record<string, string>;
    const body = sent.data as Record<string, unknown>;
    // The installation's commands are scoped (idempotency, metadata) to `*`, no community's id.
    const communityId = installation ? INSTALLATION_SCOPE : params.communityId!;
    const canonical = canonicalBody(c, body);
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
      !installation &&
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
    let context: Record<string, unknown> = {};
    const fill = contextFillers[definition.name];
    try {
      if (fill) {
        context = await fill({
          communityId,
          params: pathIds,
          body,
          principal,
          now: clock().toISOString(),
          registry,
          store,
          states,
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
    const parsed = plan.bodyIsCommand
      ? { success: true as const, data: body }
      : parseCommand(plan, body, params, ids, context);
    if (!parsed.success) {
      return problem(c, 422, 'invalid-command', 'The command is not valid with its context', {
        errors: fieldErrors(parsed.error.issues, 'command'),
      });
    }
    // A document named as an uploaded attachment must be one of this community's.
    const missing = installation ? [] : await missingAttachments(store, communityId, body);
    if (missing.length > 0) {
      return problem(c, 422, 'attachment-not-found', 'No such attachment in this community', {
        errors: missing,
      });
    }
    const actor = actorOf(principal);
    const requestDigest = idem.key
      ? await personalRequestDigest(
          personalData,
          communityId,
          c.req.method,
          c.req.path,
          body,
          canonical,
        )
      : undefined;
    // Every field present, undefined when not sent: one shape of input whatever the request
    // carried, so the handler's compiled code is not deoptimised by a new combination.
    const outcome = await handler.handle({
      communityId,
      streamId: streamOf(definition.aggregate, communityId, pathIds),
      decider: plan.decider,
      actor,
      idempotencyKey: idem.key,
      requestDigest,
      requestId: c.get('requestId'),
      expectedVersion: match.version,
      command: commandAt(definition.name, parsed.data, actor),
    });
    if (outcome.kind === 'ok' && route.createsId) {
      const created = outcome.result.streamId.split('.').pop()!;
      const collection = COLLECTION_OF[route.createsId];
      c.header(
        'location',
        `${projectionUrl}/v1/communities/${communityId}/${collection}/${created}`,
      );
      return answer(c, outcome, { [route.createsId]: created });
    }
    return answer(c, outcome, { ...ids });
  }

  return app;
}
