import { z } from '@hono/zod-openapi';
import { problemContent } from '@yishi/platform';

// The problem and path-parameter schemas are the platform's, shared with the query API.
export {
  CommunityParams,
  ProblemSchema,
  ProposalParams,
  RequestParams,
  SessionParams,
} from '@yishi/platform';

export const CommandAccepted = z
  .object({
    streamId: z.string(),
    version: z.number().int(),
    position: z
      .string()
      .openapi({ description: 'Global position; pass as ?minPosition= to queries' }),
    duplicate: z.boolean(),
  })
  .openapi('CommandAccepted');

/**
 * A command's body limit, from the largest command: minutes (DraftMinutes, AmendMinutes,
 * CorrectMinutes) of 100,000 characters with a 2,000-character reason, which is 306 kB of
 * UTF-8 Chinese and 612 kB from a client that \u-escapes every character. OpenVoting carries no
 * electorate from the client (the service reads it), and the registry import has its own limit.
 */
export const MAX_BODY_BYTES = 1024 * 1024;

export const commandResponses = {
  200: {
    description: 'Repeated Idempotency-Key: the first answer',
    content: { 'application/json': { schema: CommandAccepted } },
  },
  201: {
    description: 'Accepted: events appended',
    content: { 'application/json': { schema: CommandAccepted } },
  },
  400: { description: 'Invalid input', content: problemContent },
  401: { description: 'No or invalid token', content: problemContent },
  403: { description: 'Not allowed for this role or community', content: problemContent },
  404: { description: 'Not found', content: problemContent },
  409: { description: 'Refused by the rules or a concurrent change', content: problemContent },
  412: { description: 'If-Match does not match the stream version', content: problemContent },
  413: { description: `Body over ${MAX_BODY_BYTES} bytes`, content: problemContent },
  422: {
    description:
      'Well-formed but not a valid command (invalid-command), or the Idempotency-Key was used for a different request (idempotency-key-reused)',
    content: problemContent,
  },
} as const;

/** What an Idempotency-Key does, for the command routes and the registry import. */
export const IDEMPOTENCY_KEY_DOC =
  'Repeat-safe key, bound to the request (method, path and body): the same request again returns the first answer; a different request with it is refused with 422 idempotency-key-reused';

/**
 * The command headers, documented as OpenAPI parameters rather than a `request.headers` schema:
 * a schema would be validated on every request by copying all headers into a web `Headers`,
 * while both are optional strings that `idempotencyKey()` and `ifMatch()` check themselves.
 */
export const commandHeaderParameters = [
  {
    schema: { type: 'string', description: IDEMPOTENCY_KEY_DOC },
    required: false,
    description: IDEMPOTENCY_KEY_DOC,
    name: 'idempotency-key',
    in: 'header',
  },
  {
    schema: { type: 'string', description: 'Quoted stream version, e.g. "3"' },
    required: false,
    description: 'Quoted stream version, e.g. "3"',
    name: 'if-match',
    in: 'header',
  },
] as const;
