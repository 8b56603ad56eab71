import { z } from 'zod';

// Shared shapes of the decision rules (domain.md section 3). Every rule is a pure function
// of the frozen electorate, the ballots and its parameters, and returns the outcome with
// every figure used. Areas are integers of 0.01 m²; ratios compare by cross-multiplication.
// Figures are plain JS integers (exact below 2^53) so outcomes freeze into events as JSON.

/** A fraction threshold, e.g. 2/3. `inclusive` true: "以上" (>=); false: "超过/过半数" (>). */
export const Threshold = z.object({
  numerator: z.number().int().positive(),
  denominator: z.number().int().positive(),
  inclusive: z.boolean(),
});
export type Threshold = z.infer<typeof Threshold>;

/** One test a rule applied, with its figures: `value / base` against the threshold. */
export interface RuleTest {
  /** Stable name, e.g. `participation-area`, `approval-owners`. */
  name: string;
  value: number;
  base: number;
  threshold: Threshold;
  passed: boolean;
  /**
   * Tests sharing a group are alternatives (法律的"或者"): the group passes when any of them
   * passes. Tests without a group must all pass.
   */
  group?: string;
}

export const Choice = z.enum(['yes', 'no', 'abstain']);
export type Choice = z.infer<typeof Choice>;

/** One voter's final ballot on one item (earlier versions stay in the event history). */
export const Ballot = z.object({ voterId: z.string().min(1), choice: Choice });
export type Ballot = z.infer<typeof Ballot>;

/** Outcome of any rule: what it decided, every figure, and which test failed first. */
export interface RuleOutcome<TFigures, TOutcome extends string = 'adopted' | 'rejected'> {
  rule: string;
  outcome: TOutcome;
  tests: RuleTest[];
  /** Name of the first failed test (or failed group), when the rule did not pass. */
  failedTest?: string;
  figures: TFigures;
}

/** A count of voters and the area they hold (0.01 m²). */
export interface HeadsAndArea {
  owners: number;
  areaCentiM2: number;
}
