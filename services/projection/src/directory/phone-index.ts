import { createHmac } from 'node:crypto';
import { ERASED, SealedValueError, type Vault } from '@yishi/personal-data';
import { type Config, localSecret } from '@yishi/platform';
import { type Kysely, sql } from 'kysely';
import type { ReadModels } from '../runtime/read-models.ts';
import type { Database } from '../tables.ts';

// Who a phone number belongs to, for signing in: the registry keeps phone numbers sealed
// under each person's data key (PIPL), so nothing can be looked up by number in the events or
// the read models. This index keeps, for each person whose sealed number opens, a keyed
// digest (HMAC) of the number: a stolen table is of no use without the deployment's secret,
// and a person's row goes once their number is corrected or their data erased. It follows the
// registry read model's person versions in global order (its watermark), so a rebuilt
// registry needs nothing here, and an erasure is final: the erased version has no number, and
// the destroyed key opens no earlier one.

/** A person a number belongs to. */
export interface DirectoryEntry {
  communityId: string;
  personId: string;
}

/** Person versions read per round of `sync`. */
const SYNC_BATCH = 1_000;

/** The key of the index's digests, derived from the deployment secret. */
export function phoneIndexKey(config: Pick<Config, 'JWT_SECRET' | 'DATA_DIR'>): Uint8Array {
  return createHmac('sha256', localSecret(config.DATA_DIR, config.JWT_SECRET))
    .update('yishi phone index v1')
    .digest();
}

export class PhoneIndex {
  /** The sync running now: one at a time, and a lookup waits for it. */
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly readModels: ReadModels,
    private readonly vault: Vault,
    private readonly key: Uint8Array,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  private digest(phone: string): string {
    return createHmac('sha256', this.key).update(phone).digest('base64url');
  }

  /** The persons `phone` (E.164) belongs to, after catching up with the registry. */
  async lookup(phone: string): Promise<DirectoryEntry[]> {
    await this.sync();
    const rows = await this.db
      .selectFrom('phone_index')
      .select(['community_id', 'person_id'])
      .where('phone_digest', '=', this.digest(phone))
      .orderBy('community_id')
      .orderBy('person_id')
      .execute();
    return rows.map((r) => ({ communityId: r.community_id, personId: r.person_id }));
  }

  /**
   * Catches up with the registry's person versions. Calls while one runs share it and one more
   * round follows, so a version committed during a round is never left behind.
   */
  sync(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          while (await this.round()) {}
        } while (this.again);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** `sync`, its failure reported rather than thrown: for the registry's batches. */
  nudge(): void {
    this.sync().catch(this.onError);
  }

  /** One batch of person versions past the watermark; whether there may be more. */
  private async round(): Promise<boolean> {
    const schema = await this.readModels.schemaOf('registry');
    if (!schema) return false;
    const mark = await this.db
      .selectFrom('phone_index_watermark')
      .select(['transaction_id', 'global_position'])
      .where('id', '=', 1)
      .executeTakeFirst();
    const after = mark
      ? sql<boolean>`(valid_from_tx, valid_from_pos) > (${mark.transaction_id}, ${mark.global_position})`
      : sql<boolean>`true`;
    const versions = await this.db
      .withSchema(schema)
      .selectFrom('persons')
      .select(['community_id', 'person_id', 'phone', 'erased', 'valid_from_tx', 'valid_from_pos'])
      .where(after)
      .orderBy('valid_from_tx')
      .orderBy('valid_from_pos')
      .limit(SYNC_BATCH)
      .execute();
    const last = versions.at(-1);
    if (!last) return false;
    const keyring = await this.vault.keyring(versions.map((v) => v.phone));
    // The last version of each person in this batch decides their row.
    const latest = new Map<string, (typeof versions)[number]>();
    for (const v of versions) latest.set(`${v.community_id}\u0000${v.person_id}`, v);
    await this.db.transaction().execute(async (trx) => {
      for (const v of latest.values()) {
        const phone = v.erased || v.phone === null ? undefined : this.open(keyring, v.phone);
        if (phone === undefined) {
          await trx
            .deleteFrom('phone_index')
            .where('community_id', '=', v.community_id)
            .where('person_id', '=', v.person_id)
            .execute();
          continue;
        }
        await trx
          .insertInto('phone_index')
          .values({
            community_id: v.community_id,
            person_id: v.person_id,
            phone_digest: this.digest(phone),
          })
          .onConflict((oc) =>
            oc
              .columns(['community_id', 'person_id'])
              .doUpdateSet((eb) => ({ phone_digest: eb.ref('excluded.phone_digest') })),
          )
          .execute();
      }
      await trx
        .insertInto('phone_index_watermark')
        .values({
          id: 1,
          transaction_id: last.valid_from_tx,
          global_position: last.valid_from_pos,
        })
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            transaction_id: eb.ref('excluded.transaction_id'),
            global_position: eb.ref('excluded.global_position'),
          })),
        )
        .execute();
    });
    return versions.length === SYNC_BATCH;
  }

  /** The number, or undefined when it does not open (erased key, altered value). */
  private open(keyring: Awaited<ReturnType<Vault['keyring']>>, sealed: string): string | undefined {
    try {
      const opened = keyring.open(sealed, 'phone');
      return opened === ERASED ? undefined : opened;
    } catch (error) {
      if (!(error instanceof SealedValueError)) throw error;
      this.onError(error);
      return undefined;
    }
  }
}
