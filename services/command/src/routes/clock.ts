import { createRoute, z } from '@hono/zod-openapi';
import { Role } from '@yishi/domain';
import { addRoute, type Clock, createRouter, problem, problemContent } from '@yishi/platform';

const ClockState = z
  .object({ now: z.string(), simulated: z.boolean() })
  .openapi('Clock', { description: 'The time commands are decided at' });

const getClock = createRoute({
  method: 'get',
  operationId: 'getClock',
  path: '/v1/clock',
  summary: 'The service time, and whether it is a simulated (demo) clock',
  tags: ['clock'],
  security: [{ bearer: [] }],
  'x-roles': [...Role.options],
  responses: {
    200: { description: 'Clock', content: { 'application/json': { schema: ClockState } } },
  },
});

const advanceClock = createRoute({
  method: 'post',
  operationId: 'advanceClock',
  path: '/v1/admin/clock/advance',
  summary: 'Advance a simulated clock (demo and tests only; admin of all communities)',
  tags: ['clock'],
  security: [{ bearer: [] }],
  'x-roles': ['admin'],
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.object({
            days: z.number().int().min(0).max(3650).default(0).openapi({
              description: '向前拨的天数 · Days to move the clock forward',
              example: 7,
            }),
            hours: z
              .number()
              .int()
              .min(0)
              .max(24 * 3650)
              .default(0)
              .openapi({
                description: '向前拨的小时数 · Hours to move the clock forward',
                example: 0,
              }),
          }),
          example: { days: 7 },
        },
      },
    },
  },
  responses: {
    200: { description: 'Clock', content: { 'application/json': { schema: ClockState } } },
    403: {
      description:
        '`role-forbidden` (with `allowedRoles`: admin); `community-forbidden`: the token does not cover every community (`*`)',
      content: problemContent,
    },
  },
});

/**
 * `GET /v1/clock` always; `POST /v1/admin/clock/advance` only on a simulated clock. Advancing
 * runs `afterAdvance` (the scheduler) before answering: what fell due has fired by then.
 */
export function clockRoutes(clock: Clock, afterAdvance: () => Promise<unknown> = async () => {}) {
  const app = createRouter();
  addRoute(app, getClock, async (c) =>
    c.json({ now: clock.now().toISOString(), simulated: clock.simulated }),
  );
  if (clock.simulated) {
    addRoute(app, advanceClock, async (c) => {
      const principal = c.get('principal');
      if (principal.role !== 'admin') {
        return problem(c, 403, 'role-forbidden', 'Only an admin advances the simulated clock', {
          allowedRoles: ['admin'],
        });
      }
      // One clock serves every community: an admin of some communities may not move theirs.
      if (!principal.communities.includes('*')) {
        return problem(
          c,
          403,
          'community-forbidden',
          'The simulated clock is shared by every community: only an admin whose token covers all communities (*) advances it',
        );
      }
      const { days, hours } = c.req.valid('json');
      const now = clock.advance((days * 24 + hours) * 3_600_000);
      await afterAdvance();
      return c.json({ now: now.toISOString(), simulated: true });
    });
  }
  return app;
}
