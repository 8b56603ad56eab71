import { PostgresBlobStore, sha256Hex } from '@yishi/attachments';
import { heicPhoto, pngOf } from '@yishi/attachments/testing';
import { createApp as commandApp } from '@yishi/command';
import { PostgresEventStore } from '@yishi/event-store';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { type Principal, testAuth } from '@yishi/platform';
import {
  createDb,
  migrateReadModels,
  Projector,
  createApp as projectionApp,
  projections,
} from '@yishi/projection';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Issue #24.5 end to end over both services and PostgreSQL: a photo uploaded to the command
// service is recorded, served by the query service as the same bytes with its preview, and
// verification names it once its stored bytes are altered.

const auth = testAuth();
const CID = 'att';
let url: string;
let store: PostgresEventStore;
let blobs: PostgresBlobStore;
let db: ReturnType<typeof createDb>;
let timeline: Projector;
let command: ReturnType<typeof commandApp>;
let query: ReturnType<typeof projectionApp>;

const token = (principal: Partial<Principal> = {}) =>
  auth.token({ personId: 'k1', role: 'clerk', communities: [CID], ...principal });

async function send(path: string, body: unknown, method = 'POST') {
  const res = await command.request(`/v1/communities/${CID}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${await token({ personId: 'adm', role: 'admin' })}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

async function upload(bytes: Uint8Array, name: string, type: string) {
  const form = new FormData();
  form.set('file', new File([bytes], name, { type }));
  const res = await command.request(`/v1/communities/${CID}/attachments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await token()}` },
    body: form,
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { sha256: string; position: string };
}

const get = async (path: string, headers: Record<string, string> = {}, who?: Partial<Principal>) =>
  query.request(`/v1/communities/${CID}${path}`, {
    headers: { authorization: `Bearer ${await token(who)}`, ...headers },
  });

beforeAll(async () => {
  url = await testDatabaseUrl();
  store = new PostgresEventStore({ connectionString: url });
  await store.init();
  blobs = await PostgresBlobStore.open(url);
  db = createDb(url, 8);
  await migrateReadModels(db);
  // The timeline is the read side's record of every event: verification lists attachments there.
  timeline = new Projector(store, db, projections.find((p) => p.name === 'timeline')!, {
    pollIntervalMs: 20,
  });
  await timeline.start();
  command = commandApp({ store, verify: auth.verify, blobs });
  query = projectionApp({ db, store, verify: auth.verify, projectors: [timeline], blobs });
  await send('', { name: '附件社区', kind: 'urban' }, 'PUT');
  await send('/registry/register-person', { personId: 'k1', name: '书记员', adult: true });
  await send('/registry/appoint-clerk', { personId: 'k1' });
});
afterAll(async () => {
  await timeline.stop();
  await db.destroy();
  await blobs.close();
  await store.close();
});

describe('attachments across both services (#24.5)', () => {
  const photo = pngOf(1280, 960);
  const pdf = new TextEncoder().encode('%PDF-1.4\n% 签字纪要\n');

  it('serves the uploaded bytes as recorded, cached by their hash, and a preview of photos', async () => {
    const { sha256 } = await upload(photo, '纸质票扫描.PNG', 'image/png');
    expect(sha256).toBe(sha256Hex(photo));
    const res = await get(`/attachments/${sha256}`);
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(photo);
    expect(Object.fromEntries(res.headers)).toMatchObject({
      'content-type': 'image/png',
      etag: `"${sha256}"`,
      'cache-control': 'private, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
      'content-disposition': `inline; filename="attachment-${sha256.slice(0, 12)}.png"; filename*=UTF-8''${encodeURIComponent('纸质票扫描.png')}`,
    });
    expect((await get(`/attachments/${sha256}`, { 'if-none-match': `"${sha256}"` })).status).toBe(
      304,
    );
    const small = await get(`/attachments/${sha256}/preview`);
    expect(small.status).toBe(200);
    expect(small.headers.get('content-type')).toBe('image/webp');
    const preview = new Uint8Array(await small.arrayBuffer());
    expect(preview.byteLength).toBeLessThan(photo.byteLength);
    // RIFF....WEBP, VP8 frame: 320 x 240 (a 4:3 photo, longest side 320).
    expect(Buffer.from(preview.subarray(8, 12)).toString('latin1')).toBe('WEBP');
  });

  it('previews an iPhone’s HEIC photo as a 320 px WebP', async () => {
    const heic = heicPhoto();
    const { sha256 } = await upload(heic, 'IMG_0001.HEIC', 'image/heif');
    expect((await get(`/attachments/${sha256}`)).headers.get('content-type')).toBe('image/heic');
    const small = await get(`/attachments/${sha256}/preview`);
    expect(small.status, await small.clone().text()).toBe(200);
    expect(small.headers.get('content-type')).toBe('image/webp');
    const preview = Buffer.from(await small.arrayBuffer());
    expect(preview.subarray(8, 12).toString('latin1')).toBe('WEBP');
  });

  it('gives no preview of a PDF, and nothing to another community or for an unknown hash', async () => {
    const { sha256 } = await upload(pdf, 'minutes.pdf', 'application/pdf');
    expect((await get(`/attachments/${sha256}`)).headers.get('content-type')).toBe(
      'application/pdf',
    );
    const none = await get(`/attachments/${sha256}/preview`);
    expect(none.status).toBe(404);
    expect(await none.json()).toMatchObject({ code: 'preview-not-available' });
    const unknown = await get(`/attachments/${'0'.repeat(64)}`);
    expect(await unknown.json()).toMatchObject({ status: 404, code: 'attachment-not-found' });
    const stranger = await get(`/attachments/${sha256}`, {}, { communities: ['other'] });
    expect(stranger.status).toBe(403);
    const foreign = await query.request(`/v1/communities/other/attachments/${sha256}`, {
      headers: { authorization: `Bearer ${await token({ communities: ['other'] })}` },
    });
    expect(await foreign.json()).toMatchObject({ status: 404, code: 'attachment-not-found' });
  });

  it('describes several attachments in one read: a photo with its preview, a PDF without', async () => {
    const shot = pngOf(40, 30, [10, 120, 10]);
    const { sha256: photoHash } = await upload(shot, '完成照片.png', 'image/png');
    const notice = new TextEncoder().encode('%PDF-1.4\n% 公示\n');
    const { sha256: pdfHash } = await upload(notice, 'notice.pdf', 'application/pdf');
    const unknown = 'f'.repeat(64);
    const res = await get(`/attachments?sha256=${pdfHash},${unknown},${photoHash},${pdfHash}`);
    expect(res.status, await res.clone().text()).toBe(200);
    const { items } = (await res.json()) as { items: Record<string, unknown>[] };
    // In the order asked, each once, the unknown hash left out.
    expect(items.map((i) => i.sha256)).toEqual([pdfHash, photoHash]);
    expect(items[0]).toMatchObject({ mediaType: 'application/pdf', preview: false });
    expect(items[1]).toMatchObject({
      mediaType: 'image/png',
      size: shot.byteLength,
      fileName: '完成照片.png',
      preview: true,
    });
    // Another community learns nothing of this one's files.
    const foreign = await query.request(`/v1/communities/other/attachments?sha256=${photoHash}`, {
      headers: { authorization: `Bearer ${await token({ communities: ['other'] })}` },
    });
    expect(await foreign.json()).toEqual({ items: [] });
    for (const bad of ['', 'xyz', `${photoHash},`, Array(101).fill(photoHash).join(',')]) {
      const refused = await get(`/attachments?sha256=${bad}`);
      expect(refused.status, bad).toBe(400);
      expect(await refused.json()).toMatchObject({ code: 'invalid-input' });
    }
  });

  it('names the attachment whose stored bytes were altered, and no longer serves them', async () => {
    const scan = pngOf(20, 30, [200, 10, 10]);
    const { sha256, position } = await upload(scan, 'receipt.png', 'image/png');
    const verification = async () => {
      const res = await get(`/verification?minPosition=${position}`);
      return (await res.json()) as { ok: boolean; firstBroken?: object };
    };
    await timeline.waitFor(
      {
        transactionId: BigInt(position.split(':')[0]!),
        globalPosition: BigInt(position.split(':')[1]!),
      },
      30_000,
    );
    expect(await verification()).toMatchObject({ ok: true });
    // As the database's owner could: one byte of the stored scan changed.
    const owner = new pg.Client({ connectionString: url });
    await owner.connect();
    try {
      await owner.query(
        `UPDATE attachment_blobs SET bytes = overlay(bytes placing '\\x00'::bytea from 40)
         WHERE sha256 = $1`,
        [sha256],
      );
    } finally {
      await owner.end();
    }
    expect(await verification()).toMatchObject({
      ok: false,
      firstBroken: {
        streamId: `attachment-${CID}.${sha256}`,
        streamVersion: 1,
        reason: `attachment ${sha256}: the stored bytes no longer hash to the recorded SHA-256`,
      },
    });
    const served = await get(`/attachments/${sha256}`);
    expect(await served.json()).toMatchObject({ status: 409, code: 'attachment-altered' });
  });
});
