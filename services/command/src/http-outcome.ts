import type { DomainErrorCode } from '@yishi/domain';
import { type AppEnv, problem } from '@yishi/platform';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type CommandOutcome, responseOf } from './command-handler.ts';

/** Refusals that concern who acts are 403; missing things 404; the rest conflict with state. */
const STATUS_OF: Partial<Record<DomainErrorCode, ContentfulStatusCode>> = {
  'not-found': 404,
  'not-authorised': 403,
  'not-eligible': 403,
  'invalid-command': 422,
  'scope-not-applicable': 422,
  // A person the body names is not in the registry: the input is wrong, not the state.
  'person-not-registered': 422,
  // What the entry itself says is wrong: its lines, or the decision it must name.
  'entry-unbalanced': 422,
  'decision-required': 422,
};

export function statusOfDomainError(code: DomainErrorCode): ContentfulStatusCode {
  return STATUS_OF[code] ?? 409;
}

/** Maps a command outcome to the HTTP answer: 201 with version and position, or a problem. */
export function answer(
  c: Context<AppEnv>,
  outcome: CommandOutcome,
  extra: Record<string, unknown> = {},
): Response {
  switch (outcome.kind) {
    case 'ok': {
      const body = { ...responseOf(outcome.result), ...extra, duplicate: outcome.duplicate };
      c.header('etag', `"${outcome.result.nextExpectedVersion}"`);
      if (outcome.duplicate) c.header('idempotent-replayed', 'true');
      return c.json(body, outcome.duplicate ? 200 : 201);
    }
    case 'refused':
      return problem(
        c,
        statusOfDomainError(outcome.error.code),
        outcome.error.code,
        outcome.error.message,
        {
          details: outcome.error.details,
        },
      );
    case 'precondition-failed':
      c.header('etag', `"${outcome.actual}"`);
      return problem(
        c,
        412,
        'precondition-failed',
        'The stream has changed since the version in If-Match',
        {
          actualVersion: outcome.actual,
        },
      );
    case 'conflict':
      return problem(c, 409, 'version-conflict', 'Concurrent changes; retry the command', {
        actualVersion: outcome.actual,
      });
    case 'key-reused':
      return keyReused(c);
    default: {
      const _exhaustive: never = outcome;
      throw new Error('unreachable');
    }
  }
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** `Idempotency-Key` when well-formed; a malformed one is refused rather than ignored. */
export function idempotencyKey(c: Context<AppEnv>): { key: string | undefined } | Response {
  const key = c.req.header('idempotency-key');
  if (key === undefined) return { key: undefined };
  if (!IDEMPOTENCY_KEY.test(key)) {
    return problem(
      c,
      400,
      'invalid-idempotency-key',
      'Idempotency-Key must be 1–200 visible ASCII characters',
      {
        errors: [{ field: 'header.idempotency-key', message: 'invalid' }],
      },
    );
  }
  return { key };
}

/**
 * 422 for an Idempotency-Key used before for a different request (method, path or body), as
 * the IETF Idempotency-Key draft says: the second command is neither decided nor replayed.
 */
export function keyReused(c: Context): Response {
  const detail =
    'This Idempotency-Key was used for a different request (method, path or body); use a new key for a new request';
  return problem(c, 422, 'idempotency-key-reused', detail, {
    errors: [{ field: 'header.idempotency-key', message: 'used before for a different request' }],
  });
}

/** `If-Match: "<version>"` as a number, undefined when absent. */
export function ifMatch(c: Context<AppEnv>): { version: number | undefined } | Response {
  const header = c.req.header('if-match');
  if (header === undefined) return { version: undefined };
  const match = /^(?:W\/)?"(\d{1,15})"$/.exec(header.trim());
  if (!match) {
    return problem(
      c,
      400,
      'invalid-if-match',
      'If-Match must be a quoted stream version, e.g. "3"',
      {
        errors: [{ field: 'header.if-match', message: 'invalid' }],
      },
    );
  }
  return { version: Number(match[1]) };
}
