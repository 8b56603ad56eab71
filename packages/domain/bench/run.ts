// What this package's benches share: the smoke mode, timing and the BENCH line.

/**
 * `--smoke` (`pnpm bench:smoke`, run by `pnpm test`): tiny sizes and one timed run, so a bench
 * that no longer runs fails the tests. Its figures mean nothing.
 */
export const smoke = process.argv.includes('--smoke');
if (smoke) console.log('smoke mode: tiny sizes, the figures are not measurements');

/** `full`, or `tiny` in smoke mode. */
export const sized = (full: number, tiny: number) => (smoke ? tiny : full);

const RUNS = sized(15, 1);
const WARMUP = sized(3, 0);

/** Runs `run` WARMUP times untimed, then RUNS times timed: median, min and max in ms. */
export function timeRuns(run: () => void): {
  runs: number;
  median: number;
  min: number;
  max: number;
} {
  for (let i = 0; i < WARMUP; i++) run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { runs: RUNS, median: times[Math.floor(RUNS / 2)]!, min: times[0]!, max: times.at(-1)! };
}

/** The machine-readable line for one figure (docs/architecture.md lists the names). */
export function printBench(name: string, value: number, unit: string): void {
  console.log(`BENCH ${JSON.stringify({ name, value: Math.round(value * 100) / 100, unit })}`);
}
