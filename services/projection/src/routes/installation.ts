import { createRoute, z } from '@hono/zod-openapi';
import { installationDecider, streams, upcastEvent } from '@yishi/domain';
import type { EventStore } from '@yishi/event-store';
import { addRoute, createRouter, mayActOn, problem, problemContent } from '@yishi/platform';
import { jsonResponses } from './common.ts';

// The installation: its administrators and its officials (街道, 民政) with the communities they
// oversee. A handful of events: folded from the stream on each read, so an appointment is seen
// at once.

export const Installation = z
  .object({
    bootstrapped: z
      .boolean()
      .openapi({ description: 'Whether the first administrator has been recorded' }),
    adminIds: z.array(z.string()),
    officials: z.array(
      z.object({ personId: z.string(), communities: z.array(z.string()), office: z.string() }),
    ),
    version: z.number().int().openapi({ description: 'The installation stream’s version' }),
  })
  .openapi('Installation');

const getInstallation = createRoute({
  method: 'get',
  operationId: 'getInstallation',
  path: '/v1/installation',
  summary: 'The installation’s administrators and officials (for administrators)',
  tags: ['installation'],
  security: [{ bearer: [] }],
  'x-roles': ['admin'],
  responses: {
    ...jsonResponses('The installation', Installation, { asOf: false, minPosition: false }),
    403: {
      description:
        '`role-forbidden` (with `allowedRoles`: admin); `community-forbidden`: the token is not granted every community (`*`)',
      content: problemContent,
    },
  },
});

export function installationQueries(deps: { store: EventStore }) {
  const app = createRouter();
  addRoute(app, getInstallation, async (c) => {
    const principal = c.get('principal');
    if (principal.role !== 'admin') {
      return problem(c, 403, 'role-forbidden', 'Only administrators read the installation', {
        allowedRoles: ['admin'],
      });
    }
    if (!mayActOn(principal, '*')) {
      return problem(
        c,
        403,
        'community-forbidden',
        'The installation is read with a token for every community',
        { communityId: '*' },
      );
    }
    const events = await deps.store.readStream(streams.installation());
    let state = installationDecider.initialState();
    for (const event of events) {
      const domain = upcastEvent({
        type: event.type,
        data: event.data,
        schemaVersion: event.schemaVersion,
      });
      state = installationDecider.evolve(
        state,
        domain as Parameters<typeof installationDecider.evolve>[1],
      );
    }
    return c.json({
      bootstrapped: state.bootstrapped,
      adminIds: [...state.adminIds],
      officials: Object.values(state.officials).map((o) => ({
        personId: o.personId,
        communities: [...o.communities],
        office: o.office,
      })),
      version: events.at(-1)?.streamVersion ?? 0,
    });
  });
  return app;
}
