import { createRoute, z } from '@hono/zod-openapi';
import { Id, WebhookEventKind } from '@yishi/domain';
import {
  type AppEnv,
  addRoute,
  CommunityParams,
  createRouter,
  problem,
  problemContent,
  shownError,
} from '@yishi/platform';
import type { Context } from 'hono';
import { type Selectable, sql } from 'kysely';
import { visibleAt } from '../projections/temporal.ts';
import {
  AsOfInfo,
  errorResponses,
  positionOf,
  type QueryDeps,
  ReadQuery,
  readContext,
  withAsOf,
} from '../routes/common.ts';
import { CONFIGURATION_READERS } from '../routes/visibility.ts';
import type { DeliveryStatus, NotificationDeliveriesTable } from '../tables.ts';

// What the notifications did, for the admins who configure them: the webhooks as configured
// (with `asOf`), every delivery with its status and every attempt, and re-queuing a dead
// letter. Re-queuing changes delivery bookkeeping, never the record.

function refuseRole(c: Context<AppEnv>): Response | undefined {
  const role = c.get('principal').role;
  if (CONFIGURATION_READERS.has(role)) return undefined;
  return problem(c, 403, 'role-forbidden', `Role ${role} may not read or manage notifications`, {
    allowedRoles: [...CONFIGURATION_READERS],
  });
}

const Webhook = z
  .object({
    webhookId: z.string(),
    url: z.string(),
    events: z.array(WebhookEventKind),
    description: z.string().nullable(),
    active: z.boolean(),
    configuredAt: z.string(),
    configuredBy: z.string(),
    removedAt: z.string().nullable(),
    removedReason: z.string().nullable(),
    deliveries: z
      .object({
        pending: z.number().int(),
        delivered: z.number().int(),
        dead: z.number().int(),
        cancelled: z.number().int(),
      })
      .openapi({ description: 'Deliveries to this webhook by status, now (not `asOf`)' }),
  })
  .openapi('Webhook');

const WebhookList = z
  .object({ items: z.array(Webhook), asOf: AsOfInfo.optional() })
  .openapi('WebhookList');

const Status = z.enum(['pending', 'delivered', 'dead', 'cancelled']);

const Delivery = z
  .object({
    deliveryId: z.string().openapi({ description: '`<global position>.<webhookId>`' }),
    webhookId: z.string(),
    kind: WebhookEventKind,
    event: z.string(),
    streamId: z.string(),
    streamVersion: z.number().int(),
    position: z.string(),
    occurredAt: z.string(),
    status: Status,
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable().openapi({ description: 'When pending: when it is due' }),
    lastAttemptAt: z.string().nullable(),
    lastStatus: z.number().int().nullable().openapi({ description: 'The gateway’s HTTP status' }),
    lastError: z
      .string()
      .nullable()
      .openapi({ description: 'A short reason: an HTTP status, a network error, a refusal' }),
    deliveredAt: z.string().nullable(),
    requeuedAt: z.string().nullable(),
    requeuedBy: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Delivery');

const DeliveryPage = z
  .object({
    items: z.array(Delivery),
    next: z.string().nullable().openapi({ description: 'Pass as `after` for the next page' }),
  })
  .openapi('DeliveryPage');

const Attempt = z.object({
  attempt: z.number().int(),
  at: z.string(),
  url: z.string().nullable(),
  outcome: z.enum(['delivered', 'retry', 'dead', 'cancelled']),
  httpStatus: z.number().int().nullable(),
  error: z.string().nullable(),
  durationMs: z.number().int(),
});

const DeliveryDetail = Delivery.extend({
  payload: z.record(z.string(), z.unknown()).openapi({ description: 'The JSON body sent' }),
  attemptLog: z.array(Attempt),
}).openapi('DeliveryDetail');

/**
 * `<global position>.<webhook id>`; `.checkpoint` after it for a signed checkpoint's, or
 * `.<person>` for a reminder to one person.
 */
const DELIVERY_ID = /^(\d{1,20})\.([A-Za-z0-9_-]{1,64})(?:\.[A-Za-z0-9_-]{1,64})?$/;
const DeliveryParams = CommunityParams.extend({
  deliveryId: z
    .string()
    .regex(DELIVERY_ID)
    .openapi({ param: { name: 'deliveryId', in: 'path' }, example: '812.sms' }),
});

const security = [{ bearer: [] }];
const problemOf = (description: string) => ({ description, content: problemContent });
const forbidden = {
  403: problemOf(
    '`community-forbidden`: not granted this community; `role-forbidden` (with `allowedRoles`): not an admin',
  ),
};

const listWebhooks = createRoute({
  method: 'get',
  operationId: 'listWebhooks',
  path: '/v1/communities/{communityId}/notifications/webhooks',
  summary: 'The community’s webhooks (通知网关) as configured, removed ones included',
  description: 'Admins only. Signing keys are never shown: `pnpm webhook-secret`.',
  tags: ['notifications'],
  security,
  'x-roles': [...CONFIGURATION_READERS],
  request: { params: CommunityParams, query: ReadQuery },
  responses: {
    200: { description: 'Webhooks', content: { 'application/json': { schema: WebhookList } } },
    ...errorResponses({}),
    ...forbidden,
  },
});

const listDeliveries = createRoute({
  method: 'get',
  operationId: 'listDeliveries',
  path: '/v1/communities/{communityId}/notifications/deliveries',
  summary: 'Notification deliveries, newest first: pending, delivered, dead letters, cancelled',
  description: 'Admins only.',
  tags: ['notifications'],
  security,
  'x-roles': [...CONFIGURATION_READERS],
  request: {
    params: CommunityParams,
    query: z.object({
      status: Status.optional(),
      webhookId: Id.optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      after: z
        .string()
        .regex(DELIVERY_ID)
        .optional()
        .openapi({ description: 'Cursor: the `next` of the previous page' }),
      minPosition: ReadQuery.shape.minPosition,
    }),
  },
  responses: {
    200: { description: 'Deliveries', content: { 'application/json': { schema: DeliveryPage } } },
    ...errorResponses({ asOf: false }),
    ...forbidden,
  },
});

const getDelivery = createRoute({
  method: 'get',
  operationId: 'getDelivery',
  path: '/v1/communities/{communityId}/notifications/deliveries/{deliveryId}',
  summary: 'One delivery with the body sent and every attempt',
  description: 'Admins only.',
  tags: ['notifications'],
  security,
  'x-roles': [...CONFIGURATION_READERS],
  request: { params: DeliveryParams },
  responses: {
    200: {
      description: 'The delivery',
      content: { 'application/json': { schema: DeliveryDetail } },
    },
    ...errorResponses({ notFound: ['delivery-not-found'], asOf: false, minPosition: false }),
    ...forbidden,
  },
});

const requeueDelivery = createRoute({
  method: 'post',
  operationId: 'requeueDelivery',
  path: '/v1/communities/{communityId}/notifications/deliveries/{deliveryId}/requeue',
  summary: 'Re-queue a dead letter for a fresh round of attempts (admin)',
  description:
    'Changes only delivery bookkeeping (status, attempts), never the record; the attempts so far stay in the log.',
  tags: ['notifications'],
  security,
  'x-roles': [...CONFIGURATION_READERS],
  request: { params: DeliveryParams },
  responses: {
    202: { description: 'Queued again', content: { 'application/json': { schema: Delivery } } },
    ...errorResponses({ notFound: ['delivery-not-found'], asOf: false, minPosition: false }),
    ...forbidden,
    409: problemOf(
      '`delivery-not-dead`: the delivery is not dead-lettered (`deliveryStatus` says what it is)',
    ),
  },
});

type DeliveryRow = Selectable<NotificationDeliveriesTable>;
const iso = (d: Date | null) => (d ? d.toISOString() : null);

function deliveryOf(r: DeliveryRow) {
  return {
    deliveryId: r.delivery_id,
    webhookId: r.webhook_id,
    kind: r.kind as WebhookEventKind,
    event: r.event_type,
    streamId: r.stream_id,
    streamVersion: r.stream_version,
    position: positionOf(r.transaction_id, r.global_position),
    occurredAt: r.occurred_at,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.status === 'pending' ? iso(r.next_attempt_at) : null,
    lastAttemptAt: iso(r.last_attempt_at),
    lastStatus: r.last_status,
    lastError: shownError(r.last_error),
    deliveredAt: iso(r.delivered_at),
    requeuedAt: iso(r.requeued_at),
    requeuedBy: r.requeued_by,
    createdAt: r.created_at.toISOString(),
  };
}

export function notificationQueries(deps: QueryDeps) {
  const app = createRouter();

  addRoute(app, listWebhooks, async (c) => {
    const refused = refuseRole(c);
    if (refused) return refused;
    const { communityId } = c.req.valid('param');
    const ctx = await readContext(c, deps, c.req.valid('query'), ['notifications']);
    if (ctx instanceof Response) return ctx;
    const rows = await deps.db
      .withSchema(ctx.schema('notifications'))
      .selectFrom('webhooks')
      .selectAll()
      .where('community_id', '=', communityId)
      .where(visibleAt(ctx.asOf))
      .orderBy('webhook_id')
      .execute();
    const counts = await deps.db
      .selectFrom('notification_deliveries')
      .select(['webhook_id', 'status', (eb) => eb.fn.countAll<string>().as('n')])
      .where('community_id', '=', communityId)
      .groupBy(['webhook_id', 'status'])
      .execute();
    const countsOf = (webhookId: string) => {
      const by: Record<DeliveryStatus, number> = {
        pending: 0,
        delivered: 0,
        dead: 0,
        cancelled: 0,
      };
      for (const row of counts) if (row.webhook_id === webhookId) by[row.status] = Number(row.n);
      return by;
    };
    return c.json(
      withAsOf(ctx, {
        items: rows.map((r) => ({
          webhookId: r.webhook_id,
          url: r.url,
          events: r.events as WebhookEventKind[],
          description: r.description,
          active: r.active,
          configuredAt: r.configured_at,
          configuredBy: r.configured_by,
          removedAt: r.removed_at,
          removedReason: r.removed_reason,
          deliveries: countsOf(r.webhook_id),
        })),
      }),
    );
  });

  addRoute(app, listDeliveries, async (c) => {
    const refused = refuseRole(c);
    if (refused) return refused;
    const { communityId } = c.req.valid('param');
    const q = c.req.valid('query');
    // minPosition: the outbox rows of an event are written with the notifications read model.
    const ctx = await readContext(c, deps, { minPosition: q.minPosition }, ['notifications']);
    if (ctx instanceof Response) return ctx;
    let query = deps.db
      .selectFrom('notification_deliveries')
      .selectAll()
      .where('community_id', '=', communityId)
      .orderBy('global_position', 'desc')
      .orderBy('webhook_id', 'desc')
      .orderBy('delivery_id', 'desc')
      .limit(q.limit + 1);
    if (q.status) query = query.where('status', '=', q.status);
    if (q.webhookId) query = query.where('webhook_id', '=', q.webhookId);
    const after = q.after ? DELIVERY_ID.exec(q.after) : null;
    if (after) {
      query = query.where(
        sql<boolean>`(global_position, webhook_id, delivery_id) < (${after[1]}::int8, ${after[2]}, ${q.after})`,
      );
    }
    const rows = await query.execute();
    const page = rows.slice(0, q.limit);
    return c.json({
      items: page.map(deliveryOf),
      next: rows.length > q.limit ? (page.at(-1)?.delivery_id ?? null) : null,
    });
  });

  addRoute(app, getDelivery, async (c) => {
    const refused = refuseRole(c);
    if (refused) return refused;
    const { communityId, deliveryId } = c.req.valid('param');
    const row = await deps.db
      .selectFrom('notification_deliveries')
      .selectAll()
      .where('community_id', '=', communityId)
      .where('delivery_id', '=', deliveryId)
      .executeTakeFirst();
    if (!row) return problem(c, 404, 'delivery-not-found', `No delivery ${deliveryId}`);
    const attempts = await deps.db
      .selectFrom('notification_attempts')
      .selectAll()
      .where('delivery_id', '=', deliveryId)
      .orderBy('id')
      .execute();
    return c.json({
      ...deliveryOf(row),
      payload: row.payload,
      attemptLog: attempts.map((a) => ({
        attempt: a.attempt,
        at: a.at.toISOString(),
        url: a.url,
        outcome: a.outcome,
        httpStatus: a.http_status,
        error: shownError(a.error),
        durationMs: a.duration_ms,
      })),
    });
  });

  addRoute(app, requeueDelivery, async (c) => {
    const refused = refuseRole(c);
    if (refused) return refused;
    const { communityId, deliveryId } = c.req.valid('param');
    const requeued = await deps.db
      .updateTable('notification_deliveries')
      .set({
        status: 'pending',
        attempts: 0,
        claim: null,
        next_attempt_at: sql<Date>`now()`,
        requeued_at: sql<Date>`now()`,
        requeued_by: c.get('principal').personId,
      })
      .where('community_id', '=', communityId)
      .where('delivery_id', '=', deliveryId)
      .where('status', '=', 'dead')
      .returningAll()
      .executeTakeFirst();
    if (requeued) return c.json(deliveryOf(requeued), 202);
    const row = await deps.db
      .selectFrom('notification_deliveries')
      .select('status')
      .where('community_id', '=', communityId)
      .where('delivery_id', '=', deliveryId)
      .executeTakeFirst();
    if (!row) return problem(c, 404, 'delivery-not-found', `No delivery ${deliveryId}`);
    return problem(c, 409, 'delivery-not-dead', `Delivery ${deliveryId} is ${row.status}`, {
      deliveryStatus: row.status,
    });
  });

  return app;
}
