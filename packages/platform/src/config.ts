import { z } from 'zod';

const Port = z.coerce.number().int().min(1).max(65535);
/** 32 random bytes in base64 (`openssl rand -base64 32`). */
const Key32 = z
  .string()
  .refine(
    (v) =>
      Buffer.from(v, 'base64').length === 32 && Buffer.from(v, 'base64').toString('base64') === v,
    'base64 of 32 bytes (openssl rand -base64 32)',
  );
const PostgresUrl = z.url({ protocol: /^postgres(ql)?$/ });

/** The longest a token may live unless JWT_MAX_LIFETIME_SECONDS says otherwise: 24 h. */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600;

/** All configuration, from the environment, parsed by one schema. */
export const ConfigSchema = z.object({
  /**
   * The database, as its owner: migrations, and the CLIs. Unset: the embedded PostgreSQL of
   * `pnpm start`, whose roles and passwords are generated into DATA_DIR.
   */
  DATABASE_URL: PostgresUrl.optional(),
  /**
   * Each service's own role (`pnpm db:setup-roles` creates them and prints these URLs): it may
   * append and read, but not alter a table or a trigger. Unset: DATABASE_URL.
   */
  COMMAND_DATABASE_URL: PostgresUrl.optional(),
  PROJECTION_DATABASE_URL: PostgresUrl.optional(),
  WEB_DATABASE_URL: PostgresUrl.optional(),
  /**
   * The events' PostgreSQL when it is not the read models' (DATABASE_URL), as its owner
   * (migrations, CLIs); unset: the same.
   */
  EVENTS_DATABASE_URL: PostgresUrl.optional(),
  /**
   * The command and projection services' own roles on EVENTS_DATABASE_URL (`pnpm
   * db:setup-roles` prints them). Unset: EVENTS_DATABASE_URL.
   */
  COMMAND_EVENTS_DATABASE_URL: PostgresUrl.optional(),
  PROJECTION_EVENTS_DATABASE_URL: PostgresUrl.optional(),
  /**
   * A streaming replica of the read models' database: queries that name no `minPosition`
   * (officials' reports, lists) read there; read-your-writes stays on DATABASE_URL.
   */
  READ_REPLICA_URL: PostgresUrl.optional(),
  EVENTSTORE_URL: z
    .string()
    .regex(/^(esdb|kurrentdb|kurrent|kdb)(\+discover)?:\/\//, 'esdb://… or kurrentdb://…')
    .optional(),
  HOST: z.string().min(1).default('127.0.0.1'),
  COMMAND_PORT: Port.default(3000),
  PROJECTION_PORT: Port.default(3001),
  WEB_PORT: Port.default(3002),
  /** Where the console reaches the services; unset: http://HOST:COMMAND_PORT (PROJECTION_PORT). */
  COMMAND_URL: z.url({ protocol: /^https?$/ }).optional(),
  PROJECTION_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** The console's form (CSRF) key derives from it; unset: from JWT_SECRET (one machine). */
  WEB_FORM_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  /** The web console's address as browsers reach it; https makes its cookies Secure. */
  WEB_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * The query (projection) service's address as API clients reach it: the command service's
   * `Location` headers point there. Unset: http://HOST:PROJECTION_PORT.
   */
  PROJECTION_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  EMBEDDED_PG_PORT: Port.default(5433),
  DATA_DIR: z.string().min(1).default('.data'),
  JWT_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  JWT_JWKS_URL: z.url().optional(),
  /**
   * The claim of an identity provider's tokens (JWT_JWKS_URL) holding the registered person's
   * id; its `sub` is the provider's own subject unless the provider sends the person id there.
   */
  JWT_PERSON_CLAIM: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_:.-]{0,99}$/)
    .default('sub'),
  JWT_ISSUER: z.string().min(1).default('yishi'),
  JWT_AUDIENCE: z.string().min(1).default('yishi'),
  /** The longest lifetime a token may have (its `exp` after `iat`); tokens without `exp` are refused. */
  JWT_MAX_LIFETIME_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 24 * 3600)
    .default(DEFAULT_MAX_TOKEN_LIFETIME_SECONDS),
  /**
   * Deployment secret from which each webhook's signing key is derived (never stored in an
   * event). Unset: derived from the JWT secret, so changing that changes the webhook keys.
   */
  WEBHOOK_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  /**
   * Webhook destinations (`host:port`, comma-separated) that may be loopback, private or
   * link-local addresses, e.g. a gateway on this machine. Every other such destination is
   * refused (SSRF).
   */
  WEBHOOK_ALLOW_PRIVATE: z
    .string()
    .transform((value, ctx) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean)
        .flatMap((entry) => {
          const destination = hostPort(entry);
          if (!destination)
            ctx.addIssue({ code: 'custom', message: `"${entry}" is not host:port` });
          return destination ? [destination] : [];
        }),
    )
    .default([]),
  /**
   * Wraps every person's data key (personal fields are sealed with those). Unset: generated
   * once into `DATA_DIR/pii-master-key`, except in production, where it is required.
   */
  PII_MASTER_KEY: Key32.optional(),
  /** `pnpm run rotate-pii-key` only: the master key to rewrap the data keys under. */
  PII_NEW_MASTER_KEY: Key32.optional(),
  /**
   * Bearer token a metrics scraper sends for `/metrics`; unset, only officials' and admins'
   * JWTs read the metrics.
   */
  METRICS_TOKEN: z.string().min(32, 'at least 32 characters').optional(),
  /** A console session ends after this many minutes without a request (idle timeout). */
  SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  /** A console session ends this many hours after sign-in, however active (absolute timeout). */
  SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(168).default(12),
  /**
   * The console is reached through a reverse proxy that appends the client's address to
   * `X-Forwarded-For`: sign-in limits per address count that address, not the proxy's.
   */
  WEB_TRUST_PROXY: z
    .enum(['0', '1', 'true', 'false'])
    .default('0')
    .transform((v) => v === '1' || v === 'true'),
  /**
   * The Ed25519 key (PKCS#8 PEM file) that signs the log's checkpoints. Unset: generated once
   * into DATA_DIR/checkpoint-key. Every key that signed is kept in DATA_DIR/checkpoint-keys.pem.
   */
  CHECKPOINT_KEY_FILE: z.string().min(1).optional(),
  /** New events are in a signed checkpoint within this many seconds. */
  CHECKPOINT_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
  /** The log's name in its checkpoints: a schema-less URL without spaces or '+'. */
  CHECKPOINT_ORIGIN: z
    .string()
    .regex(/^[^\s+]{1,200}$/, 'a name without spaces or +, e.g. yishi.example.cn/log')
    .default('yishi.local/log'),
  /** The Chromium (or Chrome) executable the projection service prints PDFs with. */
  CHROMIUM_PATH: z.string().min(1).default('/usr/bin/chromium'),
  /**
   * Seconds between the command service's scheduler runs (votes closing at their time,
   * reminders, overdue flags, regular meetings); 0: only a simulated clock's advance runs it.
   */
  SCHEDULER_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  /**
   * An S3-compatible store (S3, OSS, COS, MinIO) for attachments' bytes: endpoint, bucket and
   * keys all set, or none (then the bytes are kept in PostgreSQL, table attachment_blobs).
   */
  ATTACHMENTS_S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  ATTACHMENTS_S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name')
    .optional(),
  ATTACHMENTS_S3_REGION: z.string().min(1).max(64).default('us-east-1'),
  ATTACHMENTS_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  ATTACHMENTS_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** Demo and end-to-end tests only: a clock an admin can advance (never in production). */
  DEMO_CLOCK: z
    .enum(['0', '1', 'true', 'false'])
    .default('0')
    .transform((v) => v === '1' || v === 'true'),
  NODE_ENV: z.string().default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** json (one object a line) or pretty (for a person); default: pretty in a terminal. */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
});
export type Config = z.infer<typeof ConfigSchema>;

/**
 * `host:port` as the URL parser writes the host (lower case, IPv4 in dotted form, IPv6 in
 * brackets, compressed), so an entry matches the URLs that name the same destination.
 */
function hostPort(entry: string): string | undefined {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(entry);
  if (!match || !URL.canParse(`http://${match[1]}`)) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65_535) return undefined;
  return `${new URL(`http://${match[1]}`).hostname}:${port}`;
}

/** The database URL a service connects with: its own role's, else DATABASE_URL (the owner). */
export function serviceDatabaseUrl(
  config: Config,
  service: 'command' | 'projection' | 'web',
): string | undefined {
  const own = {
    command: config.COMMAND_DATABASE_URL,
    projection: config.PROJECTION_DATABASE_URL,
    web: config.WEB_DATABASE_URL,
  }[service];
  return own ?? config.DATABASE_URL;
}

/**
 * The events' own database as a service connects to it: its role's URL there, else
 * EVENTS_DATABASE_URL; undefined when the events are in the service's database.
 */
export function serviceEventsDatabaseUrl(
  config: Config,
  service: 'command' | 'projection',
): string | undefined {
  const own = {
    command: config.COMMAND_EVENTS_DATABASE_URL,
    projection: config.PROJECTION_EVENTS_DATABASE_URL,
  }[service];
  return own ?? config.EVENTS_DATABASE_URL;
}

/** Where API clients reach the query service: PROJECTION_PUBLIC_URL, else this host's port. */
export function projectionPublicUrl(config: Config): string {
  if (config.PROJECTION_PUBLIC_URL) return config.PROJECTION_PUBLIC_URL.replace(/\/+$/, '');
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
  return `http://${host}:${config.PROJECTION_PORT}`;
}

/** The S3 settings that go together (the region has a default). */
const S3_SETTINGS = [
  'ATTACHMENTS_S3_ENDPOINT',
  'ATTACHMENTS_S3_BUCKET',
  'ATTACHMENTS_S3_ACCESS_KEY_ID',
  'ATTACHMENTS_S3_SECRET_ACCESS_KEY',
] as const;

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; a bad value stops start-up with a message naming it. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = ConfigSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const s3 = S3_SETTINGS.filter((key) => parsed.data[key] !== undefined);
  if (s3.length > 0 && s3.length < S3_SETTINGS.length) {
    const missing = S3_SETTINGS.filter((key) => !s3.includes(key));
    throw new ConfigError([`${missing.join(', ')}: set every ATTACHMENTS_S3_* setting, or none`]);
  }
  if (parsed.data.DEMO_CLOCK && parsed.data.NODE_ENV === 'production') {
    throw new ConfigError(['DEMO_CLOCK: a simulated clock is refused when NODE_ENV=production']);
  }
  return parsed.data;
}
