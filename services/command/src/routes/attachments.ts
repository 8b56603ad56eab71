import { createRoute, type OpenAPIHono, type RouteConfig, z } from '@hono/zod-openapi';
import { type BlobStore, sha256Hex, sniffType } from '@yishi/attachments';
import {
  AttachmentMediaType,
  attachmentDecider,
  attachmentRefsIn,
  commandCatalog,
  MAX_ATTACHMENT_BYTES,
  streams,
} from '@yishi/domain';
import { checkpointOf, type EventStore, formatCheckpoint } from '@yishi/event-store';
import { type AppEnv, createRouter, limitBody, problem, problemContent } from '@yishi/platform';
import type { Context } from 'hono';
import { actorOf } from '../authorisation.ts';
import type { CommandHandler } from '../command-handler.ts';
import { readRegistry, roleProblem } from '../context.ts';
import { answer } from '../http-outcome.ts';
import type { AnyDecider, StateReader } from '../state-reader.ts';
import { CommunityParams } from './schemas.ts';

// Uploading a document or photo (a paper-ballot scan, signed minutes, a plan, a receipt): the
// bytes go to the blob store under their SHA-256 first, then `AttachmentUploaded` is appended
// to `attachment-<cid>.<sha256>`; a command's document field then names it as
// `attachment:<sha256>`. The type is read from the bytes; what the client declares is only
// compared with it.

export const ATTACHMENTS = /^\/v1\/communities\/[^/]+\/attachments$/;
/** The file, plus a multipart envelope's boundaries and headers. */
export const UPLOAD_MAX_BODY_BYTES = MAX_ATTACHMENT_BYTES + 64 * 1024;

const definition = commandCatalog.RecordAttachment;
const decider = attachmentDecider as unknown as AnyDecider;
/** What a client may declare without saying which type: the bytes decide. */
const UNDECLARED = new Set(['', 'application/octet-stream', 'binary/octet-stream']);

export const AttachmentRecorded = z
  .object({
    sha256: z.string().openapi({ description: 'SHA-256 of the bytes: the attachment’s id' }),
    ref: z.string().openapi({
      description: 'What a command’s documentRef (or a wish’s photo) takes to name it',
      example: `attachment:${'0'.repeat(64)}`,
    }),
    size: z.number().int(),
    mediaType: AttachmentMediaType,
    fileName: z.string().optional(),
    streamId: z.string(),
    version: z.number().int(),
    position: z.string(),
    duplicate: z
      .boolean()
      .openapi({ description: 'true: these bytes were uploaded to the community before' }),
  })
  .openapi('AttachmentRecorded');

const roles = definition.roles.join(', ');
const uploadRoute = createRoute({
  method: 'post',
  path: '/v1/communities/{communityId}/attachments',
  summary: 'Upload a document or photo (附件: 纸质票扫描件、签字纪要、方案图、收据), up to 20 MB',
  operationId: 'UploadAttachment',
  tags: ['attachments'],
  description:
    'The file as `multipart/form-data` (field `file`, as a browser form or a phone camera sends it) or as the raw body with its `Content-Type`. The type is read from the bytes: JPEG, PNG, WebP, HEIC or PDF, anything else is refused (415 `attachment-type-not-allowed`); a declared type that differs from the bytes is refused (415 `attachment-type-mismatch`). The bytes are stored under their SHA-256 and `AttachmentUploaded` is recorded; the same bytes again answer 200 with the first record. A command names the attachment as `attachment:<sha256>` in its `documentRef` (paper ballots, minutes, plans, receipts, fund entries) or a wish’s `photo`. ' +
    `Roles: ${roles}.`,
  security: [{ bearer: [] }],
  'x-roles': [...definition.roles],
  request: {
    params: CommunityParams,
    query: z.object({
      fileName: z
        .string()
        .max(200)
        .optional()
        .openapi({ description: 'A raw body’s file name (multipart: the part’s own name)' }),
    }),
    body: {
      required: true,
      content: {
        'multipart/form-data': {
          schema: z.object({ file: z.string().openapi({ format: 'binary' }) }),
        },
        'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) },
        'image/jpeg': { schema: z.string().openapi({ format: 'binary' }) },
        'image/png': { schema: z.string().openapi({ format: 'binary' }) },
        'image/webp': { schema: z.string().openapi({ format: 'binary' }) },
        'image/heic': { schema: z.string().openapi({ format: 'binary' }) },
        'application/pdf': { schema: z.string().openapi({ format: 'binary' }) },
      },
    },
  },
  responses: {
    200: {
      description: 'These bytes were uploaded to the community before: the first record',
      content: { 'application/json': { schema: AttachmentRecorded } },
    },
    201: {
      description: 'Stored and recorded',
      content: { 'application/json': { schema: AttachmentRecorded } },
    },
    400: { description: '`invalid-input`: no file, or an empty one', content: problemContent },
    401: { description: 'No or invalid token', content: problemContent },
    403: {
      description: `\`role-forbidden\` (roles: ${roles}), \`community-forbidden\`, \`role-not-registered\``,
      content: problemContent,
    },
    404: { description: '`community-not-found`', content: problemContent },
    409: { description: '`version-conflict`: retry', content: problemContent },
    413: {
      description: `\`payload-too-large\`: the file exceeds ${MAX_ATTACHMENT_BYTES} bytes`,
      content: problemContent,
    },
    415: {
      description:
        '`attachment-type-not-allowed` (not JPEG, PNG, WebP, HEIC or PDF), `attachment-type-mismatch` (the declared type is not what the bytes are)',
      content: problemContent,
    },
  },
}) satisfies RouteConfig;

interface Upload {
  bytes: Uint8Array;
  declared: string;
  fileName: string | undefined;
}

/** The file and what the client says of it, from a multipart form or the raw body. */
async function readUpload(c: Context<AppEnv>): Promise<Upload | Response> {
  const contentType = (c.req.header('content-type') ?? '').toLowerCase();
  if (contentType.startsWith('multipart/form-data')) {
    let form: FormData;
    try {
      form = await c.req.raw.formData();
    } catch {
      return problem(c, 400, 'invalid-input', 'The multipart body cannot be read', {
        errors: [{ field: 'body', message: 'malformed multipart/form-data' }],
      });
    }
    const file = form.get('file');
    if (!(file instanceof File)) {
      return problem(c, 400, 'invalid-input', 'No file in the form', {
        errors: [{ field: 'body.file', message: 'required: the file to upload' }],
      });
    }
    return {
      bytes: new Uint8Array(await file.arrayBuffer()),
      declared: file.type.toLowerCase(),
      fileName: file.name || undefined,
    };
  }
  return {
    bytes: new Uint8Array(await c.req.arrayBuffer()),
    declared: contentType.split(';')[0]!.trim(),
    fileName: c.req.query('fileName') || undefined,
  };
}

/** Control characters and lone surrogates, which no event may hold. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const UNPRINTABLE = /[\u0000-\u001f\u007f]|\p{Cs}/gu;

/** A device's file name as free text: no path, no control characters, at most 200. */
function cleanFileName(name: string | undefined): string | undefined {
  const base = name?.split(/[/\\]/).pop()?.replace(UNPRINTABLE, '');
  const trimmed = base?.trim().slice(0, 200).trim();
  return trimmed ? trimmed : undefined;
}

/** `POST /v1/communities/{communityId}/attachments`. */
export function attachmentRoutes(
  handler: CommandHandler,
  states: StateReader,
  store: EventStore,
  blobs: BlobStore,
): OpenAPIHono<AppEnv> {
  const app = createRouter();
  app.openAPIRegistry.registerPath(uploadRoute);
  const limit = limitBody(UPLOAD_MAX_BODY_BYTES);
  app.post(uploadRoute.getRoutingPath(), async (c) => {
    const principal = c.get('principal');
    // The role before the body: a role that may not upload sends no 20 MB for nothing.
    if (!definition.roles.includes(principal.role)) {
      return problem(c, 403, 'role-forbidden', `Role ${principal.role} may not upload`, {
        allowedRoles: definition.roles,
      });
    }
    const params = CommunityParams.safeParse(c.req.param());
    if (!params.success) {
      return problem(c, 400, 'invalid-input', 'The community id is not valid', {
        errors: [{ field: 'param.communityId', message: 'invalid' }],
      });
    }
    const { communityId } = params.data;
    const registry = await readRegistry(states, communityId);
    if (!registry) {
      return problem(c, 404, 'community-not-found', `Community ${communityId} is not registered`);
    }
    const refused = roleProblem(principal, registry);
    if (refused) return problem(c, 403, 'role-not-registered', refused);
    let upload: Upload | Response | undefined;
    const limited = await limit(c, async () => {
      upload = await readUpload(c);
    });
    if (limited instanceof Response) return limited;
    if (upload instanceof Response) return upload;
    if (!upload) return problem(c, 413, 'payload-too-large', 'The body is too large');
    return record(c, communityId, upload);
  });

  async function record(c: Context<AppEnv>, communityId: string, upload: Upload) {
    const { bytes, declared } = upload;
    if (bytes.byteLength === 0) {
      return problem(c, 400, 'invalid-input', 'The file is empty', {
        errors: [{ field: 'body', message: 'empty file' }],
      });
    }
    if (bytes.byteLength > MAX_ATTACHMENT_BYTES) {
      return problem(
        c,
        413,
        'payload-too-large',
        `The file exceeds ${MAX_ATTACHMENT_BYTES} bytes (20 MB)`,
      );
    }
    const mediaType = sniffType(bytes);
    if (!mediaType) {
      return problem(
        c,
        415,
        'attachment-type-not-allowed',
        'Only JPEG, PNG, WebP, HEIC photos and PDF documents may be attached',
        { errors: [{ field: 'body', message: 'not a JPEG, PNG, WebP, HEIC or PDF file' }] },
      );
    }
    // A file that says it is another type is a mistake or a disguise: the uploader is told,
    // rather than the record silently saying something other than what they sent.
    if (!UNDECLARED.has(declared) && declared !== mediaType && !sameHeif(declared, mediaType)) {
      return problem(
        c,
        415,
        'attachment-type-mismatch',
        `The file is declared ${declared} but its content is ${mediaType}`,
        {
          errors: [{ field: 'body', message: `declared ${declared}, content ${mediaType}` }],
          details: { declared, sniffed: mediaType },
        },
      );
    }
    const sha256 = sha256Hex(bytes);
    // The bytes before the event: no record ever names bytes that are not stored.
    await blobs.put(sha256, bytes);
    const streamId = streams.attachment(communityId, sha256);
    const fileName = cleanFileName(upload.fileName);
    const data = {
      sha256,
      size: bytes.byteLength,
      mediaType,
      ...(fileName ? { fileName } : {}),
      communityId,
    };
    const actor = actorOf(c.get('principal'));
    const outcome = await handler.handle({
      communityId,
      streamId,
      decider,
      actor,
      idempotencyKey: undefined,
      requestId: c.get('requestId'),
      command: (at: string) => ({ type: 'RecordAttachment', data, actor, at }),
    });
    const ref = `attachment:${sha256}`;
    if (outcome.kind === 'refused' && outcome.error.code === 'already-exists') {
      const [first] = await store.readStream(streamId, { maxCount: 1 });
      const recorded = first?.data as { size: number; mediaType: string; fileName?: string };
      return c.json(
        {
          sha256,
          ref,
          size: recorded.size,
          mediaType: recorded.mediaType,
          ...(recorded.fileName ? { fileName: recorded.fileName } : {}),
          streamId,
          version: first!.streamVersion,
          position: formatCheckpoint(checkpointOf(first!)),
          duplicate: true,
        },
        200,
      );
    }
    const { communityId: _community, ...shown } = data;
    return answer(c, outcome, { ...shown, ref });
  }

  return app;
}

/** iOS names HEIC photos image/heif as often as image/heic. */
const sameHeif = (declared: string, sniffed: string) =>
  sniffed === 'image/heic' && declared === 'image/heif';

const MAX_REFS = 50;

/** The fields naming an attachment the community does not have (none: all are there). */
export async function missingAttachments(
  store: EventStore,
  communityId: string,
  body: unknown,
): Promise<{ field: string; message: string }[]> {
  const refs = attachmentRefsIn(body, 'body');
  // More than any document-taking command names: refused rather than read one by one.
  if (refs.length > MAX_REFS) {
    return [{ field: 'body', message: `at most ${MAX_REFS} attachments in one command` }];
  }
  const missing: { field: string; message: string }[] = [];
  for (const { field, sha256 } of refs) {
    const [first] = await store.readStream(streams.attachment(communityId, sha256), {
      maxCount: 1,
    });
    if (first?.type !== 'AttachmentUploaded') {
      missing.push({ field, message: `no attachment ${sha256} in this community` });
    }
  }
  return missing;
}
