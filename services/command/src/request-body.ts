import { hash } from 'node:crypto';
import { canonicalJson, JsonProblem } from '@yishi/event-store';
import { problem } from '@yishi/platform';
import type { Context } from 'hono';

/**
 * The validated body as RFC 8785 canonical JSON. A string the event store cannot hold (NUL, a
 * lone surrogate) in a field whose schema does not check its text is refused here, 400 with
 * the field named, instead of by the store after the command was decided (a 503).
 */
export function canonicalBody(c: Context, body: unknown): string | Response {
  try {
    return canonicalJson(body);
  } catch (error) {
    if (!(error instanceof JsonProblem)) throw error;
    // `.stages[1].name` -> `body.stages.1.name`, as fieldErrors() names fields.
    const field = `body${error.path.replace(/\[(\d+)\]/g, '.$1')}`;
    return problem(c, 400, 'invalid-input', 'The request is not valid', {
      errors: [{ field, message: error.problem }],
    });
  }
}

/**
 * What an Idempotency-Key is bound to: the method, the concrete path and the canonical body.
 * Stored with the events (metadata `requestDigest`), so a key reused for another request is
 * told apart from a retry of the same one.
 */
export function requestDigest(method: string, path: string, canonical: string): string {
  // One-shot: no Hash object (and its stream machinery) per request.
  return hash('sha256', `${method}\u0000${path}\u0000${canonical}`, 'hex');
}
