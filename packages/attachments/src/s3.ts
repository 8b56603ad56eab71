import { AwsClient } from 'aws4fetch';
import type { BlobStore } from './blob-store.ts';

// An S3-compatible object store (AWS S3, 阿里云 OSS, 腾讯云 COS, MinIO) when one is configured:
// the bytes leave the database, the events still carry their hash. Requests are signed with
// AWS Signature V4 by aws4fetch (a few kB, no dependencies, fetch-based), not the AWS SDK's
// tens of packages; objects are addressed path-style (`endpoint/bucket/key`), which every
// S3-compatible store accepts.

export interface S3Options {
  /** e.g. `https://s3.cn-north-1.amazonaws.com.cn` or `https://minio.example:9000`. */
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** For tests: the fetch to send with (default: the global one). */
  fetch?: typeof fetch;
}

export class S3Error extends Error {
  constructor(
    readonly status: number,
    operation: string,
  ) {
    super(`S3 ${operation} answered ${status}`);
    this.name = 'S3Error';
  }
}

export class S3BlobStore implements BlobStore {
  private readonly client: AwsClient;
  private readonly base: string;

  constructor(private readonly options: S3Options) {
    this.client = new AwsClient({
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
      region: options.region,
      service: 's3',
    });
    this.base = `${options.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(options.bucket)}`;
  }

  private url(sha256: string): string {
    return `${this.base}/attachments/${sha256}`;
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    const signed = await this.client.sign(url, init);
    return (this.options.fetch ?? fetch)(signed);
  }

  async put(sha256: string, bytes: Uint8Array): Promise<void> {
    // The key is the payload's hash: the signature covers the bytes (no UNSIGNED-PAYLOAD).
    const response = await this.send(this.url(sha256), {
      method: 'PUT',
      body: bytes,
      headers: { 'content-type': 'application/octet-stream', 'x-amz-content-sha256': sha256 },
    });
    await drain(response);
    if (!response.ok) throw new S3Error(response.status, 'PUT');
  }

  async get(sha256: string): Promise<Uint8Array | undefined> {
    const response = await this.send(this.url(sha256), { method: 'GET' });
    if (response.status === 404) {
      await drain(response);
      return undefined;
    }
    if (!response.ok) {
      await drain(response);
      throw new S3Error(response.status, 'GET');
    }
    return new Uint8Array(await response.arrayBuffer());
  }

  async close(): Promise<void> {}
}

/** Reads an answer's (small) body to its end, so the connection can be reused. */
async function drain(response: Response): Promise<void> {
  await response.arrayBuffer().catch(() => {});
}
