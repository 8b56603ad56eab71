import { createRoute, type OpenAPIHono, type RouteConfig, z } from '@hono/zod-openapi';
import {
  type CommunityEventType,
  type CommunityRegistry,
  type CommunityState,
  describeFields,
  eventSchemaVersion,
  streams,
} from '@yishi/domain';
import {
  type AppendResult,
  type EventStore,
  formatCheckpoint,
  isEventStoreError,
  isVersionConflict,
  type JsonObject,
  MAX_EVENTS_PER_APPEND,
  type NewEvent,
} from '@yishi/event-store';
import {
  type AppEnv,
  addRoute,
  createRouter,
  limitBody,
  problem,
  type RouteContext,
} from '@yishi/platform';
import type { Context, MiddlewareHandler } from 'hono';
import { actorOf } from '../authorisation.ts';
import { commandIdFor, sameRequest } from '../command-handler.ts';
import { registryDecider, roleProblem } from '../context.ts';
import { idempotencyKey, keyReused } from '../http-outcome.ts';
import { desiredRegistry } from '../registry-import/desired.ts';
import { decideImport, planImport } from '../registry-import/plan.ts';
import {
  type Change,
  type ChangeKind,
  ImportResult,
  noChanges,
  RegistryImport,
  RowProblem,
} from '../registry-import/rows.ts';
import { canonicalBody, requestDigest } from '../request-body.ts';
import type { StateReader } from '../state-reader.ts';
import { CommunityParams, IDEMPOTENCY_KEY_DOC, ProblemSchema } from './schemas.ts';

/** Exempt from the service's default body limit: it has its own, larger one. */
export const REGISTRY_IMPORT = /^\/v1\/communities\/[^/]+\/registry\/import$/;
/** ~25,000 rows of a council's register (a row is 200–400 bytes of JSON). */
export const IMPORT_MAX_BODY_BYTES = 8 * 1024 * 1024;

const IMPORT_ROLES = ['clerk', 'admin'] as const;
const MAX_ATTEMPTS = 5;

const problemContent = { 'application/problem+json': { schema: ProblemSchema } };
const RowsProblem = ProblemSchema.extend({ rows: z.array(RowProblem).optional() }).openapi(
  'ImportProblem',
);

const importRoute = (guard: MiddlewareHandler<AppEnv>) =>
  createRoute({
    method: 'post',
    path: '/v1/communities/{communityId}/registry/import',
    summary: 'Import the registry from the council’s register (业主名册导入)',
    operationId: 'ImportRegistry',
    tags: ['registry'],
    description:
      'Reconciles the registry with the rows: registers or corrects persons, registers units, ' +
      'corrects areas, transfers units whose owners differ, creates resident groups and ' +
      'households, adds or moves residents. Rows that already match change nothing. Every ' +
      'command is decided by the registry rules in order; if any row is refused the answer is ' +
      '422 with a problem per row and nothing is written, otherwise all events are appended ' +
      'at once. Roles: clerk, admin. Body limit 8 MiB.',
    security: [{ bearer: [] }],
    'x-roles': [...IMPORT_ROLES],
    // The role before the body: a role that may not import uploads nothing.
    middleware: [guard, limitBody(IMPORT_MAX_BODY_BYTES)] as const,
    request: {
      params: CommunityParams,
      query: z.object({
        dryRun: z
          .enum(['true', 'false'])
          .optional()
          .openapi({ description: 'true: decide and answer what would change; write nothing' }),
      }),
      headers: z.object({
        'idempotency-key': z.string().optional().openapi({ description: IDEMPOTENCY_KEY_DOC }),
      }),
      body: {
        required: true,
        content: {
          'application/json': { schema: describeFields('ImportRegistry', RegistryImport) },
        },
      },
    },
    responses: {
      200: {
        description: 'Nothing to change, a dry run, or a repeated Idempotency-Key',
        content: { 'application/json': { schema: ImportResult } },
      },
      201: {
        description: 'Imported: every change appended in one atomic append',
        content: { 'application/json': { schema: ImportResult } },
      },
      400: { description: 'Invalid input', content: problemContent },
      401: { description: 'No or invalid token', content: problemContent },
      403: { description: 'Not a clerk of this community or an admin', content: problemContent },
      404: { description: 'Community not registered', content: problemContent },
      409: { description: 'Concurrent changes; retry', content: problemContent },
      413: { description: 'Body or import too large; split the file', content: problemContent },
      422: {
        description:
          'Rows refused: one problem per row and field; or the Idempotency-Key was used for another request (idempotency-key-reused). Nothing written',
        content: { 'application/problem+json': { schema: RowsProblem } },
      },
    },
  }) satisfies RouteConfig;

const changeOfEvent: Partial<Record<CommunityEventType, [ChangeKind, string]>> = {
  PersonRegistered: ['personsRegistered', 'personId'],
  PersonCorrected: ['personsCorrected', 'personId'],
  UnitRegistered: ['unitsRegistered', 'unitId'],
  UnitAreaCorrected: ['unitAreasCorrected', 'unitId'],
  UnitTransferred: ['unitsTransferred', 'unitId'],
  ResidentGroupCreated: ['residentGroupsCreated', 'groupId'],
  HouseholdCreated: ['householdsCreated', 'householdId'],
  ResidentAdded: ['residentsAdded', 'personId'],
  ResidentMoved: ['residentsMoved', 'personId'],
};

/** Counts and details of an import's events (new, or recorded by an earlier request). */
function summarise(events: readonly Pick<NewEvent, 'type' | 'data' | 'metadata'>[]) {
  const changes = noChanges();
  const details: Change[] = [];
  for (const event of events) {
    const kind = changeOfEvent[event.type as CommunityEventType];
    if (!kind) continue;
    changes[kind[0]] += 1;
    const { importSheet, importRow } = event.metadata;
    details.push({
      change: kind[0],
      id: String(event.data[kind[1]]),
      ...(typeof importSheet === 'string' ? { sheet: importSheet } : {}),
      ...(typeof importRow === 'number' ? { row: importRow } : {}),
    });
  }
  return { changes, details };
}

/** `POST /v1/communities/{communityId}/registry/import` (clerk, admin). */
export function registryImportRoutes(
  store: EventStore,
  states: StateReader,
  clock: () => Date,
  /** Events decided under a simulated (demo) clock say so in their metadata. */
  simulatedClock = false,
): OpenAPIHono<AppEnv> {
  const app = createRouter();
  const guard: MiddlewareHandler<AppEnv> = async (c, next) => {
    const { role } = c.get('principal');
    if (!(IMPORT_ROLES as readonly string[]).includes(role)) {
      return problem(c, 403, 'role-forbidden', `Role ${role} may not import the registry`, {
        allowedRoles: [...IMPORT_ROLES],
      });
    }
    await next();
  };
  const route = importRoute(guard);
  addRoute(app, route, (c) => handle(c));

  async function duplicateAnswer(
    c: Context<AppEnv>,
    commandId: string,
    digest: string | undefined,
    result: AppendResult,
  ): Promise<Response> {
    const from = Math.max(1, result.nextExpectedVersion - MAX_EVENTS_PER_APPEND + 1);
    const recorded = await store.readStream(result.streamId, { fromVersion: from });
    const mine = recorded.filter(
      (e) => e.streamVersion <= result.nextExpectedVersion && e.metadata.commandId === commandId,
    );
    const stored = mine.at(-1)?.metadata.requestDigest;
    if (!sameRequest(digest, typeof stored === 'string' ? stored : undefined)) return keyReused(c);
    c.header('idempotent-replayed', 'true');
    c.header('etag', `"${result.nextExpectedVersion}"`);
    return c.json(
      {
        streamId: result.streamId,
        version: result.nextExpectedVersion,
        position: formatCheckpoint(result.checkpoint),
        duplicate: true,
        dryRun: false,
        ...summarise(mine),
      } satisfies ImportResult,
      200,
    );
  }

  async function handle(c: RouteContext<ReturnType<typeof importRoute>>): Promise<Response> {
    const principal = c.get('principal');
    const { communityId } = c.req.valid('param');
    const dryRun = c.req.valid('query').dryRun === 'true';
    const body = c.req.valid('json');
    const canonical = canonicalBody(c, body);
    if (canonical instanceof Response) return canonical;
    const idem = idempotencyKey(c);
    if (idem instanceof Response) return idem;
    const streamId = streams.community(communityId);
    const actor = actorOf(principal);
    const commandId = commandIdFor(communityId, principal.personId, idem.key);
    const digest = idem.key ? requestDigest(c.req.method, c.req.path, canonical) : undefined;
    if (idem.key && !dryRun) {
      const earlier = await store.findCommand(commandId);
      if (earlier) return duplicateAnswer(c, commandId, digest, earlier);
    }
    const desired = desiredRegistry(body);

    for (let attempt = 1; ; attempt++) {
      // Read (never just the cache): the append's expected version guards what was decided.
      const { version, state } = await states.read(streamId, registryDecider);
      const registry =
        (state as CommunityState).status === 'registered'
          ? (state as CommunityRegistry)
          : undefined;
      if (!registry) {
        return problem(c, 404, 'community-not-found', `Community ${communityId} is not registered`);
      }
      const refused = roleProblem(principal, registry);
      if (refused) return problem(c, 403, 'role-not-registered', refused);

      const at = clock().toISOString();
      const plan = planImport(registry, desired, body.documentRef);
      const decided = decideImport(registry, plan.commands, actor, at);
      const rows = [...desired.problems, ...plan.problems, ...decided.problems];
      if (rows.length > 0) {
        return problem(
          c,
          422,
          'invalid-rows',
          `${new Set(rows.map((r) => `${r.sheet ?? ''}\u0000${r.row}`)).size} row(s) refused; nothing was written`,
          { rows },
        );
      }
      const events: NewEvent[] = decided.events.map(({ event, command }) => ({
        type: event.type,
        schemaVersion: eventSchemaVersion(event.type),
        data: event.data as JsonObject,
        metadata: {
          commandId,
          actorId: actor.personId,
          actorRole: actor.role,
          ...(idem.key ? { idempotencyKey: idem.key } : {}),
          ...(digest ? { requestDigest: digest } : {}),
          occurredAt: at,
          correlationId: c.get('requestId'),
          causationId: commandId,
          communityId,
          ...(simulatedClock ? { simulatedClock: true } : {}),
          // Which registry command of the import, from which row of which sheet.
          importCommand: command.type,
          ...(command.where.sheet === undefined ? {} : { importSheet: command.where.sheet }),
          importRow: command.where.row,
        },
      }));
      const summary = summarise(events);
      if (events.length === 0 || dryRun) {
        c.header('etag', `"${version}"`);
        return c.json(
          { streamId, version, duplicate: false, dryRun, ...summary } satisfies ImportResult,
          200,
        );
      }
      if (events.length > MAX_EVENTS_PER_APPEND) {
        return tooLarge(c, events.length);
      }
      let appended: AppendResult;
      try {
        appended = await store.append(streamId, events, { expected: version, commandId });
      } catch (error) {
        states.forget(streamId);
        if (isVersionConflict(error)) {
          if (attempt < MAX_ATTEMPTS) continue;
          return problem(c, 409, 'version-conflict', 'Concurrent changes; retry the import', {
            actualVersion: error.actual,
          });
        }
        if (isEventStoreError(error) && error.code === 'event-too-large') {
          return tooLarge(c, events.length);
        }
        throw error;
      }
      if (appended.duplicate) {
        states.forget(streamId);
        return duplicateAnswer(c, commandId, digest, appended);
      }
      states.remember(streamId, appended.nextExpectedVersion, decided.state);
      c.header('etag', `"${appended.nextExpectedVersion}"`);
      return c.json(
        {
          streamId,
          version: appended.nextExpectedVersion,
          position: formatCheckpoint(appended.checkpoint),
          duplicate: false,
          dryRun: false,
          ...summary,
        } satisfies ImportResult,
        201,
      );
    }
  }

  return app;
}

function tooLarge(c: Context<AppEnv>, events: number): Response {
  return problem(
    c,
    413,
    'import-too-large',
    `The import needs ${events} events, more than one append holds (${MAX_EVENTS_PER_APPEND}): import units and residents separately, or building by building`,
    { events, limit: MAX_EVENTS_PER_APPEND },
  );
}
