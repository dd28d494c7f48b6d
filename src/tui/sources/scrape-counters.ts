/**
 * One metrics scrape reduced to what the dashboard needs, per model version: the inference counters, the latency
 * histogram, the state gauge and the queue gauges; plus the server's REST inferences in flight. A family the server does not expose
 * stays undefined (shown as "-"), which is how the dashboard degrades against servers with fewer metrics. With a
 * `memory_budget`, also the memory families (server/metrics/memory-metrics.ts): budget, bytes in memory, residency hits
 * and misses, loads and evictions, summed over models. From mls, failed inferences by error code per version and the
 * requests to unknown models (server/metrics/error-metrics.ts).
 */
import type {MetricsScrape, MetricSample} from '../../client/metrics-text.js'

/** A histogram's cumulative bucket: observations <= `le` (seconds). */
export interface Bucket {
  readonly le: number
  readonly count: number
}

/** The counters of one model version at one scrape; undefined where the family is missing. */
export interface ModelCounters {
  readonly success?: number
  readonly failure?: number
  /** Cumulative buckets sorted by `le`, the last one `+Inf`. */
  readonly buckets?: readonly Bucket[]
  /** The state whose `model_state` gauge is 1. */
  readonly state?: string
  /** Requests waiting: `batch_request_queue` (for their adaptive batch) plus `parallel_request_queue` (at the workers). */
  readonly queue?: number
  /** Failed inferences by error code (`mls_infer_errors_total`), since the server started. */
  readonly errors?: ReadonlyMap<string, number>
}

/** What one scrape says, at the time it was taken. */
export interface ScrapeCounters {
  /** When the scrape finished (ms, same clock for every scrape). */
  readonly time: number
  /** By modelKey(name, version). */
  readonly models: ReadonlyMap<string, ModelCounters>
  /** Which families the server exposes (declared or with series), so "no series yet" reads as 0, not unknown. */
  readonly has: {readonly success: boolean; readonly failure: boolean; readonly duration: boolean; readonly queue: boolean; readonly errors: boolean}
  /** REST inferences being served (sum of the in-progress gauge over infer routes); undefined without that gauge. */
  readonly inFlight?: number
  /** The memory budget and its counters; undefined when the server has no budget (no memory_budget_bytes sample). */
  readonly memory?: MemoryCounters
  /** Inferences naming a model or version the server does not have (`mls_infer_unknown_model_total`, all codes). */
  readonly unknownModels?: number
}

/** The memory families of one scrape (totals over every model version). */
export interface MemoryCounters {
  /** memory_budget_bytes. */
  readonly budget: number
  /** models_memory_bytes: bytes in memory now; undefined without that sample. */
  readonly used?: number
  /** model_residency_requests_total, result hit / miss. */
  readonly hits: number
  readonly misses: number
  /** model_loads_total and model_evictions_total, summed over versions (and reasons). */
  readonly loads: number
  readonly evictions: number
}

/** The key of one model version: its name and version ("" for an unversioned model). */
export function modelKey(name: string, version: string | undefined): string {
  return `${name}\u0000${version ?? ''}`
}

const SUCCESS = 'model_infer_request_success'
const FAILURE = 'model_infer_request_failure'
const DURATION = 'model_infer_request_duration'
const STATE = 'model_state'
const QUEUES = new Set(['batch_request_queue', 'parallel_request_queue'])
const IN_PROGRESS = /_requests_in_progress$/
const BUDGET = 'memory_budget_bytes'
const USED = 'models_memory_bytes'
const RESIDENCY = 'model_residency_requests_total'
const LOADS = 'model_loads_total'
const EVICTIONS = 'model_evictions_total'
const ERRORS = 'mls_infer_errors_total'
const UNKNOWN_MODELS = 'mls_infer_unknown_model_total'

// mls labels model metrics (model, version), as MLServer does; model_name / model_version are accepted too.
const labelsOf = (sample: MetricSample) => ({
  name: sample.labels.model ?? sample.labels.model_name,
  version: sample.labels.version ?? sample.labels.model_version,
})

/** The sample names `scrapeCounters` reads (to parse nothing else). */
export function isCounterSample(name: string): boolean {
  return name.startsWith('model_') || name === ERRORS || name === UNKNOWN_MODELS || QUEUES.has(name) || IN_PROGRESS.test(name) || name === BUDGET || name === USED
}

type Mutable = {success?: number; failure?: number; buckets?: Bucket[]; state?: string; queue?: number; errors?: Map<string, number>}

function declared(scrape: MetricsScrape, family: string): boolean {
  return scrape.types.has(family) || scrape.types.has(`${family}_total`)
}

/** Reduces a parsed scrape taken at `time`. */
export function scrapeCounters(scrape: MetricsScrape, time: number): ScrapeCounters {
  const models = new Map<string, Mutable>()
  const entry = (sample: MetricSample): Mutable | undefined => {
    const {name, version} = labelsOf(sample)
    if (name === undefined) return undefined
    const key = modelKey(name, version)
    let counters = models.get(key)
    if (counters === undefined) models.set(key, (counters = {}))
    return counters
  }
  let inFlight: number | undefined
  let budget: number | undefined
  let used: number | undefined
  let unknownModels: number | undefined = scrape.types.has(UNKNOWN_MODELS) ? 0 : undefined
  const memory = {hits: 0, misses: 0, loads: 0, evictions: 0}
  const has = {
    success: declared(scrape, SUCCESS),
    failure: declared(scrape, FAILURE),
    duration: declared(scrape, DURATION),
    queue: [...QUEUES].some((family) => scrape.types.has(family)),
    errors: scrape.types.has(ERRORS),
  }
  for (const sample of scrape.samples) {
    const {name} = sample
    if (name === SUCCESS || name === `${SUCCESS}_total`) {
      const counters = entry(sample)
      if (counters) counters.success = (counters.success ?? 0) + sample.value
      has.success = true
    } else if (name === FAILURE || name === `${FAILURE}_total`) {
      const counters = entry(sample)
      if (counters) counters.failure = (counters.failure ?? 0) + sample.value
      has.failure = true
    } else if (name === `${DURATION}_bucket`) {
      const counters = entry(sample)
      const le = Number(sample.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : sample.labels.le)
      if (counters && !Number.isNaN(le)) (counters.buckets ??= []).push({le, count: sample.value})
      has.duration = true
    } else if (name === STATE && sample.value === 1) {
      const counters = entry(sample)
      if (counters && sample.labels.state) counters.state = sample.labels.state
    } else if (QUEUES.has(name)) {
      const counters = entry(sample)
      if (counters) counters.queue = (counters.queue ?? 0) + sample.value
      has.queue = true
    } else if (name === ERRORS) {
      const counters = entry(sample)
      const code = sample.labels.code
      if (counters && code) (counters.errors ??= new Map()).set(code, (counters.errors.get(code) ?? 0) + sample.value)
      has.errors = true
    } else if (name === UNKNOWN_MODELS) {
      unknownModels = (unknownModels ?? 0) + sample.value
    } else if (name === BUDGET) {
      budget = (budget ?? 0) + sample.value
    } else if (name === USED) {
      used = (used ?? 0) + sample.value
    } else if (name === RESIDENCY) {
      if (sample.labels.result === 'hit') memory.hits += sample.value
      else if (sample.labels.result === 'miss') memory.misses += sample.value
    } else if (name === LOADS) {
      memory.loads += sample.value
    } else if (name === EVICTIONS) {
      memory.evictions += sample.value
    } else if (IN_PROGRESS.test(name)) {
      inFlight ??= 0
      if ((sample.labels.path ?? '').includes('infer')) inFlight += sample.value
    }
  }
  if (inFlight === undefined && [...scrape.types.keys()].some((family) => IN_PROGRESS.test(family))) inFlight = 0
  for (const counters of models.values()) counters.buckets?.sort((a, b) => a.le - b.le)
  return {time, models, has, inFlight, memory: budget === undefined ? undefined : {budget, used, ...memory}, unknownModels}
}
