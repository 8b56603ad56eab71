import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

// A process of this service's code for crash tests, ready once it prints "started", exiting
// when its parent goes (it holds stdin open). Started from a bundle of its script: a crash
// test starts dozens, and tsx would compile the service's modules again in each.

const BUNDLES = fileURLToPath(
  new URL('../../node_modules/.cache/crash-children/', import.meta.url),
);

/**
 * `script` and the workspace's packages it imports as one ES module (npm packages stay imports,
 * resolved from this service), written once per content; returns its path.
 */
export async function bundleChild(script: string): Promise<string> {
  const result = await build({
    entryPoints: [script],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'warning',
    plugins: [
      {
        name: 'npm-packages-external',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, ({ path }) =>
            path.startsWith('@yishi/') ? undefined : { path, external: true },
          );
        },
      },
    ],
  });
  const code = result.outputFiles[0]!.contents;
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const file = join(BUNDLES, `${basename(script, '.ts')}-${hash}.mjs`);
  if (!existsSync(file)) {
    await mkdir(BUNDLES, { recursive: true });
    // Renamed into place: another test file's worker may be writing the same bundle.
    const partial = `${file}.${process.pid}`;
    await writeFile(partial, code);
    await rename(partial, file);
  }
  return file;
}

export interface Child {
  child: ChildProcess;
  /** Resolves when the process printed "started"; rejects if it exits before. */
  started: Promise<void>;
  exited: Promise<void>;
}

/** Starts `bundle` (from `bundleChild`) with `args`. */
export function startChild(bundle: string, args: string[], children?: Set<ChildProcess>): Child {
  const child = spawn(process.execPath, [bundle, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children?.add(child);
  child.once('exit', () => children?.delete(child));
  let output = '';
  const started = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes('started')) resolve();
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`${bundle} exited (${code ?? signal}) before starting:\n${output}`)),
    );
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  started.catch(() => {});
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, started, exited };
}
