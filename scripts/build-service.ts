// Compiles a service to plain JavaScript for production: `pnpm --filter @yishi/<service> build`
// (run in the service's directory) writes dist/server.js, which `node` starts without tsx, and
// the command-line tools its package.json names (`yishi.cli`) as dist/cli/<name>.js.
//
// esbuild bundles the service with the workspace packages it imports (they export TypeScript
// sources, which stays true for development and tests) and leaves every npm package external:
// those come from the service's own production dependencies, installed by `pnpm deploy --prod`.
// So the bundle is small, native and worker-thread packages (pg, pino's transports,
// playwright-core) load as they always do, and no second build per package is needed.
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { basename, join } from 'node:path';
import { build, type Plugin } from 'esbuild';

const WORKSPACE_SCOPE = '@yishi/';

/** `pg/lib/x` → `pg`, `@scope/name/x` → `@scope/name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

const isBuiltin = (specifier: string) =>
  specifier.startsWith('node:') || builtinModules.includes(packageName(specifier));

/** npm packages stay imports; workspace packages and relative paths are bundled. */
const externalNpmPackages: Plugin = {
  name: 'external-npm-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith(WORKSPACE_SCOPE) ? undefined : { path: args.path, external: true },
    );
  },
};

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  yishi?: {
    /** Command-line tools shipped beside the server: `src/cli/x.ts` → `dist/cli/x.js`. */
    cli?: string[];
    /**
     * npm packages only ever imported dynamically on a path production never takes (embedded
     * PostgreSQL when no DATABASE_URL is set): not installed, and not required to be.
     */
    devOnly?: string[];
  };
}

/**
 * Builds `<dir>/src/server.ts` into `<dir>/dist/server.js` and each command-line tool the
 * manifest names into `dist/cli/`; returns the npm packages they import.
 */
async function buildService(dir: string): Promise<string[]> {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
  const entryPoints: Record<string, string> = { server: join(dir, 'src/server.ts') };
  for (const cli of manifest.yishi?.cli ?? []) {
    entryPoints[`cli/${basename(cli, '.ts')}`] = join(dir, cli);
  }
  const result = await build({
    entryPoints,
    outdir: join(dir, 'dist'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    plugins: [externalNpmPackages],
  });
  const imported = new Set<string>();
  const devOnly = new Set(manifest.yishi?.devOnly ?? []);
  for (const output of Object.values(result.metafile.outputs)) {
    for (const { path, external, kind } of output.imports) {
      if (!external || isBuiltin(path)) continue;
      const name = packageName(path);
      if (devOnly.has(name)) {
        // Only a dynamic import may reach a package production does not install.
        if (kind !== 'dynamic-import') {
          throw new Error(`${manifest.name}: ${name} is imported statically but listed devOnly`);
        }
        continue;
      }
      imported.add(name);
    }
  }
  // What the bundle imports must be installed by `pnpm deploy --prod`: a production dependency
  // of the service itself (the workspace packages are bundled, so theirs are not installed).
  const missing = [...imported].filter((name) => !manifest.dependencies?.[name]);
  if (missing.length > 0) {
    throw new Error(
      `${manifest.name}: dist/ imports ${missing.join(', ')}, not in its "dependencies"`,
    );
  }
  return [...imported].sort();
}

try {
  await buildService(process.cwd());
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
