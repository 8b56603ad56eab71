import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { localPostgresSocketDir } from './embedded.ts';

/** Asks the kernel for a free TCP port on the loopback interface. */
function freeTcpPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * A free port: free on the loopback interface, and not the number of an embedded PostgreSQL
 * running here. Those listen on a Unix socket named after their port and open no TCP port,
 * so the kernel may hand their number out again; its socket's lock file says it is taken.
 */
export async function freePort(): Promise<number> {
  for (let tries = 0; ; tries++) {
    const port = await freeTcpPort();
    const lock = join(localPostgresSocketDir(port), `.s.PGSQL.${port}.lock`);
    if (!existsSync(lock) || tries >= 20) return port;
  }
}
