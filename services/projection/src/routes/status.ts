import { createRoute, z } from '@hono/zod-openapi';
import { addRoute, createRouter } from '@yishi/platform';
import { listGenerations } from '../runtime/generations.ts';
import { jsonResponses, type QueryDeps, READERS } from './common.ts';

const ProjectionsStatus = z
  .object({
    generations: z.array(
      z.object({
        projection: z.string(),
        generation: z.number().int(),
        version: z.number().int(),
        schema: z.string(),
        status: z.string(),
        position: z.string().nullable(),
        events: z.string().nullable(),
        updatedAt: z.string().nullable(),
      }),
    ),
    projectors: z.array(
      z.object({
        projection: z.string(),
        state: z.string(),
        position: z.string(),
        schema: z.string().nullable(),
      }),
    ),
  })
  .openapi('ProjectionsStatus');

const status = createRoute({
  method: 'get',
  operationId: 'getProjectionsStatus',
  path: '/v1/projections',
  summary: 'Projections: generations (active, building, retired), checkpoints, local projectors',
  tags: ['operations'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  responses: jsonResponses('Status', ProjectionsStatus, { asOf: false, minPosition: false }),
});

export function statusQueries(deps: QueryDeps) {
  const app = createRouter();
  addRoute(app, status, async (c) => {
    const rows = await listGenerations(deps.db);
    return c.json({
      generations: rows.map((r) => ({
        projection: r.projection,
        generation: r.generation,
        version: r.version,
        schema: r.schema_name,
        status: r.status,
        position: r.transaction_id === null ? null : `${r.transaction_id}:${r.global_position}`,
        events: r.events,
        updatedAt: r.updated_at ? r.updated_at.toISOString() : null,
      })),
      projectors: deps.projectors.map((p) => ({
        projection: p.projection.name,
        state: p.state,
        position: `${p.position.transactionId}:${p.position.globalPosition}`,
        schema: p.schema ?? null,
      })),
    });
  });
  return app;
}
