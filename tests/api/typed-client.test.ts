import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createApp as commandApp } from '@yishi/command';
import { formatCheckpoint, PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { testAuth } from '@yishi/platform';
import {
  createDb,
  migrateReadModels,
  Projector,
  createApp as projectionApp,
  projections,
} from '@yishi/projection';
import createClient from 'openapi-fetch';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Random } from '../../services/projection/src/testing/random.ts';
import { Simulator } from '../../services/projection/src/testing/simulate.ts';
import {
  startTreeBuilder,
  testSigningKey,
} from '../../services/projection/src/testing/transparency.ts';
import type { TreeBuilder } from '../../services/projection/src/transparency/builder.ts';
import { type ApiDescription, apiDescriptions, ORIGINS, type Schema } from './documents.ts';
import type { FlowResult } from './typed-client/result.ts';

// A client generated from the two documents (openapi-typescript), a flow written with it
// (openapi-fetch, typed-client/flow.ts) that must type-check, run against the services, and
// every answer it got checked against the documents: its status documented for the route, its
// body valid under the schema documented for that status.

const root = resolve(import.meta.dirname, '../..');
const clientDir = join(import.meta.dirname, 'typed-client');
const auth = testAuth();
let described: { command: ApiDescription; projection: ApiDescription };
let store: PostgresEventStore;
let db: ReturnType<typeof createDb>;
let projectors: Projector[];
// The dossier carries proofs to a signed checkpoint: the log's builder runs as in the service.
let treeBuilder: TreeBuilder;

interface Exchange {
  service: 'command' | 'projection';
  method: string;
  path: string;
  status: number;
  contentType: string;
  body: unknown;
}
const exchanges: Exchange[] = [];

beforeAll(async () => {
  described = await apiDescriptions();
  await mkdir(join(clientDir, 'generated'), { recursive: true });
  for (const name of ['command', 'projection'] as const) {
    const ast = await openapiTS(Buffer.from(JSON.stringify(described[name].document)));
    await writeFile(join(clientDir, 'generated', `${name}.ts`), astToString(ast));
  }
  const url = await testDatabaseUrl();
  store = new PostgresEventStore({ connectionString: url });
  await store.init();
  // One connection per projector and some for the queries, as main.ts sizes it.
  db = createDb(url, 10 + projections.length);
  await migrateReadModels(db);
  projectors = projections.map(
    (p) => new Projector(store, db, p, { pollIntervalMs: 50, lockRetryMs: 50, heartbeatMs: 200 }),
  );
  for (const p of projectors) await p.start();
  treeBuilder = await startTreeBuilder(store, db, testSigningKey());
}, 120_000);
afterAll(async () => {
  await treeBuilder?.stop();
  for (const p of projectors ?? []) await p.stop();
  await db?.destroy();
  await store?.close();
});

/** The operation a request went to, by matching the documented path templates. */
function operationOf(service: Exchange['service'], method: string, path: string) {
  const { paths } = described[service].document;
  for (const [template, item] of Object.entries(paths)) {
    const pattern = new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`);
    if (pattern.test(path) && item[method]) return { template, operation: item[method] };
  }
  throw new Error(`${method} ${path} is not in the ${service} document`);
}

/** A response schema of the document as zod, its component references resolved. */
function validatorOf(service: Exchange['service'], schema: Schema) {
  const { schemas } = described[service].document.components;
  const text = JSON.stringify({ ...schema, $defs: schemas });
  const jsonSchema: z.core.JSONSchema.JSONSchema = JSON.parse(
    text.replaceAll('"#/components/schemas/', '"#/$defs/'),
  );
  return z.fromJSONSchema(jsonSchema);
}

describe('a client generated from the documents', () => {
  it('type-checks the flow written against it (openapi-fetch, no casts)', async () => {
    const tsc = join(root, 'node_modules/.bin/tsc');
    const run = await promisify(execFile)(tsc, ['-p', join(clientDir, 'tsconfig.json')], {
      cwd: root,
    }).catch((error: { stdout?: string; stderr?: string }) => ({
      stdout: `${error.stdout ?? ''}${error.stderr ?? ''}`,
      failed: true,
    }));
    expect(run.stdout).toBe('');
    expect('failed' in run).toBe(false);
  }, 180_000);

  it('runs the flow, and every answer is what the documents say', async () => {
    // A decided owners' vote and a joint session, for the flow to read.
    const sim = new Simulator(store, new Random(7));
    await sim.registerCommunity('c1');
    await sim.ownersDecision('c1', 'lift', 12, true);
    await sim.jointSession('c1', 'parking', 's1');
    const target = sim.last!.checkpoint;
    for (const p of projectors) expect(await p.waitFor(target, 30_000)).toBe(true);

    const apps = {
      command: commandApp({ store, verify: auth.verify, projectionUrl: ORIGINS.projection }),
      projection: projectionApp({ db, store, verify: auth.verify, projectors, treeBuilder }),
    };
    const recorded = (service: Exchange['service']) => async (request: Request) => {
      const response = await apps[service].fetch(request);
      const contentType = response.headers.get('content-type') ?? '';
      const text = await response.clone().text();
      exchanges.push({
        service,
        method: request.method.toLowerCase(),
        path: new URL(request.url).pathname,
        status: response.status,
        contentType: contentType.split(';')[0]!,
        body: /json/.test(contentType) ? JSON.parse(text) : text,
      });
      return response;
    };
    const api = {
      command: createClient({ baseUrl: ORIGINS.command, fetch: recorded('command') }),
      query: createClient({ baseUrl: ORIGINS.projection, fetch: recorded('projection') }),
    };
    const tokens = {
      admin: await auth.token({ personId: 'a1', role: 'admin', communities: ['c1', 'c2'] }),
      resident: await auth.token({ personId: 'r1', role: 'resident', communities: ['c2'] }),
    };
    // Imported by its path: the repository's typecheck must not reach the generated types.
    const { flow } = (await import(join(clientDir, 'flow.ts'))) as {
      flow: (...args: unknown[]) => Promise<FlowResult>;
    };
    const result = await flow(api, tokens, {
      communityId: 'c1',
      proposalId: 'lift',
      sessionId: 's1',
    });

    expect(result).toMatchObject({
      title: '加装电梯',
      duplicate: true,
      allowedRoles: ['convener'],
      missingCode: 'position-not-found',
      decided: { rule: 'owners-decision-278', outcome: 'adopted' },
      sessionOutcome: expect.any(String),
    });
    expect(result.position).toMatch(/^\d+:\d+$/);
    expect(result.decided.yesArea).toBeGreaterThan(0);
    expect(result.decided.totalArea).toBeGreaterThanOrEqual(result.decided.yesArea);
    expect(result.dossierStreams).toBeGreaterThan(0);
    // Location names where the proposal is served: the query service answers it there.
    expect(result.location).toBe(`${ORIGINS.projection}/v1/communities/c2/proposals/p1`);
    const served = await apps.projection.request(
      `${result.location}?minPosition=${result.position}`,
      { headers: { authorization: `Bearer ${tokens.resident}` } },
    );
    expect(served.status).toBe(200);

    const statuses = new Set<number>();
    for (const exchange of exchanges) {
      const where = `${exchange.method} ${exchange.path} → ${exchange.status}`;
      const { operation } = operationOf(exchange.service, exchange.method, exchange.path);
      const response = operation.responses[String(exchange.status)];
      expect(response, `${where} is documented`).toBeDefined();
      const media = response!.content?.[exchange.contentType];
      expect(media, `${where}: ${exchange.contentType} is documented`).toBeDefined();
      const parsed = validatorOf(exchange.service, media!.schema).safeParse(exchange.body);
      expect(parsed.error?.issues ?? [], `${where}: ${JSON.stringify(exchange.body)}`).toEqual([]);
      statuses.add(exchange.status);
    }
    // Successes and refusals both went through the check.
    expect([...statuses].sort()).toEqual([200, 201, 403, 404]);
    expect(formatCheckpoint(target)).toMatch(/:/);
  }, 180_000);
});
