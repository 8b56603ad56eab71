import { randomBytes } from 'node:crypto';
import { openEventStore, PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { loadConfig, serviceDatabaseUrl, serviceEventsDatabaseUrl } from '@yishi/platform';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUpRoles } from './setup-roles.ts';

// `pnpm db:setup-roles` with the events in a database of their own (EVENTS_DATABASE_URL): the
// services must reach the events as their roles there too, not as the events' owner.

const prefix = `t${randomBytes(4).toString('hex')}`;
let ownerUrl: string;
let eventsOwnerUrl: string;
let printed: Record<string, string>;
const opened: { end(): Promise<void> }[] = [];

beforeAll(async () => {
  ownerUrl = await testDatabaseUrl();
  eventsOwnerUrl = await testDatabaseUrl();
  printed = await setUpRoles(ownerUrl, { eventsOwnerUrl, rolePrefix: prefix });
});
afterAll(async () => {
  for (const client of opened) await client.end();
});

async function whoAndWhere(url: string): Promise<{ user: string; db: string; client: pg.Client }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  opened.push(client);
  const { rows } = await client.query<{ user: string; db: string }>(
    'SELECT current_user AS user, current_database() AS db',
  );
  return { ...rows[0]!, client };
}

const databaseOf = (url: string) => new URL(url).pathname.slice(1);

describe('setting up the roles with the events apart', () => {
  it("gives each service its role's URL on the events' database", async () => {
    expect(Object.keys(printed).sort()).toEqual([
      'COMMAND_DATABASE_URL',
      'COMMAND_EVENTS_DATABASE_URL',
      'PROJECTION_DATABASE_URL',
      'PROJECTION_EVENTS_DATABASE_URL',
      'WEB_DATABASE_URL',
    ]);
    for (const [name, service] of [
      ['COMMAND_EVENTS_DATABASE_URL', 'command'],
      ['PROJECTION_EVENTS_DATABASE_URL', 'projection'],
    ] as const) {
      const { user, db } = await whoAndWhere(printed[name]!);
      expect(user).toBe(`${prefix}_${service}`);
      expect(db).toBe(databaseOf(eventsOwnerUrl));
    }
  });

  it('makes the services open the events as their roles, from the variables printed', async () => {
    const config = loadConfig({
      DATABASE_URL: ownerUrl,
      EVENTS_DATABASE_URL: eventsOwnerUrl,
      ...printed,
    });
    for (const service of ['command', 'projection'] as const) {
      // As the services' main.ts open their store.
      const store = (await openEventStore({
        databaseUrl: serviceDatabaseUrl(config, service)!,
        eventsDatabaseUrl: serviceEventsDatabaseUrl(config, service),
      })) as PostgresEventStore;
      try {
        const { rows } = await store.pool.query<{ user: string; db: string }>(
          'SELECT current_user AS user, current_database() AS db',
        );
        expect(rows[0]).toEqual({ user: `${prefix}_${service}`, db: databaseOf(eventsOwnerUrl) });
      } finally {
        await store.close();
      }
    }
    // Without them, the events' owner (as before the roles).
    expect(
      serviceEventsDatabaseUrl(
        loadConfig({ DATABASE_URL: ownerUrl, EVENTS_DATABASE_URL: eventsOwnerUrl }),
        'command',
      ),
    ).toBe(eventsOwnerUrl);
  });

  it("lets the command role append there and neither role alter the events' table", async () => {
    const store = new PostgresEventStore({
      connectionString: printed.COMMAND_EVENTS_DATABASE_URL!,
    });
    try {
      await store.append(
        'proposal-roles.1',
        [{ type: 'Noted', data: {}, metadata: { commandId: 'c1' } }],
        {
          expected: 'noStream',
        },
      );
      expect(await store.readStream('proposal-roles.1')).toHaveLength(1);
    } finally {
      await store.close();
    }
    const projection = (await whoAndWhere(printed.PROJECTION_EVENTS_DATABASE_URL!)).client;
    expect((await projection.query('SELECT count(*)::int AS n FROM es_events')).rows[0]).toEqual({
      n: 1,
    });
    for (const url of [
      printed.COMMAND_EVENTS_DATABASE_URL!,
      printed.PROJECTION_EVENTS_DATABASE_URL!,
    ]) {
      const { client } = await whoAndWhere(url);
      await expect(
        client.query('ALTER TABLE es_events DISABLE TRIGGER es_events_append_only'),
      ).rejects.toThrow(/must be owner of table es_events/);
      await expect(client.query("UPDATE es_events SET data = '{}'")).rejects.toThrow(
        /permission denied/,
      );
    }
    await expect(
      projection.query(
        `INSERT INTO es_events (stream_id, stream_version, type, schema_version, data, metadata, prev_hash, hash)
         VALUES ('x-c1.y', 1, 'T', 1, '{}', '{}', 'a', 'b')`,
      ),
    ).rejects.toThrow(/permission denied/);
  });
});
