/**
 * The metrics of memory-aware serving (a `memory_budget`), named in the spirit of ModelMesh and Seldon:
 *
 * - `model_loads_total{model,version,reason}`: loads into memory; reason startup | request | explicit.
 * - `model_load_duration_seconds{model,version}`: histogram of how long each load took.
 * - `model_evictions_total{model,version}`: versions evicted (least recently used) to make room.
 * - `model_eviction_age_seconds`: histogram of the seconds from a version's load to its eviction (no model labels:
 *   one distribution for the server, how long a version stays before it is pushed out).
 * - `model_residency_requests_total{result}`: requests that found their version in memory (hit) or waited for its
 *   load (miss).
 * - `model_memory_bytes{model,version}`: bytes each version in memory holds, as the budget counts it (measured,
 *   stated or estimated); only versions in memory have a series, an evicted one disappears.
 * - `models_memory_bytes`: bytes of every version in memory; `memory_budget_bytes`: memory_budget.
 *
 * The events come through MemoryObserver; the three gauges are read from the memory manager's snapshot when scraped.
 * Without a budget (the snapshot is undefined) none of these families has a sample, so a server with no budget
 * exposes exactly what it did before.
 *
 * With `--processes N` each process has its own budget and its own copy of every model it loads, and the primary
 * sums every family over the processes (prom-client's default aggregator): the gauges then say the memory of the whole
 * server and the sum of the budgets, so used / budget stays a true ratio, and each counter counts the whole server.
 */
import type {Registry} from 'prom-client'
import type {LoadReason, MemoryObserver, MemorySnapshot} from '../../memory/memory-view.js'
import {FastCounter, FastHistogram, type HistogramChild} from './fast-metrics.js'

/** Seconds a load takes: milliseconds for small models, up to a minute for big ones. */
const LOAD_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
/** Seconds from load to eviction: thrashing shows at the low end (minimum residency is about a second). */
const AGE_BUCKETS = [1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600]

type Labels = Readonly<Record<string, string>>
interface Sample {
  readonly value: number
  readonly labels: Labels
}

/**
 * A family whose samples are computed when scraped: registered in a prom-client Registry as fast-metrics.ts's are
 * (name, help, type, aggregator, get()). Unlike a prom-client gauge without labels, it has no sample at all when
 * `samples` gives none.
 */
class ScrapedFamily {
  aggregator = 'sum' as const
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'gauge' | 'counter',
    private readonly samples: () => Sample[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never)
  }

  reset(): void {}

  async get(): Promise<{name: string; help: string; type: string; values: Sample[]; aggregator: 'sum'}> {
    return {name: this.name, help: this.help, type: this.type, values: this.samples(), aggregator: this.aggregator}
  }
}

/** The memory families in `registry`; `snapshot` gives the budget now (undefined: no budget). */
export class MemoryMetrics implements MemoryObserver {
  private readonly loads: FastCounter<'model' | 'version' | 'reason'>
  private readonly loadDuration: FastHistogram<'model' | 'version'>
  private readonly evictions: FastCounter<'model' | 'version'>
  private readonly evictionAgeFamily: FastHistogram<never>
  /** Made at the first eviction: without one (or without a budget) the histogram has no sample. */
  private evictionAge?: HistogramChild
  private hits = 0
  private misses = 0

  constructor(registry: Registry, snapshot: () => MemorySnapshot | undefined) {
    const registers = [registry]
    this.loads = new FastCounter({
      name: 'model_loads_total',
      help: 'Model versions loaded into memory, by reason: startup (at start-up), request (on demand, for a request), explicit (repository load)',
      labelNames: ['model', 'version', 'reason'],
      registers,
    })
    this.loadDuration = new FastHistogram({
      name: 'model_load_duration_seconds',
      help: 'Seconds each load of a model version into memory took',
      labelNames: ['model', 'version'],
      buckets: LOAD_BUCKETS,
      registers,
    })
    this.evictions = new FastCounter({
      name: 'model_evictions_total',
      help: 'Model versions evicted from memory (least recently used first) to make room for another under memory_budget',
      labelNames: ['model', 'version'],
      registers,
    })
    this.evictionAgeFamily = new FastHistogram({
      name: 'model_eviction_age_seconds',
      help: 'Seconds from the load of a model version to its eviction',
      labelNames: [],
      buckets: AGE_BUCKETS,
      registers,
    })
    // Hits and misses: plain numbers on the request path; both series exist (at 0) whenever there is a budget.
    new ScrapedFamily(
      'model_residency_requests_total',
      'Inference requests that found their model version in memory (result="hit") or had to wait for it to load (result="miss")',
      'counter',
      () =>
        snapshot() === undefined && this.hits + this.misses === 0
          ? []
          : [
              {value: this.hits, labels: {result: 'hit'}},
              {value: this.misses, labels: {result: 'miss'}},
            ],
      registry,
    )
    new ScrapedFamily(
      'model_memory_bytes',
      'Bytes of memory each model version in memory holds, as memory_budget counts it: measured at its load, else stated (model-settings "memory"), else estimated from its files',
      'gauge',
      () => (snapshot()?.versions ?? []).filter((v) => v.resident).map((v) => ({value: v.bytes, labels: {model: v.name, version: v.version ?? ''}})),
      registry,
    )
    new ScrapedFamily(
      'models_memory_bytes',
      'Bytes of memory all model versions in memory hold together (including one being loaded or evicted), as memory_budget counts them',
      'gauge',
      () => {
        const s = snapshot()
        return s === undefined ? [] : [{value: s.used, labels: {}}]
      },
      registry,
    )
    new ScrapedFamily(
      'memory_budget_bytes',
      'memory_budget: the bytes model versions may hold in memory in one process (summed over processes with --processes)',
      'gauge',
      () => {
        const s = snapshot()
        return s === undefined ? [] : [{value: s.budget, labels: {}}]
      },
      registry,
    )
  }

  loaded(model: string, version: string | undefined, _bytes: number, seconds: number, reason: LoadReason): void {
    this.loads.labels({model, version: version ?? '', reason}).inc()
    this.loadDuration.labels({model, version: version ?? ''}).observe(seconds)
  }

  evicted(model: string, version: string | undefined, _bytes: number, ageSeconds: number): void {
    this.evictions.labels({model, version: version ?? ''}).inc()
    ;(this.evictionAge ??= this.evictionAgeFamily.labels({})).observe(ageSeconds)
  }

  residency(_model: string, _version: string | undefined, hit: boolean): void {
    if (hit) this.hits++
    else this.misses++
  }
}
