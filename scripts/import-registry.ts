// `pnpm import-registry --community c1 --clerk k1 业主名册.xlsx`: the council's register
// (units, areas, owners, households, residents) into the registry; `--help` for the layout.
import { ConfigError } from '@yishi/platform';
import { runImport } from './import/cli.ts';

runImport(process.argv.slice(2), {
  fetch,
  out: (line) => console.log(line),
  err: (line) => console.error(line),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(
      error instanceof ConfigError ? error.message : error instanceof Error ? error.message : error,
    );
    process.exitCode = 1;
  },
);
