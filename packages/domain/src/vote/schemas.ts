import { z } from 'zod';
import { ResidentsMeetingForm } from '../rules/meetings.ts';
import { OwnersMatter } from '../rules/owners-decision.ts';
import { Cost } from '../rules/shares.ts';
import { Choice, Threshold } from '../rules/types.ts';
import { Id, Text } from '../shared/decider.ts';

// What a vote freezes when it opens (domain.md section 4): the items, the rule with its
// parameters, the electorate with every voter's area and head weight, and the closing time.

/**
 * Who decides (domain.md 3.1b): the whole community, or the owners of one building or one
 * entrance (单元) of it, e.g. 加装电梯. Fixed when the proposal is submitted.
 */
export const VoteScope = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('community') }),
  z.object({
    kind: z.literal('building'),
    building: Text(100),
    entrance: Text(100).optional(),
  }),
]);
export type VoteScope = z.infer<typeof VoteScope>;

/** Whether a unit of `building` (and `entrance`) lies in the scope. */
export function inScope(scope: VoteScope | undefined, building: string, entrance?: string) {
  if (scope === undefined || scope.kind === 'community') return true;
  return (
    scope.building === building && (scope.entrance === undefined || scope.entrance === entrance)
  );
}

/** A plan (方案 A/B/C) of a plans item, with what it costs when it has a cost. */
export const PlanOption = z.object({
  optionId: Id,
  title: Text(200),
  description: Text(5000).optional(),
  cost: Cost.optional(),
});
export type PlanOption = z.infer<typeof PlanOption>;

/**
 * One item (议项) of a proposal: a motion decided yes/no/abstain, or a choice among plans.
 * Owners' votes need the Art. 278 matter of each motion.
 */
export const ProposalItem = z.object({
  itemId: Id,
  title: Text(200),
  description: Text(20_000).optional(),
  kind: z.enum(['motion', 'plans']),
  matter: OwnersMatter.optional(),
  options: z.array(PlanOption).max(26),
  /** What a motion costs (a plans item states the cost of each plan). */
  cost: Cost.optional(),
});
export type ProposalItem = z.infer<typeof ProposalItem>;

/**
 * One voter of a frozen electorate: an owner (a group of co-owners, the developer), a resident,
 * a household, a representative or a party member. `personIds` may cast its one ballot.
 */
export const Voter = z.object({
  voterId: Id,
  personIds: z.array(Id).min(1),
  /** Units the voter speaks for (owners' votes). */
  unitIds: z.array(Id),
  /** Area in 0.01 m² (owners' votes; 0 otherwise). */
  areaCentiM2: z.number().int().nonnegative(),
  /** Head-count weight: 1 for every voter built by electorateFor. */
  heads: z.number().int().nonnegative(),
  /** The household of a villager (villagers' and villager group meetings count households). */
  householdId: Id.optional(),
});
export type Voter = z.infer<typeof Voter>;

// The rules of a vote with their parameters (one object per rule kind).
const ResidentsMeetingRule = z.object({
  kind: z.literal('residents-meeting'),
  form: ResidentsMeetingForm,
});
const VillagersMeetingRule = z.object({ kind: z.literal('villagers-meeting') });
const VillagersRepresentativesRule = z.object({
  kind: z.literal('villagers-representatives-meeting'),
});
const VillagerGroupRule = z.object({ kind: z.literal('villager-group-meeting'), groupId: Id });
const Art279Rule = z.object({
  kind: z.literal('art279-consent'),
  unitId: Id,
  applicantOwnerIds: z.array(Id).min(1),
});

/** The rule of a vote with its parameters, frozen in the vote-opened event. */
export const VoteRule = z.discriminatedUnion('kind', [
  /** 业主共同决定, 民法典 Art. 278 (matter per item). */
  z.object({
    kind: z.literal('owners-278'),
    deemedConsent: z.boolean(),
    countParking: z.boolean(),
    /** The statute provision that allows deemed consent, when it is on. */
    deemedConsentStatuteRef: Text(200).optional(),
  }),
  /** 居民会议, 城市居民委员会组织法 Art. 9. */
  ResidentsMeetingRule,
  /** 村民会议, 村民委员会组织法 Art. 22: adult villagers with their households. */
  VillagersMeetingRule,
  /** 村民代表会议, Art. 26: the villagers' representatives. */
  VillagersRepresentativesRule,
  /** 村民小组会议, Art. 28. */
  VillagerGroupRule,
  /** 党员大会审议 (四议两公开; local practice, so the thresholds are the community's settings). */
  z.object({
    kind: z.literal('party-members-meeting'),
    partyId: Id,
    quorum: Threshold,
    approval: Threshold,
  }),
  /** 民法典 Art. 279: every interested owner consents (a yes ballot is a consent). */
  Art279Rule,
]);
export type VoteRule = z.infer<typeof VoteRule>;
export type VoteRuleKind = VoteRule['kind'];

/**
 * What the convener asks for when opening a vote: the rule, and the parameters that are the
 * meeting's or the matter's to choose (the residents' meeting's form, the group, the unit).
 * The parameters the community adopted (deemed consent, parking spaces, the party members'
 * thresholds) come from its settings; a request may repeat them, and is refused if it differs.
 */
export const VoteRuleRequest = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('owners-278'),
    deemedConsent: z.boolean().optional(),
    countParking: z.boolean().optional(),
  }),
  ResidentsMeetingRule,
  VillagersMeetingRule,
  VillagersRepresentativesRule,
  VillagerGroupRule,
  Art279Rule,
  z.object({
    kind: z.literal('party-members-meeting'),
    partyId: Id,
    quorum: Threshold.optional(),
    approval: Threshold.optional(),
  }),
]);
export type VoteRuleRequest = z.infer<typeof VoteRuleRequest>;

/**
 * The rule settings a community adopted (context of OpenVoting, read from its registry): the
 * kind of community decides which meeting law governs it, the rest parameterise the rules.
 */
export const AdoptedRules = z.object({
  communityKind: z.enum(['urban', 'rural']),
  deemedConsent: z.boolean(),
  deemedConsentStatuteRef: Text(200).optional(),
  countParking: z.boolean(),
  partyMembersMeeting: z.object({ quorum: Threshold, approval: Threshold }),
});
export type AdoptedRules = z.infer<typeof AdoptedRules>;

const meetingRules: ReadonlySet<string> = new Set<VoteRuleKind>([
  'residents-meeting',
  'villagers-meeting',
  'villagers-representatives-meeting',
  'villager-group-meeting',
  'party-members-meeting',
]);

/** Rules voted at a meeting: presence (签到) is part of the count. */
export function isMeetingRule(rule: { readonly kind: string }): boolean {
  return meetingRules.has(rule.kind);
}

/** A voter's choice on one item: yes/no/abstain on a motion, a ranking of plans otherwise. */
export const ItemChoice = z.union([
  z.object({ itemId: Id, choice: Choice }),
  /** Plans in order of preference; one at most unless instant run-off; empty is blank. */
  z.object({ itemId: Id, ranking: z.array(Id).max(26) }),
]);
export type ItemChoice = z.infer<typeof ItemChoice>;

export const Choices = z.array(ItemChoice).min(1).max(100);

/** A proxy authorisation as the registry holds it, passed in by the service (委托书). */
export const AuthorisationFact = z.object({
  authorisationId: Id,
  ownerId: Id,
  proxyId: Id,
  proposalId: Id,
  itemId: Id,
  documentRef: Text(200).optional(),
  active: z.boolean(),
});
export type AuthorisationFact = z.infer<typeof AuthorisationFact>;
