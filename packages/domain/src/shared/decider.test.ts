import { describe, expect, it } from 'vitest';
import { type CommunityEvent, defaultCommunitySettings } from '../community/community.ts';
import type { ProposalEvent } from '../proposal/proposal.ts';
import { eventsFor } from './decider.ts';

describe('eventsFor', () => {
  const command = {
    at: '2026-03-01T09:00:00+08:00',
    actor: { personId: 'rep1', role: 'party_representative' as const, partyId: 'pc' },
  };

  it("stamps each event with the command's time and the actor it keeps", () => {
    const emit = eventsFor<ProposalEvent>(command);
    expect(emit('ObjectionAnswered', { objectionId: 'ob1', answer: '已答复' })).toEqual({
      type: 'ObjectionAnswered',
      data: {
        objectionId: 'ob1',
        answer: '已答复',
        at: '2026-03-01T09:00:00+08:00',
        by: { personId: 'rep1', role: 'party_representative', partyId: 'pc' },
      },
    });
    // Without a party, none is kept (events hold plain JSON: no undefined fields).
    const byOwner = eventsFor<ProposalEvent>({
      ...command,
      actor: { personId: 'o1', role: 'owner' },
    });
    const event = byOwner('ProposalWithdrawn', { reason: '撤回' });
    expect(event.data.by).toStrictEqual({ personId: 'o1', role: 'owner' });
    // Its type admits only events whose data carry the stamp (held by the typecheck).
    const registry = eventsFor<CommunityEvent>(command);
    const registered = {
      communityId: 'c1',
      name: '幸福社区',
      kind: 'urban',
      settings: defaultCommunitySettings,
      registeredAt: command.at,
    } as const;
    // @ts-expect-error CommunityRegistered records registeredAt, not at
    void (() => registry('CommunityRegistered', registered));
  });
});
