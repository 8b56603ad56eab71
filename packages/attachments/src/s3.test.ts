import { createHash, createHmac } from 'node:crypto';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from './blob-store.ts';
import { S3BlobStore, S3Error } from './s3.ts';

// msw stands in for the S3-compatible store (we run none) and checks each request's AWS
// Signature V4 as the store would: recomputed here from the request and the secret key.

const ENDPOINT = 'https://s3.test.example';
const BUCKET = 'yishi-attachments';
const options = {
  endpoint: ENDPOINT,
  bucket: BUCKET,
  region: 'cn-north-1',
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

const hmac = (key: Buffer | string, text: string) =>
  createHmac('sha256', key).update(text).digest();
const hex = (text: string | Uint8Array) => createHash('sha256').update(text).digest('hex');

/** Whether the request's Authorization is the SigV4 signature of what it carries. */
function signatureHolds(request: Request, payloadHash: string): boolean {
  const auth = request.headers.get('authorization') ?? '';
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!match) return false;
  const [, keyId, date, region, signedHeaders, signature] = match as unknown as string[];
  if (keyId !== options.accessKeyId || region !== options.region) return false;
  const url = new URL(request.url);
  const names = signedHeaders!.split(';');
  const canonicalHeaders = names
    .map((n) => `${n}:${(n === 'host' ? url.host : (request.headers.get(n) ?? '')).trim()}\n`)
    .join('');
  const canonical = [
    request.method,
    url.pathname,
    url.search.slice(1),
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join('\n');
  const amzDate = request.headers.get('x-amz-date') ?? '';
  const scope = `${date}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, hex(canonical)].join('\n');
  let key = hmac(`AWS4${options.secretAccessKey}`, date!);
  for (const part of [region!, 's3', 'aws4_request']) key = hmac(key, part);
  return hmac(key, toSign).toString('hex') === signature;
}

const objects = new Map<string, Uint8Array>();
const server = setupServer(
  http.put(`${ENDPOINT}/${BUCKET}/attachments/:key`, async ({ request, params }) => {
    const body = new Uint8Array(await request.arrayBuffer());
    const claimed = request.headers.get('x-amz-content-sha256');
    if (claimed !== hex(body) || !signatureHolds(request, claimed)) {
      return new HttpResponse('SignatureDoesNotMatch', { status: 403 });
    }
    objects.set(String(params.key), body);
    return new HttpResponse(null, { status: 200 });
  }),
  http.get(`${ENDPOINT}/${BUCKET}/attachments/:key`, ({ request, params }) => {
    const claimed = request.headers.get('x-amz-content-sha256') ?? '';
    if (!signatureHolds(request, claimed)) return new HttpResponse(null, { status: 403 });
    const object = objects.get(String(params.key));
    return object
      ? HttpResponse.arrayBuffer(object.slice().buffer)
      : new HttpResponse(null, { status: 404 });
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  objects.clear();
});
afterAll(() => server.close());

describe('the S3-compatible blob store', () => {
  it('puts signed objects under their hash and reads them back', async () => {
    const store = new S3BlobStore(options);
    const bytes = new TextEncoder().encode('%PDF-1.7 signed minutes');
    const sha = sha256Hex(bytes);
    await store.put(sha, bytes);
    expect([...objects.keys()]).toEqual([sha]);
    expect(await store.get(sha)).toEqual(bytes);
    expect(await store.get('0'.repeat(64))).toBeUndefined();
  });

  it('fails loudly on a refused signature instead of losing the bytes', async () => {
    const store = new S3BlobStore({ ...options, secretAccessKey: 'not-the-key' });
    const bytes = new Uint8Array([1, 2, 3]);
    await expect(store.put(sha256Hex(bytes), bytes)).rejects.toThrow(S3Error);
    expect(objects.size).toBe(0);
  });
});
