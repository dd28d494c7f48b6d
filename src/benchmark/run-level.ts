/**
 * One concurrency level: `concurrency` loops, each sending a request as soon as its previous one is answered (a
 * closed loop, as perf_analyzer's concurrency mode), until the duration has passed or the request count is reached,
 * whichever comes first. Only answered requests are timed; failures are counted with the first error's message.
 */
import {LatencyRecorder} from './latency-recorder.js'
import type {LatencySummary} from '../testing/stats.js'

export interface LevelOptions {
  readonly concurrency: number
  /** Stop sending after this long (ms). At least one of durationMs and maxRequests is given. */
  readonly durationMs?: number
  /** Stop after this many requests. */
  readonly maxRequests?: number
  /** A request unanswered after this long (ms) counts as failed. */
  readonly timeoutMs: number
  /** Called about every `progressMs` with the requests done so far and the elapsed ms. */
  readonly onProgress?: (done: number, elapsedMs: number) => void
  readonly progressMs?: number
}

export interface LevelMeasurement {
  readonly concurrency: number
  /** Requests sent and finished (answered or failed). */
  readonly requests: number
  readonly errors: number
  readonly firstError?: string
  /** From the first request sent to the last one finished. */
  readonly durationMs: number
  /** Answered requests per second. */
  readonly requestsPerSecond: number
  /** Latency of the answered requests; null when none was. */
  readonly latencyMs: LatencySummary | null
}

class Timeout extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout(`no answer within ${ms / 1000} s`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** Runs one level; `send(i)` sends the i-th request (0, 1, 2, … across all loops). */
export async function runLevel(send: (index: number) => Promise<unknown>, options: LevelOptions): Promise<LevelMeasurement> {
  if (options.durationMs === undefined && options.maxRequests === undefined) throw new Error('runLevel needs a duration or a request count')
  const latencies = new LatencyRecorder()
  const started = performance.now()
  const deadline = options.durationMs === undefined ? Infinity : started + options.durationMs
  const maxRequests = options.maxRequests ?? Infinity
  let issued = 0
  let finished = 0
  let errors = 0
  let firstError: string | undefined
  let lastFinish = started

  const loop = async () => {
    while (issued < maxRequests && performance.now() < deadline) {
      const index = issued++
      const t0 = performance.now()
      try {
        await withTimeout(send(index), options.timeoutMs)
        lastFinish = performance.now()
        latencies.record(lastFinish - t0)
      } catch (error) {
        lastFinish = performance.now()
        errors++
        firstError ??= (error as Error).message
      }
      finished++
    }
  }

  const progress = options.onProgress && setInterval(() => options.onProgress!(finished, performance.now() - started), options.progressMs ?? 250)
  try {
    await Promise.all(Array.from({length: options.concurrency}, loop))
  } finally {
    if (progress) clearInterval(progress)
  }
  const durationMs = Math.max(lastFinish - started, 1e-3)
  return {
    concurrency: options.concurrency,
    requests: finished,
    errors,
    ...(firstError === undefined ? {} : {firstError}),
    durationMs: Math.round(durationMs),
    requestsPerSecond: Math.round(((finished - errors) / durationMs) * 1000 * 10) / 10,
    latencyMs: latencies.summary(),
  }
}
