import type { RecordedEvent } from '@yishi/event-store';
import type { Projection } from './projection.ts';

interface ProposalSubmitted {
  communityId: string;
  proposalId: string;
  title: string;
  description: string;
  procedure: { template: string; version: number };
  submittedBy: { personId: string; role: string };
  submittedAt: string;
}

/** Proposals with their stage, as councils and residents read them. */
export const proposalsProjection: Projection = {
  name: 'proposals',
  async apply(trx, events: readonly RecordedEvent[]) {
    for (const event of events) {
      if (event.type !== 'ProposalSubmitted') continue;
      const data = event.data as unknown as ProposalSubmitted;
      await trx
        .insertInto('rm_proposals')
        .values({
          community_id: data.communityId,
          proposal_id: data.proposalId,
          title: data.title,
          description: data.description,
          procedure_template: data.procedure.template,
          procedure_version: data.procedure.version,
          stage: 'submitted',
          submitted_by: data.submittedBy.personId,
          submitted_role: data.submittedBy.role,
          submitted_at: data.submittedAt,
          version: event.streamVersion,
          updated_at: data.submittedAt,
        })
        .onConflict((oc) => oc.columns(['community_id', 'proposal_id']).doNothing())
        .execute();
    }
  },
};
