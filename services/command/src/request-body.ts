import { hash } from 'node:crypto';
import { canonicalJson, JsonProblem } from '@yishi/event-store';
import { problem } from '@yishi/platform';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';

/** `application/json`, with parameters or a `+json` suffix: what @hono/zod-openapi admits. */
const JSON_REQUEST = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i;

const unsupported = () => new HTTPException(415, { message: 'Unsupported Media Type' });

/**
 * The JSON body, read as @hono/zod-openapi's validators read a required JSON body: 415 for
 * another media type or for a non-empty body without one, `{}` for no body at all, 400 for
 * malformed JSON. The errors are thrown, and installFallbacks answers them as before.
 */
export async function jsonBody(c: Context): Promise<unknown> {
  const type = c.req.header('content-type');
  if (!type) {
    if (await hasBody(c)) throw unsupported();
    return {};
  }
  if (!JSON_REQUEST.test(type)) throw unsupported();
  try {
    return await c.req.json();
  } catch {
    throw new HTTPException(400, { message: 'Malformed JSON in request body' });
  }
}

/** Whether the request carries at least one byte, read from a clone (the body stays unread). */
async function hasBody(c: Context): Promise<boolean> {
  const { raw } = c.req;
  if (raw.body === null) return false;
  if (raw.bodyUsed) return (await c.req.arrayBuffer()).byteLength > 0;
  const body = raw.clone().body;
  if (body === null) return false;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return false;
      if (value.byteLength > 0) return true;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

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
