import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
// The modules, not their functions: request is looked up when called, as interceptors patch it.
import http, { type IncomingHttpHeaders, STATUS_CODES } from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

// Where a webhook may go (the projection's notifications, the console's sign-in codes). A configured URL is the community's, but the request leaves from
// inside the deployment: it must not reach this machine (the services' own ports, PostgreSQL),
// the private network, or a cloud metadata address (SSRF). The check is made on the address the
// socket connects to, inside the connection's own name lookup, so a DNS answer cannot change
// between the check and the connection (DNS rebinding). An allow-list of `host:port` lets a
// local gateway (or a test's server) through on purpose.

/** Address ranges a webhook may not reach, by what they are (the reason shown). */
const FORBIDDEN: readonly (readonly [kind: string, ranges: readonly string[]])[] = [
  ['loopback', ['127.0.0.0/8', '::1/128']],
  ['unspecified', ['0.0.0.0/8', '::/128']],
  ['private', ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7', 'fec0::/10']],
  // 169.254.169.254 (and fd00:ec2::254, in fc00::/7) are the usual cloud metadata addresses.
  ['link-local', ['169.254.0.0/16', 'fe80::/10']],
  // Carrier-grade NAT space; Alibaba Cloud's metadata service is 100.100.100.200.
  ['shared', ['100.64.0.0/10']],
  [
    'reserved',
    ['192.0.0.0/24', '198.18.0.0/15', '240.0.0.0/4', '::/96', '100::/64', '2001:db8::/32'],
  ],
  ['multicast', ['224.0.0.0/4', 'ff00::/8']],
];

const blockLists = FORBIDDEN.map(([kind, ranges]) => {
  const list = new BlockList();
  for (const range of ranges) {
    const [network, prefix] = range.split('/') as [string, string];
    list.addSubnet(network, Number(prefix), isIP(network) === 6 ? 'ipv6' : 'ipv4');
  }
  return [kind, list] as const;
});

/**
 * What kind of forbidden address this is, or undefined when a webhook may go there.
 * IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) are judged as the IPv4 address they carry.
 */
export function forbiddenKind(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return 'invalid';
  const type = family === 6 ? 'ipv6' : 'ipv4';
  return blockLists.find(([, list]) => list.check(address, type))?.[0];
}

/** A destination refused before any connection was made. */
export class RefusedDestination extends Error {
  constructor(readonly kind: string) {
    super(`refused: ${kind} address`);
    this.name = 'RefusedDestination';
  }
}

type Resolver = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/**
 * A `lookup` for the connection that refuses a name with any forbidden address among its
 * answers (one bad answer is enough to distrust the name).
 */
export function guardedLookup(resolve: Resolver = dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      const refused = addresses.map((a) => forbiddenKind(a.address)).find(Boolean);
      const first = addresses[0];
      if (refused || !first) return callback(new RefusedDestination(refused ?? 'unresolved'), '');
      if (options.all) return callback(null, addresses);
      callback(null, first.address, first.family);
    });
  };
}

/** `host:port` as the URL parser writes them (lower case, IPv6 in brackets, port explicit). */
export function destinationOf(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.hostname}:${port}`;
}

export interface PostOptions {
  signal: AbortSignal;
  /** Destinations (`host:port`) that may be private; see `WEBHOOK_ALLOW_PRIVATE`. */
  allowPrivate: ReadonlySet<string>;
  /** Name resolution (tests pass their own); defaults to the system's. */
  resolve?: Resolver;
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
}

/**
 * POSTs `body` to `url` and gives the answer's status and headers; its body is never read (a
 * failed delivery shows a status and a short reason, not what the destination said).
 * Redirects are not followed. Throws RefusedDestination for a forbidden destination.
 */
export function post(
  url: URL,
  body: string,
  headers: Record<string, string>,
  options: PostOptions,
): Promise<Answer> {
  const allowed = options.allowPrivate.has(destinationOf(url));
  // A literal address is connected to without any lookup: judged here.
  const literal = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const kind = allowed || isIP(literal) === 0 ? undefined : forbiddenKind(literal);
  if (kind) return Promise.reject(new RefusedDestination(kind));
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? https.request : http.request;
    const request = send(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        signal: options.signal,
        // A connection of its own each time: none is kept that a later check did not pass.
        agent: false,
        ...(allowed ? {} : { lookup: guardedLookup(options.resolve) }),
      },
      (response) => {
        resolve({ status: response.statusCode ?? 0, headers: response.headers });
        response.destroy();
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** `HTTP 503 Service Unavailable`: how a gateway's answer is recorded and shown. */
export function httpFailure(status: number): string {
  const text = STATUS_CODES[status];
  return text ? `HTTP ${status} ${text}` : `HTTP ${status}`;
}

/**
 * A recorded error as shown: only the status of an HTTP answer (attempts recorded before
 * answers were left unread kept an excerpt of the body).
 */
export function shownError(error: string | null): string | null {
  const status = error ? /^HTTP (\d{3})\b/.exec(error)?.[1] : undefined;
  return status ? httpFailure(Number(status)) : error;
}

/** A network failure in a few words: its code, without addresses or the stack's messages. */
export function networkFailure(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  const named = typeof code === 'string' ? code : typeof cause === 'string' ? cause : undefined;
  if (named) return `network: ${named}`;
  return `network: ${error instanceof Error ? error.message.slice(0, 100) : 'failed'}`;
}
