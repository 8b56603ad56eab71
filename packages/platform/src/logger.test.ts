import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

function captured(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

describe('the logger of a process running several services', () => {
  const access = { method: 'GET', path: '/healthz', status: 200, ms: 3 };
  it('names each line’s service once (JSON)', () => {
    const { lines, stream } = captured();
    createLogger(undefined, 'info', 'json', stream)
      .child({ service: 'command' })
      .info(access, 'request');
    expect(lines[0]!.match(/"service"/g)).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ service: 'command', msg: 'request' });
  });
  it('reads an access line as a person would (pretty)', () => {
    const { lines, stream } = captured();
    const logger = createLogger(undefined, 'info', 'pretty', stream).child({ service: 'command' });
    logger.info(access, 'request');
    logger.warn({ projection: 'timeline' }, 'projector lagging');
    expect(lines[0]).toMatch(/INFO: \[command\] GET \/healthz 200 3ms$/);
    expect(lines[1]).toMatch(/WARN: \[command\] projector lagging \{"projection":"timeline"\}$/);
  });
});
