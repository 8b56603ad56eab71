import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

// The console reads the query service through its contract alone: types, erased when it runs,
// so it depends on no part of the service (its tests start the whole service, and may).

const SRC = new URL('.', import.meta.url).pathname;

function consoleSources(): string[] {
  return readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('testing'))
    .map((f) => join(SRC, f));
}

it('imports nothing of the projection service but its contract, and that as types only', () => {
  const allowed = /import type \{[^}]*\} from '@yishi\/projection\/contract';/g;
  const imports: string[] = [];
  const others: string[] = [];
  for (const file of consoleSources()) {
    const text = readFileSync(file, 'utf8');
    imports.push(...(text.match(allowed) ?? []));
    const rest = text.replace(allowed, '');
    for (const m of rest.matchAll(/(?:from|import\()\s*'@yishi\/projection[^']*'/g)) {
      others.push(`${file}: ${m[0]}`);
    }
  }
  expect(others).toEqual([]);
  // Not vacuous: the pages do read the contract.
  expect(imports.length).toBeGreaterThan(5);
});
