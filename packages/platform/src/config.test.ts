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
});
