import { z } from 'zod';
import { Actor, CommunityId, IsoTime, Text } from '../shared/decider.ts';

// Attachments, stream `attachment-<cid>.<sha256>`: a document or photo (a paper-ballot scan,
// signed minutes, a plan, a receipt) uploaded to a community. The bytes are kept apart,
// content-addressed by their SHA-256; the event records the hash, the size and the type read
// from the bytes, so verification can check the bytes and a reference can be checked to exist.

/** The SHA-256 of the bytes, lowercase hex. */
export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'SHA-256, 64 lowercase hex digits');

/** The types an attachment may have: read from the bytes, never from the client. */
export const AttachmentMediaType = z.enum([
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/heic',
  'application/pdf',
]);
export type AttachmentMediaType = z.infer<typeof AttachmentMediaType>;

/** The largest attachment: a phone photo or a multi-page scan. */
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;

/** How a command's document field names an uploaded attachment: `attachment:<sha256>`. */
export const ATTACHMENT_REF_PREFIX = 'attachment:';
const ATTACHMENT_REF = /^attachment:([0-9a-f]{64})$/;

/** The hash an `attachment:<sha256>` reference names, or undefined for any other text. */
export function attachmentOfRef(ref: string): string | undefined {
  return ATTACHMENT_REF.exec(ref)?.[1];
}

/**
 * Every `attachment:<sha256>` string in a value (a command's body, an event's data), with the
 * field it is in, dotted from `path` (as `fieldErrors()` names fields).
 */
export function attachmentRefsIn(
  value: unknown,
  path: string,
): { field: string; sha256: string }[] {
  const found: { field: string; sha256: string }[] = [];
  collectRefs(value, path, [], found);
  return found;
}

/**
 * Walks `value` depth first; `at` holds the keys and indices leading to it. The field's name is
 * written only for a reference found: every command's body is walked, few name a document.
 */
function collectRefs(
  value: unknown,
  path: string,
  at: (string | number)[],
  found: { field: string; sha256: string }[],
): void {
  if (typeof value === 'string') {
    const sha256 = value.startsWith(ATTACHMENT_REF_PREFIX) ? attachmentOfRef(value) : undefined;
    if (sha256) found.push({ field: at.length === 0 ? path : `${path}.${at.join('.')}`, sha256 });
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) continue;
      at.push(i);
      collectRefs(value[i], path, at, found);
      at.pop();
    }
    return;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    at.push(key);
    collectRefs(record[key], path, at, found);
    at.pop();
  }
}

export const RecordAttachmentData = z.object({
  sha256: Sha256,
  size: z.number().int().min(1).max(MAX_ATTACHMENT_BYTES),
  mediaType: AttachmentMediaType,
  /** The name the file had on the uploader's device: free text, shown, never trusted. */
  fileName: Text(200).optional(),
  /** Context: the community, from the path. */
  communityId: CommunityId,
});

export const AttachmentUploadedData = RecordAttachmentData.extend({ at: IsoTime, by: Actor });

export const attachmentCommandSchemas = { RecordAttachment: RecordAttachmentData } as const;
export const attachmentEventSchemas = { AttachmentUploaded: AttachmentUploadedData } as const;
