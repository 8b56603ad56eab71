import { createHmac, randomBytes } from 'node:crypto';
import { decrypt, decryptText, encrypt, KEY_BYTES } from './cipher.ts';
import type { KeyRow, KeyStore } from './key-store.ts';
import { type MasterKey, MasterKeyError } from './master-key.ts';
import { fieldAad, formatSealed, isSealed, parseSealed } from './sealed.ts';

// Envelope encryption of personal fields (crypto-shredding). Each person (subject
// `<communityId>/<personId>`) has a random AES-256 data key, stored wrapped under the master
// key; their fields are sealed with it. Destroying the data key makes every sealed copy, in
// every event and read model, unreadable at once: nothing stored needs rewriting to forget.
// Unwrapped keys are cached (bounded, least recently used first, for a short time) so folds and
// reads cost a database round trip per batch of new keys, not per value.

/** What a sealed value opens to once its person's data key is destroyed. */
export const ERASED: unique symbol = Symbol('erased personal data');
export type Opened = string | typeof ERASED;

/** Sealing for a person whose data key is destroyed: their data may not be entered again. */
export class PersonalDataErasedError extends Error {
  constructor(readonly subject: string) {
    super(`the personal data of ${subject} was erased`);
    this.name = 'PersonalDataErasedError';
  }
}

/** A sealed value that does not open with its own key: altered, or moved to another field. */
export class SealedValueError extends Error {
  constructor(keyId: string, field: string) {
    super(`sealed ${field} under key ${keyId} does not open: altered or misplaced`);
    this.name = 'SealedValueError';
  }
}

/** Random bytes of a key id (16 characters of base64url). */
const KEY_ID_BYTES = 12;

export interface SealRequest {
  subject: string;
  field: string;
  value: string;
}

interface CachedKey {
  keyId: string;
  subject: string;
  /** Null: destroyed, or unknown to the key store (either way, unreadable). */
  key: Buffer | null;
  expires: number;
}

export interface VaultOptions {
  /** Unwrapped keys kept in memory (default 50,000). */
  cacheSize?: number;
  /** How long a cached key (or a destruction) is trusted (default 60 s). */
  cacheTtlMs?: number;
  now?: () => number;
}

/** Keys loaded for one batch of values: opens them synchronously (a fold stays synchronous). */
export class Keyring {
  constructor(private readonly keys: ReadonlyMap<string, CachedKey>) {}

  /** The clear value; a value that is not sealed (stored before sealing began) as it is. */
  open(value: string, field: string): Opened {
    const parts = parseSealed(value);
    if (!parts) return value;
    const entry = this.keys.get(parts.keyId);
    if (!entry?.key) return ERASED;
    try {
      return decryptText(entry.key, parts.blob, fieldAad(entry.subject, field));
    } catch {
      throw new SealedValueError(parts.keyId, field);
    }
  }
}

export class Vault {
  private readonly cache = new Map<string, CachedKey>();
  /** Subject → key id of the cached keys, for sealing. */
  private readonly bySubject = new Map<string, string>();
  private readonly cacheSize: number;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly keys: KeyStore,
    private readonly master: MasterKey,
    options: VaultOptions = {},
  ) {
    this.cacheSize = options.cacheSize ?? 50_000;
    this.ttlMs = options.cacheTtlMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  get masterKeyId(): string {
    return this.master.id;
  }

  /** Refuses a master key that is not the one the stored keys are wrapped under. */
  async checkMasterKey(): Promise<void> {
    const others = (await this.keys.masterKeyIds()).filter((id) => id !== this.master.id);
    if (others.length > 0) {
      throw new MasterKeyError(
        `personal data keys are wrapped under master key ${others.join(', ')}, not the configured ${this.master.id}: configure that key (PII_MASTER_KEY or DATA_DIR/pii-master-key), or finish its rotation (pnpm run rotate-pii-key)`,
      );
    }
  }

  async seal(subject: string, field: string, value: string): Promise<string> {
    const [sealed] = await this.sealAll([{ subject, field, value }]);
    return sealed!;
  }

  /** Seals each value with its subject's data key, making keys for subjects that have none. */
  async sealAll(requests: readonly SealRequest[]): Promise<string[]> {
    const keys = await this.dataKeysOf([...new Set(requests.map((r) => r.subject))]);
    return requests.map(({ subject, field, value }) => {
      const entry = keys.get(subject)!;
      const blob = encrypt(entry.key!, Buffer.from(value, 'utf8'), fieldAad(subject, field));
      return formatSealed(entry.keyId, blob);
    });
  }

  /**
   * A keyed digest of each value under its subject's data key, for what must be compared but
   * never read back (a request's digest): once the key is destroyed, nothing can tell what it
   * was made of, not even by trying every phone number. A subject already erased gets a digest
   * of no key (whatever it is compared with was refused: nothing is stored for it).
   */
  async macAll(requests: readonly SealRequest[]): Promise<string[]> {
    const keys = await this.dataKeysOf([...new Set(requests.map((r) => r.subject))], true);
    return requests.map(({ subject, field, value }) => {
      const key = keys.get(subject)?.key;
      if (!key) return 'erased';
      // A key of its own for digests, derived: the data key itself only ever seals.
      const macKey = createHmac('sha256', key).update('yishi pii digest').digest();
      return createHmac('sha256', macKey)
        .update(`${fieldAad(subject, field)}\u0000${value}`)
        .digest('base64url');
    });
  }

  /** The keys of these values (sealed ones; others are ignored), in one round trip. */
  async keyring(values: Iterable<unknown>): Promise<Keyring> {
    const found = new Map<string, CachedKey>();
    const wanted: string[] = [];
    for (const value of values) {
      if (!isSealed(value)) continue;
      const keyId = parseSealed(value)?.keyId;
      if (keyId === undefined || found.has(keyId)) continue;
      const cached = this.cached(keyId);
      if (cached) found.set(keyId, cached);
      else {
        found.set(keyId, { keyId, subject: '', key: null, expires: 0 });
        wanted.push(keyId);
      }
    }
    if (wanted.length > 0) {
      for (const row of await this.keys.byIds(wanted)) {
        found.set(row.keyId, this.remember(row));
      }
      // A key id the store does not know reads as erased; it is not cached (a key is never
      // stored after a value sealed with it, but another instance may be storing it now).
    }
    return new Keyring(found);
  }

  async unseal(value: string, field: string): Promise<Opened> {
    return (await this.keyring([value])).open(value, field);
  }

  /** Marks an erasure as started, before its event is appended (see `pendingErasures`). */
  async startErasure(subject: string): Promise<void> {
    await this.keys.markErasure(subject);
  }

  /** An erasure whose event was not appended after all. */
  async cancelErasure(subject: string): Promise<void> {
    await this.keys.clearErasure(subject);
  }

  /** Erasures started whose keys were not destroyed (a crash in between): to finish or cancel. */
  pendingErasures(): Promise<string[]> {
    return this.keys.pendingErasures();
  }

  /** Destroys the subject's data key: everything sealed with it reads as ERASED from now on. */
  async destroy(subject: string): Promise<boolean> {
    const destroyed = await this.keys.destroy(subject);
    const keyId = this.bySubject.get(subject);
    if (keyId !== undefined) this.cache.delete(keyId);
    this.bySubject.delete(subject);
    return destroyed;
  }

  private cached(keyId: string): CachedKey | undefined {
    const entry = this.cache.get(keyId);
    if (!entry) return undefined;
    this.cache.delete(keyId);
    if (entry.expires <= this.now()) {
      this.bySubject.delete(entry.subject);
      return undefined;
    }
    this.cache.set(keyId, entry);
    return entry;
  }

  /** Caches a stored key (`key`: its unwrapped form when known already). */
  private remember(row: KeyRow, key?: Buffer): CachedKey {
    const entry: CachedKey = {
      keyId: row.keyId,
      subject: row.subject,
      key: key ?? (row.wrapped ? this.unwrap(row) : null),
      expires: this.now() + this.ttlMs,
    };
    this.cache.delete(row.keyId);
    this.cache.set(row.keyId, entry);
    this.bySubject.set(row.subject, row.keyId);
    while (this.cache.size > this.cacheSize) {
      const [oldest, old] = this.cache.entries().next().value!;
      this.cache.delete(oldest);
      if (this.bySubject.get(old.subject) === oldest) this.bySubject.delete(old.subject);
    }
    return entry;
  }

  private unwrap(row: KeyRow): Buffer {
    if (row.masterKeyId !== this.master.id) {
      throw new MasterKeyError(
        `data key ${row.keyId} is wrapped under master key ${row.masterKeyId}, not ${this.master.id}`,
      );
    }
    return decrypt(this.master.key, row.wrapped!, row.subject);
  }

  /**
   * Each subject's live data key: cached, stored, or made now. A subject whose key is destroyed
   * is refused (PersonalDataErasedError), or with `erased: true` answered without a key.
   */
  private async dataKeysOf(
    subjects: readonly string[],
    erased = false,
  ): Promise<Map<string, CachedKey>> {
    const keys = new Map<string, CachedKey>();
    const unknown: string[] = [];
    for (const subject of subjects) {
      const keyId = this.bySubject.get(subject);
      const cached = keyId === undefined ? undefined : this.cached(keyId);
      if (cached) keys.set(subject, cached);
      else unknown.push(subject);
    }
    const load = async (wanted: readonly string[]) => {
      for (const row of await this.keys.bySubjects(wanted))
        keys.set(row.subject, this.remember(row));
    };
    await load(unknown);
    const missing = unknown.filter((s) => !keys.has(s));
    if (missing.length > 0) {
      // One draw for every new key and key id (an import makes thousands).
      const random = randomBytes(missing.length * (KEY_BYTES + KEY_ID_BYTES));
      const made = missing.map((subject, i) => {
        const at = i * (KEY_BYTES + KEY_ID_BYTES);
        const key = random.subarray(at, at + KEY_BYTES);
        const row: KeyRow = {
          keyId: random
            .subarray(at + KEY_BYTES, at + KEY_BYTES + KEY_ID_BYTES)
            .toString('base64url'),
          subject,
          wrapped: encrypt(this.master.key, key, subject),
          masterKeyId: this.master.id,
        };
        return { row, key };
      });
      const inserted = await this.keys.insert(made.map((m) => m.row));
      for (const { row, key } of made) {
        if (inserted.has(row.subject)) keys.set(row.subject, this.remember(row, key));
      }
      // Another instance made the others first (or destroyed them): read back what was kept.
      await load(missing.filter((s) => !inserted.has(s)));
    }
    for (const subject of subjects) {
      if (!erased && !keys.get(subject)?.key) throw new PersonalDataErasedError(subject);
    }
    return keys;
  }
}
