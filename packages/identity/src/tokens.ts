import { issueToken } from '@yishi/platform';
import { type Capacity, capacityKey } from './capacities.ts';

// The console calls the services with a short-lived JWT for the session's capacity, minted with
// the deployment secret (HS256), as any client's token is verified: the services' hot path does
// not change. One token per session and capacity, used until shortly before it expires.

export interface TokenSettings {
  issuer: string;
  audience: string;
  secret: Uint8Array;
  /** Lifetime of a minted token (s): 5 minutes. */
  lifetimeSeconds?: number;
}

interface Minted {
  token: string;
  capacity: string;
  /** Epoch ms after which a new one is minted. */
  renewAt: number;
}

const MAX_CACHED = 10_000;

export class TokenMinter {
  private readonly minted = new Map<string, Minted>();
  private readonly lifetime: number;

  constructor(private readonly settings: TokenSettings) {
    this.lifetime = settings.lifetimeSeconds ?? 300;
  }

  /** The token of a session acting in `capacity` (its exp a few minutes ahead). */
  async tokenFor(
    sessionKey: string,
    capacity: Capacity,
  ): Promise<{ token: string; fresh: boolean }> {
    const key = capacityKey(capacity);
    // Tokens carry real time (the services check it): so does their renewal.
    const now = Date.now();
    const known = this.minted.get(sessionKey);
    if (known && known.capacity === key && known.renewAt > now) {
      return { token: known.token, fresh: false };
    }
    const token = await issueToken(
      this.settings,
      {
        personId: capacity.personId,
        role: capacity.role,
        communities: [...capacity.communities],
        ...(capacity.partyId ? { partyId: capacity.partyId } : {}),
      },
      `${this.lifetime}s`,
    );
    if (this.minted.size >= MAX_CACHED) this.minted.clear();
    // Renewed with a minute to spare: a page's requests never carry a token about to expire.
    this.minted.set(sessionKey, {
      token,
      capacity: key,
      renewAt: now + Math.max(this.lifetime - 60, this.lifetime / 2) * 1000,
    });
    return { token, fresh: true };
  }

  /** Forgets a session's token (sign-out, change of capacity). */
  forget(sessionKey: string): void {
    this.minted.delete(sessionKey);
  }

  /**
   * A token for the console's own reads of the registry and the installation (1 minute), or
   * for the first administrator recording themselves (`personId`).
   */
  serviceToken(communities: readonly string[], personId = CONSOLE_PRINCIPAL): Promise<string> {
    return issueToken(
      this.settings,
      { personId, role: 'admin', communities: [...communities] },
      '60s',
    );
  }
}

/** Who the console's own reads are logged as. */
export const CONSOLE_PRINCIPAL = 'console';
