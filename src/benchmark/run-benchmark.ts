/**
 * What `mls bench` does once it has its requests: one request to check that the model answers them at all, then for
 * each concurrency level an unmeasured warm-up and a measured run.
 */
import {CliError} from '../cli/cli-error.js'
import {ConnectionError, type MlsClient} from '../client/index.js'
import type {InferenceRequestBody} from '../protocol/types.js'
import {runLevel, type LevelMeasurement} from './run-level.js'

export interface BenchmarkOptions {
  readonly model: string
  readonly version?: string
  /** Sent in turn, over and over. */
  readonly requests: readonly InferenceRequestBody[]
  /** Rows in each request, for rows/s. */
  readonly batchSize: number
  readonly binary: boolean
  readonly levels: readonly number[]
  readonly durationMs?: number
  readonly maxRequests?: number
  readonly warmupMs: number
  readonly timeoutMs: number
  /** Said when the check request fails: where the requests came from. */
  readonly source: string
  readonly onLevelStart?: (concurrency: number, phase: 'warm-up' | 'measure') => void
  readonly onProgress?: (concurrency: number, done: number, elapsedMs: number) => void
}

export interface LevelResult extends LevelMeasurement {
  /** requestsPerSecond × the batch size. */
  readonly rowsPerSecond: number
}

export interface BenchmarkRun {
  /** The version that answered (the server's default when none was asked for). */
  readonly version?: string
  readonly levels: LevelResult[]
}

export async function runBenchmark(client: MlsClient, options: BenchmarkOptions): Promise<BenchmarkRun> {
  const send = (index: number) => client.infer(options.model, options.version, options.requests[index % options.requests.length], {binary: options.binary})
  let version: string | undefined
  try {
    version = (await send(0)).model_version
  } catch (error) {
    if (error instanceof ConnectionError) throw error
    throw new CliError(`the first request failed, so nothing was measured (requests from ${options.source}): ${(error as Error).message}`)
  }
  const levels: LevelResult[] = []
  for (const concurrency of options.levels) {
    if (options.warmupMs > 0) {
      options.onLevelStart?.(concurrency, 'warm-up')
      await runLevel(send, {concurrency, durationMs: options.warmupMs, timeoutMs: options.timeoutMs})
    }
    options.onLevelStart?.(concurrency, 'measure')
    const measured = await runLevel(send, {
      concurrency,
      durationMs: options.durationMs,
      maxRequests: options.maxRequests,
      timeoutMs: options.timeoutMs,
      onProgress: (done, elapsed) => options.onProgress?.(concurrency, done, elapsed),
    })
    levels.push({...measured, rowsPerSecond: Math.round(measured.requestsPerSecond * options.batchSize * 10) / 10})
  }
  return {...(version ? {version} : {}), levels}
}
