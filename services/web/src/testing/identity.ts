import { createHash } from 'node:crypto';
import { type CapacityKind, capacityRoles } from '@yishi/domain';
import {
  type Capacity,
  createIdentityDb,
  INSTALLATION,
  type InstallationView,
  identityKey,
  type SessionIdentity,
  SignInCodes,
  type SmsGateway,
  TablePhoneDirectory,
} from '@yishi/identity';
import { type Logger, loadConfig, silentLogger } from '@yishi/platform';
import type { Upstreams } from '../api.ts';
import { type Registry, sortCapacities } from '../sign-in/registry.ts';
import { type ConsoleIdentity, consoleIdentity } from '../sign-in/sign-in.ts';

// Sign-in for tests: a phone number per person, derived from its id, and limits generous
// enough for a test file's many sign-ins from one address (the limits have their own tests).

/** A mainland mobile number of a test person: the same for the same community and id. */
export function phoneOf(personId: string, communityId = ''): string {
  const digits = BigInt(
    `0x${createHash('sha256').update(`${communityId}/${personId}`).digest('hex').slice(0, 12)}`,
  );
  return `+86139${(digits % 100_000_000n).toString().padStart(8, '0')}`;
}

/** Limits no test file reaches (sign-ins from one address, a number again within a minute). */
export function relaxedCodes(db: ConstructorParameters<typeof SignInCodes>[0], key: Uint8Array) {
  const many = { max: 100_000, windowSeconds: 3600 };
  return new SignInCodes(db, key, {
    perPhone: many,
    perPhoneBurst: many,
    perAddress: many,
    attemptsPerAddress: many,
  });
}

interface Held {
  kind: CapacityKind;
  partyId?: string;
  label?: string;
}

/**
 * The registry as a table, for the console tested alone: capacities per `<community>/<person>`
 * (the installation's persons under `/<person>`), an SMS gateway or none.
 */
export class StaticRegistry implements Registry {
  gateway: SmsGateway | undefined;
  installationView: InstallationView = { bootstrapped: false, adminIds: [], officials: [] };
  constructor(readonly held: Map<string, Held[]> = new Map()) {}

  give(communityId: string, personId: string, ...capacities: Held[]): this {
    this.held.set(`${communityId}/${personId}`, capacities);
    return this;
  }

  async capacities(identities: readonly SessionIdentity[]): Promise<Capacity[]> {
    return sortCapacities(
      identities.flatMap(({ communityId, personId }) =>
        (this.held.get(`${communityId}/${personId}`) ?? []).map((h) => ({
          ...h,
          role: capacityRoles[h.kind],
          communityId,
          personId,
          communities:
            communityId === INSTALLATION ? (h.kind === 'admin' ? ['*'] : []) : [communityId],
        })),
      ),
    );
  }

  async smsGateway(): Promise<SmsGateway | undefined> {
    return this.gateway;
  }

  async installation(): Promise<InstallationView | undefined> {
    return this.installationView;
  }

  async communityIds(): Promise<string[]> {
    return [];
  }
}

export interface TestIdentity {
  identity: ConsoleIdentity;
  phones: TablePhoneDirectory;
  /** Gives a person a phone number (`phoneOf` unless said). */
  link(communityId: string, personId: string, phone?: string): Promise<string>;
}

export const TEST_SECRET = 'console-test-secret-0123456789abcdef';

/** A console's sign-in on a test database, over `registry`. */
export async function testIdentity(
  databaseUrl: string,
  registry: Registry,
  options: {
    upstreams?: Upstreams;
    logger?: Logger;
    env?: Record<string, string>;
    /** The deployment's own limits (default: `relaxedCodes`). */
    limits?: 'relaxed' | 'deployed';
  } = {},
): Promise<TestIdentity> {
  const config = loadConfig({ JWT_SECRET: TEST_SECRET, LOG_LEVEL: 'silent', ...options.env });
  const db = createIdentityDb(databaseUrl);
  const key = identityKey(config);
  const phones = new TablePhoneDirectory(db, key);
  const identity = await consoleIdentity(
    config,
    databaseUrl,
    options.upstreams ?? { commandUrl: 'http://127.0.0.1:9', projectionUrl: 'http://127.0.0.1:9' },
    options.logger ?? silentLogger,
    {
      db,
      registry,
      codes: options.limits === 'deployed' ? new SignInCodes(db, key) : relaxedCodes(db, key),
      directory: phones,
      phones,
    },
  );
  return {
    identity,
    phones,
    async link(communityId, personId, phone = phoneOf(personId, communityId)) {
      await phones.link(phone, { communityId, personId });
      return phone;
    },
  };
}
