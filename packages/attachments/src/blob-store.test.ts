import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import pg from 'pg';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBlob, sha256Hex } from './blob-store.ts';
import { PostgresBlobStore } from './postgres.ts';
import { PREVIEW_SIZE, preview } from './preview.ts';
import { sniffType } from './sniff.ts';
import { heicPhoto } from './testing.ts';

let url: string;
let store: PostgresBlobStore;
beforeAll(async () => {
  url = await testDatabaseUrl();
  store = await PostgresBlobStore.open(url);
});
afterAll(() => store.close());

const bytesOf = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'latin1')] : p)));

describe('sniffing the type from the bytes', () => {
  it('knows the admitted formats by their magic bytes, whatever the name says', () => {
    expect(sniffType(bytesOf([0xff, 0xd8, 0xff, 0xe0], 'JFIF'))).toBe('image/jpeg');
    expect(sniffType(bytesOf([0x89], 'PNG\r\n', [0x1a, 0x0a], 'IHDR'))).toBe('image/png');
    expect(sniffType(bytesOf('RIFF', [0, 0, 0, 0], 'WEBPVP8 '))).toBe('image/webp');
    expect(sniffType(bytesOf('%PDF-1.4\n'))).toBe('application/pdf');
    expect(sniffType(bytesOf([0, 0, 0, 24], 'ftypheic', [0, 0, 0, 0]))).toBe('image/heic');
  });

  it('refuses anything else: HTML, SVG, a video, a ZIP, an empty file', () => {
    expect(sniffType(bytesOf('<html><script>alert(1)</script>'))).toBeUndefined();
    expect(sniffType(bytesOf('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeUndefined();
    expect(sniffType(bytesOf([0, 0, 0, 24], 'ftypmp42'))).toBeUndefined();
    expect(sniffType(bytesOf('PK', [3, 4]))).toBeUndefined();
    expect(sniffType(bytesOf('RIFF', [0, 0, 0, 0], 'WAVE'))).toBeUndefined();
    expect(sniffType(new Uint8Array())).toBeUndefined();
  });
});

describe('the PostgreSQL blob store', () => {
  it('stores bytes once under their hash and reads them back', async () => {
    const bytes = bytesOf('%PDF-1.7 minutes of the 14th', [0, 255, 1]);
    const sha = sha256Hex(bytes);
    await store.put(sha, bytes);
    await store.put(sha, bytes);
    expect(await store.get(sha)).toEqual(bytes);
    expect(await checkBlob(store, sha)).toBe('ok');
    expect(await store.get('f'.repeat(64))).toBeUndefined();
    expect(await checkBlob(store, 'f'.repeat(64))).toBe('missing');
  });

  it('lets the check find bytes altered in the table', async () => {
    const bytes = bytesOf('%PDF-1.7 receipt 42');
    const sha = sha256Hex(bytes);
    await store.put(sha, bytes);
    const owner = new pg.Client({ connectionString: url });
    await owner.connect();
    try {
      await owner.query('UPDATE attachment_blobs SET bytes = $2 WHERE sha256 = $1', [
        sha,
        Buffer.from('%PDF-1.7 receipt 24'),
      ]);
    } finally {
      await owner.end();
    }
    expect(await checkBlob(store, sha)).toBe('altered');
  });
});

describe('previews', () => {
  it('shrinks a photo to a small WebP and gives none for what it cannot decode', async () => {
    const photo = await sharp({
      create: { width: 1600, height: 1200, channels: 3, background: '#3366cc' },
    })
      .jpeg()
      .toBuffer();
    const small = await preview(photo, 'image/jpeg');
    expect(small && sniffType(small)).toBe('image/webp');
    const meta = await sharp(small!).metadata();
    expect([meta.width, meta.height]).toEqual([PREVIEW_SIZE, 240]);
    expect(await preview(bytesOf('%PDF-1.4'), 'application/pdf')).toBeUndefined();
    expect(await preview(photo.subarray(0, 20), 'image/jpeg')).toBeUndefined();
  });

  it('previews an iPhone’s HEIC photo, decoded by libheif, and none for a truncated one', async () => {
    const heic = heicPhoto();
    expect(sniffType(heic)).toBe('image/heic');
    const small = await preview(heic, 'image/heic');
    expect(small && sniffType(small)).toBe('image/webp');
    const meta = await sharp(small!).metadata();
    expect([meta.width, meta.height]).toEqual([PREVIEW_SIZE, 240]);
    // The gradient survives: left dark in red, right bright (not a blank image).
    const { data, info } = await sharp(small!).raw().toBuffer({ resolveWithObject: true });
    const red = (x: number) => data[(120 * info.width + x) * info.channels]!;
    expect(red(5)).toBeLessThan(40);
    expect(red(info.width - 5)).toBeGreaterThan(215);
    expect(await preview(heic.subarray(0, heic.length / 2), 'image/heic')).toBeUndefined();
  });
});
