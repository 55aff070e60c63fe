// CI reads a plain closing line "N passed, N failed"; jest's own summary has another shape.
// With KTRDR_TEST_TOTALS set, each run also appends its counts there, so a script running several
// jest tiers (.ci/run) can close with one line for all of them.
const { appendFileSync } = require('node:fs');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.stdout.write(`\njest: ${results.numPassedTests} passed, ${failed} failed\n`);
    const totals = process.env['KTRDR_TEST_TOTALS'];
    if (totals) appendFileSync(totals, `${results.numPassedTests} ${failed}\n`);
  }
}
module.exports = SummaryReporter;
