// Reads vitest's JSON report and prints the one line CI reads: `N passed, N failed`.
// A test file that failed to load counts as a failure, so a broken import can never
// look like a green run; a missing or unreadable report counts as one failure too.
import { readFileSync } from 'node:fs';

const [reportPath] = process.argv.slice(2);
let passed = 0;
let failed = 0;
try {
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  for (const file of report.testResults ?? []) {
    const cases = file.assertionResults ?? [];
    for (const c of cases) {
      if (c.status === 'passed') passed++;
      else if (c.status === 'failed') failed++;
    }
    if (cases.length === 0 && file.status === 'failed') failed++;
  }
} catch (err) {
  console.error(`test summary: cannot read ${reportPath}: ${err.message}`);
  failed++;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
