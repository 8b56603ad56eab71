import { MemoryBlobStore, sha256Hex } from '@yishi/attachments';
import { MAX_ATTACHMENT_BYTES, streams } from '@yishi/domain';
import { PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { testAuth } from '@yishi/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actingAs } from './acting-as.ts';
import { createApp } from './app.ts';

// Issue #24.5 over HTTP: an upload is stored under its hash and recorded with the type read
// from its bytes; a document field names it as `attachment:<sha256>`, checked to be one of the
// community's.

const auth = testAuth();
const blobs = new MemoryBlobStore();
let store: PostgresEventStore;
let app: ReturnType<typeof createApp>;
const as = actingAs(() => app, auth, 'at');

/** A 1x1 PNG (what a phone's screenshot starts as). */
const PNG = Uint8Array.from(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  ),
);
const PDF = new TextEncoder().encode('%PDF-1.4\n% 收据 2026-017\n');

async function upload(
  body: Uint8Array | FormData,
  init: {
    type?: string;
    role?: 'clerk' | 'official' | 'resident';
    community?: string;
    query?: string;
  } = {},
) {
  const community = init.community ?? 'at';
  const token = await auth.token({
    personId: init.role === 'resident' ? 't' : 'k1',
    role: init.role ?? 'clerk',
    communities: [community],
  });
  const res = await app.request(`/v1/communities/${community}/attachments${init.query ?? ''}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.type ? { 'content-type': init.type } : {}),
    },
    body,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const form = (bytes: Uint8Array, name: string, type: string) => {
  const data = new FormData();
  data.set('file', new File([bytes], name, { type }));
  return data;
};

const eventsOf = async (community: string, sha256: string) =>
  store.readStream(streams.attachment(community, sha256));

beforeAll(async () => {
  store = new PostgresEventStore({ connectionString: await testDatabaseUrl() });
  await store.init();
  app = createApp({ store, verify: auth.verify, blobs });
  for (const community of ['at', 'at2']) {
    const admin = await actingAs(() => app, auth, community)('admin', 'adm');
    await admin(`/v1/communities/${community}`, { name: `附件社区${community}`, kind: 'urban' });
    for (const personId of ['k1', 't']) {
      await admin('registry/register-person', { personId, name: `人员${personId}`, adult: true });
    }
    await admin('registry/appoint-clerk', { personId: 'k1' });
    await admin('registry/appoint-treasurer', { personId: 't' });
  }
});
afterAll(() => store.close());

describe('uploading attachments (#24.5)', () => {
  it('stores the bytes under their hash and records hash, size, sniffed type and uploader', async () => {
    const sha256 = sha256Hex(PNG);
    const first = await upload(form(PNG, '纸质票 12 号.png', 'image/png'));
    expect(first).toMatchObject({
      status: 201,
      json: {
        sha256,
        ref: `attachment:${sha256}`,
        size: PNG.byteLength,
        mediaType: 'image/png',
        fileName: '纸质票 12 号.png',
        streamId: `attachment-at.${sha256}`,
        duplicate: false,
      },
    });
    expect(await blobs.get(sha256)).toEqual(PNG);
    const [event] = await eventsOf('at', sha256);
    expect(event).toMatchObject({
      type: 'AttachmentUploaded',
      data: {
        sha256,
        size: PNG.byteLength,
        mediaType: 'image/png',
        fileName: '纸质票 12 号.png',
        by: { personId: 'k1', role: 'clerk' },
      },
    });
    // The same bytes again, as a raw body: the first record, nothing appended.
    const again = await upload(PNG, { type: 'image/png', query: '?fileName=copy.png' });
    expect(again).toMatchObject({
      status: 200,
      json: { sha256, duplicate: true, fileName: '纸质票 12 号.png', version: 1 },
    });
    expect(await eventsOf('at', sha256)).toHaveLength(1);
  });

  it('reads the type from the bytes: a generic declaration is fine, a wrong one is refused', async () => {
    const pdf = await upload(PDF, { type: 'application/octet-stream', role: 'resident' });
    expect(pdf).toMatchObject({ status: 201, json: { mediaType: 'application/pdf' } });
    const disguised = await upload(form(PNG, 'receipt.pdf', 'application/pdf'));
    expect(disguised).toMatchObject({
      status: 415,
      json: {
        code: 'attachment-type-mismatch',
        details: { declared: 'application/pdf', sniffed: 'image/png' },
      },
    });
    const html = new TextEncoder().encode('<html><script>alert(1)</script></html>');
    const page = await upload(form(html, 'scan.jpg', 'image/jpeg'));
    expect(page).toMatchObject({
      status: 415,
      json: { code: 'attachment-type-not-allowed', errors: [{ field: 'body' }] },
    });
    expect(await eventsOf('at', sha256Hex(html))).toEqual([]);
    expect(await blobs.get(sha256Hex(html))).toBeUndefined();
  });

  it('refuses more than 20 MB with 413, and an empty file with 400', async () => {
    const big = new Uint8Array(MAX_ATTACHMENT_BYTES + 1);
    big.set(PNG);
    const over = await upload(big, { type: 'image/png' });
    expect(over).toMatchObject({ status: 413, json: { code: 'payload-too-large' } });
    expect(await blobs.get(sha256Hex(big))).toBeUndefined();
    const far = await upload(form(new Uint8Array(MAX_ATTACHMENT_BYTES + 100_000), 'a.png', ''));
    expect(far).toMatchObject({ status: 413, json: { code: 'payload-too-large' } });
    const empty = await upload(new Uint8Array(), { type: 'image/png' });
    expect(empty).toMatchObject({ status: 400, json: { code: 'invalid-input' } });
    const noFile = await upload(new FormData());
    expect(noFile).toMatchObject({
      status: 400,
      json: { code: 'invalid-input', errors: [{ field: 'body.file' }] },
    });
  });

  it('lets only the roles that keep documents upload', async () => {
    const refused = await upload(PNG, { type: 'image/png', role: 'official' });
    expect(refused).toMatchObject({ status: 403, json: { code: 'role-forbidden' } });
  });
});

describe('naming an attachment in a command (#24.5, #26.8 receipts)', () => {
  it('takes a receipt uploaded to the community, refuses one that is not, writes nothing', async () => {
    const receipt = await upload(PDF, { type: 'application/pdf', role: 'resident' });
    const ref = receipt.json.ref as string;
    await (await as('clerk', 'k1'))('funds', { fundId: 'mf', kind: 'micro-fund', name: '微基金' });
    const cashier = await as('resident', 't');
    const deposit = (entryId: string, documentRef: string, expected?: number) =>
      cashier(
        'funds/mf/post-fund-entry',
        {
          entryId,
          lines: [
            { account: 'bank', side: 'debit', amountFen: 5_000 },
            { account: 'income:donations', side: 'credit', amountFen: 5_000 },
          ],
          memo: '居民捐款',
          documentRef,
        },
        expected,
      );
    await deposit('e1', ref);
    const [, entry] = await store.readStream(streams.fund('at', 'mf'));
    expect(entry?.data).toMatchObject({ documentRef: ref });

    const before = (await store.readStream(streams.fund('at', 'mf'))).length;
    const unknown = await deposit('e2', `attachment:${'0'.repeat(64)}`, 422);
    expect(unknown).toMatchObject({
      code: 'attachment-not-found',
      errors: [{ field: 'body.documentRef' }],
    });
    // Uploaded to another community: not this one's.
    const elsewhere = new TextEncoder().encode('%PDF-1.4\n% 另一社区的收据\n');
    const other = await upload(elsewhere, { type: 'application/pdf', community: 'at2' });
    expect(other.status).toBe(201);
    const foreign = await deposit('e3', other.json.ref as string, 422);
    expect(foreign).toMatchObject({ code: 'attachment-not-found' });
    expect(await store.readStream(streams.fund('at', 'mf'))).toHaveLength(before);
    // Any other text is a reference kept elsewhere, as before.
    await deposit('e4', '银行回单 002');
  });
});
