import { z } from 'zod';
import { byCodeUnit } from './owners-electorate.ts';
import { ALL, ruleTest, TWO_THIRDS, uniqueSet, verdict } from './ratio.ts';
import { type RuleOutcome, Threshold } from './types.ts';

// 联席会议 (domain.md 3.4; Beijing 物业管理条例 Art. 3; Shanghai 居委会工作条例 Art. 23):
// parties vote as parties, one position per attending party per agenda item.

export const PartyPosition = z.enum(['support', 'oppose', 'abstain']);
export type PartyPosition = z.infer<typeof PartyPosition>;

export const JointSessionRule = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('consensus'),
    /** Whose consensus: the required parties (domain.md default) or every attending party. */
    among: z.enum(['required', 'attending']).default('required'),
  }),
  z.object({
    kind: z.literal('qualified-majority'),
    /** Share of attending parties that must support; default 三分之二以上. */
    threshold: Threshold.default(TWO_THIRDS),
  }),
]);
export type JointSessionRule = z.infer<typeof JointSessionRule>;

export const JointSessionParams = z.object({
  /** Parties that must attend, otherwise the item cannot be resolved. */
  requiredParties: z.array(z.string().min(1)),
  rule: JointSessionRule.default({ kind: 'consensus', among: 'required' }),
});
export type JointSessionParams = z.infer<typeof JointSessionParams>;

/** The position an attending party stated, through its representative. */
export const PartyStatement = z.object({ partyId: z.string().min(1), position: PartyPosition });
export type PartyStatement = z.infer<typeof PartyStatement>;

/**
 * domain.md default of required parties: the party organisation, the residents' (or
 * villagers') committee, and every party the item concerns. `kind` is a PartyKind
 * (shared/party.ts).
 */
export function defaultRequiredParties(
  parties: readonly { partyId: string; kind: string }[],
  concernedPartyIds: readonly string[],
): string[] {
  const required = new Set(concernedPartyIds);
  for (const p of parties) {
    if (
      p.kind === 'party-organisation' ||
      p.kind === 'residents-committee' ||
      p.kind === 'villagers-committee'
    ) {
      required.add(p.partyId);
    }
  }
  return [...required].sort(byCodeUnit);
}

export interface JointSessionFigures {
  rule: JointSessionRule;
  required: string[];
  attending: string[];
  absentRequired: string[];
  support: string[];
  oppose: string[];
  abstain: string[];
  /** Opposing parties (异议), required or not: recorded in the minutes. */
  dissenting: string[];
}

export type JointSessionOutcome = RuleOutcome<JointSessionFigures> & {
  rule: 'joint-session-resolution';
};

/**
 * Resolves one agenda item of a joint session. Attendance is having stated a position.
 * - Every required party must attend (test `attendance-required`), else nothing is resolved.
 * - consensus (协商一致): no deciding party opposes and at least one supports. The test is
 *   support / (support + oppose) >= 1 over the deciding parties. An abstention neither blocks
 *   nor supports: a party that abstains says it does not object (standing aside), so it must
 *   not act as a veto (that would make it the same as "oppose"), and it must not be counted
 *   as support (that would put words in its mouth). If every deciding party abstains, no one
 *   supports and the item is not resolved.
 * - qualified-majority: supporting parties / attending parties reaches the threshold; an
 *   abstention counts in the base, so against, as abstentions do in every other rule.
 * A rejected item returns to consultation (domain.md 3.4).
 */
export function jointSessionResolution(
  statements: readonly PartyStatement[],
  params: z.input<typeof JointSessionParams>,
): JointSessionOutcome {
  const { requiredParties, rule } = JointSessionParams.parse(params);
  const required = [...uniqueSet(requiredParties, 'required party')].sort(byCodeUnit);
  const positions = new Map<string, PartyPosition>();
  for (const s of statements) {
    if (positions.has(s.partyId)) throw new RangeError(`second position of ${s.partyId}`);
    positions.set(s.partyId, s.position);
  }
  const attending = [...positions.keys()].sort(byCodeUnit);
  const withPosition = (ids: readonly string[], p: PartyPosition) =>
    ids.filter((id) => positions.get(id) === p);
  const absentRequired = required.filter((id) => !positions.has(id));

  const attendance = ruleTest(
    'attendance-required',
    required.length - absentRequired.length,
    required.length,
    ALL,
  );
  if (required.length === 0) attendance.passed = true; // nobody is required: nobody is missing

  let decision: ReturnType<typeof ruleTest>;
  if (rule.kind === 'consensus') {
    const deciding = rule.among === 'required' ? required : attending;
    const support = withPosition(deciding, 'support').length;
    const oppose = withPosition(deciding, 'oppose').length;
    decision = ruleTest('consensus', support, support + oppose, ALL);
  } else {
    const support = withPosition(attending, 'support').length;
    decision = ruleTest('qualified-majority', support, attending.length, rule.threshold);
  }

  const tests = [attendance, decision];
  const { passed, failedTest } = verdict(tests);
  const oppose = withPosition(attending, 'oppose');
  const outcome: JointSessionOutcome = {
    rule: 'joint-session-resolution',
    outcome: passed ? 'adopted' : 'rejected',
    tests,
    figures: {
      rule,
      required,
      attending,
      absentRequired,
      support: withPosition(attending, 'support'),
      oppose,
      abstain: withPosition(attending, 'abstain'),
      dissenting: [...oppose],
    },
  };
  if (failedTest !== undefined) outcome.failedTest = failedTest;
  return outcome;
}
