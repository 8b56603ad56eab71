import { createHash } from 'node:crypto';
import { canonicalJson, JsonProblem } from '@yishi/event-store';
import { blindPersonalFields, type Vault } from '@yishi/personal-data';
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
  return createHash('sha256').update(`${method}\u0000${path}\u0000${canonical}`).digest('hex');
}

/**
 * `requestDigest` of a body whose persons' names, birth dates and phones are first replaced by
 * digests under their data keys (`blindPersonalFields`): the stored digest gives none of them
 * away, and means nothing once a person's key is destroyed.
 */
export async function personalRequestDigest(
  vault: Vault,
  communityId: string,
  method: string,
  path: string,
  body: unknown,
  canonical: string,
): Promise<string> {
  const blinded = await blindPersonalFields(vault, communityId, body);
  return requestDigest(method, path, blinded === body ? canonical : canonicalJson(blinded));
}
