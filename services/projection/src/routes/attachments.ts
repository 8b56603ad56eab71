import { createRoute, z } from '@hono/zod-openapi';
import { type BlobStore, extensionOf, sha256Hex } from '@yishi/attachments';
import { hasPreview, preview } from '@yishi/attachments/preview';
import {
  AttachmentMediaType,
  AttachmentUploadedData,
  CommunityId,
  Sha256,
  streams,
} from '@yishi/domain';
import type { EventStore } from '@yishi/event-store';
import { type AppEnv, addRoute, createRouter, problem, problemContent } from '@yishi/platform';
import type { Context } from 'hono';
import { commaList, errorResponses, jsonResponses, READERS } from './common.ts';

// Attachments as stored: the bytes under their SHA-256, with the type read from them at upload
// (the record says it, never the request), and a small WebP preview of photos. Read by every
// role of the community, as its documents are. The bytes never change, so the hash is the ETag
// and a browser keeps them for a year; they are checked against the hash before they are sent.

export interface AttachmentDeps {
  store: EventStore;
  blobs: BlobStore;
}

const AttachmentParams = z.object({
  communityId: CommunityId.clone().openapi({ param: { name: 'communityId', in: 'path' } }),
  sha256: Sha256.clone().openapi({
    param: { name: 'sha256', in: 'path' },
    example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  }),
});

const binary = (types: readonly string[]) =>
  Object.fromEntries(
    types.map((type) => [type, { schema: z.string().openapi({ format: 'binary' }) }]),
  );

const cacheHeaders = {
  ETag: { description: 'The SHA-256 of the bytes', schema: { type: 'string' as const } },
  'Cache-Control': {
    description: 'private, immutable: the bytes under a hash never change',
    schema: { type: 'string' as const },
  },
};

const attachmentRoute = createRoute({
  method: 'get',
  operationId: 'getAttachment',
  path: '/v1/communities/{communityId}/attachments/{sha256}',
  summary: 'An attachment’s bytes (附件原件), with the type read from them at upload',
  tags: ['attachments'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: { params: AttachmentParams },
  responses: {
    200: {
      description:
        'The bytes, as uploaded; `Content-Disposition` carries a safe file name, `X-Content-Type-Options: nosniff`',
      headers: cacheHeaders,
      content: binary(AttachmentUploadedData.shape.mediaType.options),
    },
    304: { description: 'If-None-Match named this hash: the copy held is the same' },
    ...errorResponses({
      notFound: ['attachment-not-found'],
      asOf: false,
      minPosition: false,
    }),
    409: {
      description:
        '`attachment-altered`: the stored bytes no longer hash to the recorded SHA-256 (verification names it); nothing is sent',
      content: problemContent,
    },
  },
});

const previewRoute = createRoute({
  method: 'get',
  operationId: 'getAttachmentPreview',
  path: '/v1/communities/{communityId}/attachments/{sha256}/preview',
  summary: 'A photo’s preview: WebP, at most 320 pixels on its longest side',
  tags: ['attachments'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: { params: AttachmentParams },
  responses: {
    200: { description: 'The preview', headers: cacheHeaders, content: binary(['image/webp']) },
    304: { description: 'If-None-Match named this preview: the copy held is the same' },
    ...errorResponses({
      notFound: [
        'attachment-not-found',
        '`preview-not-available` (a PDF, or bytes that cannot be decoded)',
      ],
      asOf: false,
      minPosition: false,
    }),
    409: { description: '`attachment-altered`', content: problemContent },
  },
});

/** At most this many attachments are described in one answer (a page's worth). */
const MAX_DESCRIBED = 100;

export const AttachmentInfo = z
  .object({
    sha256: Sha256,
    mediaType: AttachmentMediaType,
    size: z.number().int().openapi({ description: 'Bytes' }),
    fileName: z.string().optional().openapi({ description: 'The name it had when uploaded' }),
    uploadedAt: z.string(),
    preview: z.boolean().openapi({ description: 'Whether `…/{sha256}/preview` serves a preview' }),
  })
  .openapi('AttachmentInfo');

export const AttachmentInfoList = z
  .object({ items: z.array(AttachmentInfo) })
  .openapi('AttachmentInfoList');

const describeRoute = createRoute({
  method: 'get',
  operationId: 'describeAttachments',
  path: '/v1/communities/{communityId}/attachments',
  summary: 'What the community’s attachments are (type, size, name), for showing them',
  description:
    'A page that shows several document references asks once what each is, to show a photo as its preview and a PDF as a link. Hashes the community has no record of are left out.',
  tags: ['attachments'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: {
    params: AttachmentParams.pick({ communityId: true }),
    query: z.object({
      sha256: commaList(Sha256, MAX_DESCRIBED, 'SHA-256 hashes (64 lowercase hex digits)').openapi({
        example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      }),
    }),
  },
  responses: jsonResponses('The attachments, in the order asked', AttachmentInfoList, {
    asOf: false,
    minPosition: false,
  }),
});

type Recorded = ReturnType<typeof AttachmentUploadedData.parse>;

/** The community's record of the attachment, or undefined when it has none. */
async function recordOf(
  store: EventStore,
  communityId: string,
  sha256: string,
): Promise<Recorded | undefined> {
  const [first] = await store.readStream(streams.attachment(communityId, sha256), {
    maxCount: 1,
  });
  const parsed = AttachmentUploadedData.safeParse(first?.data);
  return first?.type === 'AttachmentUploaded' && parsed.success ? parsed.data : undefined;
}

/** `inline; filename="attachment-<hash>.png"; filename*=UTF-8''<the uploaded name>`. */
export function contentDisposition(record: Recorded): string {
  const ext = extensionOf(record.mediaType);
  const fallback = `attachment-${record.sha256.slice(0, 12)}.${ext}`;
  if (!record.fileName) return `inline; filename="${fallback}"`;
  // The uploaded name is free text: percent-encoded (RFC 8187), with the sniffed extension.
  const base = record.fileName.replace(/\.[A-Za-z0-9]{1,5}$/, '');
  return `inline; filename="${fallback}"; filename*=UTF-8''${encodeRfc8187(`${base}.${ext}`)}`;
}

const encodeRfc8187 = (text: string) =>
  encodeURIComponent(text).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );

function immutable(c: Context<AppEnv>, etag: string): void {
  c.header('etag', etag);
  c.header('cache-control', 'private, max-age=31536000, immutable');
  c.header('x-content-type-options', 'nosniff');
  // A PDF or image opened in a tab runs nothing and reaches nothing.
  c.header('content-security-policy', "default-src 'none'; img-src 'self'; sandbox");
}

const notModified = (c: Context<AppEnv>, etag: string) =>
  c.req
    .header('if-none-match')
    ?.split(',')
    .some((tag) => tag.trim() === etag) ?? false;

export function attachmentQueries(deps: AttachmentDeps) {
  const app = createRouter();

  /** The record and its checked bytes, or the problem that answers instead. */
  async function load(c: Context<AppEnv>, communityId: string, sha256: string) {
    const record = await recordOf(deps.store, communityId, sha256);
    const bytes = record && (await deps.blobs.get(sha256));
    if (!record || !bytes) {
      return problem(c, 404, 'attachment-not-found', `No attachment ${sha256} in ${communityId}`);
    }
    if (sha256Hex(bytes) !== sha256) {
      return problem(
        c,
        409,
        'attachment-altered',
        `The stored bytes of attachment ${sha256} no longer hash to it; verification names it`,
      );
    }
    return { record, bytes };
  }

  addRoute(app, describeRoute, async (c) => {
    const { communityId } = c.req.valid('param');
    const hashes = [...new Set(c.req.valid('query').sha256.split(','))];
    const records = await Promise.all(hashes.map((x) => recordOf(deps.store, communityId, x)));
    const items = records.flatMap((r) =>
      r
        ? [
            {
              sha256: r.sha256,
              mediaType: r.mediaType,
              size: r.size,
              ...(r.fileName ? { fileName: r.fileName } : {}),
              uploadedAt: r.at,
              preview: hasPreview(r.mediaType),
            },
          ]
        : [],
    );
    return c.json({ items }, 200);
  });

  addRoute(app, attachmentRoute, async (c) => {
    const { communityId, sha256 } = c.req.valid('param');
    const etag = `"${sha256}"`;
    // The hash names the bytes, but only a community that has them may learn that it does.
    if (notModified(c, etag) && (await recordOf(deps.store, communityId, sha256))) {
      immutable(c, etag);
      return c.body(null, 304);
    }
    const loaded = await load(c, communityId, sha256);
    if (loaded instanceof Response) return loaded;
    immutable(c, etag);
    c.header('content-type', loaded.record.mediaType);
    c.header('content-disposition', contentDisposition(loaded.record));
    return c.body(loaded.bytes as Uint8Array<ArrayBuffer>, 200);
  });

  addRoute(app, previewRoute, async (c) => {
    const { communityId, sha256 } = c.req.valid('param');
    const etag = `"${sha256}-preview"`;
    if (notModified(c, etag) && (await recordOf(deps.store, communityId, sha256))) {
      immutable(c, etag);
      return c.body(null, 304);
    }
    const loaded = await load(c, communityId, sha256);
    if (loaded instanceof Response) return loaded;
    const small = hasPreview(loaded.record.mediaType)
      ? await preview(loaded.bytes, loaded.record.mediaType)
      : undefined;
    if (!small) {
      return problem(
        c,
        404,
        'preview-not-available',
        `No preview of ${loaded.record.mediaType}: open the attachment itself`,
      );
    }
    immutable(c, etag);
    c.header('content-type', 'image/webp');
    return c.body(small as Uint8Array<ArrayBuffer>, 200);
  });

  return app;
}
