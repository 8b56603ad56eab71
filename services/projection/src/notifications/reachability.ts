import type { ContactChannel } from '@yishi/domain';
import type { Kysely } from 'kysely';
import type { Database } from '../tables.ts';

// Who may be reached, and how: a person with consent on record (知情同意) who has not opted out.
// The contact details themselves (sealed phone numbers) stay in the registry's vault; a
// notification names the person and the channels, and the gateway looks the details up.

export interface Recipient {
  personId: string;
  channels: ContactChannel[];
}

export interface Reachability {
  /** Of `personIds`, those who may be reached, in the order given. */
  reachable(communityId: string, personIds: readonly string[]): Promise<Recipient[]>;
}

/** Reachability over the registry's consent and opt-out events, as this read model keeps them. */
export function registryReachability(rm: Kysely<Database>): Reachability {
  return {
    async reachable(communityId, personIds) {
      if (personIds.length === 0) return [];
      const found = new Map<string, Recipient>();
      for (let i = 0; i < personIds.length; i += 10_000) {
        const rows = await rm
          .selectFrom('reminder_contacts')
          .select(['person_id', 'channels'])
          .where('community_id', '=', communityId)
          .where('person_id', 'in', personIds.slice(i, i + 10_000))
          .where('opted_out', '=', false)
          .execute();
        for (const row of rows) {
          if (row.channels.length === 0) continue;
          found.set(row.person_id, {
            personId: row.person_id,
            channels: row.channels as ContactChannel[],
          });
        }
      }
      return personIds.flatMap((id) => found.get(id) ?? []);
    },
  };
}
