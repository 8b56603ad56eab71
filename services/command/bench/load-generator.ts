// A load generator in its own process: reads a job from stdin, sends the requests with a fixed
// number of concurrent clients over keep-alive connections, writes latencies to stdout (JSON).
import { Agent, request } from 'node:http';

export interface LoadJob {
  baseUrl: string;
  concurrency: number;
  requests: { method: string; path: string; headers: Record<string, string>; body?: string }[];
}

export interface LoadResult {
  /** Per request, in the order of `requests`: latency in ms and HTTP status. */
  latencies: number[];
  statuses: number[];
  bodies: string[];
  elapsedMs: number;
  /** CPU time (user + system) of the load generator while sending. */
  cpuMs: number;
}

const cpuMs = ({ user, system }: NodeJS.CpuUsage) => (user + system) / 1000;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(
  agent: Agent,
  base: URL,
  r: LoadJob['requests'][number],
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: r.method,
        path: r.path,
        headers: {
          ...r.headers,
          ...(r.body ? { 'content-length': Buffer.byteLength(r.body) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (r.body) req.write(r.body);
    req.end();
  });
}

async function main(): Promise<void> {
  const job = JSON.parse(await readStdin()) as LoadJob;
  const base = new URL(job.baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
  const latencies = new Array<number>(job.requests.length).fill(0);
  const statuses = new Array<number>(job.requests.length).fill(0);
  const bodies = new Array<string>(job.requests.length).fill('');
  let next = 0;
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const client = async () => {
    while (next < job.requests.length) {
      const i = next++;
      const t0 = performance.now();
      try {
        const res = await send(agent, base, job.requests[i]!);
        statuses[i] = res.status;
        bodies[i] = res.status >= 300 ? res.body.slice(0, 300) : '';
      } catch (error) {
        statuses[i] = -1;
        bodies[i] = String(error);
      }
      latencies[i] = performance.now() - t0;
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, client));
  const result: LoadResult = {
    latencies,
    statuses,
    bodies,
    elapsedMs: performance.now() - started,
    cpuMs: cpuMs(process.cpuUsage(cpu0)),
  };
  agent.destroy();
  process.stdout.write(JSON.stringify(result));
}

await main();
