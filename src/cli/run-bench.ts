/**
 * `mls bench`: the requests (test set or random data), the run over every concurrency level, and the report; a run
 * with failed requests is a CliError (exit 1) once the report has been shown.
 */
import {runBenchmark, type BenchmarkRun} from '../benchmark/run-benchmark.js'
import type {MlsClient} from '../client/index.js'
import type {BenchProgress} from './bench-progress.js'
import {MAX_DURATION_S, type BenchPlan} from './bench-plan.js'
import type {BenchReport} from './bench-report.js'
import {benchRequests, type RequestSource} from './bench-requests.js'
import {CliError} from './cli-error.js'

/** What to measure, and how. */
export interface BenchOptions extends BenchPlan {
  readonly model: string
  readonly version?: string
  /** Repository whose test set is used (default: the current folder). */
  readonly repo?: string
  /** A test set file instead. */
  readonly dataset?: string
  /** Random data even when there is a test set. */
  readonly random: boolean
  readonly batchSize: number
  readonly binary: boolean
  /** How `client` talks, for the report. */
  readonly transport: 'rest' | 'grpc'
}

/** Where the run tells how it goes. */
export interface BenchHooks {
  readonly progress: BenchProgress
  /** Something the user should know that does not stop the run. */
  warn(message: string): void
}

/** Measures the model over `client` at every level and returns the report (failed requests included). */
export async function runBench(client: MlsClient, options: BenchOptions, hooks: BenchHooks): Promise<BenchReport> {
  const metadata = await client.modelMetadata(options.model, options.version)
  const {requests, source} = await benchRequests(metadata, options)
  if (options.shapes.size > 0 && source.source === 'test-set') hooks.warn(`--shape applies to random data only; the requests come from ${source.file} (add --random to use --shape)`)
  const run = await runBenchmark(client, {
    model: options.model,
    version: options.version,
    requests,
    batchSize: options.batchSize,
    binary: options.binary,
    levels: options.levels,
    durationMs: (options.durationSeconds ?? MAX_DURATION_S) * 1000,
    maxRequests: options.maxRequests,
    warmupMs: options.warmupSeconds * 1000,
    timeoutMs: options.timeoutSeconds * 1000,
    source: source.source === 'test-set' ? source.file : 'random data',
    onLevelStart: (c, phase) => hooks.progress.phase(c, phase),
    onProgress: (c, done, elapsed) => hooks.progress.update(c, done, elapsed),
  })
  hooks.progress.clear()
  return benchReport(options, {target: client.target, source, requests: requests.length}, run)
}

/** The report of a run: what was asked, what answered, and the totals over every level. */
export function benchReport(options: BenchOptions, sent: {target: string; source: RequestSource; requests: number}, run: BenchmarkRun): BenchReport {
  const version = run.version ?? options.version
  return {
    model: options.model,
    ...(version === undefined ? {} : {version}),
    transport: options.transport,
    target: sent.target,
    binary: options.binary,
    batchSize: options.batchSize,
    data: {...sent.source, requests: sent.requests},
    ...(options.durationSeconds === undefined ? {} : {durationSeconds: options.durationSeconds}),
    ...(options.maxRequests === undefined ? {} : {requestsPerLevel: options.maxRequests}),
    warmupSeconds: options.warmupSeconds,
    levels: run.levels,
    errors: run.levels.reduce((n, l) => n + l.errors, 0),
    requests: run.levels.reduce((n, l) => n + l.requests, 0),
  }
}

/** The error (exit 1) of a run with failed requests, naming the first; undefined when every request was answered. */
export function benchFailure(report: BenchReport): CliError | undefined {
  if (report.errors === 0) return undefined
  const first = report.levels.find((l) => l.firstError !== undefined)
  const which = first === undefined ? '' : ` (first, at concurrency ${first.concurrency}: ${first.firstError})`
  return new CliError(`${report.errors} of ${report.requests} requests failed${which}`)
}
