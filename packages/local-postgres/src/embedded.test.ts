import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { testDatabaseUrl } from './testing.ts';

describe('the embedded server', () => {
  it('is reached through its Unix-domain socket, and still over TCP on 127.0.0.1', async () => {
    const url = await testDatabaseUrl();
    const serverAddress = async (connectionString: string) => {
      const client = new pg.Client({ connectionString });
      await client.connect();
      try {
        const { rows } = await client.query<{ addr: string | null }>(
          'SELECT inet_server_addr()::text AS addr',
        );
        return rows[0]?.addr;
      } finally {
        await client.end();
      }
    };
    // No server address: the connection is not TCP.
    expect(await serverAddress(url)).toBeNull();
    const tcp = new URL(url);
    tcp.hostname = '127.0.0.1';
    tcp.search = '';
    expect(await serverAddress(tcp.toString())).toBe('127.0.0.1/32');
  });
});
