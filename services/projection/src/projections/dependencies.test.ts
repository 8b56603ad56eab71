import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

// The projections say what rows events make; the runtime decides when and where they are
// written. The dependency goes one way: runtime -> projections.

describe('projections', () => {
  it('import nothing from the runtime', async () => {
    const dir = new URL('./', import.meta.url);
    const files = (await readdir(dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(files.length).toBeGreaterThan(5);
    const offending: string[] = [];
    for (const file of files) {
      const text = await readFile(new URL(file, dir), 'utf8');
      for (const [, path] of text.matchAll(/from '([^']+)'/g)) {
        if (path?.includes('/runtime/')) offending.push(`${file}: ${path}`);
      }
    }
    expect(offending).toEqual([]);
  });
});
