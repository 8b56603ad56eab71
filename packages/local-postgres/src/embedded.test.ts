import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { alive, startLocalPostgres } from './embedded.ts';
import { freePort } from './free-port.ts';
import { LEGACY_PASSWORD, passwordsFile } from './logins.ts';
import { testDatabaseUrl } from './testing.ts';

async function connects(connectionString: string): Promise<string | null | undefined> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ addr: string | null }>(
      'SELECT inet_server_addr()::text AS addr',
    );
    return rows[0]?.addr;
  } finally {
    await client.end();
  }
}

describe('the embedded server', () => {
  it('is reached through its Unix-domain socket only: no TCP port', async () => {
    const url = await testDatabaseUrl();
    // No server address: the connection is not TCP.
    expect(await connects(url)).toBeNull();
    const tcp = new URL(url);
    tcp.hostname = '127.0.0.1';
    tcp.search = '';
    await expect(connects(tcp.toString())).rejects.toThrow(/ECONNREFUSED/);
  });

  it('generates its superuser password into a private file, and replaces the legacy one', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'yishi-pw-'));
    const dataDir = join(parent, 'data');
    const port = await freePort();
    try {
      let server = await startLocalPostgres({ dataDir, port, unsafeFast: true });
      const file = passwordsFile(dataDir);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const password = new URL(server.adminUrl).password;
      expect(password).toMatch(/^[0-9a-f]{48}$/);
      expect(await connects(server.adminUrl)).toBeNull();
      const legacy = new URL(server.adminUrl);
      legacy.password = LEGACY_PASSWORD;
      await expect(connects(legacy.toString())).rejects.toThrow(/password authentication failed/);
      // A data directory of before: its superuser still has the legacy password.
      const admin = new pg.Client({ connectionString: server.adminUrl });
      await admin.connect();
      await admin.query(`ALTER ROLE postgres PASSWORD '${LEGACY_PASSWORD}'`);
      await admin.end();
      await server.stop();
      await rm(file);
      server = await startLocalPostgres({ dataDir, port, unsafeFast: true });
      expect(existsSync(file)).toBe(true);
      expect(new URL(server.adminUrl).password).not.toBe(password);
      expect(await connects(server.adminUrl)).toBeNull();
      await expect(connects(legacy.toString())).rejects.toThrow(/password authentication failed/);
      await server.stop();
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });

  it('with stopOnSignals, stops with the script that started it on SIGTERM', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'yishi-signal-'));
    const dataDir = join(parent, 'data');
    const port = await freePort();
    // A script that starts a server and waits, as a benchmark does, then is sent SIGTERM.
    const script = [
      `import { startLocalPostgres } from ${JSON.stringify(join(import.meta.dirname, 'embedded.ts'))};`,
      `await startLocalPostgres({ dataDir: ${JSON.stringify(dataDir)}, port: ${port}, unsafeFast: true, stopOnSignals: true });`,
      `console.log('started');`,
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      await new Promise<void>((started, failed) => {
        child.stdout.on('data', (d: Buffer) => d.toString().includes('started') && started());
        child.once('exit', (code) => failed(new Error(`the script exited (${code})`)));
      });
      const postmaster = Number(
        readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0],
      );
      expect(alive(postmaster)).toBe(true);
      const exited = new Promise<NodeJS.Signals | null>((done) =>
        child.once('exit', (_code, signal) => done(signal)),
      );
      child.kill('SIGTERM');
      // Ended by the signal, as without a listener, and only once its server had stopped.
      expect(await exited).toBe('SIGTERM');
      expect(alive(postmaster)).toBe(false);
    } finally {
      child.kill('SIGKILL');
      await rm(parent, { recursive: true, force: true });
    }
  });
});
