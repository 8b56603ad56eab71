import { z } from 'zod';
import type { OwnerVoter } from './owners-electorate.ts';
import {
  assertCount,
  MORE_THAN_HALF,
  meets,
  ruleTest,
  THREE_QUARTERS,
  TWO_THIRDS,
  verdict,
} from './ratio.ts';
import type { Ballot, Choice, HeadsAndArea, RuleOutcome, Threshold } from './types.ts';

// 业主共同决定, Civil Code (民法典) Art. 278.

/** The matters of Art. 278 paragraph 1, items (1) to (9). */
export const OwnersMatter = z.enum([
  'assembly-rules', // (1) 制定和修改业主大会议事规则
  'management-statute', // (2) 制定和修改管理规约
  'committee-election', // (3) 选举业主委员会或者更换业主委员会成员
  'property-company', // (4) 选聘和解聘物业服务企业或者其他管理人
  'maintenance-fund-use', // (5) 使用建筑物及其附属设施的维修资金
  'maintenance-fund-raise', // (6) 筹集建筑物及其附属设施的维修资金
  'rebuild', // (7) 改建、重建建筑物及其附属设施
  'common-parts-use', // (8) 改变共有部分的用途或者利用共有部分从事经营活动
  'other-major', // (9) 有关共有和共同管理权利的其他重大事项
]);
export type OwnersMatter = z.infer<typeof OwnersMatter>;

/** Matters (6)–(8): three quarters of the participants (Art. 278 para. 2). */
export function isSpecialMatter(matter: OwnersMatter): boolean {
  return (
    matter === 'maintenance-fund-raise' || matter === 'rebuild' || matter === 'common-parts-use'
  );
}

export const OwnersDecisionParams = z.object({
  matter: OwnersMatter,
  /**
   * 未表决视为同意多数: only where the community's statute provides for it (住建部 业主大会和
   * 业主委员会指导规则 Art. 26); off by default. When on, both results are reported.
   */
  deemedConsent: z.boolean().default(false),
});
export type OwnersDecisionParams = z.infer<typeof OwnersDecisionParams>;

/** What the tally needs from each frozen voter. */
export type ElectorVoter = Pick<OwnerVoter, 'voterId' | 'areaCentiM2' | 'heads'>;

export interface OwnersTallyFigures {
  matter: OwnersMatter;
  special: boolean;
  total: HeadsAndArea;
  /** Voters who cast yes, no or abstain. */
  participating: HeadsAndArea;
  nonVoting: HeadsAndArea;
  yes: HeadsAndArea;
  no: HeadsAndArea;
  abstain: HeadsAndArea;
  thresholds: { participation: Threshold; approval: Threshold };
}

export type OwnersTally = RuleOutcome<OwnersTallyFigures> & { rule: 'owners-decision-278' };

export interface DeemedOwnersTally extends OwnersTally {
  /**
   * The choice non-voters are deemed to have made: the one choice that more than half of the
   * participating area and more than half of the participating owners cast. Null when no
   * choice has that double majority; then nothing is deemed and the figures equal the actual.
   */
  deemedChoice: Choice | null;
  majorityThreshold: Threshold;
  /** The non-voters counted with the majority. */
  deemedVoters: HeadsAndArea;
}

export interface OwnersDecision extends OwnersTally {
  /** The tally with non-voters counted with the majority; null when `deemedConsent` is off. */
  deemed: DeemedOwnersTally | null;
}

/**
 * Tallies an owners' joint decision (Civil Code Art. 278 para. 2):
 * - quorum, every matter: participating area >= 2/3 of the total area AND participating
 *   owners >= 2/3 of all owners (三分之二以上, inclusive);
 * - special matters (6)–(8): yes-area >= 3/4 of participating area AND yes-owners >= 3/4 of
 *   participating owners (四分之三以上);
 * - other matters: yes-area > 1/2 of participating area AND yes-owners > 1/2 of participating
 *   owners (过半数, exactly half fails).
 * Abstentions are participation: they count for the quorum and against approval.
 * Throws RangeError on a ballot from outside the electorate or a second ballot of one voter;
 * the command layer refuses those before they become events.
 */
export function ownersDecision278(
  electorate: readonly ElectorVoter[],
  ballots: readonly Ballot[],
  params: z.input<typeof OwnersDecisionParams>,
): OwnersDecision {
  const { matter, deemedConsent } = OwnersDecisionParams.parse(params);
  // Index by position: a Map lookup per ballot and a byte per voter, for 100k-owner estates.
  const indexOf = new Map<string, number>();
  const total = zero();
  electorate.forEach((voter, i) => {
    if (indexOf.has(voter.voterId)) throw new RangeError(`duplicate voter: ${voter.voterId}`);
    assertCount(voter.areaCentiM2, `area of voter ${voter.voterId}`);
    assertCount(voter.heads, `heads of voter ${voter.voterId}`);
    indexOf.set(voter.voterId, i);
    total.owners += voter.heads;
    total.areaCentiM2 += voter.areaCentiM2;
  });
  assertCount(total.areaCentiM2, 'total area');

  const cast = { yes: zero(), no: zero(), abstain: zero() };
  const voted = new Uint8Array(electorate.length);
  for (const ballot of ballots) {
    const i = indexOf.get(ballot.voterId);
    if (i === undefined)
      throw new RangeError(`ballot from outside the electorate: ${ballot.voterId}`);
    if (voted[i] === 1) throw new RangeError(`second ballot of ${ballot.voterId}`);
    voted[i] = 1;
    const voter = electorate[i]!;
    const side = cast[ballot.choice];
    side.owners += voter.heads;
    side.areaCentiM2 += voter.areaCentiM2;
  }

  const special = isSpecialMatter(matter);
  const actual = evaluate(matter, special, total, cast);
  if (!deemedConsent) return { ...actual, deemed: null };

  // 未表决视为同意多数: non-voters follow the choice that more than half of those who voted
  // made, by area and by head (the law's own two measures and its own word 过半数). Each
  // non-voter is deemed to cast that one choice, with both its area and its head.
  const participating = actual.figures.participating;
  const deemedChoice =
    (['yes', 'no', 'abstain'] as const).find(
      (c) =>
        meets(cast[c].areaCentiM2, participating.areaCentiM2, MORE_THAN_HALF) &&
        meets(cast[c].owners, participating.owners, MORE_THAN_HALF),
    ) ?? null;
  const nonVoting = actual.figures.nonVoting;
  const deemedCast = { ...cast };
  if (deemedChoice !== null) deemedCast[deemedChoice] = add(cast[deemedChoice], nonVoting);
  const deemed: DeemedOwnersTally = {
    ...evaluate(matter, special, total, deemedCast),
    deemedChoice,
    majorityThreshold: MORE_THAN_HALF,
    deemedVoters: deemedChoice === null ? zero() : { ...nonVoting },
  };
  return { ...actual, deemed };
}

function evaluate(
  matter: OwnersMatter,
  special: boolean,
  total: HeadsAndArea,
  cast: { yes: HeadsAndArea; no: HeadsAndArea; abstain: HeadsAndArea },
): OwnersTally {
  const participating = add(add(cast.yes, cast.no), cast.abstain);
  const nonVoting = {
    owners: total.owners - participating.owners,
    areaCentiM2: total.areaCentiM2 - participating.areaCentiM2,
  };
  const participation = TWO_THIRDS;
  const approval = special ? THREE_QUARTERS : MORE_THAN_HALF;
  const tests = [
    ruleTest('participation-area', participating.areaCentiM2, total.areaCentiM2, participation),
    ruleTest('participation-owners', participating.owners, total.owners, participation),
    ruleTest('approval-area', cast.yes.areaCentiM2, participating.areaCentiM2, approval),
    ruleTest('approval-owners', cast.yes.owners, participating.owners, approval),
  ];
  const { passed, failedTest } = verdict(tests);
  const outcome: OwnersTally = {
    rule: 'owners-decision-278',
    outcome: passed ? 'adopted' : 'rejected',
    tests,
    figures: {
      matter,
      special,
      total: { ...total },
      participating,
      nonVoting,
      yes: { ...cast.yes },
      no: { ...cast.no },
      abstain: { ...cast.abstain },
      thresholds: { participation, approval },
    },
  };
  if (failedTest !== undefined) outcome.failedTest = failedTest;
  return outcome;
}

function zero(): HeadsAndArea {
  return { owners: 0, areaCentiM2: 0 };
}

function add(a: HeadsAndArea, b: HeadsAndArea): HeadsAndArea {
  return { owners: a.owners + b.owners, areaCentiM2: a.areaCentiM2 + b.areaCentiM2 };
}
