import { z } from '@hono/zod-openapi';
import { type CommandDefinition, DOMAIN_ERROR_CODES } from '@yishi/domain';
import { headerRef, problemContent } from '@yishi/platform';
import { statusOfDomainError } from '../http-outcome.ts';

// The problem and path-parameter schemas are the platform's, shared with the query API.
export {
  CampaignParams,
  CommunityParams,
  EvaluationParams,
  FundParams,
  ProblemSchema,
  ProposalParams,
  RequestParams,
  SessionParams,
  WishParams,
} from '@yishi/platform';

export const CommandAccepted = z
  .object({
    streamId: z.string().openapi({ example: 'proposal-c1.p1' }),
    version: z
      .number()
      .int()
      .openapi({ description: "The stream's version after the command (the ETag)", example: 1 }),
    position: z.string().openapi({
      description: 'Global position of the last event; pass as ?minPosition= to queries',
      example: '812:40',
    }),
    duplicate: z.boolean().openapi({
      description: 'true: the first answer to an earlier request with this Idempotency-Key',
      example: false,
    }),
    proposalId: z
      .string()
      .optional()
      .openapi({ description: 'SubmitProposal: the new proposal (given or generated)' }),
    sessionId: z
      .string()
      .optional()
      .openapi({ description: 'ConveneSession: the new session (given or generated)' }),
    requestId: z
      .string()
      .optional()
      .openapi({ description: 'RequestResidentsMeeting: the new request (given or generated)' }),
    wishId: z
      .string()
      .optional()
      .openapi({ description: 'PostWish: the new wish (given or generated)' }),
    evaluationId: z
      .string()
      .optional()
      .openapi({ description: 'OpenEvaluation: the new evaluation (given or generated)' }),
    campaignId: z
      .string()
      .optional()
      .openapi({ description: 'OpenCrowdfunding: the new campaign (given or generated)' }),
    fundId: z
      .string()
      .optional()
      .openapi({ description: 'OpenFund: the new fund (given or generated)' }),
  })
  .openapi('CommandAccepted');

/**
 * A command's body limit, from the largest command: minutes (DraftMinutes, AmendMinutes,
 * CorrectMinutes) of 100,000 characters with a 2,000-character reason, which is 306 kB of
 * UTF-8 Chinese and 612 kB from a client that \u-escapes every character. OpenVoting carries no
 * electorate from the client (the service reads it), and the registry import has its own limit.
 */
export const MAX_BODY_BYTES = 1024 * 1024;

/** The domain's refusal codes a status answers, as `code`, `code` for descriptions. */
function domainCodes(status: number): string {
  return DOMAIN_ERROR_CODES.filter((code) => statusOfDomainError(code) === status)
    .map((code) => `\`${code}\``)
    .join(', ');
}

const problemOf = (description: string, headers: Record<string, { $ref: string }> = {}) => ({
  description,
  headers,
  content: problemContent,
});

/** Every status a command route answers, with the codes and problem members of each. */
export function commandResponses(definition: CommandDefinition, creates: boolean) {
  const accepted = { 'application/json': { schema: CommandAccepted } };
  return {
    200: {
      description:
        'The same request again with the same Idempotency-Key: the first answer, nothing written',
      headers: { ETag: headerRef('ETag'), 'Idempotent-Replayed': headerRef('Idempotent-Replayed') },
      content: accepted,
    },
    201: {
      description: 'Accepted: the events are appended',
      headers: { ETag: headerRef('ETag'), ...(creates ? { Location: headerRef('Location') } : {}) },
      content: accepted,
    },
    400: problemOf(
      '`invalid-input` (each field in `errors`; also text the store cannot hold, such as NUL), `invalid-json`, `invalid-idempotency-key`, `invalid-if-match`',
    ),
    403: problemOf(
      [
        `\`role-forbidden\` (with \`allowedRoles\`: ${definition.roles.join(', ')})`,
        '`community-forbidden` (the token is not valid for this community)',
        ...(definition.partyField
          ? ['`party-mismatch` (a representative acts for their own party)']
          : []),
        ...(definition.aggregate === 'community'
          ? []
          : [
              '`role-not-registered` (a clerk, representative or convener unknown to the registry)',
            ]),
        `refused by the rules: ${domainCodes(403)} (with \`details\`)`,
      ].join('; '),
    ),
    404: problemOf(
      `\`community-not-found\` (the community is not registered); ${domainCodes(404)} (what the command names does not exist, with \`details\`)`,
    ),
    409: problemOf(
      `Refused by the rules, with \`details\`: ${domainCodes(409)}; from the facts the service reads: \`empty-electorate\`, \`item-not-resolved\`, \`no-parties\`; or \`version-conflict\` (concurrent changes; retry, with \`actualVersion\`)`,
    ),
    412: problemOf(
      '`precondition-failed`: If-Match is not the stream version (`actualVersion`; the ETag header says it too)',
      { ETag: headerRef('ETag') },
    ),
    413: problemOf(`\`payload-too-large\`: the body exceeds ${MAX_BODY_BYTES} bytes`),
    422: problemOf(
      '`invalid-command`: well-formed but not a valid command with what the service filled in (each field in `errors`); `attachment-not-found`: a field names `attachment:<sha256>` that is not an attachment of this community; `idempotency-key-reused`: the Idempotency-Key was used for a different request',
    ),
  } as const;
}

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
