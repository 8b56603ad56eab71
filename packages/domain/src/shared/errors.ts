/** Stable English slugs; HTTP maps them to problem+json (and documents each by status). */
export const DOMAIN_ERROR_CODES = [
  'not-found',
  'already-exists',
  'already-revoked',
  'not-eligible',
  'not-authorised',
  'invalid-command',
  'community-not-registered',
  'voting-closed',
  'voting-not-open',
  'voting-still-open',
  'voting-open',
  'already-voted',
  'ballot-change-not-allowed',
  'stage-out-of-order',
  'amendment-closed',
  'notice-period-not-elapsed',
  'publication-period-open',
  'publication-closed',
  'objections-unanswered',
  'not-adopted',
  'implementation-incomplete',
  'proposal-withdrawn',
  'proposal-closed',
  'delegation-not-allowed',
  'proxy-limit-reached',
  'not-attending',
  'already-stated',
  'already-signed',
  'already-resolved',
  'minutes-final',
  'minutes-not-final',
  'quorum-not-met',
  'rule-not-adopted',
  'rule-not-applicable',
  'minutes-changed',
  'notice-outdated',
  'personal-data-erased',
  'scope-not-applicable',
  'scope-mismatch',
  // A person a command names is not in the community's registry.
  'person-not-registered',
  // Participation: discussion, micro-wishes, evaluations.
  'comment-hidden',
  'already-claimed',
  'not-claimed',
  'wish-closed',
  'evaluation-closed',
  'already-answered',
  // Money (crowdfunding and fund ledgers).
  'crowdfunding-closed',
  'crowdfunding-open',
  'receipt-above-pledge',
  'refund-mismatch',
  'entry-unbalanced',
  'decision-required',
  'matter-not-allowed',
  'cost-not-decided',
  'above-decided-cost',
  'insufficient-funds',
  'already-reversed',
] as const;
export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

/** A refusal by the rules: a value with a code, a message and the facts behind it. */
export class DomainError extends Error {
  readonly code: DomainErrorCode;
  readonly details: Readonly<Record<string, unknown>>;
  constructor(code: DomainErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.details = details;
  }
}

export function refuse(
  code: DomainErrorCode,
  message: string,
  details: Record<string, unknown> = {},
): DomainError {
  return new DomainError(code, message, details);
}

export function isDomainError(value: unknown): value is DomainError {
  return value instanceof DomainError;
}
