import { z } from 'zod';
import {
  Actor,
  type Command,
  type Decider,
  type DomainEvent,
  Id,
  Text,
} from '../shared/decider.ts';
import { type DomainError, refuse } from '../shared/errors.ts';

// 议题: a proposal follows a procedure (an ordered list of stages).

export const ProcedureTemplate = z.enum([
  'community-consultation',
  'owners-joint-decision',
  'four-deliberations',
  'joint-session',
]);
export type ProcedureTemplate = z.infer<typeof ProcedureTemplate>;

export const SubmitProposalData = z.object({
  proposalId: Id,
  title: Text(200),
  description: Text(20_000),
  procedure: ProcedureTemplate,
});
export type SubmitProposalData = z.infer<typeof SubmitProposalData>;

export type ProposalCommand = Command<
  'SubmitProposal',
  SubmitProposalData & { communityId: string }
>;

export const ProposalSubmittedData = z.object({
  communityId: z.string(),
  proposalId: z.string(),
  title: z.string(),
  description: z.string(),
  procedure: z.object({ template: ProcedureTemplate, version: z.number().int() }),
  submittedBy: Actor,
  submittedAt: z.string(),
});
export type ProposalEvent = DomainEvent<'ProposalSubmitted', z.infer<typeof ProposalSubmittedData>>;

export type ProposalState =
  | { status: 'none' }
  | { status: 'submitted'; proposalId: string; title: string; procedure: ProcedureTemplate };

export const proposalDecider: Decider<ProposalCommand, ProposalEvent, ProposalState> = {
  initialState: () => ({ status: 'none' }),
  evolve(state, event) {
    switch (event.type) {
      case 'ProposalSubmitted':
        return {
          status: 'submitted',
          proposalId: event.data.proposalId,
          title: event.data.title,
          procedure: event.data.procedure.template,
        };
      default: {
        const _exhaustive: never = event.type;
        return state;
      }
    }
  },
  decide(command, state): readonly ProposalEvent[] | DomainError {
    switch (command.type) {
      case 'SubmitProposal': {
        if (state.status !== 'none') {
          return refuse('already-exists', `proposal ${command.data.proposalId} exists`);
        }
        const { communityId, proposalId, title, description, procedure } = command.data;
        return [
          {
            type: 'ProposalSubmitted',
            data: {
              communityId,
              proposalId,
              title,
              description,
              procedure: { template: procedure, version: 1 },
              submittedBy: command.actor,
              submittedAt: command.at,
            },
          },
        ];
      }
      default: {
        const _exhaustive: never = command.type;
        return refuse('invalid-command', 'unknown command');
      }
    }
  },
};
