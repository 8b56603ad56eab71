import {
  BootstrapCodes,
  type Capacity,
  capacityKey,
  communityIdentities,
  createIdentityDb,
  forgetOldWindows,
  heldCapacity,
  type IdentityDb,
  INSTALLATION,
  identityKey,
  maskPhone,
  migrateIdentity,
  type PhoneDirectory,
  type Session,
  type SessionIdentity,
  Sessions,
  SignInCodes,
  type SmsOptions,
  sendSignInCode,
  TablePhoneDirectory,
  TokenMinter,
} from '@yishi/identity';
import { type Config, type Logger, localSecret, webhookSecret } from '@yishi/platform';
import { ApiClient, type Upstreams } from '../api.ts';
import type { Viewer } from '../viewer.ts';
import {
  combinedDirectory,
  ProjectionRegistry,
  type Registry,
  RegistryPhoneDirectory,
} from './registry.ts';

// Signing in to the console: a code to a phone number, the session it opens, the capacity the
// person chooses among those the registry gives them, and the token the console calls the
// services with. Every answer about a number is the same whether it is registered or not; in
// production the code is delivered after the answer, so the time taken says nothing either.

export interface ConsoleIdentityDeps {
  db: IdentityDb;
  key: Uint8Array;
  upstreams: Upstreams;
  registry: Registry;
  minter: TokenMinter;
  /** Who a number belongs to (lookups); `phones` keeps the installation's persons' numbers. */
  directory: PhoneDirectory;
  phones: TablePhoneDirectory;
  sessions: Sessions;
  codes: SignInCodes;
  bootstrap: BootstrapCodes;
  sms: SmsOptions;
  /** Development: a code no gateway takes is logged and shown on the page. */
  showCodes: boolean;
  logger: Logger;
}

export type CodeAnswer = { limited: true } | { limited: false; devCode?: string };
export type SignInAnswer =
  | { kind: 'wrong' | 'limited' | 'unregistered' }
  | { kind: 'signed-in'; sessionId: string; capacity: Capacity | undefined; held: Capacity[] };

/** What a request's session gives the pages: who, in which capacity (if chosen), with what. */
export interface SessionView {
  session: Session;
  held: readonly Capacity[];
  viewer: Viewer | undefined;
}

const HELD_TTL_MS = 60_000;

export class ConsoleIdentity {
  /** Capacities held, per session, for a minute: a revoked capacity stops within it. */
  private readonly held = new Map<string, { capacities: Capacity[]; until: number }>();

  constructor(readonly deps: ConsoleIdentityDeps) {}

  get sessions(): Sessions {
    return this.deps.sessions;
  }

  async requestCode(phone: string, address: string, now: Date): Promise<CodeAnswer> {
    const issued = await this.deps.codes.request(phone, address, now);
    if (!issued.ok) return { limited: true };
    const delivery = this.deliver(phone, issued.code, issued.expiresAt).catch((error: unknown) => {
      this.deps.logger.error({ err: error }, 'sign-in code not delivered');
      return 'failed' as const;
    });
    // In production nothing after the code is stored is waited for: the answer's time is the
    // same for every number. Development waits, to know whether to show the code.
    if (!this.deps.showCodes) return { limited: false };
    return (await delivery) === 'shown'
      ? { limited: false, devCode: issued.code }
      : { limited: false };
  }

  private async deliver(phone: string, code: string, expiresAt: Date) {
    const identities = await this.deps.directory.lookup(phone);
    const gateway =
      identities.length > 0
        ? await this.deps.registry.smsGateway(await this.gatewayCommunities(identities))
        : undefined;
    if (gateway) {
      const sent = await sendSignInCode(gateway, phone, code, expiresAt, this.deps.sms);
      if (!sent.ok) {
        this.deps.logger.warn(
          { communityId: gateway.communityId, webhookId: gateway.webhookId, error: sent.error },
          'SMS gateway refused a sign-in code',
        );
      }
      return 'sent' as const;
    }
    if (this.deps.showCodes) {
      this.deps.logger.info(
        { phone: maskPhone(phone), code },
        'development sign-in code (no SMS gateway)',
      );
      return 'shown' as const;
    }
    if (identities.length > 0) {
      this.deps.logger.warn({ phone: maskPhone(phone) }, 'no SMS gateway for a registered number');
    }
    return 'none' as const;
  }

  /**
   * Where a person's code may go: their communities' gateways; an official's, the communities
   * they oversee; an administrator's, any community's.
   */
  private async gatewayCommunities(identities: readonly SessionIdentity[]): Promise<string[]> {
    const ids = new Set(communityIdentities(identities).map((i) => i.communityId));
    const own = identities.filter((i) => i.communityId === INSTALLATION);
    if (own.length > 0) {
      const installation = await this.deps.registry.installation();
      const all = () => this.deps.registry.communityIds();
      for (const { personId } of own) {
        const official = installation?.officials.find((o) => o.personId === personId);
        const reach = installation?.adminIds.includes(personId)
          ? ['*']
          : (official?.communities ?? []);
        for (const id of reach.includes('*') ? await all() : reach) ids.add(id);
      }
    }
    return [...ids];
  }

  /** Checks the code; on success, a new session, and its capacity when only one is held. */
  async signIn(phone: string, code: string, address: string, now: Date): Promise<SignInAnswer> {
    const checked = await this.deps.codes.check(phone, code, address, now);
    if (checked !== 'ok') return { kind: checked };
    const identities = await this.deps.directory.lookup(phone);
    if (identities.length === 0) return { kind: 'unregistered' };
    return this.open(identities, now);
  }

  private async open(identities: readonly SessionIdentity[], now: Date): Promise<SignInAnswer> {
    const started = await this.deps.sessions.start(identities, now);
    const held = await this.capacities(started.session, true);
    if (held.length !== 1) {
      return { kind: 'signed-in', sessionId: started.id, capacity: undefined, held };
    }
    const only = held[0]!;
    const sessionId = await this.deps.sessions.choose(started.session, chosen(only), now);
    return { kind: 'signed-in', sessionId: sessionId ?? started.id, capacity: only, held };
  }

  /** The capacities a session's persons hold: from the registry, at most a minute old. */
  async capacities(session: Session, fresh = false): Promise<Capacity[]> {
    const known = this.held.get(session.key);
    if (!fresh && known && known.until > Date.now()) return known.capacities;
    const capacities = await this.deps.registry.capacities(session.identities);
    if (this.held.size > 10_000) this.held.clear();
    this.held.set(session.key, { capacities, until: Date.now() + HELD_TTL_MS });
    return capacities;
  }

  /** The session of a cookie, its capacities and (when one is chosen and still held) its viewer. */
  async resume(sessionId: string, now: Date): Promise<SessionView | undefined> {
    const session = await this.deps.sessions.resume(sessionId, now);
    if (!session) return undefined;
    const held = await this.capacities(session);
    const capacity = session.capacity
      ? heldCapacity(held, capacityKey(session.capacity))
      : undefined;
    if (!capacity) return { session, held, viewer: undefined };
    const { token } = await this.deps.minter.tokenFor(session.key, capacity);
    return {
      session,
      held,
      viewer: {
        token,
        personId: capacity.personId,
        role: capacity.role,
        communities: capacity.communities,
        ...(capacity.partyId ? { partyId: capacity.partyId } : {}),
        capacity,
        held,
        sessionKey: session.key,
      },
    };
  }

  /**
   * Acts in the capacity of `key` from now on, if the registry gives it now (asked afresh):
   * the new session id, or undefined when it is not held (or the session ended).
   */
  async choose(
    session: Session,
    key: string,
    now: Date,
  ): Promise<{ sessionId: string; capacity: Capacity } | undefined> {
    const capacity = heldCapacity(await this.capacities(session, true), key);
    if (!capacity) return undefined;
    const sessionId = await this.deps.sessions.choose(session, chosen(capacity), now);
    this.deps.minter.forget(session.key);
    return sessionId ? { sessionId, capacity } : undefined;
  }

  async signOut(session: Session, now: Date): Promise<void> {
    await this.deps.sessions.revoke(session.key, now);
    this.deps.minter.forget(session.key);
    this.held.delete(session.key);
  }

  /**
   * The first administrator: the one-time code, then the installation records them (the
   * command service decides: once per installation), their number is kept, and they are
   * signed in.
   */
  async bootstrapAdmin(
    code: string,
    personId: string,
    phone: string,
    now: Date,
  ): Promise<{ kind: 'wrong' | 'exists' | 'failed' } | SignInAnswer> {
    if (!(await this.deps.bootstrap.use(code, now))) return { kind: 'wrong' };
    const token = await this.deps.minter.serviceToken(['*'], personId);
    const api = new ApiClient(this.deps.upstreams, token);
    const recorded = await api.command('/v1/installation/bootstrap-admin', { personId });
    if (!recorded.ok) {
      this.deps.logger.warn({ code: recorded.problem.code }, 'bootstrap refused');
      return { kind: recorded.problem.code === 'already-exists' ? 'exists' : 'failed' };
    }
    const identity = { communityId: INSTALLATION, personId };
    await this.deps.phones.link(phone, identity);
    return this.open([identity], now);
  }

  /**
   * The code `pnpm start` prints: a new one at each start until the first administrator is
   * recorded; nothing once they are (or when the installation cannot be read to say).
   */
  async bootstrapCode(now: Date): Promise<string | undefined> {
    const installation = await this.deps.registry.installation();
    if (!installation) return undefined;
    if (installation.bootstrapped) {
      await this.deps.bootstrap.retire(now);
      return undefined;
    }
    return this.deps.bootstrap.issue(now);
  }

  /**
   * Forgets what can no longer matter: codes expired a day ago, sessions ended a day ago,
   * limit windows older than two hours (every limit's window is an hour or less).
   */
  async sweep(now: Date): Promise<void> {
    const dayAgo = new Date(now.getTime() - 24 * 3_600_000);
    await this.deps.codes.forgetExpired(dayAgo);
    await this.deps.sessions.forgetEnded(dayAgo);
    await forgetOldWindows(this.deps.db, new Date(now.getTime() - 2 * 3_600_000));
  }

  close(): Promise<void> {
    return this.deps.db.destroy();
  }
}

/**
 * Whether a code no gateway takes is shown on the page (development): never in production, nor
 * behind https (a public address is no development machine).
 */
export function showsSignInCodes(config: Pick<Config, 'NODE_ENV' | 'WEB_PUBLIC_URL'>): boolean {
  return config.NODE_ENV !== 'production' && !config.WEB_PUBLIC_URL?.startsWith('https:');
}

function chosen(capacity: Capacity) {
  return {
    communityId: capacity.communityId,
    personId: capacity.personId,
    kind: capacity.kind,
    ...(capacity.partyId ? { partyId: capacity.partyId } : {}),
  };
}

/**
 * The console's sign-in from the configuration: its tables (migrated), the registry through the
 * query service, codes by the communities' SMS gateways, and in development on the page.
 */
export async function consoleIdentity(
  config: Config,
  databaseUrl: string,
  upstreams: Upstreams,
  logger: Logger,
  overrides: Partial<ConsoleIdentityDeps> = {},
): Promise<ConsoleIdentity> {
  const db = overrides.db ?? createIdentityDb(databaseUrl);
  await migrateIdentity(db);
  const key = identityKey(config);
  const minter = new TokenMinter({
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    secret: localSecret(config.DATA_DIR, config.JWT_SECRET),
  });
  // The installation's persons (and numbers linked by hand) in the console's table; the
  // communities' persons by the numbers their registries keep.
  const phones = new TablePhoneDirectory(db, key);
  return new ConsoleIdentity({
    db,
    key,
    upstreams,
    registry: new ProjectionRegistry(upstreams, minter),
    minter,
    directory: combinedDirectory([phones, new RegistryPhoneDirectory(upstreams, minter)]),
    phones,
    sessions: new Sessions(db, {
      idleMinutes: config.SESSION_IDLE_MINUTES,
      maxHours: config.SESSION_MAX_HOURS,
    }),
    codes: new SignInCodes(db, key),
    bootstrap: new BootstrapCodes(db, key),
    sms: { secret: webhookSecret(config), allowPrivate: config.WEBHOOK_ALLOW_PRIVATE },
    showCodes: showsSignInCodes(config),
    logger: logger.child({ component: 'sign-in' }),
    ...overrides,
  });
}
