import { loadConfig } from '@yishi/platform';
import { describe, expect, it } from 'vitest';
import { upstreamsOf } from './main.ts';
import { formKey } from './security.ts';

describe('the console apart from the services (compose)', () => {
  it('reaches the services at COMMAND_URL and PROJECTION_URL when set', () => {
    const config = loadConfig({
      HOST: '0.0.0.0',
      COMMAND_URL: 'http://command:3000/',
      PROJECTION_URL: 'http://projection:3001',
    });
    expect(upstreamsOf(config)).toEqual({
      commandUrl: 'http://command:3000',
      projectionUrl: 'http://projection:3001',
    });
    expect(upstreamsOf(loadConfig({ HOST: '0.0.0.0', PROJECTION_PORT: '4001' }))).toEqual({
      commandUrl: 'http://127.0.0.1:3000',
      projectionUrl: 'http://127.0.0.1:4001',
    });
  });

  it('derives its form key from WEB_FORM_SECRET, not from the JWT secret, when set', () => {
    const secret = 'f'.repeat(32);
    const key = formKey(loadConfig({ WEB_FORM_SECRET: secret, DATA_DIR: '/nonexistent' }));
    expect(Buffer.from(key)).toEqual(
      Buffer.from(formKey(loadConfig({ WEB_FORM_SECRET: secret, JWT_SECRET: 'j'.repeat(32) }))),
    );
    expect(Buffer.from(key)).not.toEqual(
      Buffer.from(formKey(loadConfig({ JWT_SECRET: 'j'.repeat(32) }))),
    );
  });
});
