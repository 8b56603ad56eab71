import { type IdentityDb, tables } from './db.ts';
import { keyed } from './keys.ts';
import type { SessionIdentity } from './tables.ts';

// Who a phone number belongs to. The installation's persons (administrators, officials) are
// of no registry: their numbers are kept here (community ''). A community's persons are found
// by the number their registry keeps (the query service's phone index; the console asks both);
// numbers linked here by hand for them (the demo, tests) are found too.

/** The registered persons a phone number belongs to: what sign-in asks. */
export interface PhoneDirectory {
  /** `phone` in E.164; every person it belongs to, in any community or the installation. */
  lookup(phone: string): Promise<readonly SessionIdentity[]>;
}

/** The community id of the installation's own persons in the directory. */
export const INSTALLATION = '';

export class TablePhoneDirectory implements PhoneDirectory {
  constructor(
    private readonly db: IdentityDb,
    private readonly key: Uint8Array,
  ) {}

  async lookup(phone: string): Promise<readonly SessionIdentity[]> {
    const rows = await tables(this.db)
      .selectFrom('phone_numbers')
      .select(['community_id', 'person_id'])
      .where('phone_hmac', '=', keyed(this.key, 'phone', phone))
      .orderBy('community_id')
      .orderBy('person_id')
      .execute();
    return rows.map((r) => ({ communityId: r.community_id, personId: r.person_id }));
  }

  /** Gives a person this number (replacing any number they had). */
  async link(phone: string, identity: SessionIdentity): Promise<void> {
    await tables(this.db)
      .transaction()
      .execute(async (trx) => {
        await trx
          .deleteFrom('phone_numbers')
          .where('community_id', '=', identity.communityId)
          .where('person_id', '=', identity.personId)
          .execute();
        await trx
          .insertInto('phone_numbers')
          .values({
            phone_hmac: keyed(this.key, 'phone', phone),
            community_id: identity.communityId,
            person_id: identity.personId,
          })
          .execute();
      });
  }

  async unlink(identity: SessionIdentity): Promise<void> {
    await tables(this.db)
      .deleteFrom('phone_numbers')
      .where('community_id', '=', identity.communityId)
      .where('person_id', '=', identity.personId)
      .execute();
  }
}
