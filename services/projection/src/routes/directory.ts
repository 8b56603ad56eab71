import { createRoute, z } from '@hono/zod-openapi';
import { Phone } from '@yishi/domain';
import { addRoute, createRouter, mayActOn, problem, problemContent } from '@yishi/platform';
import type { PhoneIndex } from '../directory/phone-index.ts';
import { jsonResponses } from './common.ts';

// Sign-in asks who a phone number belongs to. The number travels in the body (never in a URL,
// which request logs keep), and only the installation's administrators ask: the console's
// sign-in does, with its own service token for every community.

const Identity = z.object({ communityId: z.string(), personId: z.string() });

export const PhoneLookup = z.object({ identities: z.array(Identity) }).openapi('PhoneLookup');

const lookupPhone = createRoute({
  method: 'post',
  operationId: 'lookupPhone',
  path: '/v1/directory/phone-lookup',
  summary: 'The registered persons a phone number belongs to (for signing in)',
  description:
    'Over the registry’s sealed numbers (a keyed digest of each number that still opens): a number corrected away or erased finds no one. Administrators with a token for every community (`*`) only.',
  tags: ['installation'],
  security: [{ bearer: [] }],
  'x-roles': ['admin'],
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.object({
            phone: Phone.describe('E.164 (`+8613812345678`); a mainland number a mobile one'),
          }),
        },
      },
    },
  },
  responses: {
    ...jsonResponses('Every person the number belongs to, in any community', PhoneLookup, {
      asOf: false,
      minPosition: false,
    }),
    403: {
      description:
        '`role-forbidden` (with `allowedRoles`: admin); `community-forbidden`: the token is not granted every community (`*`)',
      content: problemContent,
    },
  },
});

export function directoryQueries(deps: { phoneIndex: PhoneIndex }) {
  const app = createRouter();
  addRoute(app, lookupPhone, async (c) => {
    const principal = c.get('principal');
    if (principal.role !== 'admin') {
      return problem(c, 403, 'role-forbidden', 'Only administrators look up phone numbers', {
        allowedRoles: ['admin'],
      });
    }
    if (!mayActOn(principal, '*')) {
      return problem(
        c,
        403,
        'community-forbidden',
        'A phone number is looked up with a token for every community',
        { communityId: '*' },
      );
    }
    const identities = await deps.phoneIndex.lookup(c.req.valid('json').phone);
    return c.json({ identities });
  });
  return app;
}
