/**
 * The repository index of the whole server from every process's index. Every process loads the same repository and
 * every load/unload reaches all of them, so they mostly agree; where they differ (a load still running in one, a
 * version evicted under a memory_budget in one but in memory in another, a process that failed to load a version),
 * a version reads as the best state any process has it in: READY if any process serves it, then LOADING, UNLOADING,
 * NOT_LOADED (memory_budget: loads on the next request), UNAVAILABLE, UNKNOWN. The item (reason, memory fields) is
 * that process's; last_used is the latest of all.
 */
import type {RepositoryIndexItem} from '../protocol/types.js'

const RANK: Readonly<Record<string, number>> = {READY: 0, LOADING: 1, UNLOADING: 2, NOT_LOADED: 3, UNAVAILABLE: 4, UNKNOWN: 5}
const rank = (item: RepositoryIndexItem) => RANK[item.state] ?? 6

export function mergeIndex(parts: ReadonlyArray<readonly RepositoryIndexItem[]>): RepositoryIndexItem[] {
  const merged = new Map<string, RepositoryIndexItem>()
  for (const part of parts) {
    for (const item of part) {
      const key = `${item.name}\0${item.version ?? ''}`
      const seen = merged.get(key)
      if (seen === undefined) {
        merged.set(key, item)
        continue
      }
      const best = rank(item) < rank(seen) ? item : seen
      const lastUsed = [seen.last_used, item.last_used].filter((t): t is string => t !== undefined).sort().at(-1)
      merged.set(key, lastUsed === undefined ? best : {...best, last_used: lastUsed})
    }
  }
  return [...merged.values()]
}
