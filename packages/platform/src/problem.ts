import type { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ProblemSchema } from './schemas.ts';

/** RFC 9457 problem details with a stable English `code`, and any extension members. */
export type Problem = z.infer<typeof ProblemSchema> & { [extension: string]: unknown };

/** The problem type's summary, the same for every occurrence: `role-forbidden` → `Role forbidden`. */
export function problemTitle(code: string): string {
  const words = code.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * A problem whose `detail` says what went wrong this time: the message, followed by each
 * field's error when `errors` names fields, so a client that shows only `detail` shows it all.
 */
export function problemBody(
  status: number,
  code: string,
  message: string,
  extras: Partial<Problem> = {},
): Problem {
  const errors = extras.errors?.length
    ? ` (${extras.errors.map((e) => `${e.field}: ${e.message}`).join('; ')})`
    : '';
  return {
    type: `https://yishi.example/problems/${code}`,
    title: problemTitle(code),
    status,
    code,
    ...extras,
    detail: `${message}${errors}`,
  };
}

export function problem(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  extras: Partial<Problem> = {},
): Response {
  const body = problemBody(status, code, message, { instance: c.req.path, ...extras });
  return c.body(JSON.stringify(body), status, { 'content-type': 'application/problem+json' });
}

/** zod issues to problem `errors`, with the field path as a dotted string. */
export function fieldErrors(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  prefix = '',
): { field: string; message: string }[] {
  return issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)',
    message: issue.message,
  }));
}
