/**
 * One load at a time per key, shared: concurrent callers for a key get the one operation in progress, its result or
 * its error. A failure is remembered for a back-off, so a model whose files are broken is not loaded again on every
 * request: callers within the back-off get the remembered error at once. The back-off starts at `initialMs` and doubles
 * with each failure in a row up to `maxMs` (default 1 s, 2 s, 4 s, ... 60 s); a success forgets the failures, and so
 * does `reset` (an explicit load: the user says the files changed).
 */

export interface BackoffOptions {
  /** After the first failure in a row; default 1000. */
  readonly initialMs?: number
  /** The most it grows to; default 60_000. */
  readonly maxMs?: number
}

export interface SingleFlightOptions {
  readonly backoff?: BackoffOptions
  /** Milliseconds, monotonic; default performance.now. */
  readonly clock?: () => number
}

/** A remembered failure: its error, how many in a row, and when the next attempt may run. */
export interface Failure {
  readonly error: unknown
  readonly count: number
  readonly retryAt: number
}

export class SingleFlight<K, T> {
  private readonly running = new Map<K, Promise<T>>()
  private readonly failures = new Map<K, Failure>()
  private readonly initialMs: number
  private readonly maxMs: number
  private readonly clock: () => number

  constructor(options: SingleFlightOptions = {}) {
    this.initialMs = options.backoff?.initialMs ?? 1000
    this.maxMs = options.backoff?.maxMs ?? 60_000
    this.clock = options.clock ?? (() => performance.now())
  }

  /**
   * The operation of `key` in progress, or else, within a failure's back-off, that failure's error (at once), or else
   * `task` started now. `task` runs at most once per call and is not called when one is shared.
   */
  run(key: K, task: () => Promise<T>): Promise<T> {
    const running = this.running.get(key)
    if (running !== undefined) return running
    const failure = this.failures.get(key)
    if (failure !== undefined && this.clock() < failure.retryAt) return Promise.reject(failure.error)
    // A task that throws before its first await fails the same way as one that rejects.
    const promise = new Promise<T>((resolve) => resolve(task()))
    this.running.set(key, promise)
    promise.then(
      () => {
        this.running.delete(key)
        this.failures.delete(key)
      },
      (error: unknown) => {
        this.running.delete(key)
        const count = (this.failures.get(key)?.count ?? 0) + 1
        const delay = Math.min(this.maxMs, this.initialMs * 2 ** (count - 1))
        this.failures.set(key, {error, count, retryAt: this.clock() + delay})
      },
    )
    return promise
  }

  /** Forgets `key`'s failures: the next `run` starts at once (an explicit load), or a version left the repository. */
  reset(key: K): void {
    this.failures.delete(key)
  }

  /** `key`'s remembered failure while its back-off lasts (the index's reason, a Retry-After). */
  failure(key: K): Failure | undefined {
    const failure = this.failures.get(key)
    return failure !== undefined && this.clock() < failure.retryAt ? failure : undefined
  }

  /** Whether an operation of `key` is in progress. */
  isRunning(key: K): boolean {
    return this.running.has(key)
  }
}
