import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Actor } from '@yishi/domain';
import { formatCheckpoint, PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import {
  forbiddenKind,
  loadConfig,
  post,
  RefusedDestination,
  shownError,
  testAuth,
} from '@yishi/platform';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createApp } from '../app.ts';
import { createDb } from '../db.ts';
import { migrateReadModels } from '../migrations/index.ts';
import { timelineProjection } from '../projections/timeline.ts';
import { Projector } from '../runtime/projector.ts';
import type { Database } from '../tables.ts';
import { Random } from '../testing/random.ts';
import { Simulator } from '../testing/simulate.ts';
import { Dispatcher, type DispatcherOptions } from './dispatcher.ts';
import { notificationsProjection } from './projection.ts';

// Webhooks must not reach this machine or its network (SSRF): the services' own ports, the
// database, the cloud metadata address. Real HTTP servers on loopback stand for them (they are
// ours, not a system msw should fake): a refused destination never sees a request.

const SECRET = new TextEncoder().encode('test-webhook-secret-test-webhook-secret');
const admin: Actor = { personId: 'admin', role: 'admin' };
const convener: Actor = { personId: 'conv', role: 'convener' };
const auth = testAuth();

let store: PostgresEventStore;
let db: Kysely<Database>;
let projectors: Projector[];
let app: ReturnType<typeof createApp>;
let sim: Simulator;
let adminToken: string;
/** An internal service on loopback that answers with something secret. */
let internal: Server;
let internalPort: number;
let received: string[];

beforeAll(async () => {
  const url = await testDatabaseUrl();
  store = new PostgresEventStore({ connectionString: url });
  db = createDb(url, 10);
  await migrateReadModels(db);
  projectors = [timelineProjection, notificationsProjection].map(
    (p) => new Projector(store, db, p, { pollIntervalMs: 20, lockRetryMs: 50 }),
  );
  for (const p of projectors) await p.start();
  app = createApp({ db, store, verify: auth.verify, projectors });
  adminToken = await auth.token({ personId: 'admin-1', role: 'admin', communities: ['*'] });
  sim = new Simulator(store, new Random(11));
  received = [];
  internal = createServer((req, res) => {
    received.push(`${req.method} ${req.url}`);
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('internal: postgres password is hunter2');
  });
  await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
  internalPort = (internal.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => internal.close(resolve));
  for (const p of projectors) await p.stop();
  await db.destroy();
  await store.close();
});

const position = () => formatCheckpoint(sim.last!.checkpoint);
const get = (path: string) =>
  app.request(path, { headers: { authorization: `Bearer ${adminToken}` } });

/** A community whose webhook points at `url`, and a notice for it to deliver. */
async function noticeTo(cid: string, url: string): Promise<void> {
  await sim.registerCommunity(cid);
  const configured = await sim.community(
    cid,
    (at) => ({
      type: 'ConfigureWebhook',
      data: { webhookId: 'hook', url, events: ['session-notice'] },
      actor: admin,
      at,
    }),
    admin,
  );
  expect(configured).toBe(true);
  await sim.session(
    cid,
    's1',
    'ConveneSession',
    {
      communityId: cid,
      sessionId: 's1',
      kind: 'joint-session',
      title: '联席会议',
      scheduledAt: '2026-03-07T01:00:00.000Z',
      parties: [
        { partyId: 'party', kind: 'party-organisation', name: '社区党委' },
        { partyId: 'rc', kind: 'residents-committee', name: '居委会' },
      ],
      agenda: [{ itemId: 'item1', title: '停车管理', concernedPartyIds: [] }],
    },
    convener,
  );
  await sim.session(cid, 's1', 'GiveSessionNotice', { text: '会议通知' }, convener);
}

/** Runs a dispatcher until the community's one delivery is no longer pending. */
async function deliver(cid: string, options: Partial<DispatcherOptions> = {}) {
  const dispatcher = new Dispatcher(db, {
    secret: SECRET,
    timeoutMs: 2_000,
    maxAttempts: 2,
    backoffBaseMs: 10,
    backoffMaxMs: 20,
    pollIntervalMs: 20,
    ...options,
  });
  dispatcher.start();
  onTestFinished(() => dispatcher.stop());
  const path = `/v1/communities/${cid}/notifications/deliveries?minPosition=${position()}`;
  let delivery: Record<string, unknown> | undefined;
  await expect
    .poll(
      async () => {
        const { items } = (await (await get(path)).json()) as {
          items: Record<string, unknown>[];
        };
        delivery = items[0];
        return delivery?.status;
      },
      { timeout: 15_000 },
    )
    .toMatch(/^(delivered|dead)$/);
  const detail = await get(
    `/v1/communities/${cid}/notifications/deliveries/${delivery!.deliveryId}`,
  );
  return { delivery: delivery!, detail: await detail.text() };
}

describe('webhook destinations (SSRF)', () => {
  it('refuses a loopback service port at connect time: nothing reaches it', async () => {
    received.length = 0;
    await noticeTo('loop', `http://127.0.0.1:${internalPort}/v1/communities/loop/commands`);
    const { delivery, detail } = await deliver('loop');
    expect(delivery).toMatchObject({
      status: 'dead',
      attempts: 1,
      lastStatus: null,
      lastError: 'refused: loopback address',
    });
    expect(received).toEqual([]);
    expect(detail).not.toContain('hunter2');
  });

  it('refuses the cloud metadata address (link-local) without trying it', async () => {
    await noticeTo('meta', 'https://169.254.169.254/latest/meta-data/');
    const { delivery } = await deliver('meta');
    expect(delivery).toMatchObject({
      status: 'dead',
      attempts: 1,
      lastError: 'refused: link-local address',
    });
  });

  it('refuses a name that resolves to loopback, checked on the address connected to', async () => {
    received.length = 0;
    await noticeTo('named', `http://localhost:${internalPort}/hook`);
    const { delivery } = await deliver('named');
    expect(delivery).toMatchObject({ status: 'dead', lastError: 'refused: loopback address' });
    expect(received).toEqual([]);
  });

  it('delivers to an allow-listed local gateway, and shows its status, never its answer', async () => {
    received.length = 0;
    await noticeTo('allowed', `http://127.0.0.1:${internalPort}/gateway`);
    const { delivery, detail } = await deliver('allowed', {
      allowPrivate: [`127.0.0.1:${internalPort}`],
    });
    expect(received).toEqual(['POST /gateway', 'POST /gateway']);
    expect(delivery).toMatchObject({
      status: 'dead',
      attempts: 2,
      lastStatus: 500,
      lastError: 'HTTP 500 Internal Server Error',
    });
    expect(detail).toContain('HTTP 500 Internal Server Error');
    expect(detail).not.toContain('hunter2');
  });
});

describe('forbidden addresses', () => {
  it('names loopback, private, link-local, shared, unspecified and mapped addresses; passes public ones', () => {
    for (const [address, kind] of [
      ['127.0.0.1', 'loopback'],
      ['127.255.0.9', 'loopback'],
      ['::1', 'loopback'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:7f00:1', 'loopback'],
      ['0.0.0.0', 'unspecified'],
      ['::', 'unspecified'],
      ['10.1.2.3', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.1.1', 'private'],
      ['::ffff:192.168.1.1', 'private'],
      ['fc00::1', 'private'],
      ['fd00:ec2::254', 'private'],
      ['169.254.169.254', 'link-local'],
      ['fe80::1', 'link-local'],
      ['100.64.0.1', 'shared'],
      ['100.100.100.200', 'shared'],
      ['224.0.0.1', 'multicast'],
      ['ff02::1', 'multicast'],
      ['255.255.255.255', 'reserved'],
      ['::7f00:1', 'reserved'],
      ['8.8.8.8', undefined],
      ['172.32.0.1', undefined],
      ['100.128.0.1', undefined],
      ['223.5.5.5', undefined],
      ['2001:4860:4860::8888', undefined],
      ['::ffff:8.8.8.8', undefined],
    ] as const) {
      expect(forbiddenKind(address), address).toBe(kind);
    }
  });
});

describe('post', () => {
  // A new signal per request: one made when the file loads may have expired by the time a test
  // runs on a busy machine.
  const options = () => ({ signal: AbortSignal.timeout(5_000), allowPrivate: new Set<string>() });
  const refusal = (url: string, extra: Partial<Parameters<typeof post>[3]> = {}) =>
    post(new URL(url), '{}', {}, { ...options(), ...extra }).then(
      () => 'answered',
      (error: unknown) => (error instanceof RefusedDestination ? error.message : String(error)),
    );

  it('refuses every spelling of this machine before connecting', async () => {
    received.length = 0;
    const database = new URL(await testDatabaseUrl());
    for (const [url, reason] of [
      [`http://127.0.0.1:${database.port}/`, 'refused: loopback address'],
      [`http://127.1:${internalPort}/`, 'refused: loopback address'],
      [`http://2130706433:${internalPort}/`, 'refused: loopback address'],
      [`http://0x7f.0.0.1:${internalPort}/`, 'refused: loopback address'],
      [`http://[::1]:${internalPort}/`, 'refused: loopback address'],
      [`http://[::ffff:127.0.0.1]:${internalPort}/`, 'refused: loopback address'],
      [`http://0.0.0.0:${internalPort}/`, 'refused: unspecified address'],
      [`http://localhost:${internalPort}/`, 'refused: loopback address'],
      ['https://169.254.169.254/latest/meta-data/', 'refused: link-local address'],
      ['http://100.100.100.200/latest/meta-data/', 'refused: shared address'],
      ['https://[fd00:ec2::254]/', 'refused: private address'],
    ] as const) {
      expect(await refusal(url), url).toBe(reason);
    }
    expect(received).toEqual([]);
  });

  it('checks the very addresses the connection uses (a rebinding name cannot slip through)', async () => {
    received.length = 0;
    let lookups = 0;
    // A rebinding resolver: a public answer first, then this machine.
    const rebinding = (
      _host: string,
      _options: unknown,
      callback: (e: null, a: { address: string; family: number }[]) => void,
    ) => {
      lookups += 1;
      callback(null, [{ address: lookups === 1 ? '203.0.113.7' : '127.0.0.1', family: 4 }]);
    };
    const mixed = (
      _host: string,
      _options: unknown,
      callback: (e: null, a: { address: string; family: number }[]) => void,
    ) =>
      callback(null, [
        { address: '93.184.215.14', family: 4 },
        { address: '10.0.0.5', family: 4 },
      ]);
    // The first lookup (public) was only the check's in a check-then-fetch; here it is the
    // connection's, so the second attempt meets the loopback answer and is refused.
    const first = refusal(`http://rebind.test:${internalPort}/`, {
      resolve: rebinding,
      signal: AbortSignal.timeout(200),
    });
    expect(await first).not.toBe('answered');
    expect(lookups).toBe(1);
    expect(await refusal(`http://rebind.test:${internalPort}/`, { resolve: rebinding })).toBe(
      'refused: loopback address',
    );
    expect(lookups).toBe(2);
    expect(await refusal(`http://mixed.test:${internalPort}/`, { resolve: mixed })).toBe(
      'refused: private address',
    );
    expect(received).toEqual([]);
  });

  it('lets an allow-listed host:port through, and no other port of it', async () => {
    received.length = 0;
    const allowPrivate = new Set(
      loadConfig({ WEBHOOK_ALLOW_PRIVATE: `LocalHost:${internalPort}, [::1]:1` })
        .WEBHOOK_ALLOW_PRIVATE,
    );
    const answer = await post(
      new URL(`http://localhost:${internalPort}/gw`),
      '{}',
      {},
      {
        ...options(),
        allowPrivate,
      },
    );
    expect(answer.status).toBe(500);
    expect(received).toEqual(['POST /gw']);
    expect(await refusal(`http://localhost:${internalPort + 1}/`, { allowPrivate })).toBe(
      'refused: loopback address',
    );
    expect(() => loadConfig({ WEBHOOK_ALLOW_PRIVATE: 'localhost' })).toThrow(/host:port/);
  });

  it('shows an attempt recorded with the answer’s text as its status only', () => {
    expect(shownError('HTTP 500: internal: postgres password is hunter2')).toBe(
      'HTTP 500 Internal Server Error',
    );
    expect(shownError('network: ECONNREFUSED')).toBe('network: ECONNREFUSED');
    expect(shownError(null)).toBeNull();
  });
});
