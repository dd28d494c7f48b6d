import {Flags} from '@oclif/core'
import {usageError} from '../cli/cli-error.js'
import {ClientCommand} from '../cli/client-command.js'
import {findTestSet} from '../cli/find-test-set.js'
import {progressBar} from '../cli/progress.js'
import {formatTestSummary} from '../cli/test-report.js'
import {runTestSet, type TestSummary} from '../testing/run-test-set.js'
import {readTestSet} from '../testing/test-set.js'

export default class Test extends ClientCommand {
  static override summary = "Send a model's test set; report agreement, accuracy, latency and throughput."
  static override description = `The test set is test-set.json beside the model's model-settings.json (found in the repository of the current folder or --repo DIR), or --dataset FILE in the same format: {"request": <V2 request of N rows>, "expected": {"<output>": [N values]}, "labels": [N], "tolerance": 1e-6}.
Exits 1 when agreement with the reference predictions is below --min-agreement.`
  static override enableJsonFlag = true
  static override snakeCaseJson = true
  static override usage = '<%= command.id %> --model <value> [FLAGS]'
  static override examples = [
    '<%= config.bin %> test --model mnist_sklearn --version v1.0.0',
    '<%= config.bin %> test --model mushroom_xgboost --batch-size 64 --concurrency 8 --grpc',
    {description: 'Another test set, 99% agreement enough, JSON output', command: '<%= config.bin %> test --model my-model --dataset holdout.json --min-agreement 0.99 --json'},
  ]
  static override flags = {
    model: Flags.string({char: 'm', description: 'model name', required: true}),
    version: Flags.string({char: 'v', description: 'model version'}),
    dataset: Flags.file({description: 'test set file (default: test-set.json beside the model)', exists: true}),
    'batch-size': Flags.integer({description: 'rows per request', default: 1, min: 1}),
    concurrency: Flags.integer({description: 'requests in flight', default: 4, min: 1}),
    limit: Flags.integer({description: 'send only the first N rows', min: 1}),
    tolerance: Flags.string({description: "largest difference for floats to agree (default: the set's tolerance, else 1e-6)"}),
    'min-agreement': Flags.string({description: 'fail (exit 1) below this fraction of agreeing rows', default: '1'}),
  }

  async run(): Promise<TestSummary> {
    const {flags} = await this.parse(Test)
    const number = (name: string, value: string | undefined) => {
      if (value === undefined) return undefined
      const n = Number(value)
      if (Number.isNaN(n) || n < 0) throw usageError(`--${name} must be a non-negative number, found "${value}"`)
      return n
    }
    const minAgreement = number('min-agreement', flags['min-agreement'])!
    const file = await findTestSet({dataset: flags.dataset, repo: flags.repo, model: flags.model, version: flags.version})
    const set = await readTestSet(file)
    const bar = this.jsonEnabled() ? {update() {}, clear() {}} : progressBar(`testing ${flags.model}`)
    const summary = await runTestSet(this.client(flags), set, {
      model: flags.model,
      version: flags.version,
      batchSize: flags['batch-size'],
      concurrency: flags.concurrency,
      limit: flags.limit ?? Number.MAX_SAFE_INTEGER,
      tolerance: number('tolerance', flags.tolerance),
      onProgress: (done, total) => bar.update(done, total),
    })
    bar.clear()
    const passed = summary.errors === 0 && summary.agreement >= minAgreement
    this.log(`test set: ${file}`)
    this.log(formatTestSummary(summary, passed, minAgreement))
    if (!passed) {
      if (this.jsonEnabled()) this.logJson(summary)
      this.exit(1)
    }
    return summary
  }
}
