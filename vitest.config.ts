import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take longest, longest first (from `.tmp/vitest-results.json`). They start
 * first so that no long file starts last and runs alone while the other worker idles; CI has no
 * vitest cache to learn the order from. A file renamed or removed must leave this list.
 */
const LONGEST_FIRST = [
  'services/projection/src/runtime/crash.test.ts',
  'tests/bench-smoke.test.ts',
  'services/projection/src/transparency/crash.test.ts',
  'tests/e2e/readme.test.ts',
  'tests/e2e/deploy.test.ts',
  'services/web/src/browser.test.ts',
  'services/web/src/forms.browser.test.ts',
  'services/projection/src/every-route.test.ts',
  'services/projection/src/cli/rotate-pii-key.test.ts',
  'services/web/src/setup.browser.test.ts',
];

const root = import.meta.dirname;
for (const file of LONGEST_FIRST) {
  if (!existsSync(resolve(root, file))) throw new Error(`vitest.config.ts: no ${file}`);
}

/** The known-long files first, in the list's order; the others as vitest orders them. */
class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification): number => {
      const at = LONGEST_FIRST.indexOf(relative(root, spec.moduleId));
      return at === -1 ? LONGEST_FIRST.length : at;
    };
    // Array.prototype.sort is stable: the rest keep vitest's own order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

/**
 * Pure packages (no PostgreSQL, no child process): their files share a worker
 * and its loaded modules instead of a fresh process each, which cost them most of their CPU.
 */
const PURE = ['domain', 'platform', 'presentation', 'transparency'].map(
  (name) => `packages/${name}/src/**/*.test.ts`,
);

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default is one worker fewer than the cores: one on a 2-core machine, where most
    // files wait on PostgreSQL, Chromium or a child process rather than compute.
    maxWorkers: 2,
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      { extends: true, test: { name: 'pure', include: PURE, isolate: false } },
      {
        extends: true,
        test: {
          name: 'io',
          include: [
            'packages/*/src/**/*.test.ts',
            'services/*/src/**/*.test.ts',
            'services/*/bench/**/*.test.ts',
            'tests/**/*.test.ts',
            'scripts/**/*.test.ts',
          ],
          exclude: [...PURE, '**/node_modules/**'],
          globalSetup: ['packages/local-postgres/src/global-setup.ts'],
        },
      },
    ],
  },
});
