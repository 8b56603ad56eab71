import { isDeepStrictEqual } from 'node:util';
import { type DomainError, refuse } from '../shared/errors.ts';
import { defined } from '../shared/objects.ts';
import type { AdoptedRules, VoteRule, VoteRuleKind, VoteRuleRequest } from './schemas.ts';

// The rule a vote freezes when it opens (domain.md 3.1, 4): the kind and the parameters that
// are the meeting's or the matter's come from the request; those the community adopted come
// from its settings. A request that names another value for an adopted setting is refused,
// so no convener or client can bend a vote's rule.

/** The law that governs each meeting rule, and the kind of community it governs. */
const governedBy: Partial<Record<VoteRuleKind, { kind: 'urban' | 'rural'; law: string }>> = {
  'residents-meeting': { kind: 'urban', law: '城市居民委员会组织法 Art. 9' },
  'villagers-meeting': { kind: 'rural', law: '村民委员会组织法 Art. 22' },
  'villagers-representatives-meeting': { kind: 'rural', law: '村民委员会组织法 Art. 26' },
  'villager-group-meeting': { kind: 'rural', law: '村民委员会组织法 Art. 28' },
};

/** Whether the law of `rule` governs a community of `kind` (owners' and party rules: any). */
export function ruleApplies(rule: VoteRuleKind, kind: 'urban' | 'rural'): boolean {
  const law = governedBy[rule];
  return law === undefined || law.kind === kind;
}

function notAdopted(setting: string, adopted: unknown, requested: unknown): DomainError {
  return refuse(
    'rule-not-adopted',
    `the community adopted ${setting} = ${JSON.stringify(adopted)}; a vote cannot choose another`,
    { setting, adopted, requested },
  );
}

/** The rule to freeze for `request` under the community's `adopted` settings, or a refusal. */
export function frozenRule(
  request: VoteRuleRequest,
  adopted: AdoptedRules,
): VoteRule | DomainError {
  if (!ruleApplies(request.kind, adopted.communityKind)) {
    const law = governedBy[request.kind];
    return refuse(
      'rule-not-applicable',
      `${request.kind} (${law?.law}) does not govern a ${adopted.communityKind} community`,
      { rule: request.kind, communityKind: adopted.communityKind, law: law?.law },
    );
  }
  switch (request.kind) {
    case 'owners-278': {
      if (request.deemedConsent !== undefined && request.deemedConsent !== adopted.deemedConsent) {
        return notAdopted('deemedConsent', adopted.deemedConsent, request.deemedConsent);
      }
      if (request.countParking !== undefined && request.countParking !== adopted.countParking) {
        return notAdopted('countParking', adopted.countParking, request.countParking);
      }
      return defined({
        kind: 'owners-278' as const,
        deemedConsent: adopted.deemedConsent,
        countParking: adopted.countParking,
        deemedConsentStatuteRef: adopted.deemedConsent
          ? adopted.deemedConsentStatuteRef
          : undefined,
      });
    }
    case 'party-members-meeting': {
      const { quorum, approval } = adopted.partyMembersMeeting;
      if (request.quorum !== undefined && !isDeepStrictEqual(request.quorum, quorum)) {
        return notAdopted('partyMembersMeeting.quorum', quorum, request.quorum);
      }
      if (request.approval !== undefined && !isDeepStrictEqual(request.approval, approval)) {
        return notAdopted('partyMembersMeeting.approval', approval, request.approval);
      }
      return { kind: request.kind, partyId: request.partyId, quorum, approval };
    }
    default:
      return request;
  }
}
