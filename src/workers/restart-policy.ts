/**
 * When a dead worker's replacement is started, for both kinds of worker: a worker thread of a model's pool
 * (workers/worker-pool.ts) and a server process of `mls start --processes N` (cluster/worker-slot.ts). At once the
 * first time, then with a doubling delay while it keeps failing; a worker that served long enough resets the count.
 */

export interface RestartPolicy {
  /** Delay before the second replacement in a row. */
  readonly firstDelayMs: number
  /** Largest delay between attempts. */
  readonly maxDelayMs: number
  /** A worker that served this long before dying counts as healthy: its replacement starts at once. */
  readonly stableAfterMs: number
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {firstDelayMs: 1000, maxDelayMs: 30_000, stableAfterMs: 10_000}

/** Milliseconds to wait before the next replacement after `failures` consecutive failures (a quick death or a failed load). */
export function restartDelay(policy: RestartPolicy, failures: number): number {
  if (failures <= 1) return 0
  return Math.min(policy.firstDelayMs * 2 ** (failures - 2), policy.maxDelayMs)
}

/** One worker place's run of consecutive failures, and the delay each failure earns its next replacement. */
export class RestartBackoff {
  private failures = 0

  constructor(readonly policy: RestartPolicy = DEFAULT_RESTART_POLICY) {}

  /** Consecutive failures so far. */
  get count(): number {
    return this.failures
  }

  /** A worker died after serving `servedMs` (0 when it never got ready): the delay before its replacement starts. */
  died(servedMs: number): number {
    this.failures = servedMs >= this.policy.stableAfterMs ? 0 : this.failures + 1
    return restartDelay(this.policy, this.failures)
  }

  /** A replacement failed to start (it did not load): the delay before the next attempt. */
  failedToStart(): number {
    this.failures++
    return restartDelay(this.policy, this.failures)
  }
}
