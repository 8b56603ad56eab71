// A load job: its requests sent with a fixed number of concurrent clients, one keep-alive
// connection each, timed per request; the CPU the sending cost is measured alongside.
import { encodeRequest, Http1Connection, type LoadRequest } from './http1-client.ts';

export interface LoadJob {
  baseUrl: string;
  concurrency: number;
  requests: LoadRequest[];
}

export interface LoadResult {
  /** Per request, in the order of `requests`: latency in ms and HTTP status (-1: no answer). */
  latencies: number[];
  statuses: number[];
  /** The start of the body of an answer >= 300, or the error of a request without one. */
  bodies: string[];
  elapsedMs: number;
  /** CPU time (user + system) of the load generator while sending. */
  cpuMs: number;
}

const cpuMs = ({ user, system }: NodeJS.CpuUsage) => (user + system) / 1000;

/** What the generator writes once its job is prepared, and what the parent answers to start it. */
export const READY = 'ready\n';
export const GO = 'go\n';

export const runJob = (job: LoadJob): Promise<LoadResult> => prepareJob(job)();

/** The job's requests encoded and its connections made ready: what is left is the measured run. */
export function prepareJob(job: LoadJob): () => Promise<LoadResult> {
  const base = new URL(job.baseUrl);
  if (base.protocol !== 'http:') throw new Error(`the load generator speaks http only: ${base}`);
  // Encoded before the clock starts: the measurement holds only sending and reading.
  const encoded = job.requests.map((r) => encodeRequest(base.host, r));
  const connections = Array.from(
    { length: job.concurrency },
    () => new Http1Connection(base.hostname, Number(base.port || 80)),
  );
  const latencies = new Array<number>(encoded.length).fill(0);
  const statuses = new Array<number>(encoded.length).fill(0);
  const bodies = new Array<string>(encoded.length).fill('');
  let next = 0;
  const client = async (connection: Http1Connection) => {
    while (next < encoded.length) {
      const i = next++;
      const t0 = performance.now();
      try {
        const res = await connection.send(encoded[i]!);
        statuses[i] = res.status;
        bodies[i] = res.status >= 300 ? res.body.toString('utf8').slice(0, 300) : '';
      } catch (error) {
        statuses[i] = -1;
        bodies[i] = String(error);
      }
      latencies[i] = performance.now() - t0;
    }
  };
  return async () => {
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    await Promise.all(connections.map(client));
    const result: LoadResult = {
      latencies,
      statuses,
      bodies,
      elapsedMs: performance.now() - started,
      cpuMs: cpuMs(process.cpuUsage(cpu0)),
    };
    for (const connection of connections) connection.close();
    return result;
  };
}
