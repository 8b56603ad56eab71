import type { BlobStore } from './blob-store.ts';
import { PostgresBlobStore } from './postgres.ts';
import { S3BlobStore } from './s3.ts';

/** The S3 settings of the configuration (`ATTACHMENTS_S3_*`), all present or none. */
export interface BlobStoreConfig {
  ATTACHMENTS_S3_ENDPOINT?: string | undefined;
  ATTACHMENTS_S3_BUCKET?: string | undefined;
  ATTACHMENTS_S3_REGION: string;
  ATTACHMENTS_S3_ACCESS_KEY_ID?: string | undefined;
  ATTACHMENTS_S3_SECRET_ACCESS_KEY?: string | undefined;
}

/** The S3-compatible store when one is configured, else the table in `databaseUrl`. */
export async function openBlobStore(
  config: BlobStoreConfig,
  databaseUrl: string,
): Promise<BlobStore> {
  const {
    ATTACHMENTS_S3_ENDPOINT: endpoint,
    ATTACHMENTS_S3_BUCKET: bucket,
    ATTACHMENTS_S3_ACCESS_KEY_ID: accessKeyId,
    ATTACHMENTS_S3_SECRET_ACCESS_KEY: secretAccessKey,
  } = config;
  if (endpoint && bucket && accessKeyId && secretAccessKey) {
    return new S3BlobStore({
      endpoint,
      bucket,
      region: config.ATTACHMENTS_S3_REGION,
      accessKeyId,
      secretAccessKey,
    });
  }
  return PostgresBlobStore.open(databaseUrl);
}
