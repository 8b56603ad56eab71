import type { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ProblemSchema } from './schemas.ts';

/** RFC 9457 problem details with a stable English `code`, and any extension members. */
export type Problem = z.infer<typeof ProblemSchema> & { [extension: string]: unknown };

export function problemBody(
  status: number,
  code: string,
  title: string,
  extras: Partial<Problem> = {},
): Problem {
  return { type: `https://yishi.example/problems/${code}`, title, status, code, ...extras };
}

export function problem(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  title: string,
  extras: Partial<Problem> = {},
): Response {
  const body = problemBody(status, code, title, { instance: c.req.path, ...extras });
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
