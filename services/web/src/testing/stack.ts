import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp as createCommandApp } from '@yishi/command';
import { PostgresEventStore } from '@yishi/event-store';
import { createIdentityDb, identityKey, TablePhoneDirectory } from '@yishi/identity';
import { freePort } from '@yishi/local-postgres';
import { loadMasterKey, openPersonalData } from '@yishi/personal-data';
import {
  closeServer,
  createLogger,
  createVerifier,
  issueToken,
  listen,
  loadConfig,
  type Principal,
  type RunningService,
  silentLogger,
} from '@yishi/platform';
import { startProjectionService } from '@yishi/projection';
import type { CommandAnswer } from '../api.ts';
import { startWebService } from '../main.ts';
import { phoneOf, relaxedCodes } from './identity.ts';

// The whole system for browser tests: the command service (with a clock the test moves, so
// a 15-day notice period takes no time), the projection service and the console, each on its
// own free port against one fresh database, all speaking HTTP as in production. People sign
// in by phone with the development code (no SMS gateway is configured).

const SECRET = 'web-console-test-secret-0123456789abcdef';
const ISSUER = 'yishi';
const AUDIENCE = 'yishi';

export interface Stack {
  webUrl: string;
  commandUrl: string;
  projectionUrl: string;
  databaseUrl: string;
  /** The code the console printed at start, to record the first administrator. */
  bootstrapCode: string | undefined;
  /** The command service's clock: set it to move time. */
  clock: { now: Date };
  token(principal: Principal): Promise<string>;
  /** Sends a command as `token`; throws unless the service answers 2xx. */
  send(token: string, path: string, body: unknown, method?: 'POST' | 'PUT'): Promise<CommandAnswer>;
  /** Waits until every read model of a community has passed a command's position. */
  settled(token: string, communityId: string, position: string): Promise<void>;
  /** Gives a registered person a phone number to sign in with (`phoneOf` unless said). */
  link(communityId: string, personId: string, phone?: string): Promise<string>;
  /** Appoints an official of the installation (an administrator is recorded first) and links their phone. */
  appointOfficial(personId: string, communities: string[], office?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startStack(databaseUrl: string): Promise<Stack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'yishi-web-'));
  const [commandPort, projectionPort, webPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const config = loadConfig({
    HOST: '127.0.0.1',
    COMMAND_PORT: String(commandPort),
    PROJECTION_PORT: String(projectionPort),
    WEB_PORT: String(webPort),
    JWT_SECRET: SECRET,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
  });
  const secret = new TextEncoder().encode(SECRET);
  const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, secret });
  const clock = { now: new Date() };
  const store = new PostgresEventStore({ connectionString: databaseUrl, maxConnections: 10 });
  await store.init();
  // The key table and master key the projection service opens too (names sealed by one open
  // in the other).
  const personalData = await openPersonalData({ databaseUrl, masterKey: loadMasterKey(config) });
  const commandApp = createCommandApp({
    store,
    verify,
    personalData: personalData.vault,
    clock: () => clock.now,
    ...(process.env.WEB_TEST_LOG ? { logger: createLogger('command', 'error') } : {}),
  });
  const commandServer = await listen(commandApp.fetch, config.HOST, commandPort);
  const projection: RunningService = await startProjectionService(
    config,
    databaseUrl,
    silentLogger,
  );
  const identityDb = createIdentityDb(databaseUrl);
  const phones = new TablePhoneDirectory(identityDb, identityKey(config));
  const web = await startWebService(config, silentLogger, {
    databaseUrl,
    identity: {
      db: identityDb,
      codes: relaxedCodes(identityDb, identityKey(config)),
      phones,
    },
  });
  let installationAdmin: Promise<string> | undefined;
  const admin = () => {
    installationAdmin ??= (async () => {
      const token = await issueToken(
        { issuer: ISSUER, audience: AUDIENCE, secret },
        { personId: 'stack-admin', role: 'admin', communities: ['*'] },
      );
      await stack.send(token, '/v1/installation/bootstrap-admin', { personId: 'stack-admin' });
      return token;
    })();
    return installationAdmin;
  };
  const commandUrl = `http://127.0.0.1:${commandPort}`;

  const stack: Stack = {
    webUrl: web.url,
    bootstrapCode: web.bootstrapCode,
    commandUrl,
    projectionUrl: projection.url,
    databaseUrl,
    clock,
    token: (principal) => issueToken({ issuer: ISSUER, audience: AUDIENCE, secret }, principal),
    async send(token, path, body, method = 'POST') {
      const res = await fetch(`${commandUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as CommandAnswer;
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    },
    async settled(token, communityId, position) {
      for (const path of ['', '/proposals', '/sessions', '/timeline', '/wishes']) {
        const res = await fetch(
          `${projection.url}/v1/communities/${communityId}${path}?minPosition=${position}`,
          { headers: { authorization: `Bearer ${token}` } },
        );
        if (!res.ok) throw new Error(`projection did not reach ${position}: ${res.status}`);
      }
    },
    async link(communityId, personId, phone = phoneOf(personId, communityId)) {
      await phones.link(phone, { communityId, personId });
      return phone;
    },
    async appointOfficial(personId, communities, office = '幸福街道办事处') {
      await stack.send(await admin(), '/v1/installation/appoint-official', {
        personId,
        communities,
        office,
      });
      return stack.link('', personId);
    },
    async stop() {
      await web.close();
      await projection.close();
      await closeServer(commandServer);
      await store.close();
      await personalData.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** Commands of one actor in one community, by path under `/v1/communities/<cid>`. */
export async function actor(
  stack: Stack,
  communityId: string,
  principal: Omit<Principal, 'communities'>,
) {
  const token = await stack.token({ ...principal, communities: [communityId] });
  const base = `/v1/communities/${communityId}`;
  const send = (path: string, body: unknown) =>
    stack.send(token, path === '' ? base : `${base}/${path}`, body, path === '' ? 'PUT' : 'POST');
  return Object.assign(send, { token });
}
