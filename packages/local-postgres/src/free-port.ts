import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { localPostgresSocketDir } from './embedded.ts';

/** Whether a TCP port on the loopback interface can be listened on now. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The ports to pick from: below the kernel's ephemeral range, from which it hands out port 0
 * and the local ports of outgoing connections. A port the kernel chose for us is free again
 * once we close it, and under parallel test files another process's port 0 or connection often
 * got it before our service listened (EADDRINUSE); below that range nobody is given it.
 */
export function candidateRange(): { low: number; high: number } {
  let ephemeralLow = 32_768;
  try {
    const first = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    );
    if (Number.isInteger(first) && first > 12_000) ephemeralLow = first;
  } catch {
    // Not Linux: below 32768, where both Linux's and the IANA ephemeral ranges start above.
  }
  const high = ephemeralLow - 1;
  return { low: Math.max(10_000, high - 15_000), high };
}

/**
 * A free port: free on the loopback interface, and not the number of an embedded PostgreSQL
 * running here. Those listen on a Unix socket named after their port and open no TCP port, so
 * nothing else shows the number taken; its socket's lock file says it is.
 */
export async function freePort(): Promise<number> {
  const { low, high } = candidateRange();
  for (let tries = 0; tries < 100; tries++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (existsSync(join(localPostgresSocketDir(port), `.s.PGSQL.${port}.lock`))) continue;
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port found between ${low} and ${high}`);
}
