/** `--concurrency 1,4,16`: the concurrency levels, run one after another in the order given. */
import {ClientError} from '../client/client-error.js'

export const MAX_CONCURRENCY = 1024
export const MAX_LEVELS = 32

export function parseConcurrencyLevels(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim())
  const levels = parts.map(Number)
  const bad = parts.find((p, i) => p === '' || !Number.isInteger(levels[i]) || levels[i] < 1 || levels[i] > MAX_CONCURRENCY)
  if (bad !== undefined) {
    throw new ClientError(`--concurrency takes a comma-separated list of integers from 1 to ${MAX_CONCURRENCY} (e.g. 1,4,16), found "${text}"`, 2)
  }
  if (levels.length > MAX_LEVELS) throw new ClientError(`--concurrency: at most ${MAX_LEVELS} levels, found ${levels.length}`, 2)
  return levels
}
