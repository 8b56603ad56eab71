import {
  type Actor,
  communityOfStream,
  type DiscussionCommand,
  discussionDecider,
  type EvaluationCommand,
  evaluationDecider,
  streams,
  type WishCommand,
  wishDecider,
} from '@yishi/domain';
import { formatCheckpoint, PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import {
  generateMasterKey,
  openPersonalData,
  type PersonalData,
  SEALED_PREFIX,
  sealEvents,
} from '@yishi/personal-data';
import { type Principal, testAuth } from '@yishi/platform';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.ts';
import { createDb } from './db.ts';
import { projections } from './main.ts';
import { migrateReadModels } from './migrations/index.ts';
import { Projector } from './runtime/projector.ts';
import type { Database } from './tables.ts';
import { Random } from './testing/random.ts';
import { Simulator } from './testing/simulate.ts';

// Every GET route of the query API, enumerated from the app's own OpenAPI document: a route
// added later is covered here without editing this file (an unknown path parameter fails).

const auth = testAuth();
const admin: Actor = { personId: 'admin', role: 'admin' };
/** A person whose name, birth date and phone only clerks, officials and admins may read. */
const PERSON = {
  personId: 'qian',
  name: '钱多多',
  birthDate: '1961-02-03',
  phone: '+8613812345678',
};
const WEBHOOK = { webhookId: 'leakhook', url: 'https://leak-check.gw.test/hook' };

let url: string;
let store: PostgresEventStore;
let db: Kysely<Database>;
let projectors: Projector[];
let app: ReturnType<typeof createApp>;
let sim: Simulator;
let routes: Route[];
let personal: PersonalData;
/** Known values of each path parameter (a new one must be added here). */
const pathValues: Record<string, string> = {
  communityId: 'c1',
  proposalId: 'lift',
  sessionId: 's1',
  requestId: 'r1',
  wishId: 'w1',
  evaluationId: 'e1',
  personId: PERSON.personId,
  fundId: 'mf',
  campaignId: 'yard',
  bodyId: 'council',
  sha256: 'a'.repeat(64),
};

interface Parameter {
  name: string;
  in: 'path' | 'query';
  required?: boolean;
  example?: unknown;
  schema?: { maximum?: number; example?: unknown };
}
interface Route {
  path: string;
  parameters: Parameter[];
}

beforeAll(async () => {
  url = await testDatabaseUrl();
  store = new PostgresEventStore({ connectionString: url });
  db = createDb(url, 20);
  await migrateReadModels(db);
  projectors = projections.map(
    (p) => new Projector(store, db, p, { pollIntervalMs: 50, lockRetryMs: 50, heartbeatMs: 200 }),
  );
  for (const p of projectors) await p.start();
  personal = await openPersonalData({ databaseUrl: url, masterKey: generateMasterKey() });
  app = createApp({
    db,
    store,
    verify: auth.verify,
    projectors,
    minPositionWaitMs: 5_000,
    personalData: personal,
  });
  // Events as the command service stores them: personal fields sealed.
  sim = new Simulator(
    {
      append: async (streamId, events, options) =>
        store.append(
          streamId,
          await sealEvents(personal.vault, communityOfStream(streamId)!, events),
          options,
        ),
    },
    new Random(5),
  );
  await sim.registerCommunity('c1');
  await sim.community(
    'c1',
    (at) => ({ type: 'RegisterPerson', data: PERSON, actor: admin, at }),
    admin,
  );
  await sim.community(
    'c1',
    (at) => ({
      type: 'CorrectPerson',
      data: { ...PERSON, reason: '户籍更正' },
      actor: admin,
      at,
    }),
    admin,
  );
  await sim.community(
    'c1',
    (at) => ({
      type: 'ConfigureWebhook',
      data: { ...WEBHOOK, events: ['decision', 'session-notice'] },
      actor: admin,
      at,
    }),
    admin,
  );
  await sim.ownersDecision('c1', 'lift', 12, true);
  await sim.jointSession('c1', 'parking', 's1');
  await participation();
  const spec = (await (await app.request('/openapi.json')).json()) as {
    paths: Record<string, { get?: { parameters?: Parameter[] } }>;
  };
  routes = Object.entries(spec.paths).flatMap(([path, item]) =>
    item.get ? [{ path, parameters: item.get.parameters ?? [] }] : [],
  );
  // A delivery of the webhook (no dispatcher runs: it stays pending).
  const deliveries = await get(
    `/v1/communities/c1/notifications/deliveries?minPosition=${position()}`,
    await tokenFor({ personId: 'a1', role: 'admin', communities: ['c1'] }),
  );
  const { items } = (await deliveries.json()) as { items: { deliveryId: string }[] };
  pathValues.deliveryId = items[0]!.deliveryId;
});
afterAll(async () => {
  for (const p of projectors) await p.stop();
  await db.destroy();
  await store.close();
  await personal.close();
});

/** A comment, a wish and an evaluation that one person answered (its figures never published). */
async function participation() {
  const resident: Actor = { personId: 'solo', role: 'resident' };
  await sim.send(
    streams.discussion('c1', 'lift'),
    discussionDecider,
    (at): DiscussionCommand => ({
      type: 'PostComment',
      data: { body: '同意加装', proposal: { open: true, items: [] } },
      actor: resident,
      at,
    }),
    resident,
    'c1',
  );
  await sim.send(
    streams.wish('c1', 'w1'),
    wishDecider,
    (at): WishCommand => ({
      type: 'PostWish',
      data: {
        wishId: 'w1',
        communityId: 'c1',
        kind: 'need',
        category: 'repair',
        title: '楼道灯坏了',
        description: '三单元二楼',
      },
      actor: resident,
      at,
    }),
    resident,
    'c1',
  );
  const clerk: Actor = { personId: 'clerk1', role: 'clerk' };
  const evaluation = (command: (at: string) => EvaluationCommand, actor: Actor) =>
    sim.send(streams.evaluation('c1', 'e1'), evaluationDecider, command, actor, 'c1');
  await evaluation(
    (at) => ({
      type: 'OpenEvaluation',
      data: {
        evaluationId: 'e1',
        communityId: 'c1',
        title: '物业服务评估',
        closesAt: '2099-01-01T00:00:00Z',
        questions: [
          { questionId: 'clean', text: '保洁', kind: 'scale' },
          {
            questionId: 'renew',
            text: '是否续聘',
            kind: 'choice',
            options: [
              { optionId: 'yes', label: '续聘' },
              { optionId: 'no', label: '不续聘' },
            ],
          },
        ],
      },
      actor: clerk,
      at,
    }),
    clerk,
  );
  await evaluation(
    (at) => ({
      type: 'AnswerEvaluation',
      data: {
        answers: [
          { questionId: 'clean', value: 2 },
          { questionId: 'renew', optionId: 'no' },
        ],
        respondent: { eligible: true },
      },
      actor: resident,
      at,
    }),
    resident,
  );
}

const position = () => formatCheckpoint(sim.last!.checkpoint);
const tokenFor = (principal: Principal) => auth.token(principal);
const get = (path: string, token: string) =>
  app.request(path, { headers: { authorization: `Bearer ${token}` } });

/** The route's path with every path parameter filled in (`override` for one of them). */
function pathOf(route: Route, override?: { name: string; value: string }): string {
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (override?.name === name) return override.value;
    const value = pathValues[name];
    if (value === undefined) throw new Error(`no test value for path parameter ${name}`);
    return value;
  });
}

/** The route's required query parameters (but `except`), each with its documented example. */
function requiredQuery(route: Route, except?: string): URLSearchParams {
  const query = new URLSearchParams();
  for (const p of route.parameters) {
    if (p.in !== 'query' || !p.required || p.name === except) continue;
    const example = p.example ?? p.schema?.example;
    if (example === undefined) throw new Error(`${route.path}: no example for ?${p.name}`);
    query.set(p.name, String(example));
  }
  return query;
}

/**
 * Routes that read the primary whoever asks: verification (the read side's record against the
 * store's, at one moment), the generations, the transparency log (its builder's), and the
 * documents to print (each reads the query API at its stream's chain head with `minPosition`).
 */
const staysOnPrimary = (path: string) =>
  /\/verification$|^\/v1\/projections$|^\/v1\/checkpoints|\.(html|pdf)$/.test(path);

/** `?…` of the given parameters, or nothing. */
const search = (query: URLSearchParams) => (query.size ? `?${query}` : '');

/** Query parameters that make an answer whole: the largest page, after the last event. */
function wholeAnswer(route: Route): string {
  const query = requiredQuery(route);
  for (const p of route.parameters) {
    if (p.in !== 'query') continue;
    if (p.name === 'limit' && p.schema?.maximum) query.set('limit', String(p.schema.maximum));
    if (p.name === 'minPosition') query.set('minPosition', position());
  }
  return search(query);
}

// Raw URL text: NUL, overlong NUL, lone surrogates (as UTF-8 would carry them), prototype
// names, numbers that do not fit, and text no id has.
const HOSTILE = [
  '%00',
  'a%00b',
  '%C0%80',
  '%ED%A0%80',
  '%ED%B0%80',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'a',
  '-1',
  '1e400',
  '99999999999999999999',
  '%F0%9F%98%80',
  '%E2%80%AE',
  "'%20OR%201=1--",
  '..%2F..',
  '%25',
  'x'.repeat(300),
];

describe('every GET route', () => {
  it('is enumerated from the OpenAPI document', () => {
    expect(routes.length).toBeGreaterThan(15);
    expect(routes.map((r) => r.path)).toContain('/v1/communities/{communityId}/timeline');
  });

  it("reads an official's query without minPosition from the replica alone", async () => {
    // The same database through two more pools, each counting its queries, stands for the
    // primary and the replica: what is checked is which one a route's reads go to.
    const counted = () => {
      const pool = { queries: 0, db: undefined as unknown as Kysely<Database> };
      pool.db = new Kysely<Database>({
        dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }),
        log: () => {
          pool.queries += 1;
        },
      });
      return pool;
    };
    const primary = counted();
    const replica = counted();
    const withReplica = createApp({
      db: primary.db,
      replica: replica.db,
      store,
      verify: auth.verify,
      projectors,
      personalData: personal,
    });
    const token = await tokenFor({ personId: 'off1', role: 'official', communities: ['*'] });
    const onPrimary: string[] = [];
    let onReplica = 0;
    try {
      // The read models' generations, looked up once and kept, are the primary's.
      await withReplica.request('/v1/communities/c1', {
        headers: { authorization: `Bearer ${token}` },
      });
      for (const route of routes) {
        const query = requiredQuery(route);
        const [p0, r0] = [primary.queries, replica.queries];
        const res = await withReplica.request(`${pathOf(route)}${search(query)}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        if (res.status !== 200) continue;
        if (replica.queries > r0) onReplica += 1;
        if (primary.queries > p0 && !staysOnPrimary(route.path)) {
          onPrimary.push(`${route.path}: ${primary.queries - p0} on the primary`);
        }
      }
    } finally {
      await primary.db.destroy();
      await replica.db.destroy();
    }
    expect(onPrimary).toEqual([]);
    // Not vacuous: most routes answered an official, from the replica.
    expect(onReplica).toBeGreaterThan(20);
  });

  it('answers hostile path and query values with 4xx problem+json naming the field, never 5xx', async () => {
    const token = await tokenFor({ personId: 'a1', role: 'admin', communities: ['*'] });
    const failures: string[] = [];
    let requests = 0;
    for (const route of routes) {
      for (const parameter of route.parameters) {
        for (const value of HOSTILE) {
          // The other parameters as documented, so the refusal is this one's.
          const others = search(requiredQuery(route, parameter.name));
          const url =
            parameter.in === 'path'
              ? `${pathOf(route, { name: parameter.name, value })}${others}`
              : `${pathOf(route)}${others ? `${others}&` : '?'}${parameter.name}=${value}`;
          const res = await get(url, token);
          requests += 1;
          const body = await res.text();
          if (res.status >= 500) failures.push(`${url}: ${res.status} ${body.slice(0, 200)}`);
          if (res.status < 400) continue;
          if (!res.headers.get('content-type')?.includes('application/problem+json')) {
            failures.push(`${url}: ${res.status} without problem+json`);
            continue;
          }
          const problem = JSON.parse(body) as {
            code: string;
            errors?: { field: string }[];
          };
          if (problem.code === 'invalid-json') failures.push(`${url}: invalid-json`);
          const field = `${parameter.in === 'path' ? 'param' : 'query'}.${parameter.name}`;
          if (res.status === 400 && !problem.errors?.some((e) => e.field === field)) {
            failures.push(`${url}: 400 without naming ${field}: ${body.slice(0, 200)}`);
          }
        }
      }
    }
    expect(requests).toBeGreaterThan(500);
    expect(failures).toEqual([]);
  });

  it('refuses a NUL unit cursor and a cursor that is not a position at validation', async () => {
    const token = await tokenFor({ personId: 'r1', role: 'resident', communities: ['c1'] });
    for (const [path, field] of [
      ['/v1/communities/c1/units?after=%00', 'query.after'],
      ['/v1/communities/c1/timeline?after=a', 'query.after'],
      ['/v1/communities/c1?minPosition=abc', 'query.minPosition'],
      ['/v1/communities/c1/timeline?stream=%00', 'query.stream'],
      ['/v1/communities/c1/proposals?stageKind=%00', 'query.stageKind'],
    ] as const) {
      const res = await get(path, token);
      expect(res.status, path).toBe(400);
      expect(await res.json(), path).toMatchObject({
        code: 'invalid-input',
        errors: [expect.objectContaining({ field })],
      });
    }
  });

  it('shows a resident no personal field and no webhook configuration on any route', async () => {
    const token = await tokenFor({ personId: 'r1', role: 'resident', communities: ['c1'] });
    // Neither the clear values nor their sealed form (whose length alone says something).
    const secrets = [
      PERSON.name,
      PERSON.birthDate,
      PERSON.phone,
      SEALED_PREFIX,
      WEBHOOK.url,
      WEBHOOK.webhookId,
    ];
    const leaks: string[] = [];
    const statuses: Record<string, number> = {};
    for (const route of routes) {
      const path = pathOf(route);
      const res = await get(`${path}${wholeAnswer(route)}`, token);
      statuses[route.path] = res.status;
      // A refusal echoes the path asked for (`instance`): that is the asker's own text.
      const body = (await res.text()).replaceAll(path, '');
      for (const secret of secrets) {
        if (body.includes(secret)) leaks.push(`${route.path} shows ${secret}`);
      }
    }
    expect(leaks).toEqual([]);
    // Not vacuous: the resident reads the community's timeline, where the person is registered.
    expect(statuses['/v1/communities/{communityId}/timeline']).toBe(200);
    expect(Object.values(statuses).filter((s) => s === 200).length).toBeGreaterThan(10);
  });

  it('answers no one, on any route, what a person answered in an evaluation', async () => {
    // An answer's shape ({questionId, value} or {questionId, optionId}) and its sealed field:
    // published results count options ({optionId, count}) and never have this shape.
    const answerShaped = /"questionId":"[^"]*","(value|optionId)"|sealedAnswers/;
    const leaks: string[] = [];
    let answered = false;
    for (const role of ['resident', 'official', 'admin'] as const) {
      const token = await tokenFor({ personId: 'solo', role, communities: ['c1'] });
      for (const route of routes) {
        const res = await get(`${pathOf(route)}${wholeAnswer(route)}`, token);
        const body = await res.text();
        if (answerShaped.test(body)) leaks.push(`${role} ${route.path}`);
        answered ||= body.includes('EvaluationAnswered');
      }
    }
    expect(leaks).toEqual([]);
    // Not vacuous: the answer is on record, and the timeline shows that it was given.
    expect(answered).toBe(true);
    const evaluation = await get(
      `/v1/communities/c1/evaluations/e1?minPosition=${position()}`,
      await tokenFor({ personId: 'a1', role: 'admin', communities: ['c1'] }),
    );
    expect(await evaluation.json()).toMatchObject({
      respondents: 1,
      results: null,
      respondentList: [{ personId: 'solo' }],
    });
  });

  it('shows personal fields to clerks, officials and admins, webhooks to admins only', async () => {
    const timeline = `/v1/communities/c1/timeline?stream=community-c1&limit=10000&minPosition=${position()}`;
    for (const [role, personal, configuration] of [
      ['resident', false, false],
      ['owner', false, false],
      ['convener', false, false],
      ['clerk', true, false],
      ['official', true, false],
      ['admin', true, true],
    ] as const) {
      const token = await tokenFor({ personId: 'v1', role, communities: ['c1'] });
      const res = await get(timeline, token);
      expect(res.status, role).toBe(200);
      const { items } = (await res.json()) as {
        items: { type: string; summary: string; details: Record<string, unknown> }[];
      };
      const registered = items.find(
        (i) => i.type === 'PersonRegistered' && i.details.personId === PERSON.personId,
      );
      expect(registered, role).toBeDefined();
      if (personal) {
        expect(registered!.details, role).toMatchObject({
          name: PERSON.name,
          birthDate: PERSON.birthDate,
          phone: PERSON.phone,
        });
        expect(registered!.summary, role).toContain(PERSON.name);
      } else {
        expect(registered!.details, role).not.toHaveProperty('name');
        expect(registered!.details, role).not.toHaveProperty('birthDate');
        expect(registered!.details, role).not.toHaveProperty('phone');
        expect(registered!.details.redacted, role).toEqual(['name', 'birthDate', 'phone']);
        expect(registered!.summary, role).toBe('登记人员 ［已隐去］（qian）');
      }
      const configured = items.find((i) => i.type === 'WebhookConfigured')!;
      expect(configured.details.url === WEBHOOK.url, role).toBe(configuration);
      const hooks = await get('/v1/communities/c1/notifications/webhooks', token);
      expect(hooks.status, role).toBe(configuration ? 200 : 403);
      const deliveries = await get('/v1/communities/c1/notifications/deliveries', token);
      expect(deliveries.status, role).toBe(configuration ? 200 : 403);
    }
  });
});
