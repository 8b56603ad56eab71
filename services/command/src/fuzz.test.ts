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

/** Names an object inherits: a lookup by one of them must not find a function. */
const prototypeNames = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
/** NUL, other C0 controls and lone surrogates: text that cannot be stored or shown. */
const badText = fc.constantFrom(
  'a\u0000b',
  '\u0000',
  'x\ud800',
  '\udc00y',
  'a\u0007b',
  '\u001b[31m',
  '标题\u0000',
);
const segment = fc.oneof(
  fc.constantFrom(
    'c1',
    'p1',
    's1',
    '',
    '..',
    '%00',
    '%E4%BD%A0',
    'a'.repeat(80),
    'C1',
    'x y',
    '%ED%A0%80',
    'p1%00',
    ...prototypeNames,
  ),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
);
// A valid body with one field made bad, so the request reaches the command's own checks.
const nearlyValid = fc
  .tuple(
    fc.constantFrom(
      { title: 't', description: 'd', procedure: 'community-consultation' },
      { text: 't' },
      { reason: 'r' },
      { name: 'n', kind: 'urban' },
      { personId: 'x1', name: 'n', adult: true },
      { choices: [{ itemId: 'i1', choice: 'yes' }] },
      { matters: 'm' },
      { summary: 's' },
    ),
    fc.constantFrom(
      'title',
      'description',
      'text',
      'reason',
      'name',
      'procedure',
      'personId',
      'matters',
      'summary',
      'documentRef',
      'note',
    ),
    fc.oneof(badText, fc.constantFrom(...prototypeNames)),
  )
  .map(([body, field, value]) => JSON.stringify({ ...body, [field]: value }));
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
        'itemId',
        'text',
        'reason',
        ...prototypeNames,
      ),
      fc.oneof(
        fc.string({ maxLength: 30 }),
        badText,
        fc.constantFrom(...prototypeNames),
        fc.integer(),
        fc.constant(null),
        fc.array(fc.anything(), { maxLength: 3 }),
        fc.record({ itemId: fc.constantFrom('i1', ...prototypeNames), choice: badText }),
      ),
    )
    .map((o) => JSON.stringify(o)),
  nearlyValid,
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
            .replace('{sessionId}', b)
            .replace('{requestId}', b);
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

/** Valid bodies of commands that create or change a stream that exists: they reach the append. */
const validBodies: Record<string, Record<string, unknown>> = {
  SubmitProposal: { title: 't', description: 'd', procedure: 'community-consultation' },
  RegisterPerson: { personId: 'x1', name: 'n', adult: true },
  CreateResidentGroup: { groupId: 'g1', name: 'n' },
  RegisterParty: { partyId: 'pt1', kind: 'residents-committee', name: 'n' },
  RegisterUnit: {
    unitId: 'u1',
    building: 'b',
    kind: 'home',
    areas: { registryCentiM2: 100 },
    developerUnsold: true,
    ownerIds: [],
  },
  CreateHousehold: { householdId: 'h1', address: 'a' },
  ConfigureWebhook: {
    webhookId: 'w1',
    url: 'https://example.org/hook',
    events: ['decision'],
    description: 'd',
  },
  RequestResidentsMeeting: { matters: 'm' },
};
const targeted = fc.constantFrom(...Object.entries(validBodies)).chain(([name, body]) =>
  fc.tuple(
    fc.constant(commandRoutes.find((r) => r.definition.name === name)!),
    fc
      .tuple(
        fc.constantFrom(...Object.keys(body)),
        fc.oneof(badText, fc.constantFrom(...prototypeNames)),
      )
      .map(([field, value]) => JSON.stringify({ ...body, [field]: value })),
  ),
);

describe('fuzz: bad text and prototype names, sent by a role that may send the command', () => {
  it('never answers 5xx, and a 4xx writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { arbitrary: targeted, weight: 3 },
          { arbitrary: fc.tuple(fc.constantFrom(...commandRoutes), jsonBody), weight: 1 },
        ),
        fc.constantFrom('p1', 's1', 'r1', '%00', '%ED%A0%80', ...prototypeNames),
        fc.nat(),
        fc.option(fc.constantFrom(...prototypeNames), { nil: undefined }),
        async ([route, body], id, pick, key) => {
          const roles = route.definition.roles;
          const role = roles[pick % roles.length]!;
          const path = route.path
            .replace('{communityId}', 'c1')
            .replace('{proposalId}', id)
            .replace('{sessionId}', id)
            .replace('{requestId}', id);
          const hs: Record<string, string> = {
            authorization: `Bearer ${tokens[Role.options.indexOf(role)]}`,
            'content-type': 'application/json',
          };
          if (key !== undefined) hs['idempotency-key'] = key;
          const before = await eventCount();
          const res = await app.request(path, {
            method: route.method.toUpperCase(),
            headers: hs,
            body,
          });
          expect(res.status, `${role} ${route.method} ${path} ${body}`).toBeLessThan(500);
          if (res.status >= 400) expect(await eventCount()).toBe(before);
        },
      ),
      { numRuns: 400, seed: 20261122 },
    );
  });
});

describe('text that cannot be stored or shown', () => {
  const admin = () => tokens[Role.options.indexOf('admin')]!;
  const resident = () => tokens[Role.options.indexOf('resident')]!;
  const post = (token: string, path: string, body: unknown) =>
    app.request(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it.each([
    ['NUL', 'a\u0000b'],
    ['a lone high surrogate', 'x\ud800'],
    ['a lone low surrogate', '\udc00y'],
    ['a control character (ESC)', '\u001b[31m'],
  ])('a title with %s is refused at validation: 400, the field named', async (_, title) => {
    const before = await eventCount();
    const res = await post(resident(), '/v1/communities/c1/proposals', {
      title,
      description: '说明',
      procedure: 'community-consultation',
    });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { code: string; errors: { field: string }[] };
    expect(problem.code).toBe('invalid-input');
    expect(problem.errors.map((e) => e.field)).toEqual(['body.title']);
    expect(await eventCount()).toBe(before);
  });

  it('a stage name with NUL (text without the Text schema) is refused: 400, the field named', async () => {
    const before = await eventCount();
    const res = await post(admin(), '/v1/communities/c1/registry/define-procedure', {
      templateId: 'nul-stage',
      name: '自定义程序',
      stages: [
        { id: 'raise', kind: 'submission', name: '提出', submitterPartyKinds: [] },
        { id: 'list', kind: 'agenda', name: '列入\u0000清单' },
      ],
    });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { code: string; errors: { field: string }[] };
    expect(problem.code).toBe('invalid-input');
    expect(problem.errors.map((e) => e.field)).toEqual(['body.stages.1.name']);
    expect(await eventCount()).toBe(before);
  });

  it('keeps tabs, line breaks and characters outside the BMP', async () => {
    const res = await post(resident(), '/v1/communities/c1/proposals', {
      title: '𠀀 加装电梯',
      description: '第一段\r\n\t第二段',
      procedure: 'community-consultation',
    });
    expect(res.status).toBe(201);
  });

  it.each(prototypeNames)('an id named %s is an ordinary id', async (name) => {
    const res = await post(admin(), '/v1/communities/c1/registry/register-person', {
      personId: name.replace(/^__|__$/g, ''),
      name: '原型',
      adult: true,
    });
    expect(res.status).toBeLessThan(500);
    const cast = await post(resident(), `/v1/communities/c1/proposals/${name}/cast-ballot`, {
      choices: [{ itemId: name, choice: 'yes' }],
    });
    expect(cast.status).toBe(404);
  });
});
