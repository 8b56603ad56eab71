import type { RecordedEvent } from '@yishi/event-store';
import type { Projection } from './projection.ts';

interface CommunityRegistered {
  communityId: string;
  name: string;
  kind: string;
  registeredAt: string;
}

/** The community registry read model (社区名册). */
export const registryProjection: Projection = {
  name: 'registry',
  async apply(trx, events: readonly RecordedEvent[]) {
    for (const event of events) {
      if (event.type !== 'CommunityRegistered') continue;
      const data = event.data as unknown as CommunityRegistered;
      await trx
        .insertInto('rm_communities')
        .values({
          community_id: data.communityId,
          name: data.name,
          kind: data.kind,
          registered_at: data.registeredAt,
          version: event.streamVersion,
        })
        .onConflict((oc) => oc.column('community_id').doNothing())
        .execute();
    }
  },
};
