import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('configuration', () => {
  it('takes a KurrentDB connection string in every scheme the adapter reads', () => {
    for (const url of [
      'esdb://localhost:2113?tls=false',
      'esdb+discover://a,b,c',
      'kurrentdb://localhost:2113?tls=false',
      'kurrent://localhost:2113',
      'kdb+discover://node:2113',
    ]) {
      expect(loadConfig({ EVENTSTORE_URL: url }).EVENTSTORE_URL, url).toBe(url);
    }
    expect(() => loadConfig({ EVENTSTORE_URL: 'http://localhost:2113' })).toThrow(/EVENTSTORE_URL/);
  });

  it('signs checkpoints every 10 s by default, under a name without spaces', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      CHECKPOINT_INTERVAL_SECONDS: 10,
      CHECKPOINT_ORIGIN: 'yishi.local/log',
    });
    expect(config.CHECKPOINT_KEY_FILE).toBeUndefined();
    expect(loadConfig({ CHECKPOINT_INTERVAL_SECONDS: '60' }).CHECKPOINT_INTERVAL_SECONDS).toBe(60);
    for (const [name, value] of [
      ['CHECKPOINT_INTERVAL_SECONDS', '0'],
      ['CHECKPOINT_INTERVAL_SECONDS', 'soon'],
      ['CHECKPOINT_ORIGIN', 'yishi log'],
      ['CHECKPOINT_ORIGIN', 'a+b'],
    ] as const) {
      expect(() => loadConfig({ [name]: value }), `${name}=${value}`).toThrow(new RegExp(name));
    }
  });

  it('takes an S3-compatible store for attachments only with every setting', () => {
    const s3 = {
      ATTACHMENTS_S3_ENDPOINT: 'https://oss-cn-beijing.aliyuncs.com',
      ATTACHMENTS_S3_BUCKET: 'yishi-attachments',
      ATTACHMENTS_S3_ACCESS_KEY_ID: 'key-id',
      ATTACHMENTS_S3_SECRET_ACCESS_KEY: 'secret',
    };
    expect(loadConfig(s3)).toMatchObject({ ...s3, ATTACHMENTS_S3_REGION: 'us-east-1' });
    expect(loadConfig({}).ATTACHMENTS_S3_ENDPOINT).toBeUndefined();
    const { ATTACHMENTS_S3_SECRET_ACCESS_KEY: _secret, ...partial } = s3;
    expect(() => loadConfig(partial)).toThrow(/ATTACHMENTS_S3_SECRET_ACCESS_KEY: set every/);
    expect(() => loadConfig({ ...s3, ATTACHMENTS_S3_BUCKET: 'Bad_Bucket' })).toThrow(
      /ATTACHMENTS_S3_BUCKET/,
    );
  });
});
