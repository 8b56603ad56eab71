import { type Login, roleName, SERVICES, type Service } from '@yishi/local-postgres';
import pg from 'pg';

export { roleName, SERVICES, type Service };

// Least privilege (issue 25): the owner (the role of DATABASE_URL; the embedded server's
// superuser) owns every table and runs the migrations; each service connects as a role of its
// own that may do exactly what its code does, and none may alter a table or a trigger.

/** A value for each service. */
export function perService<T>(of: (service: Service) => T): Record<Service, T> {
  return Object.fromEntries(SERVICES.map((s) => [s, of(s)])) as Record<Service, T>;
}

/** `url` with another login (the host, database and parameters kept). */
export function urlWithLogin(url: string, login: Login): string {
  const u = new URL(url);
  u.username = encodeURIComponent(login.user);
  u.password = encodeURIComponent(login.password);
  return u.toString();
}

/** A privilege on an object, as GRANT writes them: `['SELECT, INSERT', 'TABLE es_events']`. */
type Grant = readonly [privileges: string, object: string];

const READ_EVENTS: Grant[] = [
  ['SELECT', 'TABLE es_schema'],
  ['SELECT', 'TABLE es_events'],
];

/**
 * What each service's code does, and nothing more. Appends are plain INSERTs on es_events (one
 * event) or es_append (several; it runs as its caller, so it needs the same INSERT); the
 * append-only trigger refuses UPDATE, DELETE and TRUNCATE even to the owner, and no service role
 * owns a table, so none can disable the trigger or alter a table.
 */
export const GRANTS: Record<Service, readonly Grant[]> = {
  command: [
    ...READ_EVENTS,
    ['INSERT', 'TABLE es_events'],
    ['EXECUTE', 'FUNCTION es_append(text, bigint, json, boolean)'],
    // Each person's data key: created, destroyed on erasure (crypto-shredding).
    ['SELECT, INSERT, UPDATE', 'TABLE pii_keys'],
    // Attachments' bytes, stored before their upload is recorded (never changed after).
    ['SELECT, INSERT', 'TABLE attachment_blobs'],
  ],
  projection: [
    ...READ_EVENTS,
    ['SELECT', 'TABLE pii_keys'],
    ['SELECT, INSERT', 'TABLE pii_access_log'],
    // Attachments' bytes: served, previewed and verified.
    ['SELECT', 'TABLE attachment_blobs'],
    // Its read models: a schema per generation, which it creates and owns (CREATE on the
    // database); these control tables say which generation serves and where each stands.
    ['SELECT', 'TABLE rm_migrations'],
    ['SELECT', 'TABLE rm_migrations_lock'],
    ['SELECT, INSERT, UPDATE', 'TABLE projection_generations'],
    ['SELECT, INSERT, UPDATE, DELETE', 'TABLE projection_checkpoints'],
    // Sign-in's lookup by phone number, kept from the registry's sealed numbers.
    ['SELECT, INSERT, UPDATE, DELETE', 'TABLE phone_index'],
    ['SELECT, INSERT, UPDATE', 'TABLE phone_index_watermark'],
    // The notifications' outbox.
    ['SELECT, INSERT, UPDATE', 'TABLE notification_deliveries'],
    ['SELECT, INSERT', 'TABLE notification_attempts'],
    ['USAGE', 'SEQUENCE notification_attempts_id_seq'],
    // The transparency log: appended to; only the tree's one row is updated.
    ['SELECT, INSERT', 'TABLE transparency_leaves'],
    ['SELECT, INSERT', 'TABLE transparency_nodes'],
    ['SELECT, INSERT, UPDATE', 'TABLE transparency_tree'],
    ['SELECT, INSERT', 'TABLE transparency_checkpoints'],
    ['SELECT, INSERT', 'TABLE transparency_keys'],
  ],
  // The console: its sign-in's tables (sessions, codes, phone numbers), nothing of the events.
  web: [
    ['SELECT', 'TABLE identity.kysely_migration'],
    ['SELECT', 'TABLE identity.kysely_migration_lock'],
    ['SELECT, INSERT, UPDATE, DELETE', 'TABLE identity.otp_codes'],
    ['USAGE', 'SEQUENCE identity.otp_codes_id_seq'],
    ['SELECT, INSERT, UPDATE, DELETE', 'TABLE identity.rate_limits'],
    ['SELECT, INSERT, UPDATE, DELETE', 'TABLE identity.sessions'],
    ['SELECT, INSERT, UPDATE, DELETE', 'TABLE identity.bootstrap_codes'],
    ['SELECT, INSERT, UPDATE, DELETE', 'TABLE identity.phone_numbers'],
  ],
};

/** Tables only the owner touches: the master key's rotation (`pnpm rotate-pii-key`). */
export const OWNER_ONLY = ['pii_key_rotations'] as const;

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates the services' login roles, or sets their passwords (run by a role that may create
 * roles: the embedded superuser, or an external DATABASE_URL's owner with CREATEROLE).
 */
export async function createServiceRoles(
  adminUrl: string,
  logins: Record<Service, Login>,
): Promise<void> {
  await withClient(adminUrl, async (client) => {
    for (const service of SERVICES) {
      const { user, password } = logins[service];
      const role = client.escapeIdentifier(user);
      const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [user]);
      if (rowCount === 0) await client.query(`CREATE ROLE ${role}`);
      await client.query(
        `ALTER ROLE ${role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION
           NOBYPASSRLS PASSWORD ${client.escapeLiteral(password)}`,
      );
    }
  });
}

/**
 * Grants each existing service role its privileges on the database of `ownerUrl`, after the
 * migrations (a new table needs its grant: `GRANTS`). Objects the database does not hold (the
 * events in a database of their own) are skipped. Idempotent.
 */
export async function grantServiceRoles(ownerUrl: string, prefix = 'yishi'): Promise<string[]> {
  return withClient(ownerUrl, async (client) => {
    const granted: string[] = [];
    const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
    const database = client.escapeIdentifier(rows[0]!.db);
    await client.query('BEGIN');
    // Only the command service runs es_append (functions are executable by everyone by default).
    if (await exists(client, 'FUNCTION es_append(text, bigint, json, boolean)')) {
      await client.query(
        'REVOKE EXECUTE ON FUNCTION es_append(text, bigint, json, boolean) FROM PUBLIC',
      );
    }
    for (const service of SERVICES) {
      const name = roleName(service, prefix);
      const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
      if (rowCount === 0) continue;
      const role = client.escapeIdentifier(name);
      await client.query(`GRANT CONNECT ON DATABASE ${database} TO ${role}`);
      const schema = service === 'web' ? 'identity' : 'public';
      if (await exists(client, `SCHEMA ${schema}`)) {
        await client.query(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
      }
      if (service === 'projection') {
        await client.query(`GRANT CREATE ON DATABASE ${database} TO ${role}`);
        await ownGenerations(client, name);
      }
      for (const [privileges, object] of GRANTS[service]) {
        if (await exists(client, object)) {
          await client.query(`GRANT ${privileges} ON ${object} TO ${role}`);
        }
      }
      granted.push(name);
    }
    await client.query('COMMIT');
    return granted;
  });
}

/** Whether `TABLE x`, `SEQUENCE x`, `FUNCTION f(args)` or `SCHEMA x` exists here. */
async function exists(client: pg.Client, object: string): Promise<boolean> {
  const [kind, ...rest] = object.split(' ');
  const name = rest.join(' ');
  const lookup =
    kind === 'FUNCTION'
      ? 'SELECT to_regprocedure($1) IS NOT NULL AS found'
      : kind === 'SCHEMA'
        ? 'SELECT to_regnamespace($1) IS NOT NULL AS found'
        : 'SELECT to_regclass($1) IS NOT NULL AS found';
  const { rows } = await client.query<{ found: boolean }>(lookup, [name]);
  return rows[0]!.found;
}

/**
 * Read-model generations built before the roles existed (by the owner) become the projection
 * role's: it migrates, indexes and drops them. New ones are its own from the start.
 */
async function ownGenerations(client: pg.Client, role: string): Promise<void> {
  await client.query(
    `DO $own$
     DECLARE r record;
     BEGIN
       FOR r IN SELECT n.nspname AS schema FROM pg_namespace n
                 WHERE n.nspname ~ '^rm_[a-z0-9_]+_g[0-9]+$' AND n.nspowner <> $r$${role}$r$::regrole
       LOOP
         EXECUTE format('ALTER SCHEMA %I OWNER TO %I', r.schema, $r$${role}$r$);
       END LOOP;
       FOR r IN SELECT n.nspname AS schema, c.relname AS name FROM pg_class c
                  JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname ~ '^rm_[a-z0-9_]+_g[0-9]+$' AND c.relkind IN ('r', 'p')
                   AND c.relowner <> $r$${role}$r$::regrole
       LOOP
         EXECUTE format('ALTER TABLE %I.%I OWNER TO %I', r.schema, r.name, $r$${role}$r$);
       END LOOP;
       FOR r IN SELECT n.nspname AS schema, s.stxname AS name FROM pg_statistic_ext s
                  JOIN pg_namespace n ON n.oid = s.stxnamespace
                 WHERE n.nspname ~ '^rm_[a-z0-9_]+_g[0-9]+$' AND s.stxowner <> $r$${role}$r$::regrole
       LOOP
         EXECUTE format('ALTER STATISTICS %I.%I OWNER TO %I', r.schema, r.name, $r$${role}$r$);
       END LOOP;
     END $own$`,
  );
}
