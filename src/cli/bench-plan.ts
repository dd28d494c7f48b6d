/** `mls bench`'s flag values checked and turned into numbers: the levels, the shapes, how long each level runs. */
import {parseConcurrencyLevels} from '../benchmark/levels.js'
import {parseShapes} from '../benchmark/random-request.js'
import {usageError} from './cli-error.js'

/** With --requests alone, a level still stops after this long (seconds); also the largest --duration. */
export const MAX_DURATION_S = 3600
/** A level's length when neither --duration nor --requests is given (seconds). */
const DEFAULT_DURATION_S = 5

/** The flags as oclif parsed them (strings where a unit or a list is read here). */
export interface BenchFlags {
  readonly concurrency: string
  readonly duration?: string
  readonly requests?: number
  readonly warmup: string
  readonly timeout: string
  readonly shape?: readonly string[]
}

/** What the flags ask for. */
export interface BenchPlan {
  readonly levels: readonly number[]
  readonly shapes: ReadonlyMap<string, number[]>
  /** Seconds to measure each level; undefined: until --requests alone (bounded by MAX_DURATION_S). */
  readonly durationSeconds?: number
  /** Requests to measure per level. */
  readonly maxRequests?: number
  readonly warmupSeconds: number
  readonly timeoutSeconds: number
}

/** `--NAME` as seconds from `min` to `max`; undefined when not given; a CliError (exit 2) otherwise. */
export function parseSeconds(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (value.trim() === '' || Number.isNaN(n) || n < min || n > max) throw usageError(`--${name} must be a number of seconds from ${min} to ${max}, found "${value}"`)
  return n
}

/** The plan of the flags; throws a CliError (exit 2) for the first value that does not fit, in the order of the flags. */
export function benchPlan(flags: BenchFlags): BenchPlan {
  const levels = parseConcurrencyLevels(flags.concurrency)
  const shapes = parseShapes(flags.shape ?? [])
  const duration = parseSeconds('duration', flags.duration, 0.1, MAX_DURATION_S) ?? (flags.requests === undefined ? DEFAULT_DURATION_S : undefined)
  const warmupSeconds = parseSeconds('warmup', flags.warmup, 0, 60)!
  const timeoutSeconds = parseSeconds('timeout', flags.timeout, 0.1, 3600)!
  return {
    levels,
    shapes,
    ...(duration === undefined ? {} : {durationSeconds: duration}),
    ...(flags.requests === undefined ? {} : {maxRequests: flags.requests}),
    warmupSeconds,
    timeoutSeconds,
  }
}
