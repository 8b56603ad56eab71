import { type IdentityDb, tables } from './db.ts';
import { digest, randomToken } from './keys.ts';
import type { SessionIdentity } from './tables.ts';

// Console sessions, kept server-side: the cookie carries a random id, the table its hash. A
// session ends when signed out (revoked), after `idleMinutes` without a request, and
// `maxHours` after sign-in however active. Its id changes at sign-in and whenever the person
// changes capacity, so an id seen before a change is worth nothing after it.

export interface SessionTimeouts {
  idleMinutes: number;
  maxHours: number;
}

/** The capacity a session acts in (checked against the registry before it is recorded). */
export interface ChosenCapacity {
  communityId: string;
  personId: string;
  kind: string;
  partyId?: string;
}

export interface Session {
  /** The id's hash: what the session is known by once its cookie was read. */
  key: string;
  identities: readonly SessionIdentity[];
  capacity: ChosenCapacity | undefined;
  createdAt: Date;
  expiresAt: Date;
}

export class Sessions {
  constructor(
    private readonly db: IdentityDb,
    readonly timeouts: SessionTimeouts,
  ) {}

  /** A new session for the persons a phone number belongs to; its id goes in the cookie. */
  async start(
    identities: readonly SessionIdentity[],
    now: Date,
  ): Promise<{ id: string; session: Session }> {
    const id = randomToken();
    const expiresAt = new Date(now.getTime() + this.timeouts.maxHours * 3_600_000);
    await tables(this.db)
      .insertInto('sessions')
      .values({
        id_hash: digest(id),
        identities: JSON.stringify(identities),
        person_id: null,
        community_id: null,
        capacity: null,
        party_id: null,
        created_at: now,
        last_seen_at: now,
        expires_at: expiresAt,
      })
      .execute();
    return {
      id,
      session: { key: digest(id), identities, capacity: undefined, createdAt: now, expiresAt },
    };
  }

  /**
   * The live session of a cookie's id, marked seen now; undefined when there is none, it was
   * revoked, or it timed out (idle or absolute). One statement: check and touch together.
   */
  async resume(id: string, now: Date): Promise<Session | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
    const idleSince = new Date(now.getTime() - this.timeouts.idleMinutes * 60_000);
    const row = await tables(this.db)
      .updateTable('sessions')
      .set({ last_seen_at: now })
      .where('id_hash', '=', digest(id))
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .where('last_seen_at', '>', idleSince)
      .returningAll()
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      key: row.id_hash,
      identities: row.identities,
      capacity:
        row.capacity && row.person_id !== null && row.community_id !== null
          ? {
              communityId: row.community_id,
              personId: row.person_id,
              kind: row.capacity,
              ...(row.party_id ? { partyId: row.party_id } : {}),
            }
          : undefined,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
    };
  }

  /**
   * Records the capacity (or none) and gives the session a new id: the old cookie no longer
   * opens it. Undefined when the session is no longer live.
   */
  async choose(
    session: Session,
    capacity: ChosenCapacity | undefined,
    now: Date,
  ): Promise<string | undefined> {
    const id = randomToken();
    const changed = await tables(this.db)
      .updateTable('sessions')
      .set({
        id_hash: digest(id),
        person_id: capacity?.personId ?? null,
        community_id: capacity?.communityId ?? null,
        capacity: capacity?.kind ?? null,
        party_id: capacity?.partyId ?? null,
        last_seen_at: now,
      })
      .where('id_hash', '=', session.key)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return changed.numUpdatedRows > 0n ? id : undefined;
  }

  /** Signs out: the session ends now, whoever holds its id. */
  async revoke(sessionKey: string, now: Date): Promise<void> {
    await tables(this.db)
      .updateTable('sessions')
      .set({ revoked_at: now })
      .where('id_hash', '=', sessionKey)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /** Drops sessions that ended before `before` (revoked or past their absolute timeout). */
  async forgetEnded(before: Date): Promise<void> {
    await tables(this.db)
      .deleteFrom('sessions')
      .where((eb) => eb.or([eb('expires_at', '<', before), eb('revoked_at', '<', before)]))
      .execute();
  }
}
