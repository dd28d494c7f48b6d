/** The one timeout race: waits for a piece of work for a while, without cancelling it. */

/** setTimeout's longest delay; a longer one fires at once (with a TimeoutOverflowWarning) instead of late. */
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * Resolves true when `work` settles (fulfils or rejects) within `ms`, false when `ms` runs out first; the work goes on
 * either way, and a rejection is the caller's to observe on `work` itself. `ms` of Infinity waits as long as the work
 * takes; a negative or NaN `ms` gives the work no time beyond what is already settled.
 */
export function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  const settled = work.then(
    () => true,
    () => true,
  )
  if (ms === Infinity) return settled
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), Math.min(MAX_TIMER_MS, Math.max(0, ms || 0)))))
  return Promise.race([settled, late]).finally(() => clearTimeout(timer))
}
