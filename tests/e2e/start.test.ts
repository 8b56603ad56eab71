import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, localLogin, localPostgresUrl } from '@yishi/local-postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `pnpm start` as a new user runs it: a process with its own embedded PostgreSQL, driven over
// HTTP, then stopped as Ctrl-C in a terminal stops it (SIGINT to the whole process group),
// services first and PostgreSQL last, leaving nothing behind.

const root = resolve(import.meta.dirname, '../..');
let child: ChildProcess;
let dataDir: string;
let output = '';
const ports = { command: 0, projection: 0, web: 0, pg: 0 };
const secret = 'e2e-secret-e2e-secret-e2e-secret-e2e';

async function token(role: 'admin' | 'resident' = 'admin'): Promise<string> {
  const { issueToken } = await import('@yishi/platform');
  return issueToken(
    { issuer: 'yishi', audience: 'yishi', secret: new TextEncoder().encode(secret) },
    { personId: role === 'admin' ? 'admin-1' : 'r1', role, communities: ['c1'] },
  );
}

function waitFor(text: string, timeoutMs: number): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "${text}" in time:\n${output}`)),
      timeoutMs,
    );
    const check = () => {
      if (output.includes(text)) {
        clearTimeout(timer);
        resolvePromise();
      }
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before "${text}":\n${output}`));
    });
    check();
  });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'yishi-start-'));
  ports.command = await freePort();
  ports.projection = await freePort();
  ports.web = await freePort();
  ports.pg = await freePort();
  child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: '',
      DATA_DIR: dataDir,
      COMMAND_PORT: String(ports.command),
      PROJECTION_PORT: String(ports.projection),
      WEB_PORT: String(ports.web),
      EMBEDDED_PG_PORT: String(ports.pg),
      JWT_SECRET: secret,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // A process group of its own, as a terminal's foreground job has.
    detached: true,
  });
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  await waitFor('Yishi 议事 is running', 45_000);
});

afterAll(async () => {
  if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

describe('pnpm start', () => {
  it('prints the one-time code for the first administrator of a fresh installation', () => {
    expect(output).toMatch(
      /one-time code for the first administrator: [A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}/,
    );
    // Only the code itself is printed: nothing else holds it.
    expect(output.match(/[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}/g)).toHaveLength(1);
  });

  it('serves the slice: register, submit, read back, and an idempotent repeat', async () => {
    const auth = { authorization: `Bearer ${await token()}`, 'content-type': 'application/json' };
    const command = `http://127.0.0.1:${ports.command}`;
    const registered = await fetch(`${command}/v1/communities/c1`, {
      method: 'PUT',
      headers: auth,
      body: JSON.stringify({ name: '幸福里社区', kind: 'urban' }),
    });
    expect(registered.status).toBe(201);
    const body = JSON.stringify({
      proposalId: 'p1',
      title: '加装电梯',
      description: '3号楼加装电梯',
      procedure: 'community-consultation',
    });
    const headers = {
      authorization: `Bearer ${await token('resident')}`,
      'content-type': 'application/json',
      'idempotency-key': 'k1',
    };
    const first = await fetch(`${command}/v1/communities/c1/proposals`, {
      method: 'POST',
      headers,
      body,
    });
    expect(first.status).toBe(201);
    const { position } = (await first.json()) as { position: string };
    const again = await fetch(`${command}/v1/communities/c1/proposals`, {
      method: 'POST',
      headers,
      body,
    });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { position: string }).position).toBe(position);
    const read = await fetch(
      `http://127.0.0.1:${ports.projection}/v1/communities/c1/proposals/p1?minPosition=${position}`,
      { headers: auth },
    );
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ proposalId: 'p1', title: '加装电梯' });
  });

  it('runs each service as its own role, on a server with a random password and no TCP port', async () => {
    expect(output).toContain('embedded PostgreSQL, each service as its own role');
    const pgDir = join(dataDir, 'postgres');
    const admin = new pg.Client({
      connectionString: localPostgresUrl(ports.pg, 'yishi', localLogin(pgDir)),
    });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ user: string }>(
        `SELECT DISTINCT usename AS user FROM pg_stat_activity
          WHERE datname = 'yishi' AND pid <> pg_backend_pid() ORDER BY 1`,
      );
      expect(rows.map((r) => r.user)).toEqual(['yishi_command', 'yishi_projection', 'yishi_web']);
    } finally {
      await admin.end();
    }
    const tcp = new pg.Client({
      host: '127.0.0.1',
      port: ports.pg,
      user: 'postgres',
      password: 'yishi-local',
      database: 'yishi',
    });
    await expect(tcp.connect()).rejects.toThrow(/ECONNREFUSED/);
  });

  it('stops on Ctrl-C: services, then PostgreSQL, no error, no process left', async () => {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const before = output.length;
    // What a terminal does on Ctrl-C: SIGINT to every process of the foreground group.
    process.kill(-child.pid!, 'SIGINT');
    expect(await exited).toBe(0);
    const shutdown = output.slice(before);
    expect(shutdown).toContain('SIGINT: stopping…');
    expect(shutdown).toContain('stopped');
    // No service lost its database while stopping (each would log an error with a stack).
    expect(shutdown).not.toMatch(/"level":50|\n\s+at /);
    const { execFileSync } = await import('node:child_process');
    const left = execFileSync('ps', ['-eo', 'args']).toString();
    expect(left).not.toContain(dataDir);
  });
});
