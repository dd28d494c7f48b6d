/**
 * Names every test that passed only when retried (vitest.config.ts `retry`), with what failed the first time, so that
 * a retry never hides a flaky test: the run stays green, and the list says what to fix.
 */
import type {Reporter, TestCase} from 'vitest/node'

export default class RetriedReporter implements Reporter {
  private readonly retried: TestCase[] = []

  onTestCaseResult(testCase: TestCase): void {
    if (testCase.diagnostic()?.flaky) this.retried.push(testCase)
  }

  onTestRunEnd(): void {
    if (this.retried.length === 0) return
    const lines = [``, `${this.retried.length} test(s) failed and then passed when retried (flaky: fix them):`]
    for (const testCase of this.retried) {
      lines.push(`  ${testCase.module.moduleId.replace(process.cwd() + '/', '')} > ${testCase.fullName}`)
      for (const error of testCase.result().errors ?? []) lines.push(`    first failure: ${String(error.message).split('\n')[0]}`)
    }
    process.stdout.write(lines.join('\n') + '\n')
  }
}
