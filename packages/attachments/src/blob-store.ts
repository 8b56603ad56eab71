import { createHash } from 'node:crypto';

// Attachments' bytes, content-addressed: the key is the SHA-256 of the bytes, so a blob is
// written once however often it is uploaded, and what is read back can be checked against
// the hash the events recorded. The events say which community has which blob; the store does
// not (one scan used by two communities is stored once).

export interface BlobStore {
  /** Stores the bytes under their hash; storing the same bytes again changes nothing. */
  put(sha256: string, bytes: Uint8Array): Promise<void>;
  /** The bytes stored under the hash, or undefined. They are not checked here: see verify. */
  get(sha256: string): Promise<Uint8Array | undefined>;
  close(): Promise<void>;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** What checking a blob against the hash its event recorded finds. */
export type BlobCheck = 'ok' | 'missing' | 'altered';

export async function checkBlob(store: BlobStore, sha256: string): Promise<BlobCheck> {
  const bytes = await store.get(sha256);
  if (bytes === undefined) return 'missing';
  return sha256Hex(bytes) === sha256 ? 'ok' : 'altered';
}

/** Blobs in memory: for service tests over the memory event store. */
export class MemoryBlobStore implements BlobStore {
  readonly blobs = new Map<string, Uint8Array>();

  async put(sha256: string, bytes: Uint8Array): Promise<void> {
    if (!this.blobs.has(sha256)) this.blobs.set(sha256, new Uint8Array(bytes));
  }

  async get(sha256: string): Promise<Uint8Array | undefined> {
    return this.blobs.get(sha256);
  }

  async close(): Promise<void> {}
}
