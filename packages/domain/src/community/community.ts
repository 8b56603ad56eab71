import { z } from 'zod';
import {
  type Command,
  CommunityId,
  type Decider,
  type DomainEvent,
  Text,
} from '../shared/decider.ts';
import { type DomainError, refuse } from '../shared/errors.ts';

// 社区 / 村: the tenant. Every stream and read model belongs to exactly one community.

export const RegisterCommunityData = z.object({
  communityId: CommunityId,
  name: Text(200),
  /** urban: 社区 (residents' committee); rural: 村 (villagers' committee). */
  kind: z.enum(['urban', 'rural']),
});
export type RegisterCommunityData = z.infer<typeof RegisterCommunityData>;

export type CommunityCommand = Command<'RegisterCommunity', RegisterCommunityData>;

export const CommunityRegisteredData = z.object({
  communityId: CommunityId,
  name: z.string(),
  kind: z.enum(['urban', 'rural']),
  registeredAt: z.string(),
});
export type CommunityEvent = DomainEvent<
  'CommunityRegistered',
  z.infer<typeof CommunityRegisteredData>
>;

export type CommunityState =
  | { status: 'none' }
  | { status: 'registered'; communityId: string; name: string; kind: 'urban' | 'rural' };

export const communityDecider: Decider<CommunityCommand, CommunityEvent, CommunityState> = {
  initialState: () => ({ status: 'none' }),
  evolve(state, event) {
    switch (event.type) {
      case 'CommunityRegistered':
        return {
          status: 'registered',
          communityId: event.data.communityId,
          name: event.data.name,
          kind: event.data.kind,
        };
      default: {
        const _exhaustive: never = event.type;
        return state;
      }
    }
  },
  decide(command, state): readonly CommunityEvent[] | DomainError {
    switch (command.type) {
      case 'RegisterCommunity':
        if (state.status !== 'none') {
          return refuse('already-exists', `community ${command.data.communityId} exists`, {
            communityId: command.data.communityId,
          });
        }
        return [
          {
            type: 'CommunityRegistered',
            data: { ...command.data, registeredAt: command.at },
          },
        ];
      default: {
        const _exhaustive: never = command.type;
        return refuse('invalid-command', 'unknown command');
      }
    }
  },
};
