/**
 * Each model version's recent requests/s and p99, one point per poll, for the detail view's sparklines. A version starts
 * with a flat history of zeros (as the total's does), so that on an idle server one more zero changes nothing on screen.
 */
import type {WindowRates} from './rates.js'

/** One version's points, oldest first, each HISTORY_CAPACITY long. */
export interface ModelHistory {
  readonly rps: readonly number[]
  /** Seconds; 0 where a poll saw no request. */
  readonly p99: readonly number[]
}

/** By model key; a plain object, so that comparing two views as JSON sees it. */
export type ModelHistories = Readonly<Record<string, ModelHistory>>

const push = (points: readonly number[], value: number, capacity: number) => [...points, value].slice(-capacity)

/**
 * The histories of `keys` (the rows shown) after one poll's `step` (its rates since the previous scrape); without a step
 * (no new scrape) they stay as they were. Versions that are not in `keys` any more are dropped.
 */
export function advanceHistories(previous: ModelHistories, keys: readonly string[], step: WindowRates | undefined, capacity: number): ModelHistories {
  const next: Record<string, ModelHistory> = {}
  for (const key of keys) {
    const zeros = new Array<number>(capacity).fill(0)
    const before = previous[key] ?? {rps: zeros, p99: zeros}
    if (step === undefined) next[key] = before
    else {
      const rates = step.models.get(key) ?? step.none
      next[key] = {rps: push(before.rps, rates.rps ?? 0, capacity), p99: push(before.p99, rates.p99 ?? 0, capacity)}
    }
  }
  return next
}
