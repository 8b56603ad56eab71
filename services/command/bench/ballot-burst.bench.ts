// Ballot burst over real HTTP: 10,000 owners vote on one proposal from 64 concurrent clients
// (a load generator in its own process), against a durable embedded PostgreSQL, after a warm-up
// burst of as many on another proposal. Compared with raw single-row INSERTs through pg at the
// same concurrency, in the same run, after an untimed round of as many.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresEventStore } from '@yishi/event-store';
import { ensureDatabase, freePort, startLocalPostgres } from '@yishi/local-postgres';
import { postmasterOf, serverCpuMs } from '@yishi/local-postgres/cpu';
import { closeServer, createVerifier, issueToken, listen, type Principal } from '@yishi/platform';
import pg from 'pg';
import { createApp } from '../src/app.ts';
import { machineBusyMs, othersCpu, threadCpuMs } from './cpu.ts';
import { GO, type LoadJob, type LoadResult, READY } from './load-job.ts';

// --smoke (pnpm test): the same run at a tiny size, to prove it completes and prints its
// figures; they are no measurement.
const SMOKE = process.argv.includes('--smoke');
const OWNERS = SMOKE ? 300 : Number(process.env.BENCH_OWNERS ?? 10_000);
const CONCURRENCY = SMOKE ? 8 : 64;
const secret = new TextEncoder().encode('bench-secret-bench-secret-bench-secret');
const tokenConfig = { issuer: 'yishi', audience: 'yishi', secret };

function bench(name: string, value: number, unit: string): void {
  console.log(`BENCH ${JSON.stringify({ name, value: Number(value.toFixed(3)), unit })}`);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** The server's postmaster, whose CPU (and its backends') the benchmark reports. */
async function postmasterOfServer(url: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return postmasterOf(rows[0]!.pid);
  } finally {
    await client.end();
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** A load job as the generator reads it: built before a measurement, which then holds none of it. */
const jobText = (job: LoadJob) => JSON.stringify(job);

/**
 * A load generator started and handed its job, ready to send: the process's start and the job's
 * transfer (megabytes of requests) are the bench's own work, so a measurement begins after them.
 */
async function startLoad(job: string): Promise<{ run: () => Promise<LoadResult> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'load-generator.ts')],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const out: Buffer[] = [];
  const isReady = new Promise<void>((resolve, reject) =>
    child.stdout.once('data', (d: Buffer) => {
      child.stdout.on('data', (more: Buffer) => out.push(more));
      if (d.toString('utf8') === READY) resolve();
      else reject(new Error(`load generator, instead of ${JSON.stringify(READY)}: ${d}`));
    }),
  );
  const exited = new Promise<void>((resolve, reject) =>
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`load generator exited ${code}`)),
    ),
  );
  child.stdin.write(`${job}\n`);
  await Promise.race([isReady, exited.then(() => Promise.reject(new Error('no READY')))]);
  return {
    run: async () => {
      child.stdin.end(GO);
      await exited;
      return JSON.parse(Buffer.concat(out).toString('utf8')) as LoadResult;
    },
  };
}

const runLoad = async (job: string) => (await startLoad(job)).run();

/**
 * Raw single-row INSERTs into a table of the events table's shape, `concurrency` clients: an
 * untimed round, then the timed one.
 */
interface RawInserts {
  rate: number;
  /** CPU (ms) of this process's pg client and of PostgreSQL, and the cores others used. */
  clientCpuMs: number;
  pgCpuMs: number;
  othersCores: number;
}

async function rawInsertRate(
  url: string,
  postmaster: number | undefined,
  concurrency: number,
  total: number,
): Promise<RawInserts> {
  const pool = new pg.Pool({ connectionString: url, max: concurrency });
  // pool.end() resolves before its sockets close: PostgreSQL's shutdown may still reach one.
  pool.on('error', () => {});
  await pool.query(`CREATE TABLE IF NOT EXISTS raw_events (LIKE es_events INCLUDING DEFAULTS)`);
  const data = JSON.stringify({ voterId: 'v', choices: [{ itemId: 'i1', choice: 'yes' }] });
  const meta = JSON.stringify({ commandId: 'x', actorId: 'o', actorRole: 'owner' });
  const insertAll = async () => {
    await pool.query('TRUNCATE raw_events');
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) {
          const i = next++;
          await pool.query(
            `INSERT INTO raw_events (global_position, transaction_id, stream_id, stream_version, type, schema_version, data, metadata, prev_hash, hash)
             VALUES ($1, pg_current_xact_id(), $2, $3, 'BallotCast', 1, $4, $5, $6, $6)`,
            [i + 1, `raw-${i % concurrency}`, i, data, meta, 'h'.repeat(64)],
          );
        }
      }),
    );
  };
  // An untimed round first on the same connections, as the ballots had their warm-up burst.
  await insertAll();
  const pgCpu0 = serverCpuMs(postmaster);
  const cpu0 = process.cpuUsage();
  const machine0 = machineBusyMs();
  const started = performance.now();
  await insertAll();
  const elapsedMs = performance.now() - started;
  // Measured before the pool ends: a backend's CPU is lost from view once it exits.
  const pgCpuMs = serverCpuMs(postmaster) - pgCpu0;
  const { user, system } = process.cpuUsage(cpu0);
  const clientCpuMs = (user + system) / 1000;
  const othersCores = othersCpu(machineBusyMs() - machine0, clientCpuMs + pgCpuMs, elapsedMs);
  await pool.end();
  return { rate: total / (elapsedMs / 1000), clientCpuMs, pgCpuMs, othersCores };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'yishi-bench-'));
  const server = await startLocalPostgres({
    dataDir: join(dir, 'pg'),
    port: await freePort(),
    stopOnSignals: true,
  });
  const url = await ensureDatabase(server.adminUrl, 'bench');
  const postmaster = await postmasterOfServer(url);
  const store = new PostgresEventStore({ connectionString: url, maxConnections: 16 });
  await store.init();
  let now = new Date('2026-03-01T08:00:00.000Z');
  const app = createApp({ store, verify: createVerifier(tokenConfig), clock: () => now });
  const port = await freePort();
  const http = await listen(app.fetch, '127.0.0.1', port);
  const baseUrl = `http://127.0.0.1:${port}`;
  const token = (p: Principal, lifetime?: string) => issueToken(tokenConfig, p, lifetime);
  const admin = await token({ personId: 'admin', role: 'admin', communities: ['c1'] });
  const clerk = await token({ personId: 'clerk', role: 'clerk', communities: ['c1'] });
  const convener = await token({ personId: 'convener', role: 'convener', communities: ['c1'] });

  const req = (t: string, method: string, path: string, body: unknown, key?: string) => ({
    method,
    path,
    headers: {
      authorization: `Bearer ${t}`,
      'content-type': 'application/json',
      ...(key ? { 'idempotency-key': key } : {}),
    },
    body: JSON.stringify(body),
  });
  const must = async (r: ReturnType<typeof req>) => {
    const res = await fetch(baseUrl + r.path, {
      method: r.method,
      headers: r.headers,
      body: r.body,
    });
    if (res.status >= 300) throw new Error(`${r.path}: ${res.status} ${await res.text()}`);
  };

  console.log(`seeding ${OWNERS} owners and units over HTTP…`);
  await must(req(admin, 'PUT', '/v1/communities/c1', { name: '基准测试社区', kind: 'urban' }));
  await must(
    req(admin, 'POST', '/v1/communities/c1/registry/register-person', {
      personId: 'clerk',
      name: '书记员',
      adult: true,
    }),
  );
  await must(
    req(admin, 'POST', '/v1/communities/c1/registry/appoint-clerk', { personId: 'clerk' }),
  );
  await must(
    req(admin, 'POST', '/v1/communities/c1/registry/register-person', {
      personId: 'convener',
      name: '召集人',
      adult: true,
    }),
  );
  const ownerIds = Array.from({ length: OWNERS }, (_, i) => `o${i}`);
  const seed = await runLoad(
    jobText({
      baseUrl,
      concurrency: CONCURRENCY,
      requests: ownerIds.map((id) =>
        req(clerk, 'POST', '/v1/communities/c1/registry/register-person', {
          personId: id,
          name: `业主${id}`,
          adult: true,
        }),
      ),
    }),
  );
  const units = await runLoad(
    jobText({
      baseUrl,
      concurrency: CONCURRENCY,
      requests: ownerIds.map((id, i) =>
        req(clerk, 'POST', '/v1/communities/c1/registry/register-unit', {
          unitId: `u${i}`,
          building: `${1 + (i % 12)}号楼`,
          kind: 'home',
          areas: { registryCentiM2: 6_000 + (i % 9_000) },
          developerUnsold: false,
          ownerIds: [id],
        }),
      ),
    }),
  );
  const seedFailures = [...seed.statuses, ...units.statuses].filter((s) => s >= 300).length;
  if (seedFailures > 0)
    throw new Error(
      `seeding failed ${seedFailures} times: ${seed.bodies.find(Boolean) ?? units.bodies.find(Boolean)}`,
    );

  // Two proposals opened the same way: the warm-up burst votes on p0, the measured one on p1.
  const owner0 = await token({ personId: 'o0', role: 'owner', communities: ['c1'] });
  const proposals = ['p0', 'p1'];
  for (const proposalId of proposals) {
    await must(
      req(owner0, 'POST', '/v1/communities/c1/proposals', {
        proposalId,
        title: '使用维修资金更换电梯',
        description: '动用专项维修资金更换3号楼电梯',
        procedure: 'owners-joint-decision',
        items: [
          {
            itemId: 'i1',
            title: '同意使用维修资金',
            kind: 'motion',
            matter: 'maintenance-fund-use',
            options: [],
          },
        ],
      }),
    );
    await must(
      req(convener, 'POST', `/v1/communities/c1/proposals/${proposalId}/give-notice`, {
        text: '表决前公告',
      }),
    );
  }
  now = new Date('2026-03-17T08:00:00.000Z');
  for (const proposalId of proposals) {
    await must(
      req(convener, 'POST', `/v1/communities/c1/proposals/${proposalId}/open-voting`, {
        rule: { kind: 'owners-278', deemedConsent: false, countParking: false },
        closesAt: '2026-04-01T08:00:00.000Z',
      }),
    );
  }

  /**
   * Every owner's ballot on one proposal, each with a token of its own. The lifetime tells the
   * two bursts' tokens apart even when issued in the same second: a token the warm-up sent would
   * be remembered by the verifier, and a voter's fresh token is what the burst measures.
   */
  const ballotsOn = async (proposalId: string, lifetime: string) => {
    const ballots: LoadJob['requests'] = [];
    for (const id of ownerIds) {
      const t = await token({ personId: id, role: 'owner', communities: ['c1'] }, lifetime);
      const choice = Number(id.slice(1)) % 5 === 0 ? 'no' : 'yes';
      ballots.push(
        req(
          t,
          'POST',
          `/v1/communities/c1/proposals/${proposalId}/cast-ballot`,
          { choices: [{ itemId: 'i1', choice }] },
          `ballot-${proposalId}-${id}`,
        ),
      );
    }
    return jobText({ baseUrl, concurrency: CONCURRENCY, requests: ballots });
  };
  console.log(`issuing ${OWNERS} owner tokens for each burst…`);
  const warmUp = await ballotsOn('p0', '12h');
  const burst = await ballotsOn('p1', '11h');

  // A running service is scraped all day: its first scrape (new shapes in Hono's and Node's
  // objects, deoptimising their code) comes before the warm-up, not just before the burst.
  const metricsText = async () =>
    (await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${admin}` } })).text();
  const metricIn = (text: string, name: string) =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  await metricsText();

  // The warm-up burst: the same owners, clients and size, so V8 has compiled the ballot's path
  // (20,000 registrations before never ran it), as in a service that has been voting all day.
  // Its CPU is reported too, as the cold figure.
  console.log(`warm-up burst: ${OWNERS} ballots from ${CONCURRENCY} clients on p0…`);
  const coldLoad = await startLoad(warmUp);
  const coldCpu0 = process.cpuUsage();
  const cold = await coldLoad.run();
  const coldCpu = process.cpuUsage(coldCpu0);
  const coldRejected = cold.statuses.filter((s) => s !== 201).length;
  if (coldRejected > 0) {
    throw new Error(`warm-up: ${coldRejected} not accepted, e.g. ${cold.bodies.find(Boolean)}`);
  }
  const coldUs = (coldCpu.user + coldCpu.system) / OWNERS;

  // Counters before the burst, so its own figures can be told from the seeding's.
  const before = await metricsText();

  console.log(`burst: ${OWNERS} ballots from ${CONCURRENCY} clients on p1…`);
  const load = await startLoad(burst);
  const loadBefore = loadavg()[0]!;
  // BENCH_PROFILE=file.cpuprofile: a CPU profile of the service process during the burst only.
  const profiler = process.env.BENCH_PROFILE ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    // 100 µs: the default (1 ms) leaves too few samples of a ballot's ~200 µs to tell costs apart.
    await profiler.post('Profiler.setSamplingInterval', { interval: 100 });
    await profiler.post('Profiler.start');
  }
  // BENCH_HEAP_PROFILE=file.heapprofile: where the burst allocates (sampled, collected objects too).
  const heapProfiler = process.env.BENCH_HEAP_PROFILE ? new Session() : undefined;
  if (heapProfiler) {
    heapProfiler.connect();
    await heapProfiler.post('HeapProfiler.startSampling', {
      samplingInterval: 1024,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  }
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const threads0 = threadCpuMs();
  const pgCpu0 = serverCpuMs(postmaster);
  const machine0 = machineBusyMs();
  const result = await load.run();
  const elu = performance.eventLoopUtilization(elu0).utilization;
  const { user, system } = process.cpuUsage(cpu0);
  const threads1 = threadCpuMs();
  const serviceCpuMs = (user + system) / 1000;
  const pgCpuMs = serverCpuMs(postmaster) - pgCpu0;
  const burstOthers = othersCpu(
    machineBusyMs() - machine0,
    serviceCpuMs + result.cpuMs + pgCpuMs,
    result.elapsedMs,
  );
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    await writeFile(process.env.BENCH_PROFILE!, JSON.stringify(profile));
    profiler.disconnect();
  }
  if (heapProfiler) {
    const { profile } = await heapProfiler.post('HeapProfiler.stopSampling');
    await writeFile(process.env.BENCH_HEAP_PROFILE!, JSON.stringify(profile));
    heapProfiler.disconnect();
  }
  const loadAfter = loadavg()[0]!;
  console.log('burst done: reading what it stored…');
  const ok = result.statuses.filter((s) => s === 201).length;
  const failed = result.statuses.length - ok;
  if (failed > 0) console.log(`  ${failed} not accepted, e.g. ${result.bodies.find(Boolean)}`);
  const throughput = OWNERS / (result.elapsedMs / 1000);
  const sorted = [...result.latencies].sort((a, b) => a - b);
  const first = mean(result.latencies.slice(0, 1000));
  const last = mean(result.latencies.slice(-1000));

  const after = await metricsText();
  const metric = (name: string) => metricIn(after, name) - metricIn(before, name);
  const appends = metric('yishi_commands_per_append_count');
  const perAppend = appends ? metric('yishi_commands_per_append_sum') / appends : 0;
  const decideMs =
    (1000 * metric('yishi_batch_decide_seconds_sum')) /
    (metric('yishi_batch_decide_seconds_count') || 1);
  const appendMs =
    (1000 * metric('yishi_batch_append_seconds_sum')) /
    (metric('yishi_batch_append_seconds_count') || 1);
  const proposalEvents = await store.readStream('proposal-c1.p1');
  const stored = proposalEvents.filter((e) => e.type === 'BallotCast').length;

  // The same clients asking GET /healthz: what HTTP, routing, the request id and the metrics
  // cost the service without a token, a body or a command, for reading the ballot's figure.
  console.log(`GET /healthz: ${OWNERS} requests from ${CONCURRENCY} clients…`);
  const health = jobText({
    baseUrl,
    concurrency: CONCURRENCY,
    requests: ownerIds.map(() => ({ method: 'GET', path: '/healthz', headers: {} })),
  });
  const healthLoad = await startLoad(health);
  const healthCpu0 = process.cpuUsage();
  const healthResult = await healthLoad.run();
  const healthCpu = process.cpuUsage(healthCpu0);
  if (healthResult.statuses.some((s) => s !== 200)) throw new Error('GET /healthz failed');
  const floorUs = (healthCpu.user + healthCpu.system) / healthResult.statuses.length;
  await closeServer(http);

  console.log('raw single-row INSERT rate at the same concurrency…');
  const rawInserts = await rawInsertRate(url, postmaster, CONCURRENCY, OWNERS);
  const raw = rawInserts.rate;
  const ratio = throughput / raw;

  const serviceUs = (1000 * serviceCpuMs) / OWNERS;
  console.log(`
ballot burst (${OWNERS} owners, ${CONCURRENCY} clients, real HTTP, durable PostgreSQL; after a warm-up burst of as many)
  accepted             ${ok} / ${OWNERS}
  throughput           ${throughput.toFixed(0)} ballots/s
  latency p50 / p99    ${percentile(sorted, 50).toFixed(1)} / ${percentile(sorted, 99).toFixed(1)} ms
  first 1,000 mean     ${first.toFixed(1)} ms
  last 1,000 mean      ${last.toFixed(1)} ms   (flatness ${(last / first).toFixed(2)}, target <= 1.2)
  raw INSERT rate      ${raw.toFixed(0)} rows/s  (ratio ${ratio.toFixed(2)}, target >= 0.6)
  commands per append  ${perAppend.toFixed(1)} (mean over the burst, group commit)
  service event loop   ${(elu * 100).toFixed(0)}% busy during the burst
  CPU per ballot       service ${serviceUs.toFixed(0)} µs (target <= 120; ${coldUs.toFixed(0)} µs in the warm-up burst), load generator ${((1000 * result.cpuMs) / OWNERS).toFixed(0)} µs, PostgreSQL ${((1000 * pgCpuMs) / OWNERS).toFixed(0)} µs
  service threads      main ${((1000 * (threads1.main - threads0.main)) / OWNERS).toFixed(0)} µs, others ${((1000 * (threads1.others - threads0.others)) / OWNERS).toFixed(0)} µs per ballot (V8 compiler and GC helpers, libuv pool)
  CPU per GET /healthz service ${floorUs.toFixed(0)} µs (the same clients: HTTP without token, body or command)
  CPU per raw row      client ${((1000 * rawInserts.clientCpuMs) / OWNERS).toFixed(0)} µs, PostgreSQL ${((1000 * rawInserts.pgCpuMs) / OWNERS).toFixed(0)} µs
  CPU elsewhere        ${burstOthers.toFixed(2)} cores during the burst, ${rawInserts.othersCores.toFixed(2)} during the raw INSERTs (of ${cpus().length}: other processes, kernel threads such as the journal)
  load average (1 min) ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after the burst
  per batch            decide ${decideMs.toFixed(2)} ms, append ${appendMs.toFixed(2)} ms (means over the burst)
  BallotCast in store  ${stored}  (acknowledged but missing: ${Math.max(0, ok - stored)})`);
  bench('command.ballot_burst_ratio', ratio, 'ratio');
  bench('command.ballot_burst_throughput', throughput, 'ballots/s');
  bench('command.ballot_flatness', last / first, 'ratio');
  bench('command.ballot_p99', percentile(sorted, 99), 'ms');
  bench('command.ballot_burst_missing', Math.max(0, ok - stored), 'count');
  bench('command.ballot_service_cpu', serviceUs, 'us/ballot');
  bench('command.ballot_service_cpu_cold', coldUs, 'us/ballot');
  bench('command.healthz_service_cpu', floorUs, 'us/request');

  await store.close();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}

await main();
