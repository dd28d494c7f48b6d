import {Flags} from '@oclif/core'
import {MAX_DURATION_S, benchPlan} from '../cli/bench-plan.js'
import {benchProgress} from '../cli/bench-progress.js'
import {formatBenchReport, type BenchReport} from '../cli/bench-report.js'
import {ClientCommand} from '../cli/client-command.js'
import {benchFailure, runBench} from '../cli/run-bench.js'

export default class Bench extends ClientCommand {
  static override summary = "Measure a model's throughput and latency on a running server."
  static override description = `Like Triton's perf_analyzer: for each --concurrency level, that many requests are kept in flight (each loop sends its next request when the previous one is answered) for --duration seconds and/or --requests requests, after --warmup seconds of unmeasured load. Prints requests/s, rows/s, latency p50/p90/p99 and errors per level; --json prints the same as JSON.
Requests come from the model's test set (test-set.json beside its model-settings.json in the repository of the current folder or --repo DIR, or --dataset FILE), cut into requests of --batch-size rows; without one, or with --random, from the model's metadata: random values of each input's datatype, -1 dimensions set to --batch-size (--shape NAME:D1,D2 sets an input's shape).
--binary sends tensors as bytes: the binary tensor data extension over REST, raw_input_contents over gRPC.
The client shares the machine with the server when both run here: for the server's own capacity, see npm run bench (wrk, h2load). Exits 1 if any measured request failed.`
  static override enableJsonFlag = true
  static override snakeCaseJson = true
  static override usage = '<%= command.id %> --model <value> [--random | --dataset <value>] [FLAGS]'
  static override examples = [
    '<%= config.bin %> bench --model mnist_sklearn --version v1.0.0',
    '<%= config.bin %> bench -m mnist_sklearn --concurrency 1,4,16 --duration 10 --binary',
    '<%= config.bin %> bench -m mushroom_xgboost --grpc --batch-size 32 --requests 5000 --json',
    {description: 'Random data of a given shape, against another machine', command: '<%= config.bin %> bench -m my-model --random --shape input:1,3,224,224 --url http://10.0.0.5:8080'},
  ]
  static override flags = {
    model: Flags.string({char: 'm', description: 'model name', required: true}),
    version: Flags.string({char: 'v', description: "model version (default: the server's default version)"}),
    concurrency: Flags.string({char: 'c', description: 'requests in flight: one level or a comma-separated list, run one after another (1 to 1024 each)', default: '1'}),
    duration: Flags.string({char: 'd', description: `seconds to measure each level (up to ${MAX_DURATION_S}; default 5 unless --requests is given)`}),
    requests: Flags.integer({char: 'n', description: 'requests to measure per level (with --duration: whichever comes first)', min: 1, max: 10_000_000}),
    warmup: Flags.string({description: 'seconds of unmeasured load before each level (0 to 60)', default: '1'}),
    'batch-size': Flags.integer({char: 'b', description: 'rows per request (dimension 0)', default: 1, min: 1, max: 65_536}),
    binary: Flags.boolean({description: 'send tensors as bytes: REST binary tensor data extension, gRPC raw_input_contents', default: false}),
    random: Flags.boolean({description: "random data from the model's metadata even if it has a test set (not with --dataset)", default: false, exclusive: ['dataset']}),
    dataset: Flags.file({description: 'test set file to take requests from (default: test-set.json beside the model)', exists: true}),
    shape: Flags.string({description: 'shape of a random input, NAME:D1,D2,... (repeatable)', multiple: true}),
    timeout: Flags.string({description: 'seconds after which an unanswered request counts as failed', default: '30'}),
  }

  async run(): Promise<BenchReport> {
    const {flags} = await this.parse(Bench)
    const {model, version, repo, dataset, random, binary} = flags
    const options = {...benchPlan(flags), model, version, repo, dataset, random, binary, batchSize: flags['batch-size'], transport: flags.grpc ? 'grpc' : 'rest'} as const
    const report = await runBench(
      this.client(flags),
      options,
      // One unwrapped line (oclif's warn re-wraps paths).
      {progress: benchProgress(!this.jsonEnabled()), warn: (message) => process.stderr.write(`Warning: ${message}\n`)},
    )
    this.log(formatBenchReport(report))
    const failed = benchFailure(report)
    if (failed !== undefined) {
      // The measurements are still the answer: printed before the error.
      if (this.jsonEnabled()) this.logJson(report)
      throw failed
    }
    return report
  }
}
