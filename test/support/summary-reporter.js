/**
 * Prints one plain closing line, "tests: N passed, N failed[, N skipped]", after jest's own
 * summary, so any log reader can tell what ran.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : '');
    process.stdout.write(`${line}\n`);
  }
}
module.exports = SummaryReporter;
