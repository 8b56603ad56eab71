import { randomInt } from 'node:crypto';
import { type IdentityDb, tables } from './db.ts';
import { keyed, sameHex } from './keys.ts';
import { type Limit, withinLimits } from './rate-limits.ts';

// One-time sign-in codes: 6 digits, valid 5 minutes, 5 attempts, stored as an HMAC. A code is
// issued for any number asked for, registered or not, and every request counts against the
// number's and the address's limits first: the answer never tells whether a number is known.

export interface CodeOptions {
  /** How long a code is valid (s): 5 minutes. */
  ttlSeconds: number;
  /** Wrong attempts a code survives: 5. */
  maxAttempts: number;
  /** Codes per phone number. */
  perPhone: Limit;
  /** At most one code per number in this time: no flood of texts to one phone. */
  perPhoneBurst: Limit;
  /** Code requests per client address. */
  perAddress: Limit;
  /** Code attempts per client address (across numbers). */
  attemptsPerAddress: Limit;
}

export const defaultCodeOptions: CodeOptions = {
  ttlSeconds: 5 * 60,
  maxAttempts: 5,
  perPhone: { max: 5, windowSeconds: 3600 },
  perPhoneBurst: { max: 1, windowSeconds: 60 },
  perAddress: { max: 20, windowSeconds: 3600 },
  attemptsPerAddress: { max: 50, windowSeconds: 3600 },
};

export type CodeRequest = { ok: true; code: string; expiresAt: Date } | { ok: false };
export type CodeCheck = 'ok' | 'wrong' | 'limited';

export class SignInCodes {
  private readonly options: CodeOptions;

  constructor(
    private readonly db: IdentityDb,
    private readonly key: Uint8Array,
    options: Partial<CodeOptions> = {},
  ) {
    this.options = { ...defaultCodeOptions, ...options };
  }

  /** The key under which a number is stored and counted (never the number itself). */
  phoneKey(phone: string): string {
    return keyed(this.key, 'phone', phone);
  }

  /**
   * A new code for `phone`, superseding any earlier one; `{ ok: false }` when the number or
   * the address asked too often. The caller delivers it (or, in development, shows it).
   */
  async request(phone: string, address: string, now: Date): Promise<CodeRequest> {
    const phoneKey = this.phoneKey(phone);
    const o = this.options;
    const allowed = await withinLimits(this.db, now, [
      { bucket: `code-phone:${phoneKey}`, limit: o.perPhone },
      { bucket: `code-phone-burst:${phoneKey}`, limit: o.perPhoneBurst },
      { bucket: `code-address:${address}`, limit: o.perAddress },
    ]);
    if (!allowed) return { ok: false };
    const code = randomInt(0, 1_000_000).toString().padStart(6, '0');
    const expiresAt = new Date(now.getTime() + o.ttlSeconds * 1000);
    await tables(this.db)
      .transaction()
      .execute(async (trx) => {
        await trx
          .updateTable('otp_codes')
          .set({ used_at: now })
          .where('phone_hmac', '=', phoneKey)
          .where('used_at', 'is', null)
          .execute();
        await trx
          .insertInto('otp_codes')
          .values({
            phone_hmac: phoneKey,
            code_hash: this.codeHash(phoneKey, code),
            created_at: now,
            expires_at: expiresAt,
          })
          .execute();
      });
    return { ok: true, code, expiresAt };
  }

  /**
   * Checks a typed code against the number's latest one: right once, within its time and
   * attempts. `limited` when the address tried too often (the code is not even looked at).
   */
  async check(phone: string, typed: string, address: string, now: Date): Promise<CodeCheck> {
    const allowed = await withinLimits(this.db, now, [
      { bucket: `attempt-address:${address}`, limit: this.options.attemptsPerAddress },
    ]);
    if (!allowed) return 'limited';
    const phoneKey = this.phoneKey(phone);
    const code = /^\d{6}$/.test(typed) ? typed : '';
    return tables(this.db)
      .transaction()
      .execute(async (trx) => {
        const row = await trx
          .selectFrom('otp_codes')
          .select(['id', 'code_hash', 'attempts'])
          .where('phone_hmac', '=', phoneKey)
          .where('used_at', 'is', null)
          .where('expires_at', '>', now)
          .orderBy('created_at', 'desc')
          .limit(1)
          .forUpdate()
          .executeTakeFirst();
        if (!row || row.attempts >= this.options.maxAttempts) return 'wrong';
        const right = code !== '' && sameHex(row.code_hash, this.codeHash(phoneKey, code));
        await trx
          .updateTable('otp_codes')
          .set(right ? { used_at: now } : { attempts: row.attempts + 1 })
          .where('id', '=', row.id)
          .execute();
        return right ? 'ok' : 'wrong';
      });
  }

  /** Drops codes that expired before `before` (used or not: they can sign no one in). */
  async forgetExpired(before: Date): Promise<void> {
    await tables(this.db).deleteFrom('otp_codes').where('expires_at', '<', before).execute();
  }

  private codeHash(phoneKey: string, code: string): string {
    return keyed(this.key, 'code', `${phoneKey}:${code}`);
  }
}
