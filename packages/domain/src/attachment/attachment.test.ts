import { describe, expect, it } from 'vitest';
import type { Actor } from '../shared/decider.ts';
import { communityOfStream, streams } from '../shared/streams.ts';
import { commandsOf, day, specFor } from '../testing/spec.ts';
import {
  type AttachmentCommand,
  attachmentDecider,
  attachmentEventSchemas,
  attachmentOfRef,
  attachmentRefsIn,
} from './attachment.ts';

const spec = specFor(attachmentDecider, attachmentEventSchemas);
const c = commandsOf<AttachmentCommand>();
const clerk: Actor = { personId: 'clerk1', role: 'clerk' };
const sha256 = 'ab'.repeat(32);
const data = {
  sha256,
  size: 1234,
  mediaType: 'image/png' as const,
  fileName: '纸质票 12 号.png',
  communityId: 'c1',
};

describe('attachments', () => {
  it('records an upload once, with its hash, size, type and uploader', () => {
    spec
      .given()
      .when(c('RecordAttachment', data, clerk, day(0)))
      .then([{ type: 'AttachmentUploaded', data: { ...data, at: day(0), by: clerk } }]);
    spec
      .given([{ type: 'AttachmentUploaded', data: { ...data, at: day(0), by: clerk } }])
      .when(c('RecordAttachment', data, clerk, day(1)))
      .thenRefused('already-exists');
  });

  it('lives in a stream of its community, named by the hash', () => {
    expect(communityOfStream(streams.attachment('c1', sha256))).toBe('c1');
  });

  it('reads a reference only as attachment: and 64 lowercase hex digits', () => {
    expect(attachmentOfRef(`attachment:${sha256}`)).toBe(sha256);
    expect(attachmentOfRef(`attachment:${sha256.toUpperCase()}`)).toBeUndefined();
    expect(attachmentOfRef(`attachment:${sha256}0`)).toBeUndefined();
    expect(attachmentOfRef('档案 2024-17')).toBeUndefined();
  });

  it('finds every reference in a body, with the field it is in', () => {
    const body = { documentRef: `attachment:${sha256}`, lines: [{ memo: `attachment:${sha256}` }] };
    expect(attachmentRefsIn(body, 'body')).toEqual([
      { field: 'body.documentRef', sha256 },
      { field: 'body.lines.0.memo', sha256 },
    ]);
    expect(attachmentRefsIn({ documentRef: 'attachment:' }, 'body')).toEqual([]);
  });
});
