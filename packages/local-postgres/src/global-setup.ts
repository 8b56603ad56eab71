import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalPostgres } from './embedded.ts';
import { freePort } from './free-port.ts';

/** Vitest global setup: one PostgreSQL server for the whole test run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const parent = await mkdtemp(join(tmpdir(), 'yishi-pg-'));
  const server = await startLocalPostgres({
    dataDir: join(parent, 'data'),
    port: await freePort(),
    ephemeral: true,
    unsafeFast: true,
  });
  project.provide('pgAdminUrl', server.adminUrl);
  return async () => {
    await server.stop();
    await rm(parent, { recursive: true, force: true });
  };
}
