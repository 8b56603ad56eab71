import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { ServerType } from '@hono/node-server';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter, installFallbacks, limitBody, requestContext } from './http.ts';
import { silentLogger } from './logger.ts';
import { closeServer, listen } from './server.ts';

// Over real HTTP: on Node the body limit reads Content-Length from the socket's request.
const app = createRouter();
app.use('*', requestContext(silentLogger));
app.use('/limited/*', limitBody(1024));
app.post('/limited/echo', async (c) =>
  c.json({ length: JSON.stringify(await c.req.json()).length }),
);
// A handler that builds its own Response rather than going through the context.
app.get('/limited/raw', () => new Response('raw'));
let server: ServerType;
let base: string;

beforeAll(async () => {
  server = await listen(app.fetch, '127.0.0.1', 0);
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => closeServer(server));

/** POST with Transfer-Encoding: chunked (no Content-Length). */
function postChunked(path: string, chunks: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d: Buffer) => {
        body += d.toString('utf8');
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('limitBody over HTTP', () => {
  it('lets a body within the limit through, still readable', async () => {
    const res = await fetch(`${base}/limited/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x'.repeat(500) }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ length: 511 });
  });

  it('refuses a body whose Content-Length is over the limit with 413 problem+json', async () => {
    const res = await fetch(`${base}/limited/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x'.repeat(2000) }),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ code: 'payload-too-large' });
  });

  it('counts a chunked body as it streams: 413 over the limit, through under it', async () => {
    const over = await postChunked('/limited/echo', [
      '{"text":"',
      'x'.repeat(800),
      'x'.repeat(800),
      '"}',
    ]);
    expect(over.status).toBe(413);
    expect(JSON.parse(over.body)).toMatchObject({ code: 'payload-too-large' });
    const under = await postChunked('/limited/echo', ['{"text":"', 'x'.repeat(100), '"}']);
    expect(under.status).toBe(200);
    expect(JSON.parse(under.body)).toEqual({ length: 111 });
  });
});

describe('requestContext', () => {
  it('answers every response with a request id, echoing a well-formed one', async () => {
    const echoed = await fetch(`${base}/limited/raw`, { headers: { 'x-request-id': 'abc-123' } });
    expect(echoed.headers.get('x-request-id')).toBe('abc-123');
    expect(await echoed.text()).toBe('raw');
    const generated = await fetch(`${base}/limited/raw`, {
      headers: { 'x-request-id': 'bad id!' },
    });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const refused = await fetch(`${base}/limited/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'r-413' },
      body: JSON.stringify({ text: 'x'.repeat(2000) }),
    });
    expect(refused.headers.get('x-request-id')).toBe('r-413');
    const json = await fetch(`${base}/limited/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'r-200' },
      body: '{}',
    });
    expect(json.headers.get('x-request-id')).toBe('r-200');
    const missing = await fetch(`${base}/nowhere`, { headers: { 'x-request-id': 'r-404' } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-request-id')).toBe('r-404');
  });
});

describe('logging', () => {
  /** An app whose logger writes into `lines`, with the fallbacks every service installs. */
  function logged() {
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
          done();
        },
      }),
    );
    const app = createRouter();
    app.use('*', requestContext(logger));
    app.post('/json', async (c) => c.json(await c.req.json()));
    app.get('/fails', () => {
      throw new Error('database on fire');
    });
    installFallbacks(app);
    return { app, lines };
  }

  it('logs a client error once, at warn, without a stack', async () => {
    const { app, lines } = logged();
    const res = await app.request('/json', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":',
    });
    expect(res.status).toBe(400);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, status: 400, path: '/json' });
    expect(JSON.stringify(lines[0])).not.toMatch(/stack|SyntaxError/);
    const missing = await app.request('/nowhere');
    expect(missing.status).toBe(404);
    expect(lines.slice(1)).toEqual([expect.objectContaining({ level: 40, status: 404 })]);
  });

  it('logs a failure of our own at error, with its stack', async () => {
    const { app, lines } = logged();
    const res = await app.request('/fails');
    expect(res.status).toBe(503);
    const stacks = lines
      .filter((l) => l.level === 50)
      .map((l) => (l.err as { stack?: string } | undefined)?.stack ?? '');
    expect(stacks.some((stack) => stack.includes('database on fire'))).toBe(true);
    expect(lines.find((l) => l.msg === 'request')).toMatchObject({ level: 50, status: 503 });
  });
});
