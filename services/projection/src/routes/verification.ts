import { createRoute, z } from '@hono/zod-openapi';
import type { BlobStore } from '@yishi/attachments';
import { communityOfStream } from '@yishi/domain';
import { type EventStore, isEventStoreError } from '@yishi/event-store';
import {
  addRoute,
  CommunityParams,
  createRouter,
  ProposalParams,
  problem,
  problemContent,
} from '@yishi/platform';
import type { TreeBuilder } from '../transparency/builder.ts';
import { CheckpointPending, LogProofs } from '../transparency/proofs.ts';
import { DossierAnswer, exportDossier } from '../verification/dossier.ts';
import { type Scope, verifyScope } from '../verification/verify.ts';
import {
  jsonResponses,
  type QueryDeps,
  READERS,
  ReadQuery,
  readContext,
  StreamId,
} from './common.ts';

export const VerificationReport = z
  .object({
    ok: z.boolean(),
    scope: z.string(),
    streams: z.number().int(),
    events: z.number().int(),
    witnessed: z.boolean().openapi({
      description:
        'Stored hashes were also compared with those recorded when the events were projected',
    }),
    firstBroken: z
      .object({ streamId: z.string(), streamVersion: z.number().int(), reason: z.string() })
      .optional()
      .openapi({ description: 'The first event that does not verify' }),
    head: z
      .object({
        version: z.number().int(),
        hash: z.string(),
        matches: z.boolean().openapi({
          description: 'The stream has an event at `version` whose hash starts with `hash`',
        }),
        latestVersion: z.number().int().openapi({ description: "The stream's version now" }),
        position: z
          .string()
          .nullable()
          .openapi({ description: 'The position of the event at `version`, when there is one' }),
      })
      .optional()
      .openapi({
        description:
          'With `version` and `head`: whether a printed chain head is in the chain, and how many events came after it',
      }),
  })
  .openapi('VerificationReport');

const verifyCommunity = createRoute({
  method: 'get',
  operationId: 'verifyCommunity',
  path: '/v1/communities/{communityId}/verification',
  summary: "Verify the hash chains of a community's streams, or of one stream (核验)",
  tags: ['verification'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: {
    params: CommunityParams,
    query: z.object({
      stream: StreamId.optional().openapi({ description: 'Only this stream, e.g. proposal-c1.p1' }),
      version: z.coerce
        .number()
        .int()
        .min(1)
        .max(2_147_483_647)
        .optional()
        .openapi({ description: 'With `head` and `stream`: the version of a printed chain head' }),
      head: z
        .string()
        .regex(/^[0-9a-f]{8,64}$/, '8 to 64 lowercase hex digits')
        .optional()
        .openapi({
          description: 'With `version`: the hash (or its first digits) printed as the chain head',
          example: '3fa9c2d1e0b4',
        }),
    }),
  },
  responses: jsonResponses(
    'The report (ok false names the first broken event)',
    VerificationReport,
    { asOf: false, minPosition: false },
  ),
});

/** Who may verify every stream of every community (with a token granted every community). */
const WHOLE_STORE_ROLES: ReadonlySet<string> = new Set(['official', 'admin']);

const verifyEverything = createRoute({
  method: 'get',
  operationId: 'verifyAllCommunities',
  path: '/v1/verification',
  summary: 'Verify every stream (officials and admins with a token granted every community)',
  tags: ['verification'],
  security: [{ bearer: [] }],
  'x-roles': [...WHOLE_STORE_ROLES],
  responses: {
    ...jsonResponses('The report', VerificationReport, { asOf: false, minPosition: false }),
    403: {
      description:
        '`role-forbidden` (with `allowedRoles`: official, admin); `community-forbidden`: the token is not granted every community (`*`)',
      content: problemContent,
    },
  },
});

const dossierRoute = createRoute({
  method: 'get',
  operationId: 'getDossier',
  path: '/v1/communities/{communityId}/proposals/{proposalId}/dossier',
  summary:
    'The proposal dossier: every event with its hash, the rule and the figures (verifiable offline)',
  tags: ['verification'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: {
    params: ProposalParams,
    query: ReadQuery,
  },
  responses: {
    ...jsonResponses('The dossier (check it with `pnpm verify dossier.json`)', DossierAnswer, {
      notFound: ['proposal-not-found'],
    }),
    409: {
      description:
        '`position-not-reached`: the read model did not reach `minPosition` in time (retry); `checkpoint-pending`: no signed checkpoint covers the proposal yet (a few seconds after an event; retry)',
      content: problemContent,
    },
  },
});

/** What verification and dossiers need besides the read models. */
export interface VerificationDeps {
  store: EventStore;
  /** The log's builder, when it runs in this process: a dossier asks it to sign soon. */
  treeBuilder?: TreeBuilder | undefined;
  /** How long a dossier waits for a checkpoint covering it (ms). */
  checkpointWaitMs: number;
  /** Attachments' bytes, checked against the hashes their events recorded. */
  blobs?: BlobStore | undefined;
}

/** Whether a head printed on a document (version and hash digits) is in the stream's chain. */
async function printedHead(store: EventStore, streamId: string, version: number, hash: string) {
  const [event] = await store.readStream(streamId, { fromVersion: version, maxCount: 1 });
  const latest = await store.streamHead(streamId);
  const at = event?.streamVersion === version ? event : undefined;
  return {
    version,
    hash,
    matches: at?.hash.startsWith(hash) ?? false,
    latestVersion: latest?.version ?? 0,
    position: at ? `${at.transactionId}:${at.globalPosition}` : null,
  };
}

export function verificationQueries(deps: QueryDeps & VerificationDeps) {
  const app = createRouter();
  const builder = deps.treeBuilder;
  const log = new LogProofs(deps.db, {
    waitMs: deps.checkpointWaitMs,
    ...(builder ? { signSoon: () => builder.signSoon() } : {}),
  });
  const witness = async () => {
    const schema = await deps.readModels.schemaOf('timeline');
    return schema ? { db: deps.db, schema } : undefined;
  };
  addRoute(app, verifyCommunity, async (c) => {
    const { communityId } = c.req.valid('param');
    const { stream, version, head } = c.req.valid('query');
    if ((version === undefined) !== (head === undefined) || (head !== undefined && !stream)) {
      // The three go together: each is named, said to be missing or to lack the others.
      const given = { stream, version, head };
      return problem(c, 400, 'invalid-input', 'A printed head needs stream, version and head', {
        errors: (['stream', 'version', 'head'] as const).map((name) => ({
          field: `query.${name}`,
          message: given[name] === undefined ? 'missing' : 'needs stream, version and head',
        })),
      });
    }
    let scope: Scope = { kind: 'community', communityId };
    if (stream) {
      if (communityOfStream(stream) !== communityId) {
        return problem(
          c,
          400,
          'invalid-input',
          `Stream ${stream} is not a stream of ${communityId}`,
          {
            errors: [{ field: 'query.stream', message: 'not a stream of this community' }],
          },
        );
      }
      scope = { kind: 'stream', streamId: stream };
    }
    try {
      const report = await verifyScope(deps.store, scope, await witness(), deps.blobs);
      if (!stream || version === undefined || head === undefined) return c.json(report);
      return c.json({ ...report, head: await printedHead(deps.store, stream, version, head) });
    } catch (error) {
      // A stream id the store refuses (too long, characters it does not allow) is bad input.
      if (isEventStoreError(error) && error.code !== 'store-unavailable') {
        return problem(c, 400, 'invalid-input', error.message, {
          errors: [{ field: 'query.stream', message: error.message }],
        });
      }
      throw error;
    }
  });
  addRoute(app, verifyEverything, async (c) => {
    // Reading every community's streams is an oversight task, and a costly one.
    const { role } = c.get('principal');
    if (!WHOLE_STORE_ROLES.has(role)) {
      return problem(c, 403, 'role-forbidden', `Role ${role} may not verify the whole store`, {
        allowedRoles: [...WHOLE_STORE_ROLES],
      });
    }
    if (!c.get('principal').communities.includes('*')) {
      return problem(
        c,
        403,
        'community-forbidden',
        'Verifying everything needs a token for every community',
      );
    }
    return c.json(await verifyScope(deps.store, { kind: 'all' }, await witness(), deps.blobs));
  });
  addRoute(app, dossierRoute, async (c) => {
    const { communityId, proposalId } = c.req.valid('param');
    const ctx = await readContext(c, deps, c.req.valid('query'), ['timeline']);
    if (ctx instanceof Response) return ctx;
    let dossier: Awaited<ReturnType<typeof exportDossier>>;
    try {
      dossier = await exportDossier(deps.store, log, communityId, proposalId, ctx.asOf);
    } catch (error) {
      if (!(error instanceof CheckpointPending)) throw error;
      c.header('retry-after', '5');
      return problem(
        c,
        409,
        'checkpoint-pending',
        'No signed checkpoint covers this proposal yet; ask again in a few seconds',
      );
    }
    if (!dossier)
      return problem(c, 404, 'proposal-not-found', `No proposal ${proposalId} in ${communityId}`);
    c.header(
      'content-disposition',
      `attachment; filename="dossier-${communityId}-${proposalId}.json"`,
    );
    return c.json(dossier);
  });
  return app;
}
