import type { ProposalCommand, SubmitProposalData } from '../proposal/proposal.ts';
import { MORE_THAN_HALF, TWO_THIRDS } from '../rules/ratio.ts';
import type { Actor } from '../shared/decider.ts';
import type { AdoptedRules, ProposalItem, Voter } from '../vote/schemas.ts';
import { commandsOf, day } from './spec.ts';

// Shared test fixtures: actors, owner electorates, a proposal under each built-in procedure.

export const convener: Actor = { personId: 'conv', role: 'convener' };
export const clerk: Actor = { personId: 'clerk', role: 'clerk' };
export const owner = (personId: string): Actor => ({ personId, role: 'owner' });
export const resident = (personId: string): Actor => ({ personId, role: 'resident' });
export const proxy = (personId: string): Actor => ({ personId, role: 'proxy' });
export const representative = (personId: string, partyId: string): Actor => ({
  personId,
  role: 'party_representative',
  partyId,
});

export const p = commandsOf<ProposalCommand>();

/** The rule settings of an urban community with the defaults (the context of OpenVoting). */
export const urbanRules: AdoptedRules = {
  communityKind: 'urban',
  deemedConsent: false,
  countParking: false,
  partyMembersMeeting: { quorum: TWO_THIRDS, approval: MORE_THAN_HALF },
};
export const ruralRules: AdoptedRules = { ...urbanRules, communityKind: 'rural' };

/** An owner voter with one unit of `area` 0.01 m². */
export function ownerVoter(voterId: string, area: number, personIds: string[] = [voterId]): Voter {
  return { voterId, personIds, unitIds: [`u-${voterId}`], areaCentiM2: area, heads: 1 };
}

/** A voter in a head-count meeting (resident, representative, party member). */
export function personVoter(voterId: string, householdId?: string): Voter {
  const voter: Voter = { voterId, personIds: [voterId], unitIds: [], areaCentiM2: 0, heads: 1 };
  return householdId === undefined ? voter : { ...voter, householdId };
}

export const fundItem: ProposalItem = {
  itemId: 'fund',
  title: '使用维修资金更换电梯',
  kind: 'motion',
  matter: 'maintenance-fund-use',
  options: [],
};
export const raiseItem: ProposalItem = {
  itemId: 'raise',
  title: '筹集维修资金',
  kind: 'motion',
  matter: 'maintenance-fund-raise',
  options: [],
};
export const plansItem: ProposalItem = {
  itemId: 'plan',
  title: '停车方案',
  kind: 'plans',
  options: [
    { optionId: 'A', title: '方案A' },
    { optionId: 'B', title: '方案B' },
    { optionId: 'C', title: '方案C' },
  ],
};

/** Four owners of 100 m² each: a, b, c, d. */
export const fourOwners: Voter[] = ['a', 'b', 'c', 'd'].map((id) => ownerVoter(id, 10_000));

export function submit(
  procedure: string,
  extra: Partial<SubmitProposalData> = {},
  actor: Actor = owner('a'),
  at = day(0),
): ProposalCommand {
  return p(
    'SubmitProposal',
    {
      communityId: 'hp',
      proposalId: 'p1',
      title: '更换电梯',
      description: '一号楼电梯老旧，拟使用维修资金更换。',
      procedure,
      // The service's context for an owner: the unit the registry lists for them.
      ...(actor.role === 'owner' ? { submitterUnitIds: [`u-${actor.personId}`] } : {}),
      ...extra,
    },
    actor,
    at,
  );
}

/** Owners' joint decision up to an open vote (notice day 1, vote opens day 16, closes day 30). */
export function ownersVoteOpen(
  options: { electorate?: Voter[]; items?: ProposalItem[]; allowBallotChange?: boolean } = {},
): ProposalCommand[] {
  return [
    submit('owners-joint-decision', { items: options.items ?? [fundItem] }),
    p('GiveNotice', { text: '业主大会表决公告' }, convener, day(1)),
    p(
      'OpenVoting',
      {
        rule: { kind: 'owners-278' },
        communityRules: urbanRules,
        closesAt: day(30),
        electorate: options.electorate ?? fourOwners,
        allowBallotChange: options.allowBallotChange ?? false,
      },
      convener,
      day(16),
    ),
  ];
}
