import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { candidateRange, freePort } from './free-port.ts';

describe('freePort', () => {
  it('picks a port below the ephemeral range that can be listened on, and skips a taken one', async () => {
    const { low, high } = candidateRange();
    expect(high).toBeLessThan(32_768);
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(low);
      expect(port).toBeLessThanOrEqual(high);
    }
    // A port taken by a listener is never answered while it listens.
    const taken = ports[0]!;
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(taken, '127.0.0.1', resolve));
    try {
      const again = await Promise.all(Array.from({ length: 200 }, () => freePort()));
      expect(again).not.toContain(taken);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
