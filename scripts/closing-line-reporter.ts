import type { Reporter, TestModule } from "vitest/node";

/**
 * Prints the plain closing line CI reads, `N passed, N failed[, N skipped]`, as the very last
 * line of `pnpm test`. Unhandled errors count as failures: vitest fails the run for them, so the
 * line must not claim a clean run.
 */
export default class ClosingLineReporter implements Reporter {
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<unknown>,
  ): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const testModule of testModules) {
      // A module that failed to load has no tests but is a failure all the same.
      if (testModule.state() === "failed" && !testModule.children.size) failed++;
      for (const test of testModule.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else skipped++;
      }
    }
    failed += unhandledErrors.length;
    const tail = skipped ? `, ${skipped} skipped` : "";
    process.stdout.write(`\n${passed} passed, ${failed} failed${tail}\n`);
  }
}
