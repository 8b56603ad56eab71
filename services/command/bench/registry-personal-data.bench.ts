// What sealing personal fields costs the registry: four imports of 2,500 units with two owners
// each (20,000 persons, 7,500 events per import), then folds of the whole registry stream, warm
// (data keys cached) and cold (a new vault: every key read and unwrapped). CPU of this process
// (the service's work; PostgreSQL's is not counted) and wall time, medians.
// Run: pnpm --filter @yishi/command exec tsx bench/registry-personal-data.bench.ts
// BENCH_IDEMPOTENT=1: each import sends an Idempotency-Key (its digest blinds every name).
// Compare by paired runs with a build before sealing (docs/benchmarks.md, 2026-12-07).
import '@hono/zod-openapi';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresEventStore } from '@yishi/event-store';
import { ensureDatabase, freePort, startLocalPostgres } from '@yishi/local-postgres';
import { generateMasterKey, openPersonalData, PostgresKeyStore, Vault } from '@yishi/personal-data';
import { testAuth } from '@yishi/platform';
import { createApp } from '../src/app.ts';
import { readRegistry } from '../src/context.ts';
import { StateReader } from '../src/state-reader.ts';

const IMPORTS = 4;
const UNITS = 2_500;
const FOLDS = 5;
const IDEMPOTENT = process.env.BENCH_IDEMPOTENT === '1';

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed(work: () => Promise<unknown>): Promise<{ ms: number; cpu: number }> {
  const wall = performance.now();
  const cpu = cpuMs();
  await work();
  return { ms: performance.now() - wall, cpu: cpuMs() - cpu };
}

const dir = await mkdtemp(join(tmpdir(), 'pii-bench-'));
const pg = await startLocalPostgres({
  dataDir: join(dir, 'pg'),
  port: await freePort(),
  ephemeral: true,
  stopOnSignals: true,
});
try {
  const url = await ensureDatabase(pg.adminUrl, 'bench');
  const store = new PostgresEventStore({ connectionString: url });
  await store.init();
  const master = generateMasterKey();
  const data = await openPersonalData({ databaseUrl: url, masterKey: master });
  const auth = testAuth();
  const app = createApp({ store, verify: auth.verify, personalData: data.vault });
  const token = await auth.token({ personId: 'adm', role: 'admin', communities: ['*'] });
  const send = (method: string, path: string, body: unknown, key?: string) =>
    app.request(path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...(key ? { 'idempotency-key': key } : {}),
      },
      body: JSON.stringify(body),
    });
  await send('PUT', '/v1/communities/c1', { name: '测试社区', kind: 'urban' });
  const imports: { ms: number; cpu: number }[] = [];
  for (let part = 0; part < IMPORTS; part++) {
    const units = Array.from({ length: UNITS }, (_, i) => {
      const n = part * UNITS + i;
      return {
        row: i + 2,
        unitId: `U${n}`,
        building: `${Math.floor(n / 100)}号楼`,
        kind: 'home',
        areas: { registryCentiM2: 8_000 + (n % 1_000) },
        developerUnsold: false,
        owners: [
          { personId: `A${n}`, name: `业主甲${n}` },
          { personId: `B${n}`, name: `业主乙${n}` },
        ],
      };
    });
    imports.push(
      await timed(async () => {
        const res = await send(
          'POST',
          '/v1/communities/c1/registry/import',
          { documentRef: `名册${part}.xlsx`, units },
          IDEMPOTENT ? `import-${part}` : undefined,
        );
        if (res.status !== 201) throw new Error(`import: ${res.status} ${await res.text()}`);
      }),
    );
  }
  const fold = (vault: Vault) => () => readRegistry(new StateReader(store, undefined, vault), 'c1');
  const warm: { ms: number; cpu: number }[] = [];
  const cold: { ms: number; cpu: number }[] = [];
  for (let run = 0; run < FOLDS; run++) {
    warm.push(await timed(fold(data.vault)));
    cold.push(await timed(fold(new Vault(new PostgresKeyStore(data.pool!), master))));
  }
  const line = (what: string, xs: { ms: number; cpu: number }[]) =>
    console.log(
      `${what.padEnd(34)} CPU ${median(xs.map((x) => x.cpu)).toFixed(0)} ms, wall ${median(xs.map((x) => x.ms)).toFixed(0)} ms (median of ${xs.length})`,
    );
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  line(`import ${UNITS} units, ${UNITS * 2} persons${IDEMPOTENT ? ', keyed' : ''}`, imports);
  line(`fold ${IMPORTS * UNITS * 2} persons, warm`, warm);
  line(`fold ${IMPORTS * UNITS * 2} persons, cold`, cold);
  await store.close();
  await data.close();
} finally {
  await pg.stop();
  await rm(dir, { recursive: true, force: true });
}
