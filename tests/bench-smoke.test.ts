import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Benchmarks that never rot. A package declares its benchmark's smoke mode with a `bench:smoke`
// script beside `bench`: the same files with `--smoke`, tiny sizes. This test runs each one: it
// must exit 0 and print every BENCH name its package owns as a well-formed line with a finite
// value. What the figures are is never asserted (no timing in tests).

const root = resolve(import.meta.dirname, '..');

/**
 * The BENCH names (and units) each package owns, read from the table "Benchmark names" in
 * docs/architecture.md, so the document and the test cannot drift apart.
 */
const { OWNED, LISTED_TWICE } = (() => {
  const doc = readFileSync(join(root, 'docs/architecture.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Benchmark names'));
  const owned: Record<string, Record<string, string>> = {};
  // A row listed twice is how a merge that dropped another row shows (it happened once).
  const twice: string[] = [];
  for (const match of section.matchAll(
    /^\|\s*`(@yishi\/[\w-]+)`\s*\|\s*`([\w.]+)`\s*\|\s*([^|]+?)\s*\|/gm,
  )) {
    const [, pkg, name, unit] = match;
    if (Object.values(owned).some((names) => name! in names)) twice.push(name!);
    owned[pkg!] = { ...owned[pkg!], [name!]: unit!.trim() };
  }
  return { OWNED: owned, LISTED_TWICE: twice };
})();

/** Packages whose bench has no smoke mode yet; one leaves this list when its mode lands. */
const AWAITING_SMOKE_MODE = new Set<string>();

/** One run may take this long (a busy 2-core machine); the smoke runs take seconds. */
const RUN_LIMIT_MS = 150_000;

interface BenchPackage {
  name: string;
  dir: string;
  scripts: Record<string, string>;
}

/** The workspace's packages and services that have a `bench` script. */
function benchPackages(): BenchPackage[] {
  return ['packages', 'services'].flatMap((group) =>
    readdirSync(join(root, group)).flatMap((entry) => {
      const file = join(root, group, entry, 'package.json');
      if (!existsSync(file)) return [];
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as {
        name: string;
        scripts?: Record<string, string>;
      };
      const scripts = manifest.scripts ?? {};
      return scripts.bench ? [{ name: manifest.name, dir: join(root, group, entry), scripts }] : [];
    }),
  );
}

interface Run {
  code: number | null;
  stdout: string;
  output: string;
}

/**
 * The package's `bench:smoke` script, as `pnpm run` would run it, in a process group of its own:
 * past the limit the whole group is stopped, the embedded PostgreSQL with it. (Through pnpm, a
 * signal reached pnpm alone, which runs scripts in a group of their own, and a stopped run left
 * its PostgreSQL running.) The developer's BENCH_* knobs are left out.
 */
function runSmoke(p: BenchPackage): Promise<Run> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('BENCH_')),
  );
  env.PATH = [join(p.dir, 'node_modules/.bin'), join(root, 'node_modules/.bin'), env.PATH].join(
    ':',
  );
  const child = spawn('sh', ['-c', p.scripts['bench:smoke']!], {
    cwd: p.dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let output = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d;
    output += d;
  });
  child.stderr.on('data', (d: Buffer) => {
    output += d;
  });
  const stopGroup = () => {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // The group has already exited.
    }
  };
  const limit = setTimeout(() => {
    output += `\n[stopped after ${RUN_LIMIT_MS} ms]`;
    stopGroup();
  }, RUN_LIMIT_MS);
  return new Promise((resolveRun, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(limit);
      resolveRun({ code, stdout, output });
    });
  });
}

interface BenchLine {
  name: string;
  value: number;
  unit: string;
}

/** Every `BENCH ` line of `stdout`: the well-formed ones, and what is wrong with the others. */
function benchLines(stdout: string): { lines: BenchLine[]; malformed: string[] } {
  const lines: BenchLine[] = [];
  const malformed: string[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('BENCH ')) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line.slice('BENCH '.length));
    } catch {
      malformed.push(`not JSON: ${line}`);
      continue;
    }
    const { name, value, unit, ...rest } = (parsed ?? {}) as Record<string, unknown>;
    if (
      typeof name === 'string' &&
      typeof value === 'number' &&
      Number.isFinite(value) &&
      typeof unit === 'string' &&
      unit !== '' &&
      Object.keys(rest).length === 0
    ) {
      lines.push({ name, value, unit });
    } else {
      malformed.push(`not {"name":string,"value":finite number,"unit":string}: ${line}`);
    }
  }
  return { lines, malformed };
}

const packages = benchPackages();
const smokeRuns = packages.filter((p) => p.scripts['bench:smoke']);

describe('benchmarks', () => {
  it('are owned: every package with a bench owns BENCH names, and every owner has a bench', () => {
    expect(packages.map((p) => p.name).sort()).toEqual(Object.keys(OWNED).sort());
  });

  it('are each listed once in the table', () => {
    expect(LISTED_TWICE).toEqual([]);
  });

  it('each have a smoke mode (a `bench:smoke` script)', () => {
    const without = packages.filter((p) => !p.scripts['bench:smoke']).map((p) => p.name);
    // A package that gained its smoke mode leaves AWAITING_SMOKE_MODE, so the list cannot rot.
    expect(without.sort()).toEqual([...AWAITING_SMOKE_MODE].sort());
  });

  it('reads BENCH lines strictly (the test itself)', () => {
    const { lines, malformed } = benchLines(
      [
        'readable output',
        'BENCH {"name":"a.b","value":1.5,"unit":"ms"}',
        'BENCH {"name":"a.c","value":null,"unit":"ms"}',
        'BENCH {"name":"a.d","value":"1","unit":"ms"}',
        'BENCH {"name":"a.e","value":1}',
        'BENCH {"name":"a.f","value":1,"unit":"ms","extra":1}',
        'BENCH a.g 1 ms',
      ].join('\n'),
    );
    expect(lines).toEqual([{ name: 'a.b', value: 1.5, unit: 'ms' }]);
    expect(malformed).toHaveLength(5);
  });

  it.each(smokeRuns.map((p) => [p.name, p] as const))(
    '%s: the smoke mode runs and prints every BENCH name it owns',
    async (name, p) => {
      const run = await runSmoke(p);
      const where = `pnpm --filter ${name} bench:smoke (${relative(root, p.dir)}):\n${run.output.slice(-4000)}`;
      expect(run.code, where).toBe(0);
      const { lines, malformed } = benchLines(run.stdout);
      expect(malformed, where).toEqual([]);
      const owned = OWNED[name] ?? {};
      const printed = Object.fromEntries(
        lines.filter((l) => l.name in owned).map((l) => [l.name, l.unit]),
      );
      expect(printed, where).toEqual(owned);
      // And the table is whole: a figure printed but not listed is one nobody can look up.
      const unlisted = lines.map((l) => l.name).filter((n) => !(n in owned));
      expect(unlisted, where).toEqual([]);
    },
    RUN_LIMIT_MS + 30_000,
  );
});
