/** When a dead worker's replacement is started: at once the first time, then with a doubling delay while it keeps failing. */

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
