import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCommandService } from '@yishi/command';
import { PostgresEventStore } from '@yishi/event-store';
import { freePort, type Login } from '@yishi/local-postgres';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { loadConfig, type RunningService, silentLogger } from '@yishi/platform';
import { startProjectionService } from '@yishi/projection';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../services/projection/src/testing/random.ts';
import { Simulator } from '../../services/projection/src/testing/simulate.ts';
import { startWebService } from '../../services/web/src/index.ts';
import { migrateDatabase } from './migrate.ts';
import {
  createServiceRoles,
  GRANTS,
  grantServiceRoles,
  OWNER_ONLY,
  perService,
  roleName,
  urlWithLogin,
} from './roles.ts';

// The roles of issue 25, for real: the services connect as their roles and do their work; what
// an insider with a service's password would try is refused by PostgreSQL.

// Roles belong to the server, shared by the test run: this file's are its own.
const prefix = `t${randomBytes(4).toString('hex')}`;
let ownerUrl: string;
let urls: Record<'command' | 'projection' | 'web', string>;
const opened: { end(): Promise<void> }[] = [];

beforeAll(async () => {
  ownerUrl = await testDatabaseUrl();
  const logins = perService<Login>((service) => ({
    user: roleName(service, prefix),
    password: randomBytes(24).toString('hex'),
  }));
  await createServiceRoles(ownerUrl, logins);
  const granted = await migrateDatabase(ownerUrl, { rolePrefix: prefix });
  expect(granted).toEqual([`${prefix}_command`, `${prefix}_projection`, `${prefix}_web`]);
  urls = perService((service) => urlWithLogin(ownerUrl, logins[service]));
});
afterAll(async () => {
  for (const client of opened) await client.end();
});

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  opened.push(client);
  return client;
}

/** The error PostgreSQL gives for `statement`, or undefined when it runs. */
async function refusal(client: pg.Client, statement: string): Promise<string | undefined> {
  try {
    await client.query(statement);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('the service roles', () => {
  it('cover every table the migrations make', async () => {
    const owner = await connect(ownerUrl);
    const { rows } = await owner.query<{ name: string }>(
      `SELECT CASE WHEN schemaname = 'public' THEN tablename ELSE schemaname || '.' || tablename END AS name
         FROM pg_tables WHERE schemaname IN ('public', 'identity')`,
    );
    const granted = new Set(
      Object.values(GRANTS)
        .flat()
        .map(([, object]) => object.replace(/^TABLE /, '')),
    );
    const ungranted = rows
      .map((r) => r.name)
      .filter((t) => !granted.has(t) && !(OWNER_ONLY as readonly string[]).includes(t));
    expect(ungranted).toEqual([]);
  });

  it('append and project as their roles: the command role appends, the projection role builds its read models and the log', async () => {
    // The command service's three ways to append: one event at an exact version, one against
    // the stream's head, several (es_append).
    const store = new PostgresEventStore({ connectionString: urls.command });
    opened.push({ end: () => store.close() });
    const sim = new Simulator(store, new Random(25));
    await sim.registerCommunity('c1');
    await sim.ownersDecision('c1', 'lift', 8, true);
    const event = { type: 'Noted', data: { n: 1 }, metadata: {} };
    await store.append('test-c1.x', [event], { expected: 'any' });
    await store.append('test-c1.x', [event, event], { expected: 1 });
    const { rows } = await store.pool.query<{ n: string }>('SELECT count(*) AS n FROM es_events');
    const events = Number(rows[0]!.n);

    // The projection service as a whole: its migrations (current: nothing to do), the first
    // generation of every read model (schemas it creates and owns), the outbox, the tree and
    // its checkpoints.
    const dataDir = await mkdtemp(join(tmpdir(), 'yishi-roles-'));
    const config = loadConfig({
      DATA_DIR: dataDir,
      PROJECTION_PORT: String(await freePort()),
      COMMAND_PORT: String(await freePort()),
      SCHEDULER_INTERVAL_SECONDS: '0',
      WEB_PORT: String(await freePort()),
      JWT_SECRET: 'roles-test-secret-roles-test-secret-roles',
      CHECKPOINT_INTERVAL_SECONDS: '1',
    });
    const projection: RunningService = await startProjectionService(
      config,
      urls.projection,
      silentLogger,
    );
    opened.push({ end: () => projection.close() });
    const reader = await connect(urls.projection);
    await expect
      .poll(
        async () =>
          Number(
            (await reader.query('SELECT max(tree_size) AS n FROM transparency_checkpoints')).rows[0]
              .n,
          ),
        { timeout: 30_000 },
      )
      .toBe(events);
    // Every read model caught up, in a generation schema the projection role owns.
    await expect
      .poll(
        async () =>
          (
            await reader.query(
              `SELECT c.projection FROM projection_checkpoints c
                 JOIN projection_generations g USING (schema_name)
                WHERE g.status = 'active' AND c.global_position < (SELECT max(global_position) FROM es_events)`,
            )
          ).rows,
        { timeout: 30_000 },
      )
      .toEqual([]);
    const { rows: owners } = await reader.query(
      `SELECT DISTINCT pg_get_userbyid(n.nspowner) AS owner FROM projection_generations g
         JOIN pg_namespace n ON n.nspname = g.schema_name WHERE g.status = 'active'`,
    );
    expect(owners).toEqual([{ owner: `${prefix}_projection` }]);
    const health = await fetch(`http://127.0.0.1:${config.PROJECTION_PORT}/healthz`);
    expect(health.ok).toBe(true);

    // The command service's own start (its store's and the personal data's migrations: current).
    const commandService = await startCommandService(config, urls.command, silentLogger);
    opened.push({ end: () => commandService.close() });
    expect((await fetch(`${commandService.url}/healthz`)).ok).toBe(true);

    // The console: its sign-in's tables (a first administrator's code is written at start).
    const web = await startWebService(config, silentLogger, { databaseUrl: urls.web });
    opened.push({ end: () => web.close() });
    expect(web.bootstrapCode).toMatch(/\S/);
  });

  it('hands the read models built before the roles to the projection role', async () => {
    const owner = await connect(ownerUrl);
    await owner.query(`CREATE SCHEMA rm_old_g1;
      CREATE TABLE rm_old_g1.rows (id bigserial PRIMARY KEY, a int, b int);
      CREATE STATISTICS rm_old_g1.rows_ab (dependencies) ON a, b FROM rm_old_g1.rows`);
    await grantServiceRoles(ownerUrl, prefix);
    const { rows } = await owner.query<{ kind: string; owner: string }>(
      `SELECT 'schema' AS kind, pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = 'rm_old_g1'
       UNION ALL SELECT c.relkind::text, pg_get_userbyid(c.relowner) FROM pg_class c
         WHERE c.relnamespace = 'rm_old_g1'::regnamespace
       UNION ALL SELECT 'statistics', pg_get_userbyid(stxowner) FROM pg_statistic_ext
         WHERE stxnamespace = 'rm_old_g1'::regnamespace`,
    );
    expect(rows.map((r) => r.kind).sort()).toEqual(['S', 'i', 'r', 'schema', 'statistics']);
    expect(new Set(rows.map((r) => r.owner))).toEqual(new Set([`${prefix}_projection`]));
    const projection = await connect(urls.projection);
    await projection.query('DROP SCHEMA rm_old_g1 CASCADE');
  });

  it('cannot disable triggers, update events or alter tables', async () => {
    const command = await connect(urls.command);
    const projection = await connect(urls.projection);
    const web = await connect(urls.web);
    for (const client of [command, projection]) {
      expect(await refusal(client, "UPDATE es_events SET data = '{}'")).toMatch(
        /permission denied for table es_events/,
      );
      expect(await refusal(client, 'DELETE FROM es_events')).toMatch(/permission denied/);
      expect(await refusal(client, 'TRUNCATE es_events')).toMatch(/permission denied/);
      expect(
        await refusal(client, 'ALTER TABLE es_events DISABLE TRIGGER es_events_append_only'),
      ).toMatch(/must be owner of table es_events/);
      expect(await refusal(client, 'DROP TRIGGER es_events_append_only ON es_events')).toMatch(
        /must be owner of/,
      );
      expect(await refusal(client, 'ALTER TABLE es_events ADD COLUMN x int')).toMatch(
        /must be owner of table es_events/,
      );
      expect(
        await refusal(
          client,
          'CREATE OR REPLACE FUNCTION es_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$',
        ),
      ).toMatch(/permission denied for schema public/);
      expect(await refusal(client, 'CREATE TABLE public.mine (x int)')).toMatch(
        /permission denied for schema public/,
      );
      expect(await refusal(client, 'UPDATE transparency_checkpoints SET note = note')).toMatch(
        /permission denied/,
      );
      expect(await refusal(client, 'DELETE FROM transparency_leaves')).toMatch(/permission denied/);
    }
    // Only the command service appends, and reads; the console sees no event.
    expect(
      await refusal(
        projection,
        `INSERT INTO es_events (stream_id, stream_version, type, schema_version, data, metadata, prev_hash, hash)
         VALUES ('x-c1.y', 1, 'T', 1, '{}', '{}', 'a', 'b')`,
      ),
    ).toMatch(/permission denied/);
    expect(await refusal(projection, "SELECT es_append('x', -1, '[]', false)")).toMatch(
      /permission denied for function es_append/,
    );
    expect(await refusal(web, 'SELECT 1 FROM es_events LIMIT 1')).toMatch(/permission denied/);
    expect(await refusal(command, 'SELECT 1 FROM transparency_tree')).toMatch(/permission denied/);
    // Even the owner cannot change an event without disabling the trigger first.
    const owner = await connect(ownerUrl);
    expect(await refusal(owner, 'UPDATE es_events SET data = data')).toMatch(/append-only/);
  });
});
