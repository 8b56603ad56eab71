// The load generator's HTTP/1.1 client, as wrk and autocannon have theirs: requests encoded to
// bytes before a measurement, written on raw keep-alive sockets, one in flight per connection,
// and of each response only the status line and a content-length body read. What it cannot
// read exactly (chunked, no length, extra bytes) is an error, never a guessed answer: voters'
// phones are not on the server, so the client's own CPU is kept out of the service's way.
import { connect, type Socket } from 'node:net';

export interface LoadRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface Http1Response {
  status: number;
  body: Buffer;
  /** The server closes the connection after this response (`connection: close`, HTTP/1.0). */
  close: boolean;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** A request as the bytes sent for it (`host` is the authority, e.g. `127.0.0.1:8080`). */
export function encodeRequest(host: string, r: LoadRequest): Buffer {
  if (!TOKEN.test(r.method)) throw new Error(`not an HTTP method: ${JSON.stringify(r.method)}`);
  if (!/^\/[\x21-\x7e]*$/.test(r.path)) throw new Error(`not a request path: ${r.path}`);
  let head = `${r.method} ${r.path} HTTP/1.1\r\nhost: ${host}\r\n`;
  for (const [name, value] of Object.entries(r.headers)) {
    const lower = name.toLowerCase();
    if (!TOKEN.test(name) || !FIELD_VALUE.test(value)) {
      throw new Error(`not an HTTP header: ${JSON.stringify(name)}`);
    }
    if (lower === 'host' || lower === 'content-length' || lower === 'transfer-encoding') {
      throw new Error(`the client sets ${lower} itself`);
    }
    head += `${name}: ${value}\r\n`;
  }
  const body = r.body === undefined ? undefined : Buffer.from(r.body, 'utf8');
  if (body !== undefined) head += `content-length: ${body.length}\r\n`;
  head += '\r\n';
  const bytes = Buffer.from(head, 'latin1');
  return body === undefined ? bytes : Buffer.concat([bytes, body]);
}

/** A response head larger than this is refused rather than buffered without end. */
const MAX_HEAD_BYTES = 64 * 1024;
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-5]\d\d)(?: [^\r\n]*)?$/;

interface Head {
  status: number;
  length: number;
  close: boolean;
  bodyStart: number;
}

/**
 * Reads one response at a time from the bytes of a connection. `push` answers the response once
 * it is complete, undefined while more bytes are needed, and throws on anything it cannot read
 * exactly; after a throw the connection is unusable.
 */
export class ResponseParser {
  private buffered: Buffer = Buffer.alloc(0);
  private head: Head | undefined;

  push(chunk: Buffer): Http1Response | undefined {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    if (!this.head) {
      const end = this.buffered.indexOf(HEAD_END);
      if (end < 0) {
        if (this.buffered.length > MAX_HEAD_BYTES) throw new Error('response head too large');
        return undefined;
      }
      this.head = parseHead(this.buffered.toString('latin1', 0, end), end + HEAD_END.length);
    }
    const { status, length, close, bodyStart } = this.head;
    const available = this.buffered.length - bodyStart;
    if (available < length) return undefined;
    if (available > length) {
      // One request is in flight per connection: bytes past its response are no answer to it.
      throw new Error(`${available - length} bytes after a response of ${length}`);
    }
    const body = this.buffered.subarray(bodyStart);
    this.buffered = Buffer.alloc(0);
    this.head = undefined;
    return { status, body, close };
  }
}

function parseHead(text: string, bodyStart: number): Head {
  const lines = text.split('\r\n');
  const statusLine = STATUS_LINE.exec(lines[0]!);
  if (!statusLine) throw new Error(`not an HTTP/1.x status line: ${lines[0]!.slice(0, 80)}`);
  const status = Number(statusLine[2]);
  if (status < 200) throw new Error(`unexpected interim response ${status}`);
  let close = statusLine[1] === '0';
  let length: number | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`not a header line: ${line.slice(0, 80)}`);
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-length') {
      if (!/^\d{1,15}$/.test(value) || (length !== undefined && length !== Number(value))) {
        throw new Error(`invalid content-length: ${value}`);
      }
      length = Number(value);
    } else if (name === 'transfer-encoding') {
      throw new Error(
        `transfer-encoding ${value} is not read by the load generator: it reads content-length bodies only`,
      );
    } else if (name === 'connection') {
      const tokens = value.toLowerCase().split(/\s*,\s*/);
      if (tokens.includes('close')) close = true;
      else if (tokens.includes('keep-alive')) close = false;
    }
  }
  if (length === undefined) {
    // Only these answers have no body by definition; any other would be read to the close.
    if (status === 204 || status === 304) length = 0;
    else throw new Error(`response ${status} without content-length`);
  }
  return { status, length, close, bodyStart };
}

/** One keep-alive connection, one request in flight; reconnects after the server closed it. */
export class Http1Connection {
  private socket: Socket | undefined;
  private parser = new ResponseParser();
  private pending: { resolve: (r: Http1Response) => void; reject: (e: Error) => void } | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  send(request: Buffer): Promise<Http1Response> {
    if (this.pending) throw new Error('one request at a time on a connection');
    const socket = this.socket ?? this.open();
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      socket.write(request);
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private open(): Socket {
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    this.parser = new ResponseParser();
    socket.on('data', (chunk: Buffer) => {
      let response: Http1Response | undefined;
      try {
        response = this.parser.push(chunk);
        if (!response) return;
        if (!this.pending) throw new Error('a response nobody asked for');
      } catch (error) {
        this.fail(socket, error instanceof Error ? error : new Error(String(error)));
        return;
      }
      const { resolve } = this.pending;
      this.pending = undefined;
      if (response.close) this.drop(socket);
      resolve(response);
    });
    socket.on('error', (error) => this.fail(socket, error));
    socket.on('close', () => this.fail(socket, new Error('connection closed before the response')));
    this.socket = socket;
    return socket;
  }

  private drop(socket: Socket): void {
    if (this.socket === socket) this.socket = undefined;
    socket.destroy();
  }

  private fail(socket: Socket, error: Error): void {
    if (this.socket !== socket) return;
    this.drop(socket);
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(error);
  }
}
