import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/**
 * The client's address, for the sign-in's limits per address: the connection's peer, or
 * behind a trusted reverse proxy (`WEB_TRUST_PROXY`) the last address it appended to
 * X-Forwarded-For (earlier ones are the client's to write). `unknown` in process (tests).
 */
export function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim();
    if (forwarded) return forwarded.slice(0, 100);
  }
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}
