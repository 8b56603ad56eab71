import { createRoute, z } from '@hono/zod-openapi';
import { communityOfStream } from '@yishi/domain';
import { parseCheckpoint } from '@yishi/event-store';
import { addRoute, createRouter, mayActOn, problem, problemContent } from '@yishi/platform';
import { fitsInt8, jsonResponses, type QueryDeps, READERS } from '../routes/common.ts';
import { CheckpointLog, checkpointJson } from './checkpoints.ts';
import { MerkleTree } from './tree.ts';

// 透明日志 over HTTP: the signed checkpoints (installation-wide: hashes only), the keys that
// signed them, and proofs: that an event is in the log (to a checkpoint), and that a larger
// checkpoint extends a smaller one (what a witness checks).

export const CheckpointView = z
  .object({
    origin: z.string(),
    treeSize: z.number().int(),
    rootHash: z.string().openapi({ description: 'The Merkle tree root, base64' }),
    shortHash: z
      .string()
      .openapi({ description: 'The root’s first 8 bytes in hex, for printed notices' }),
    signedAt: z.string(),
    keyId: z.string().openapi({ description: 'The signature’s key ID (signed note), hex' }),
    keyFingerprint: z.string().openapi({ description: 'SHA-256 of the Ed25519 public key, hex' }),
    position: z.string().openapi({ description: 'The last event the checkpoint covers' }),
    note: z.string().openapi({
      description:
        'The signed checkpoint (C2SP signed note): what to keep. `pnpm verify --witness` keeps and checks them.',
    }),
  })
  .openapi('Checkpoint');

const CheckpointList = z
  .object({
    items: z.array(CheckpointView),
    next: z.string().nullable().openapi({ description: 'Pass as `after` for the next page' }),
  })
  .openapi('CheckpointList');

const KeyList = z
  .object({
    items: z.array(
      z.object({
        fingerprint: z.string(),
        keyId: z.string(),
        origin: z.string(),
        publicKey: z.string().openapi({ description: 'SPKI PEM' }),
        firstUsedAt: z.string(),
      }),
    ),
  })
  .openapi('CheckpointKeys');

const Proof = z.array(z.string()).openapi({ description: 'Hashes, base64, RFC 9162 order' });

const InclusionProof = z
  .object({
    position: z.string(),
    leafIndex: z.number().int(),
    treeSize: z.number().int(),
    streamId: z.string(),
    leafHash: z.string().openapi({ description: 'SHA-256(0x00 ‖ leaf data), base64' }),
    path: Proof,
    checkpoint: CheckpointView.nullable().openapi({
      description: 'The checkpoint signed at `treeSize`, if one was',
    }),
  })
  .openapi('InclusionProof');

const ConsistencyProof = z
  .object({ from: z.number().int(), to: z.number().int(), path: Proof })
  .openapi('ConsistencyProof');

/** A tree size as a query parameter (exact in a JavaScript number). */
const TreeSize = (description: string) =>
  z
    .string()
    .regex(/^\d{1,15}$/, 'a tree size: a whole number')
    .transform(Number)
    .openapi({ description, example: '1024', type: 'string' });

const EventPosition = z
  .string()
  .max(41)
  .refine(
    (v) => (/^\d{1,19}$/.test(v) || parseCheckpoint(v) !== undefined) && fitsInt8(v),
    'a position "txid:pos" or a global position',
  )
  .openapi({ description: 'The event’s position', example: '812:40' });

const security = [{ bearer: [] }];
/** Neither `asOf` nor `minPosition`: the log answers as it stands. */
const LOG_QUERY = { asOf: false, minPosition: false } as const;

const latest = createRoute({
  method: 'get',
  operationId: 'getLatestCheckpoint',
  path: '/v1/checkpoints/latest',
  summary: 'The latest signed checkpoint of the log (签名检查点)',
  tags: ['transparency'],
  security,
  'x-roles': READERS,
  responses: jsonResponses('The checkpoint', CheckpointView, {
    ...LOG_QUERY,
    notFound: ['no-checkpoint'],
  }),
});

const list = createRoute({
  method: 'get',
  operationId: 'listCheckpoints',
  path: '/v1/checkpoints',
  summary: 'Signed checkpoints, smallest tree first',
  tags: ['transparency'],
  security,
  'x-roles': READERS,
  request: {
    query: z.object({
      after: TreeSize('Only checkpoints of larger trees').optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
    }),
  },
  responses: jsonResponses('Checkpoints', CheckpointList, LOG_QUERY),
});

const keys = createRoute({
  method: 'get',
  operationId: 'listCheckpointKeys',
  path: '/v1/checkpoints/keys',
  summary: 'Every key that signed checkpoints here (a verifier trusts its own copy)',
  tags: ['transparency'],
  security,
  'x-roles': READERS,
  responses: jsonResponses('Keys', KeyList, LOG_QUERY),
});

const inclusion = createRoute({
  method: 'get',
  operationId: 'getInclusionProof',
  path: '/v1/proofs/inclusion',
  summary: 'Proof that an event is in the log: to the latest checkpoint, or to a tree size',
  tags: ['transparency'],
  security,
  'x-roles': READERS,
  request: {
    query: z.object({
      position: EventPosition,
      treeSize: TreeSize('The tree to prove it in (default: the latest checkpoint’s)').optional(),
    }),
  },
  responses: {
    ...jsonResponses('The proof', InclusionProof, { ...LOG_QUERY, notFound: ['not-in-log'] }),
    409: {
      description:
        '`checkpoint-pending`: no signed checkpoint covers the event yet (a few seconds after it; retry)',
      content: problemContent,
    },
  },
});

const consistency = createRoute({
  method: 'get',
  operationId: 'getConsistencyProof',
  path: '/v1/proofs/consistency',
  summary: 'Proof that the tree of `to` entries extends the tree of `from` entries',
  tags: ['transparency'],
  security,
  'x-roles': READERS,
  request: {
    query: z.object({
      from: TreeSize('The smaller tree (a checkpoint kept)'),
      to: TreeSize('The larger tree'),
    }),
  },
  responses: jsonResponses('The proof', ConsistencyProof, LOG_QUERY),
});

const b64 = (b: Buffer) => b.toString('base64');

export function transparencyQueries(deps: QueryDeps) {
  const app = createRouter();
  const tree = new MerkleTree(deps.db);
  const checkpoints = new CheckpointLog(deps.db);

  addRoute(app, latest, async (c) => {
    const found = await checkpoints.latest();
    if (!found) return problem(c, 404, 'no-checkpoint', 'No checkpoint has been signed yet');
    return c.json(checkpointJson(found));
  });

  addRoute(app, list, async (c) => {
    const { after, limit } = c.req.valid('query');
    const items = await checkpoints.after(after ?? 0, limit);
    return c.json({
      items: items.map(checkpointJson),
      next: items.length === limit ? String(items.at(-1)!.treeSize) : null,
    });
  });

  addRoute(app, keys, async (c) => {
    const rows = await checkpoints.keys();
    return c.json({
      items: rows.map((r) => ({
        fingerprint: r.fingerprint,
        keyId: r.key_id,
        origin: r.origin,
        publicKey: r.public_key,
        firstUsedAt: r.first_used_at.toISOString(),
      })),
    });
  });

  addRoute(app, inclusion, async (c) => {
    const query = c.req.valid('query');
    const asked = parseCheckpoint(query.position);
    const globalPosition = asked ? asked.globalPosition : BigInt(query.position);
    // By default the latest checkpoint (from memory), else the size asked for; the leaf, its
    // proof and the tree's size in one statement. A leaf newer than the checkpoint in memory
    // reads the latest again, in case one was signed since.
    let latestSigned = query.treeSize === undefined ? await checkpoints.latestCached() : undefined;
    let treeSize = query.treeSize ?? latestSigned?.treeSize ?? 0;
    let found = await tree.leafWithProof(globalPosition, treeSize);
    if (found && query.treeSize === undefined && found.leaf.leafIndex >= treeSize) {
      const newer = await checkpoints.latestCached(true);
      if (newer && newer.treeSize > treeSize) {
        latestSigned = newer;
        treeSize = newer.treeSize;
        found = await tree.leafWithProof(globalPosition, treeSize);
      }
    }
    if (!found || (asked && asked.transactionId !== found.leaf.position.transactionId)) {
      return problem(c, 404, 'not-in-log', `No event at ${query.position} in the log (yet)`);
    }
    const { leaf } = found;
    const communityId = communityOfStream(leaf.streamId);
    if (!communityId || !mayActOn(c.get('principal'), communityId)) {
      return problem(c, 403, 'community-forbidden', `Not granted the community of that event`);
    }
    if (query.treeSize === undefined && (!latestSigned || treeSize <= leaf.leafIndex)) {
      return problem(
        c,
        409,
        'checkpoint-pending',
        'No signed checkpoint covers this event yet; ask again in a few seconds',
      );
    }
    const field = (message: string) =>
      problem(c, 400, 'invalid-input', message, {
        errors: [{ field: 'query.treeSize', message }],
      });
    if (treeSize <= leaf.leafIndex) {
      return field(`entry ${leaf.leafIndex} is not in a tree of ${treeSize}`);
    }
    if (treeSize > found.size) return field(`the log has ${found.size} entries`);
    const signed = latestSigned ?? (await checkpoints.at(treeSize));
    return c.json({
      position: `${leaf.position.transactionId}:${leaf.position.globalPosition}`,
      leafIndex: leaf.leafIndex,
      treeSize,
      streamId: leaf.streamId,
      leafHash: b64(leaf.hash),
      path: found.path!.map(b64),
      checkpoint: signed ? checkpointJson(signed) : null,
    });
  });

  addRoute(app, consistency, async (c) => {
    const { from, to } = c.req.valid('query');
    if (from > to) {
      const message = 'a tree cannot be extended by a smaller one: from must not exceed to';
      return problem(c, 400, 'invalid-input', message, {
        errors: [{ field: 'query.from', message }],
      });
    }
    const size = await tree.size();
    if (to > size) {
      const message = `the log has ${size} entries`;
      return problem(c, 400, 'invalid-input', message, {
        errors: [{ field: 'query.to', message }],
      });
    }
    const path = await tree.consistencyProof(from, to);
    return c.json({ from, to, path: path.map(b64) });
  });

  return app;
}
