/** The dashboard's data as `mls monitor --json` prints it: snake_case, seconds, null for what the server does not say. */
import type {DashboardView} from './dashboard-state.js'
import type {CodeCount} from './error-codes.js'
import type {Rates} from './rates.js'

/** Rates in JSON: null where unknown. */
export interface RatesJson {
  readonly requests_per_second: number | null
  readonly error_rate: number | null
  readonly p50_seconds: number | null
  readonly p99_seconds: number | null
}

/** What `mls monitor --json` prints. */
export interface MonitorJson {
  readonly url: string
  readonly metrics_url: string
  readonly server: {readonly name: string; readonly version: string} | null
  readonly reachable: boolean
  readonly ready: boolean | null
  readonly index_error: string | null
  readonly metrics_error: string | null
  /** The span the rates cover. */
  readonly window_seconds: number | null
  readonly models: ReadonlyArray<{readonly name: string; readonly version: string | null; readonly state: string; readonly reason: string; readonly queue: number | null} & RatesJson & ErrorsJson & Partial<ModelMemoryJson>>
  readonly total: RatesJson & ErrorsJson & {readonly in_flight: number | null; readonly queue: number | null}
  /** Inference requests naming a model or version the server does not have, since it started; null where it does not count them. */
  readonly unknown_model_requests: number | null
  /** Only with a memory budget (absent without one, so the JSON is then as it was). */
  readonly memory?: MemoryJson
}

/** Failed inferences by error code since the server started ({"INVALID_SHAPE": 12}); null where the server does not count them. */
export interface ErrorsJson {
  readonly errors_by_code: Readonly<Record<string, number>> | null
}

const errorsJson = (counts: readonly CodeCount[] | undefined): ErrorsJson => ({errors_by_code: counts === undefined ? null : Object.fromEntries(counts.map((count) => [count.code, count.total]))})

/** A version's memory, as the repository index has it (only with a memory budget). */
export interface ModelMemoryJson {
  readonly memory_bytes: number
  readonly memory_source: string
  readonly pinned: boolean
  readonly last_used: string | null
}

/** The budget, bytes in memory and the residency rates over the window. */
export interface MemoryJson {
  readonly budget_bytes: number
  readonly used_bytes: number | null
  readonly hits_per_second: number | null
  readonly misses_per_second: number | null
  readonly hit_ratio: number | null
  readonly loads_per_second: number | null
  readonly evictions_per_second: number | null
}

const orNull = <T>(value: T | undefined): T | null => (value === undefined || (typeof value === 'number' && !Number.isFinite(value)) ? null : value)

function ratesJson(rates: Rates | undefined): RatesJson {
  return {
    requests_per_second: orNull(rates?.rps),
    error_rate: orNull(rates?.errorRate),
    p50_seconds: orNull(rates?.p50),
    p99_seconds: orNull(rates?.p99),
  }
}

/** The view as JSON. */
export function toMonitorJson(view: DashboardView): MonitorJson {
  return {
    url: view.url,
    metrics_url: view.metricsUrl,
    server: view.server ? {name: view.server.name, version: view.server.version} : null,
    reachable: view.reachable,
    ready: orNull(view.ready),
    index_error: orNull(view.indexError),
    metrics_error: orNull(view.metricsError),
    window_seconds: orNull(view.windowSeconds),
    models: view.models.map((row) => ({
      name: row.name,
      version: orNull(row.version),
      state: row.state,
      reason: row.reason,
      ...ratesJson(row.rates),
      ...errorsJson(row.errors),
      queue: orNull(row.queue),
      ...(row.memory === undefined
        ? {}
        : {
            memory_bytes: row.memory.bytes,
            memory_source: row.memory.source,
            pinned: row.memory.pinned,
            last_used: row.memory.lastUsed === undefined ? null : new Date(row.memory.lastUsed).toISOString(),
          }),
    })),
    total: {...ratesJson(view.total), ...errorsJson(view.errors), in_flight: orNull(view.total?.inFlight), queue: orNull(view.total?.queue)},
    unknown_model_requests: orNull(view.unknownModels?.total),
    ...(view.memory === undefined
      ? {}
      : {
          memory: {
            budget_bytes: view.memory.budget,
            used_bytes: orNull(view.memory.used),
            hits_per_second: orNull(view.memory.rates?.hitsPerSecond),
            misses_per_second: orNull(view.memory.rates?.missesPerSecond),
            hit_ratio: orNull(view.memory.rates?.hitRatio),
            loads_per_second: orNull(view.memory.rates?.loadsPerSecond),
            evictions_per_second: orNull(view.memory.rates?.evictionsPerSecond),
          },
        }),
  }
}
