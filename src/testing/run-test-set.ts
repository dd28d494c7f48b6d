/**
 * Sends a test set to a model as batched requests with bounded concurrency, and sums up agreement, accuracy and
 * latency. The first request goes alone: if it fails, the others would fail the same way, so the run stops with that
 * one error rather than N copies of it; its answer also says which version answered.
 */
import {CliError} from '../cli/cli-error.js'
import {ConnectionError, type MlsClient} from '../client/index.js'
import {batches, rowCount, type Batch} from './batches.js'
import {checkBatch} from './compare.js'
import {summarizeLatencies, type LatencySummary} from './stats.js'
import type {TestSet} from './test-set.js'

export interface TestOptions {
  readonly model: string
  readonly version?: string
  readonly batchSize: number
  readonly concurrency: number
  readonly limit: number
  /** Overrides the set's own tolerance. */
  readonly tolerance?: number
  readonly onProgress?: (doneRows: number, totalRows: number) => void
}

export interface TestSummary {
  model: string
  /** The version that answered (the server's default when none was asked for). */
  version?: string
  /** Whether a version was asked for (--version), or the server chose its default. */
  versionRequested: boolean
  rows: number
  requests: number
  errors: number
  /** Rows whose every expected output agrees with the reference, over all rows. */
  agreement: number
  agreeingRows: number
  /** Against the true labels, when the set has them. */
  accuracy?: number
  tolerance: number
  latencyMs: LatencySummary
  throughput: {rowsPerSecond: number; requestsPerSecond: number}
  durationMs: number
  firstError?: string
  firstMismatch?: string
}

export async function runTestSet(client: MlsClient, set: TestSet, options: TestOptions): Promise<TestSummary> {
  const total = Math.min(rowCount(set), options.limit)
  const tolerance = options.tolerance ?? set.tolerance ?? 1e-6
  const queue: Batch[] = [...batches(set, options.batchSize, options.limit)]
  const latencies: number[] = []
  const agree = new Array<boolean>(total).fill(false)
  const classes = new Array<unknown>(total)
  let errors = 0
  let done = 0
  let firstError: string | undefined
  let firstMismatch: string | undefined

  let answered: string | undefined
  /** Sends one batch and records its rows' agreement and classes; throws what the request threw. */
  const sendAndCheck = async (batch: Batch) => {
    const started = performance.now()
    try {
      const response = await client.infer(options.model, options.version, batch.request)
      answered ??= response.model_version
      const check = checkBatch(response, set.expected, rowCount(set), batch.start, batch.rows, tolerance)
      check.agree.forEach((ok, r) => (agree[batch.start + r] = ok))
      check.classes.forEach((c, r) => (classes[batch.start + r] = c))
      firstMismatch ??= check.mismatch
    } finally {
      latencies.push(performance.now() - started)
      done += batch.rows
      options.onProgress?.(done, total)
    }
  }
  const worker = async () => {
    for (let batch = queue.shift(); batch !== undefined; batch = queue.shift()) {
      try {
        await sendAndCheck(batch)
      } catch (error) {
        errors++
        firstError ??= (error as Error).message
      }
    }
  }

  const started = performance.now()
  const first = queue.shift()
  if (first !== undefined) {
    try {
      await sendAndCheck(first)
    } catch (error) {
      if (error instanceof ConnectionError) throw error
      const rest = queue.length === 0 ? '' : `, so the other ${queue.length} request${queue.length === 1 ? ' was' : 's were'} not sent`
      throw new CliError(`the first request failed${rest}: ${(error as Error).message}`, undefined, {cause: error})
    }
  }
  await Promise.all(Array.from({length: Math.max(1, options.concurrency)}, worker))
  const durationMs = performance.now() - started

  const agreeingRows = agree.filter(Boolean).length
  const labels = set.labels?.slice(0, total)
  const correct = labels?.filter((label, i) => classes[i] !== undefined && String(classes[i]) === String(label)).length
  const round = (x: number) => Math.round(x * 1e4) / 1e4
  return {
    model: options.model,
    ...((answered ?? options.version) ? {version: answered ?? options.version} : {}),
    versionRequested: options.version !== undefined,
    rows: total,
    requests: latencies.length,
    errors,
    agreement: total === 0 ? 0 : round(agreeingRows / total),
    agreeingRows,
    ...(labels && correct !== undefined ? {accuracy: round(correct / labels.length)} : {}),
    tolerance,
    latencyMs: summarizeLatencies(latencies),
    throughput: {
      rowsPerSecond: Math.round((total / durationMs) * 1000),
      requestsPerSecond: Math.round((latencies.length / durationMs) * 1000),
    },
    durationMs: Math.round(durationMs),
    ...(firstError ? {firstError} : {}),
    ...(firstMismatch ? {firstMismatch} : {}),
  }
}
