import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // e2e files each start their own servers on ephemeral ports; two cores: keep parallelism modest.
    maxWorkers: 2,
    // A test that fails is run once more before the run fails: the e2e tests time real servers on a 2-core machine,
    // and one slow moment on a loaded machine must not fail the whole run. Every test that passed only on the retry is
    // listed at the end of the run (test/reporters/retried.ts), so a flaky test is still seen and fixed.
    retry: 1,
    reporters: ['default', './test/reporters/retried.ts'],
    // A temporary folder per run, checked empty at the end: no test leaves files behind.
    globalSetup: ['test/global-setup.ts'],
    // `npm run coverage` (test/coverage/run.mjs): what the tests run in-process; the spawned servers' share is added from NODE_V8_COVERAGE.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.{ts,tsx}'],
      reporter: [['json', {file: 'coverage-final.json'}]],
      reportsDirectory: 'coverage/in-process',
      // A failing test must not hide the coverage of the others.
      reportOnFailure: true,
    },
  },
})
