import type { RuleTest, Threshold } from './types.ts';

// Exact ratio tests. value/base against n/d is compared as value*d against n*base in BigInt,
// so no figure ever passes through floating point.

/** 过半数: strictly more than half (民法典 Art. 1259: exactly half fails). */
export const MORE_THAN_HALF: Threshold = { numerator: 1, denominator: 2, inclusive: false };
/** 三分之二以上: two thirds or more (以上 includes the number). */
export const TWO_THIRDS: Threshold = { numerator: 2, denominator: 3, inclusive: true };
/** 四分之三以上: three quarters or more. */
export const THREE_QUARTERS: Threshold = { numerator: 3, denominator: 4, inclusive: true };
/** 五分之一以上. */
export const ONE_FIFTH: Threshold = { numerator: 1, denominator: 5, inclusive: true };
/** 三分之一以上. */
export const ONE_THIRD: Threshold = { numerator: 1, denominator: 3, inclusive: true };
/** 全体/一致: all of the base. */
export const ALL: Threshold = { numerator: 1, denominator: 1, inclusive: true };

/**
 * Whether value/base reaches the threshold. An empty base (0) never passes: nobody cannot
 * make a quorum or a majority. Rules where "all of nobody" is vacuously met say so themselves.
 */
export function meets(value: number, base: number, threshold: Threshold): boolean {
  if (base <= 0) return false;
  const lhs = BigInt(value) * BigInt(threshold.denominator);
  const rhs = BigInt(threshold.numerator) * BigInt(base);
  return threshold.inclusive ? lhs >= rhs : lhs > rhs;
}

export function ruleTest(
  name: string,
  value: number,
  base: number,
  threshold: Threshold,
  group?: string,
): RuleTest {
  const test: RuleTest = { name, value, base, threshold, passed: meets(value, base, threshold) };
  if (group !== undefined) test.group = group;
  return test;
}

/**
 * Whether all tests pass (a group passes when any member passes), and the name of the first
 * failure in test order: the test's name, or the group's name for a failed group.
 */
export function verdict(tests: readonly RuleTest[]): { passed: boolean; failedTest?: string } {
  const groupPassed = new Map<string, boolean>();
  for (const t of tests) {
    if (t.group !== undefined)
      groupPassed.set(t.group, (groupPassed.get(t.group) ?? false) || t.passed);
  }
  for (const t of tests) {
    if (t.group === undefined ? !t.passed : !groupPassed.get(t.group)) {
      return { passed: false, failedTest: t.group ?? t.name };
    }
  }
  return { passed: true };
}

/** Rejects figures that are not exact JS integers; decisions must never see a float. */
export function assertCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative safe integer, got ${value}`);
  }
}

/** Ids must be unique in an electorate, attendance list or ballot box. */
export function uniqueSet(ids: Iterable<string>, what: string): Set<string> {
  const set = new Set<string>();
  for (const id of ids) {
    if (set.has(id)) throw new RangeError(`duplicate ${what}: ${id}`);
    set.add(id);
  }
  return set;
}
