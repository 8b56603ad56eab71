import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRequest, ResponseParser } from './http1-client.ts';
import { type LoadJob, runJob } from './load-job.ts';

const bytes = (text: string) => Buffer.from(text, 'latin1');

describe('ResponseParser', () => {
  it('reads a content-length response, whole or a byte at a time, and the next one after it', () => {
    const text =
      'HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}';
    const whole = new ResponseParser().push(bytes(text));
    expect(whole).toEqual({ status: 201, body: bytes('{"ok":true}'), close: false });

    const parser = new ResponseParser();
    for (const round of [1, 2]) {
      const answers = [...bytes(text)].map((b) => parser.push(Buffer.from([b])));
      expect(
        answers.slice(0, -1).every((a) => a === undefined),
        `round ${round}`,
      ).toBe(true);
      expect(answers.at(-1)?.body.toString()).toBe('{"ok":true}');
    }
  });

  it('reads 204 and 304 without a length, and says when the server closes', () => {
    expect(new ResponseParser().push(bytes('HTTP/1.1 204 No Content\r\n\r\n'))).toEqual({
      status: 204,
      body: Buffer.alloc(0),
      close: false,
    });
    const closing =
      'HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\nContent-Length: 2\r\n\r\nno';
    expect(new ResponseParser().push(bytes(closing))?.close).toBe(true);
    expect(new ResponseParser().push(bytes('HTTP/1.0 304 Not Modified\r\n\r\n'))?.close).toBe(true);
  });

  it.each([
    [
      'chunked',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n',
      /transfer-encoding chunked is not read/,
    ],
    [
      'no length',
      'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nok',
      /200 without content-length/,
    ],
    [
      'a bad status line',
      'HTTP/2 200 OK\r\nContent-Length: 0\r\n\r\n',
      /not an HTTP\/1.x status line/,
    ],
    ['an interim response', 'HTTP/1.1 100 Continue\r\n\r\n', /interim response 100/],
    [
      'two lengths',
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok',
      /invalid content-length/,
    ],
    ['a bad length', 'HTTP/1.1 200 OK\r\nContent-Length: -2\r\n\r\nok', /invalid content-length/],
    [
      'a bad header line',
      'HTTP/1.1 200 OK\r\nno colon\r\nContent-Length: 0\r\n\r\n',
      /not a header line/,
    ],
    [
      'bytes past the response',
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP',
      /4 bytes after a response of 2/,
    ],
  ])('refuses %s rather than guess', (_, text, error) => {
    expect(() => new ResponseParser().push(bytes(text))).toThrow(error);
  });
});

describe('encodeRequest', () => {
  it('writes the request line, host, headers and the body with its length', () => {
    const encoded = encodeRequest('127.0.0.1:1', {
      method: 'POST',
      path: '/v1/x?y=1',
      headers: { authorization: 'Bearer t' },
      body: '{"名":1}',
    });
    expect(encoded.toString('utf8')).toBe(
      'POST /v1/x?y=1 HTTP/1.1\r\nhost: 127.0.0.1:1\r\nauthorization: Bearer t\r\ncontent-length: 9\r\n\r\n{"名":1}',
    );
  });

  it('refuses what would split the request', () => {
    const r = { method: 'GET', path: '/', headers: {} };
    expect(() => encodeRequest('h', { ...r, headers: { a: 'b\r\nc: d' } })).toThrow(/header/);
    expect(() => encodeRequest('h', { ...r, path: '/a b' })).toThrow(/path/);
    expect(() => encodeRequest('h', { ...r, headers: { 'content-length': '1' } })).toThrow(
      /itself/,
    );
  });
});

describe('runJob against node:http', () => {
  let server: Server;
  let baseUrl: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const [, kind, code] = req.url!.split('/');
        const status = Number(code);
        // Headers set, not written: node:http then sends a content-length, as Hono's adapter
        // does; writeHead or write before end would make it chunked.
        res.statusCode = status;
        if (kind === 'chunked') {
          res.setHeader('content-type', 'text/plain');
          res.write('part one, ');
          res.end('part two');
        } else if (kind === 'close') {
          res.setHeader('connection', 'close');
          res.end(`closed ${body}`);
        } else if (status === 204) {
          res.end();
        } else {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ method: req.method, body, auth: req.headers.authorization }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers the statuses and error bodies fetch answers for the same requests', async () => {
    const paths = [
      '/plain/201',
      '/plain/409',
      '/plain/204',
      '/close/422',
      '/plain/200',
      '/close/201',
    ];
    const requests = Array.from({ length: 60 }, (_, i) => ({
      method: i % 3 === 0 ? 'GET' : 'POST',
      path: paths[i % paths.length]!,
      headers: { authorization: `Bearer t${i}` },
      ...(i % 3 === 0 ? {} : { body: JSON.stringify({ i, 名: '业主' }) }),
    }));
    const job: LoadJob = { baseUrl, concurrency: 4, requests };
    const result = await runJob(job);
    const expected = await Promise.all(
      requests.map(async (r) => {
        const res = await fetch(baseUrl + r.path, r);
        const body = await res.text();
        return { status: res.status, body: res.status >= 300 ? body.slice(0, 300) : '' };
      }),
    );
    expect(result.statuses).toEqual(expected.map((e) => e.status));
    expect(result.bodies).toEqual(expected.map((e) => e.body));
    expect(result.latencies.every((ms) => ms > 0)).toBe(true);
  });

  it('reports a chunked answer as an error naming it, and goes on with the next request', async () => {
    const result = await runJob({
      baseUrl,
      concurrency: 1,
      requests: [
        { method: 'GET', path: '/chunked/200', headers: {} },
        { method: 'GET', path: '/plain/201', headers: {} },
      ],
    });
    expect(result.statuses).toEqual([-1, 201]);
    expect(result.bodies[0]).toMatch(/transfer-encoding chunked is not read by the load generator/);
  });
});
