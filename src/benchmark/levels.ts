/** `--concurrency 1,4,16`: the concurrency levels, run one after another in the order given. */
import {usageError} from '../cli/cli-error.js'

export const MAX_CONCURRENCY = 1024
export const MAX_LEVELS = 32

export function parseConcurrencyLevels(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim())
  const levels = parts.map(Number)
  const bad = parts.find((p, i) => p === '' || !Number.isInteger(levels[i]) || levels[i] < 1 || levels[i] > MAX_CONCURRENCY)
  if (bad !== undefined) {
    throw usageError(`--concurrency takes a comma-separated list of integers from 1 to ${MAX_CONCURRENCY} (e.g. 1,4,16), found "${text}"`)
  }
  if (levels.length > MAX_LEVELS) throw usageError(`--concurrency: at most ${MAX_LEVELS} levels, found ${levels.length}`)
  return levels
}
