// Projection lag under load: the command service (its own process) takes `rate` ballots a second
// for `seconds`; the live projectors run in their own process (live-child.ts), as the
// projection service does. The lag of a ballot is the time from its acknowledgement to the
// moment the slowest projector has applied it; both clocks are `wallMs`.
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  type Checkpoint,
  checkpointReached,
  type EventStore,
  parseCheckpoint,
} from '@yishi/event-store';
import { freePort } from '@yishi/local-postgres';
import { issueToken } from '@yishi/platform';
import { sleep } from '../src/runtime/lease.ts';
import { Random } from '../src/testing/random.ts';
import { Simulator } from '../src/testing/simulate.ts';
import { runNode, wallMs } from './child.ts';

export interface LagOptions {
  url: string;
  store: EventStore;
  secret: string;
  rate: number;
  seconds: number;
  /** Lags of ballots acknowledged in the first seconds are reported apart. */
  warmupSeconds: number;
  /** The community the ballots go to (default `lag`); it must not exist yet. */
  community?: string;
  /** Seeds the setup's command ids: a second run on one database needs another. */
  seed?: number;
}

export interface LagResult {
  acknowledged: number;
  failures: number;
  firstFailure: string;
  loadSeconds: number;
  /** Lags (ms) of the ballots acknowledged after the warm-up. */
  lags: number[];
  warmLags: number[];
  /** Acknowledged ballots no projector had applied when the run ended. */
  neverSeen: number;
  /** The ten slowest after the warm-up: when acknowledged (s since the load began) and lag. */
  slowest: { second: number; lag: number }[];
}

interface Mark {
  at: Checkpoint;
  ms: number;
}

/** The first of `progress` (in checkpoint order) that has reached `at`, by bisection. */
function firstReaching(progress: readonly Mark[], at: Checkpoint): Mark | undefined {
  let lo = 0;
  let hi = progress.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (checkpointReached(progress[mid]!.at, at)) hi = mid;
    else lo = mid + 1;
  }
  return progress[lo];
}

export async function measureLag(options: LagOptions): Promise<LagResult> {
  const { url, store, secret, rate, seconds } = options;
  const tokenConfig = {
    issuer: 'yishi',
    audience: 'yishi',
    secret: new TextEncoder().encode(secret),
  };
  const commands = seconds * rate;
  const setup = new Simulator(store, new Random(options.seed ?? 3), Date.now() - 20 * 86_400_000);
  const community = options.community ?? 'lag';
  await setup.registerCommunity(community);
  await setup.openVote(community, 'lift', commands + 1000, new Date(Date.now() + 2 * 86_400_000));
  const head = setup.last!.checkpoint;

  // The slowest projector's progress, as the projectors' process reports it.
  const progress: Mark[] = [];
  const projectors = runNode(join(import.meta.dirname, 'live-child.ts'), [url]);
  const lines = createInterface({ input: projectors.stdout! });
  lines.on('line', (line) => {
    const m = JSON.parse(line) as { transactionId: string; globalPosition: string; at: number };
    progress.push({
      at: { transactionId: BigInt(m.transactionId), globalPosition: BigInt(m.globalPosition) },
      ms: m.at,
    });
  });
  const reached = async (at: Checkpoint, timeoutMs: number) => {
    const until = performance.now() + timeoutMs;
    while (performance.now() < until) {
      const last = progress[progress.length - 1];
      if (last && checkpointReached(last.at, at)) return true;
      await sleep(20);
    }
    return false;
  };
  let command: ReturnType<typeof runNode> | undefined;
  try {
    if (!(await reached(head, 120_000))) throw new Error('the projectors did not catch up');

    const port = await freePort();
    command = runNode(join(import.meta.dirname, '../../command/src/server.ts'), [], {
      DATABASE_URL: url,
      COMMAND_PORT: String(port),
      HOST: '127.0.0.1',
      JWT_SECRET: secret,
      LOG_LEVEL: 'warn',
    });
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      const ok = await fetch(`${base}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (i > 300) throw new Error('the command service did not start');
      await sleep(100);
    }
    const tokens = await Promise.all(
      Array.from({ length: commands }, (_, i) =>
        issueToken(tokenConfig, { personId: `o${i + 1}`, role: 'owner', communities: [community] }),
      ),
    );
    const agent = new Agent({ keepAlive: true, maxSockets: 256 });
    const body = JSON.stringify({ choices: [{ itemId: 'fund', choice: 'yes' }] });
    const acks: Mark[] = [];
    let failures = 0;
    let firstFailure = '';
    const send = (i: number) =>
      new Promise<void>((resolve) => {
        const req = request(
          {
            agent,
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: `/v1/communities/${community}/proposals/lift/cast-ballot`,
            headers: {
              authorization: `Bearer ${tokens[i]}`,
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const ms = wallMs();
              const text = Buffer.concat(chunks).toString('utf8');
              const at =
                res.statusCode === 201
                  ? parseCheckpoint((JSON.parse(text) as { position: string }).position)
                  : undefined;
              if (at) acks.push({ at, ms });
              else {
                failures += 1;
                firstFailure ||= `${res.statusCode} ${text.slice(0, 200)}`;
              }
              resolve();
            });
          },
        );
        req.on('error', (e) => {
          failures += 1;
          firstFailure ||= String(e);
          resolve();
        });
        req.end(body);
      });
    const inFlight: Promise<void>[] = [];
    const started = performance.now();
    const loadStart = wallMs();
    const steadyFrom = loadStart + options.warmupSeconds * 1000;
    let sent = 0;
    while (sent < commands) {
      const due = Math.min(commands, Math.floor(((performance.now() - started) / 1000) * rate));
      while (sent < due) inFlight.push(send(sent++));
      await sleep(2);
    }
    await Promise.all(inFlight);
    const loadSeconds = (performance.now() - started) / 1000;
    agent.destroy();
    let last = acks[0]?.at;
    for (const a of acks) if (last && !checkpointReached(last, a.at)) last = a.at;
    if (last) await reached(last, 10_000);

    const lags: number[] = [];
    const warmLags: number[] = [];
    const steady: { second: number; lag: number }[] = [];
    let neverSeen = 0;
    for (const a of acks) {
      const seen = firstReaching(progress, a.at);
      if (!seen) {
        neverSeen += 1;
        continue;
      }
      // Applied before its acknowledgement arrived: no lag.
      const lag = Math.max(0, seen.ms - a.ms);
      if (a.ms < steadyFrom) warmLags.push(lag);
      else {
        lags.push(lag);
        steady.push({ second: (a.ms - loadStart) / 1000, lag });
      }
    }
    const slowest = steady.sort((a, b) => b.lag - a.lag).slice(0, 10);
    return {
      acknowledged: acks.length,
      failures,
      firstFailure,
      loadSeconds,
      lags,
      warmLags,
      neverSeen,
      slowest,
    };
  } finally {
    command?.kill('SIGTERM');
    if (projectors.exitCode === null) {
      const exited = new Promise((r) => projectors.once('exit', r));
      projectors.kill('SIGTERM');
      await exited;
    }
  }
}
