import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import { type IdentityDb, tables } from './db.ts';
import { keyed } from './keys.ts';

// The first administrator of a fresh installation: `pnpm start` prints a one-time code (each
// start prints a new one, replacing the last, until one is used), stored only as an HMAC and
// used once. Whoever holds it records themselves as the first administrator.

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export class BootstrapCodes {
  constructor(
    private readonly db: IdentityDb,
    private readonly key: Uint8Array,
  ) {}

  /** A new code unless one was used already (then undefined: the installation has begun). */
  async issue(now: Date): Promise<string | undefined> {
    const code = Array.from({ length: 3 }, () =>
      Array.from({ length: 4 }, () => ALPHABET[randomInt(ALPHABET.length)]).join(''),
    ).join('-');
    const row = await tables(this.db)
      .insertInto('bootstrap_codes')
      .values({ id: 1, code_hash: this.hash(code), created_at: now, used_at: null })
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet({ code_hash: this.hash(code), created_at: now })
          .where('bootstrap_codes.used_at', 'is', null),
      )
      .returning('id')
      .executeTakeFirst();
    return row ? code : undefined;
  }

  /** Whether a code waits to be used (the sign-in page then offers the first sign-in). */
  async pending(): Promise<boolean> {
    const row = await tables(this.db)
      .selectFrom('bootstrap_codes')
      .select('id')
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Uses the code: true once for the right one, never again. */
  async use(typed: string, now: Date): Promise<boolean> {
    const code = typed.trim().toUpperCase().replace(/\s/g, '');
    const row = await tables(this.db)
      .updateTable('bootstrap_codes')
      .set({ used_at: now })
      .where('id', '=', 1)
      .where('used_at', 'is', null)
      .where('code_hash', '=', this.hash(code))
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Marks the code used without it: the installation has an administrator already. */
  async retire(now: Date): Promise<void> {
    await tables(this.db)
      .updateTable('bootstrap_codes')
      .set({ used_at: sql`coalesce(used_at, ${now})` })
      .where('id', '=', 1)
      .execute();
  }

  private hash(code: string): string {
    return keyed(this.key, 'bootstrap', code);
  }
}
