import { Role } from '@yishi/domain';
import { PostgresEventStore, START } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { testAuth } from '@yishi/platform';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.ts';
import { commandRoutes } from './routes/commands.ts';

// Random and malformed bodies, headers and ids to every route: never a 5xx, and a 4xx never
// writes an event.

const auth = testAuth();
let store: PostgresEventStore;
let app: ReturnType<typeof createApp>;
const tokens: string[] = [];

async function eventCount(): Promise<number> {
  let count = 0;
  let from = START;
  for (;;) {
    const batch = await store.readAll(from, 5000);
    count += batch.events.length;
    if (batch.events.length === 0) return count;
    from = batch.checkpoint;
  }
}

beforeAll(async () => {
  store = new PostgresEventStore({ connectionString: await testDatabaseUrl() });
  await store.init();
  app = createApp({ store, verify: auth.verify });
  const admin = await auth.token({ personId: 'adm', role: 'admin', communities: ['c1'] });
  await app.request('/v1/communities/c1', {
    method: 'PUT',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: '测试社区', kind: 'urban' }),
  });
  for (const role of Role.options) {
    tokens.push(
      await auth.token({ personId: `${role}-1`, role, communities: ['c1'], partyId: 'pty' }),
    );
  }
});
afterAll(() => store.close());

const segment = fc.oneof(
  fc.constantFrom('c1', 'p1', 's1', '', '..', '%00', '%E4%BD%A0', 'a'.repeat(80), 'C1', 'x y'),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
);
const jsonBody = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc.constantFrom(
    '',
    '{',
    'null',
    '[]',
    '{"a":',
    '\u0000',
    '{"choices":[{"itemId":"i1","choice":"yes"}]}',
  ),
  fc
    .dictionary(
      fc.constantFrom(
        'proposalId',
        'title',
        'description',
        'procedure',
        'voterId',
        'choices',
        'partyId',
        'rule',
        'closesAt',
        'name',
        'kind',
        'personId',
      ),
      fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.integer(),
        fc.constant(null),
        fc.array(fc.anything(), { maxLength: 3 }),
      ),
    )
    .map((o) => JSON.stringify(o)),
);
const headers = fc.record(
  {
    token: fc.integer({ min: -2, max: 7 }),
    contentType: fc.constantFrom(
      'application/json',
      'text/plain',
      '',
      'application/json; charset=utf-8',
    ),
    idempotencyKey: fc.option(fc.string({ maxLength: 250 }), { nil: undefined }),
    ifMatch: fc.option(fc.oneof(fc.constant('"1"'), fc.string({ maxLength: 12 })), {
      nil: undefined,
    }),
  },
  { requiredKeys: ['token', 'contentType'] },
);

describe('fuzz: every route', () => {
  it('never answers 5xx, and a 4xx writes nothing', async () => {
    const routes = commandRoutes.map((r) => r);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        segment,
        segment,
        jsonBody,
        headers,
        async (route, a, b, body, h) => {
          const path = route.path
            .replace('{communityId}', a === 'p1' ? 'c1' : a)
            .replace('{proposalId}', b)
            .replace('{sessionId}', b);
          const hs: Record<string, string> = {};
          if (h.contentType) hs['content-type'] = h.contentType;
          if (h.token >= 0) hs.authorization = `Bearer ${tokens[h.token]}`;
          if (h.token === -2) hs.authorization = 'Bearer not.a.jwt';
          if (h.idempotencyKey !== undefined)
            hs['idempotency-key'] = h.idempotencyKey.replace(/[\r\n]/g, '');
          if (h.ifMatch !== undefined) hs['if-match'] = h.ifMatch.replace(/[\r\n]/g, '');
          const before = await eventCount();
          let res: Response;
          try {
            res = await app.request(path, {
              method: route.method.toUpperCase(),
              headers: hs,
              body,
            });
          } catch (error) {
            // A header value the Request constructor itself refuses never reaches the service.
            if (error instanceof TypeError) return;
            throw error;
          }
          expect(res.status, `${route.method} ${path} ${body}`).toBeLessThan(500);
          if (res.status >= 400) expect(await eventCount()).toBe(before);
        },
      ),
      { numRuns: 600, seed: 20261121 },
    );
  });
});
