import { z } from 'zod';
import {
  assertCount,
  MORE_THAN_HALF,
  ONE_FIFTH,
  ONE_THIRD,
  ruleTest,
  TWO_THIRDS,
  uniqueSet,
  verdict,
} from './ratio.ts';
import { type Ballot, type RuleOutcome, type RuleTest, Threshold } from './types.ts';

// Head-count meetings: residents' meeting (居民会议), villagers' meeting (村民会议),
// villagers' representatives' meeting (村民代表会议), villager group meeting (村民小组会议) and
// party members' meeting (党员大会). One person (or household, or representative), one vote.
// "Those present" (到会人员/出席人) is the base of approval: present members who cast no
// ballot, and those who abstain, count against adoption.

/** Who is in the meeting, who came, and the final ballots (each from a present member). */
export interface MeetingInput {
  /** Ids of the meeting's members in the chosen form (persons, households or representatives). */
  electorate: readonly string[];
  present: readonly string[];
  ballots: readonly Ballot[];
}

export interface MeetingFigures {
  electorate: number;
  present: number;
  absent: number;
  yes: number;
  no: number;
  abstain: number;
  /** Present without a ballot: counted against adoption, like an abstention. */
  notVoting: number;
  thresholds: { quorum: Threshold; approval: Threshold };
}

export type MeetingOutcome<TRule extends string, TExtra = unknown> = RuleOutcome<
  MeetingFigures & TExtra
> & { rule: TRule };

/** Counts a meeting; throws RangeError on members, attendees or ballots that do not fit. */
function countMeeting(input: MeetingInput): Omit<MeetingFigures, 'thresholds'> {
  const electorate = uniqueSet(input.electorate, 'member');
  const present = uniqueSet(input.present, 'attendee');
  for (const id of present) {
    if (!electorate.has(id)) throw new RangeError(`attendee is not a member: ${id}`);
  }
  const voted = new Set<string>();
  const counts = { yes: 0, no: 0, abstain: 0 };
  for (const ballot of input.ballots) {
    if (!present.has(ballot.voterId)) throw new RangeError(`ballot from absent: ${ballot.voterId}`);
    if (voted.has(ballot.voterId)) throw new RangeError(`second ballot of ${ballot.voterId}`);
    voted.add(ballot.voterId);
    counts[ballot.choice] += 1;
  }
  return {
    electorate: electorate.size,
    present: present.size,
    absent: electorate.size - present.size,
    ...counts,
    notVoting: present.size - voted.size,
  };
}

function meetingOutcome<TRule extends string, TExtra>(
  rule: TRule,
  figures: Omit<MeetingFigures, 'thresholds'> & TExtra,
  quorumTests: RuleTest[],
  quorum: Threshold,
  approval: Threshold,
): MeetingOutcome<TRule, TExtra> {
  const tests = [...quorumTests, ruleTest('approval', figures.yes, figures.present, approval)];
  const { passed, failedTest } = verdict(tests);
  const outcome: MeetingOutcome<TRule, TExtra> = {
    rule,
    outcome: passed ? 'adopted' : 'rejected',
    tests,
    figures: { ...figures, thresholds: { quorum, approval } },
  };
  if (failedTest !== undefined) outcome.failedTest = failedTest;
  return outcome;
}

/** A quorum and an approval threshold over the same electorate. */
function simpleMeeting<TRule extends string, TExtra>(
  rule: TRule,
  input: MeetingInput,
  quorum: Threshold,
  approval: Threshold,
  extra: TExtra,
): MeetingOutcome<TRule, TExtra> {
  const figures = { ...countMeeting(input), ...extra };
  const quorumTest = ruleTest('quorum', figures.present, figures.electorate, quorum);
  return meetingOutcome(rule, figures, [quorumTest], quorum, approval);
}

// ---------------------------------------------------------------------------------------
// 居民会议, 城市居民委员会组织法 Art. 9 and Art. 10

export const ResidentsMeetingForm = z.enum([
  'all-adults', // 全体十八周岁以上的居民
  'household-representatives', // 每户派代表: electorate ids are households
  'group-representatives', // 每个居民小组选举代表二至三人
]);
export type ResidentsMeetingForm = z.infer<typeof ResidentsMeetingForm>;

export const ResidentsMeetingParams = z.object({ form: ResidentsMeetingForm });
export type ResidentsMeetingParams = z.infer<typeof ResidentsMeetingParams>;

/**
 * Residents' meeting (Art. 9): quorum more than half of the electorate of the chosen form
 * present (过半数出席); decision more than half of those present (出席人的过半数通过).
 */
export function residentsMeeting(
  input: MeetingInput,
  params: ResidentsMeetingParams,
): MeetingOutcome<'residents-meeting', { form: ResidentsMeetingForm }> {
  const { form } = ResidentsMeetingParams.parse(params);
  return simpleMeeting('residents-meeting', input, MORE_THAN_HALF, MORE_THAN_HALF, { form });
}

/** How many of a body asked for a meeting. */
export const RequestCount = z.object({
  total: z.number().int().nonnegative(),
  requesting: z.number().int().nonnegative(),
});
export type RequestCount = z.infer<typeof RequestCount>;

export type ConvocationOutcome<TRule extends string, TFigures> = RuleOutcome<
  TFigures,
  'must-convene' | 'not-required'
> & { rule: TRule };

function convocation<TRule extends string, TKey extends string>(
  rule: TRule,
  requests: Record<TKey, RequestCount>,
  thresholds: Record<TKey, Threshold>,
): ConvocationOutcome<TRule, Record<TKey, RequestCount> & { thresholds: Record<TKey, Threshold> }> {
  const tests = (Object.keys(thresholds) as TKey[]).map((key) => {
    const count = requests[key];
    assertCount(count.total, `${key} total`);
    assertCount(count.requesting, `${key} requesting`);
    if (count.requesting > count.total) throw new RangeError(`more ${key} requesting than exist`);
    return ruleTest(`request-${key}`, count.requesting, count.total, thresholds[key], 'request');
  });
  const { passed, failedTest } = verdict(tests);
  const outcome: ConvocationOutcome<
    TRule,
    Record<TKey, RequestCount> & { thresholds: Record<TKey, Threshold> }
  > = {
    rule,
    outcome: passed ? 'must-convene' : 'not-required',
    tests,
    figures: { ...requests, thresholds },
  };
  if (failedTest !== undefined) outcome.failedTest = failedTest;
  return outcome;
}

/**
 * Residents' meeting on request (Art. 10): must be convened when >= 1/5 of adult residents,
 * or >= 1/5 of households, or >= 1/3 of resident groups request it (以上, inclusive).
 */
export function residentsMeetingConvocation(requests: {
  adults: RequestCount;
  households: RequestCount;
  groups: RequestCount;
}) {
  return convocation('residents-meeting-convocation', requests, {
    adults: ONE_FIFTH,
    households: ONE_FIFTH,
    groups: ONE_THIRD,
  });
}

// ---------------------------------------------------------------------------------------
// 村民委员会组织法

/** An adult (18+) villager and the household (户) they belong to. */
export interface Villager {
  villagerId: string;
  householdId: string;
}

/** Villagers present and their ballots; a household is represented when a member is present. */
export interface VillagersMeetingInput {
  villagers: readonly Villager[];
  present: readonly string[];
  ballots: readonly Ballot[];
}

export interface HouseholdFigures {
  households: number;
  householdsRepresented: number;
}

/** Quorum by villagers OR by households' representatives, then approval by those present. */
function villagersQuorumMeeting<TRule extends string>(
  rule: TRule,
  input: VillagersMeetingInput,
  villagersQuorum: Threshold,
  householdsQuorum: Threshold,
): MeetingOutcome<TRule, HouseholdFigures & { householdsQuorum: Threshold }> {
  const counts = countMeeting({
    electorate: input.villagers.map((v) => v.villagerId),
    present: input.present,
    ballots: input.ballots,
  });
  const present = new Set(input.present);
  const households = new Set<string>();
  const represented = new Set<string>();
  for (const v of input.villagers) {
    households.add(v.householdId);
    if (present.has(v.villagerId)) represented.add(v.householdId);
  }
  const figures = {
    ...counts,
    households: households.size,
    householdsRepresented: represented.size,
    householdsQuorum,
  };
  const quorumTests = [
    ruleTest('quorum-villagers', figures.present, figures.electorate, villagersQuorum, 'quorum'),
    ruleTest(
      'quorum-households',
      figures.householdsRepresented,
      figures.households,
      householdsQuorum,
      'quorum',
    ),
  ];
  return meetingOutcome(rule, figures, quorumTests, villagersQuorum, MORE_THAN_HALF);
}

/**
 * Villagers' meeting (Art. 22): quorum more than half of the villagers aged 18+ (过半数), OR
 * two thirds or more of the households through their representatives (三分之二以上的户的代表);
 * decision more than half of those present (到会人员的过半数). A household counts as
 * represented when at least one of its adult members is present.
 */
export function villagersMeeting(input: VillagersMeetingInput) {
  return villagersQuorumMeeting('villagers-meeting', input, MORE_THAN_HALF, TWO_THIRDS);
}

/**
 * Villager group meeting (Art. 28): two thirds or more of the group's villagers aged 18+, OR
 * two thirds or more of its households' representatives, present; decision more than half of
 * those present. (domain.md 3.3 gives only "≥ 2/3 present"; the article also allows the
 * households' alternative, so it is implemented as the law reads.)
 */
export function villagerGroupMeeting(input: VillagersMeetingInput) {
  return villagersQuorumMeeting('villager-group-meeting', input, TWO_THIRDS, TWO_THIRDS);
}

/**
 * Villagers' representatives' meeting (Art. 26): two thirds or more of its members
 * (组成人员) present; decision more than half of those present.
 */
export function villagersRepresentativesMeeting(input: MeetingInput) {
  return simpleMeeting('villagers-representatives-meeting', input, TWO_THIRDS, MORE_THAN_HALF, {});
}

/**
 * Villagers' meeting on request (Art. 21): must be convened when >= 1/10 of the villagers or
 * >= 1/3 of the villagers' representatives request it.
 */
export function villagersMeetingConvocation(requests: {
  villagers: RequestCount;
  representatives: RequestCount;
}) {
  return convocation('villagers-meeting-convocation', requests, {
    villagers: { numerator: 1, denominator: 10, inclusive: true },
    representatives: ONE_THIRD,
  });
}

/** Representatives' meeting on request (Art. 26): >= 1/5 of the representatives. */
export function villagersRepresentativesMeetingConvocation(requests: {
  representatives: RequestCount;
}) {
  return convocation('villagers-representatives-meeting-convocation', requests, {
    representatives: ONE_FIFTH,
  });
}

// ---------------------------------------------------------------------------------------
// 党员大会 in 四议两公开 (domain.md 2.3): local practice, so the thresholds are parameters.

export const PartyMembersMeetingParams = z.object({
  quorum: Threshold.default(TWO_THIRDS),
  approval: Threshold.default(MORE_THAN_HALF),
});
export type PartyMembersMeetingParams = z.infer<typeof PartyMembersMeetingParams>;

/**
 * Party members' meeting review (党员大会审议): by default two thirds or more of the members
 * present, and more than half of those present approve.
 */
export function partyMembersMeeting(
  input: MeetingInput,
  params: z.input<typeof PartyMembersMeetingParams> = {},
) {
  const { quorum, approval } = PartyMembersMeetingParams.parse(params);
  return simpleMeeting('party-members-meeting', input, quorum, approval, {});
}
