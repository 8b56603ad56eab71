import { byCodeUnit } from './owners-electorate.ts';
import { ALL, ruleTest, uniqueSet, verdict } from './ratio.ts';
import type { RuleOutcome } from './types.ts';

// 住改商, Civil Code (民法典) Art. 279: turning a home into business premises needs, besides
// laws, regulations and the management statute, the consent of ALL interested owners
// (有利害关系的业主一致同意). SPC interpretation 2020 Art. 11: the other owners of the same
// building are interested; owners elsewhere are interested when they show they are affected.

export interface Art279Figures {
  /** Interested owners, without the applicants themselves. */
  interested: string[];
  consenting: string[];
  /** Interested owners who have not consented: the reason for a rejection. */
  notConsenting: string[];
}

export type Art279Outcome = RuleOutcome<Art279Figures> & { rule: 'civil-code-279' };

/**
 * Consent of all interested owners. Applicants are never their own interested owners, and
 * consents from persons who are not interested owners are ignored. With no interested owner
 * at all, "all of nobody" is met and the consent test passes.
 */
export function art279Consent(input: {
  applicantOwnerIds: readonly string[];
  interestedOwnerIds: readonly string[];
  consentingOwnerIds: readonly string[];
}): Art279Outcome {
  const applicants = new Set(input.applicantOwnerIds);
  const interested = [...uniqueSet(input.interestedOwnerIds, 'interested owner')]
    .filter((id) => !applicants.has(id))
    .sort(byCodeUnit);
  const consents = uniqueSet(input.consentingOwnerIds, 'consent');
  const consenting = interested.filter((id) => consents.has(id));
  const notConsenting = interested.filter((id) => !consents.has(id));

  const test = ruleTest('consent-all', consenting.length, interested.length, ALL);
  if (interested.length === 0) test.passed = true;
  const tests = [test];
  const { passed, failedTest } = verdict(tests);
  const outcome: Art279Outcome = {
    rule: 'civil-code-279',
    outcome: passed ? 'adopted' : 'rejected',
    tests,
    figures: { interested, consenting, notConsenting },
  };
  if (failedTest !== undefined) outcome.failedTest = failedTest;
  return outcome;
}
