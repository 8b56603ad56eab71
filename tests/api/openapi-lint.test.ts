import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiDescription, apiDescriptions } from './documents.ts';

// Both API descriptions pass `redocly lint` with its recommended rules (redocly.yaml at the
// root): not an error, not a warning. Among them, every example must fit its schema.

const root = resolve(import.meta.dirname, '../..');
let dir: string;
let described: { command: ApiDescription; projection: ApiDescription };

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: { ruleId: string; message: string; location: { pointer: string }[] }[];
}

async function lint(name: string, document: unknown): Promise<LintReport> {
  const file = join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify(document));
  const { stdout } = await promisify(execFile)(
    join(root, 'node_modules/.bin/redocly'),
    ['lint', '--format=json', '--max-problems=1000', file],
    {
      cwd: root,
      // Offline: no telemetry (also off in redocly.yaml), no update check.
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      maxBuffer: 64 * 1024 * 1024,
    },
  ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  return JSON.parse(stdout) as LintReport;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yishi-openapi-'));
  described = await apiDescriptions();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the API descriptions', () => {
  for (const name of ['command', 'projection'] as const) {
    it(`${name}: redocly lint, recommended rules, finds nothing`, async () => {
      const report = await lint(name, described[name].document);
      const found = report.problems.map(
        (p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`,
      );
      expect(found).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    }, 120_000);
  }

  for (const name of ['command', 'projection'] as const) {
    it(`${name}: an example on every request body and every response`, () => {
      const missing: string[] = [];
      for (const [path, item] of Object.entries(described[name].document.paths)) {
        for (const [method, op] of Object.entries(item)) {
          for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) {
            if (media.example === undefined) missing.push(`${method} ${path} body ${type}`);
          }
          for (const [status, response] of Object.entries(op.responses)) {
            for (const [type, media] of Object.entries(response.content ?? {})) {
              if (media.example === undefined) missing.push(`${method} ${path} ${status} ${type}`);
            }
          }
        }
      }
      expect(missing).toEqual([]);
    });
  }
});
