/**
 * The dashboard as data: each snapshot of the server advances it (pure: same input, same output), and components
 * only render it. It keeps the recent scrapes to compute rates over a window, a history of total requests/s for the
 * sparkline (and each version's, for the detail view), the failures by error code, and the events derived from what changed. Whatever the server does not answer degrades to "unknown".
 */
import {parseMetricsText} from '../../client/metrics-text.js'
import {readIndexMemoryFields} from '../../memory/index-fields.js'
import type {SizeSource} from '../../memory/measured-gain.js'
import type {ServerMetadata} from '../../protocol/types.js'
import type {ServerSnapshot} from '../sources/monitor-source.js'
import {isCounterSample, modelKey, scrapeCounters, type ScrapeCounters} from '../sources/scrape-counters.js'
import {appendEvents, type DashboardEvent} from './dashboard-event.js'
import {codeCounts, counterIncrease, sumCounts, type CodeCount, type UnknownModels} from './error-codes.js'
import {advanceHistories, type ModelHistories} from './model-history.js'
import {memoryRates, windowRates, type MemoryRates, type Rates, type WindowRates} from './rates.js'
import {viewEvents} from './view-events.js'

/** One row of the model table. */
export interface ModelRow {
  readonly key: string
  readonly name: string
  readonly version?: string
  readonly state: string
  readonly reason: string
  /** Undefined until two scrapes exist, or while metrics are unavailable. */
  readonly rates?: Rates
  /** Requests waiting for a batch or a worker (latest scrape); undefined where the server has no queue gauges. */
  readonly queue?: number
  /** Its memory, from the repository index of a server with a memory_budget; undefined without. */
  readonly memory?: RowMemory
  /** Its failed inferences by error code; undefined where the server does not count them (or metrics are unavailable). */
  readonly errors?: readonly CodeCount[]
}

/** A version's memory as the index tells it (memory/index-fields.ts). */
export interface RowMemory {
  readonly bytes: number
  readonly source: SizeSource
  readonly pinned: boolean
  /** Epoch ms of its last use, if used since the server started. */
  readonly lastUsed?: number
}

/** The memory budget (from the metrics of a server with a memory_budget). */
export interface MemoryView {
  readonly budget: number
  /** Bytes in memory; undefined where the server does not say. */
  readonly used?: number
  /** Over the window; undefined until two scrapes exist. */
  readonly rates?: MemoryRates
}

/** Everything the dashboard shows. */
export interface DashboardView {
  readonly url: string
  readonly metricsUrl: string
  /** False until the first poll has answered. */
  readonly polled: boolean
  /** Some endpoint of the REST server answered in the last poll. */
  readonly reachable: boolean
  /** Why the server could not be reached. */
  readonly error?: string
  readonly server?: ServerMetadata
  readonly ready?: boolean
  /** Why the repository index is not available (the model list then comes from metrics, or is the last one known). */
  readonly indexError?: string
  /** Why metrics are not available (rates and latencies are then unknown). */
  readonly metricsError?: string
  readonly models: readonly ModelRow[]
  /** All models together, plus the REST inferences in flight and the requests queued. */
  readonly total?: Rates & {readonly inFlight?: number; readonly queue?: number}
  /** The span the rates cover, in seconds. */
  readonly windowSeconds?: number
  /**
   * Total requests/s between consecutive scrapes, oldest first, always HISTORY_CAPACITY long: it starts as zeros (a flat
   * chart), so that on an idle server one more zero leaves the view as it was and nothing renders.
   */
  readonly history: readonly number[]
  /** Each version's requests/s and p99 per poll (for the detail view), by model key. */
  readonly modelHistory: ModelHistories
  /** Failed inferences of all models by error code; undefined where the server does not count them. */
  readonly errors?: readonly CodeCount[]
  /** Requests to models the server does not have; undefined where the server does not count them. */
  readonly unknownModels?: UnknownModels
  readonly events: readonly DashboardEvent[]
  /** The memory budget, used bytes and residency rates; undefined when the server has no budget (nothing is shown). */
  readonly memory?: MemoryView
}

/** The view and what advancing it needs to remember. */
export interface DashboardMemory {
  readonly view: DashboardView
  /** Recent scrapes, oldest first: the first is the base of the window. */
  readonly scrapes: readonly ScrapeCounters[]
  readonly windowMs: number
}

/** How many points of requests/s history are kept (more than a terminal is wide). */
export const HISTORY_CAPACITY = 240

/** The default span of rates and latencies: 5 polls, and never less than 5 s. */
export const defaultWindowMs = (intervalMs: number) => Math.max(5000, 5 * intervalMs)

/** The memory before the first poll. */
export function initialMemory(target: {url: string; metricsUrl: string}, windowMs: number): DashboardMemory {
  const history = new Array<number>(HISTORY_CAPACITY).fill(0)
  return {view: {url: target.url, metricsUrl: target.metricsUrl, polled: false, reachable: false, models: [], history, modelHistory: {}, events: []}, scrapes: [], windowMs}
}

/**
 * Drops the scrapes that fell out of the window (always keeping two): the oldest one left is the base of the rates.
 * Polls drift by the milliseconds each takes, so the window stretches by a tenth, or "5 polls" would often be 4.
 */
function keepWindow(scrapes: readonly ScrapeCounters[], windowMs: number): ScrapeCounters[] {
  const kept = [...scrapes]
  const oldest = kept[kept.length - 1].time - windowMs * 1.1
  while (kept.length > 2 && kept[0].time < oldest) kept.shift()
  return kept
}

/** The span shown: whole seconds from 2 s on, tenths below (finer would change, and render, at every poll). */
const roundSpan = (seconds: number) => (seconds >= 2 ? Math.round(seconds) : Math.round(seconds * 10) / 10)

function rowsFrom(snapshot: ServerSnapshot, latest: ScrapeCounters | undefined, previous: readonly ModelRow[]): ModelRow[] {
  if (snapshot.index.ok) {
    return snapshot.index.value.map((m) => {
      const row: ModelRow = {key: modelKey(m.name, m.version), name: m.name, version: m.version, state: m.state, reason: m.reason}
      const memory = readIndexMemoryFields(m)
      if (memory === undefined) return row
      const lastUsed = memory.last_used === undefined ? undefined : Date.parse(memory.last_used)
      return {...row, memory: {bytes: memory.memory_bytes, source: memory.memory_source, pinned: memory.pinned === true, ...(lastUsed === undefined ? {} : {lastUsed})}}
    })
  }
  // No index (a server without the repository extension, or a failed poll): the model_state gauge, else the last rows.
  const fromMetrics = [...(latest?.models ?? [])].filter(([, counters]) => counters.state !== undefined)
  if (fromMetrics.length > 0) {
    return fromMetrics
      .map(([key, counters]) => {
        const [name, version] = key.split('\u0000')
        return {key, name, version: version || undefined, state: counters.state!, reason: ''}
      })
      .sort((a, b) => a.key.localeCompare(b.key))
  }
  // Kept as they were, without the numbers of a scrape that did not happen.
  return previous.map(({rates, queue, errors, ...row}) => row)
}

/** A row with the rates of the window and the queue of the latest scrape (a model without series: 0 where known). */
function withMetrics(row: ModelRow, window: WindowRates | undefined, scrape: ScrapeCounters | undefined): ModelRow {
  if (scrape === undefined) return row
  const queue = scrape.models.get(row.key)?.queue ?? (scrape.has.queue ? 0 : undefined)
  return {...row, rates: window ? (window.models.get(row.key) ?? window.none) : undefined, queue}
}

function totalQueue(scrape: ScrapeCounters): number | undefined {
  if (!scrape.has.queue) return undefined
  return [...scrape.models.values()].reduce((sum, counters) => sum + (counters.queue ?? 0), 0)
}

/**
 * The memory budget of the latest scrape with its rates over the window. Without a scrape (metrics unavailable) the
 * budget known stays (it does not change while a server runs; the line keeps its place) and the rest is unknown.
 */
function memoryView(scrape: ScrapeCounters | undefined, scrapes: readonly ScrapeCounters[], previous: MemoryView | undefined): {memory?: MemoryView} {
  if (scrape === undefined) return previous === undefined ? {} : {memory: {budget: previous.budget}}
  if (scrape.memory === undefined) return {}
  const rates = scrapes.length > 1 ? memoryRates(scrapes[0], scrape) : undefined
  return {memory: {budget: scrape.memory.budget, used: scrape.memory.used, ...(rates === undefined ? {} : {rates})}}
}

const NO_COUNTS: ReadonlyMap<string, number> = new Map()

/**
 * The error codes of each row and of all models, and the unknown-model requests, from the latest scrape (`scrapes` is
 * the window, its last one the latest; `last` the scrape before it). Unknown (undefined) where the server does not count them.
 */
function withErrors(rows: ModelRow[], scrapes: readonly ScrapeCounters[], last: ScrapeCounters | undefined, before: DashboardView, at: number): Pick<DashboardView, 'models' | 'errors' | 'unknownModels'> {
  const scrape = scrapes[scrapes.length - 1]
  const base = scrapes.length > 1 ? scrapes[0] : undefined
  const unknownModels = scrape.unknownModels === undefined ? undefined : {total: scrape.unknownModels, recent: base === undefined ? 0 : counterIncrease(base.unknownModels, scrape.unknownModels)}
  if (!scrape.has.errors) return {models: rows, unknownModels}
  const of = (counters: ScrapeCounters | undefined, key: string) => (counters === undefined ? undefined : (counters.models.get(key)?.errors ?? NO_COUNTS))
  const previous = new Map(before.models.map((row) => [row.key, row.errors]))
  const models = rows.map((row) => ({...row, errors: codeCounts(of(scrape, row.key)!, of(base, row.key), of(last, row.key), previous.get(row.key), at)}))
  const all = (counters: ScrapeCounters | undefined) => (counters === undefined ? undefined : sumCounts([...counters.models.values()].map((m) => m.errors)))
  return {models, errors: codeCounts(all(scrape)!, all(base), all(last), before.errors, at), unknownModels}
}

/** The memory after `snapshot`; `at` is the wall-clock time for the events it raises. */
export function advance(memory: DashboardMemory, snapshot: ServerSnapshot, at: number): DashboardMemory {
  const before = memory.view
  const reachable = snapshot.ready.ok || snapshot.index.ok || snapshot.metadata?.ok === true
  let scrapes = memory.scrapes
  let scrape: ScrapeCounters | undefined
  if (snapshot.metrics.ok) {
    scrape = scrapeCounters(parseMetricsText(snapshot.metrics.value, isCounterSample), snapshot.time)
    scrapes = keepWindow([...scrapes, scrape], memory.windowMs)
  }
  const lastScrape = memory.scrapes[memory.scrapes.length - 1]
  const window = scrape && scrapes.length > 1 ? windowRates(scrapes[0], scrape) : undefined
  const step = scrape && lastScrape ? windowRates(lastScrape, scrape) : undefined
  const rows = rowsFrom(snapshot, scrape ?? lastScrape, before.models).map((row) => withMetrics(row, window, scrape))
  const history = step?.total.rps === undefined ? before.history : [...before.history, step.total.rps].slice(-HISTORY_CAPACITY)
  const modelHistory = advanceHistories(before.modelHistory, rows.map((row) => row.key), step, HISTORY_CAPACITY)
  const errors = scrape === undefined ? {models: rows} : withErrors(rows, scrapes, lastScrape, before, at)
  const view: DashboardView = {
    url: before.url,
    metricsUrl: before.metricsUrl,
    polled: true,
    reachable,
    error: snapshot.ready.ok || reachable ? undefined : snapshot.ready.error,
    server: snapshot.metadata?.ok ? snapshot.metadata.value : reachable ? before.server : undefined,
    ready: snapshot.ready.ok ? snapshot.ready.value : undefined,
    indexError: snapshot.index.ok ? undefined : snapshot.index.error,
    metricsError: snapshot.metrics.ok ? undefined : snapshot.metrics.error,
    ...errors,
    total: scrape ? {...window?.total, inFlight: scrape.inFlight, queue: totalQueue(scrape)} : undefined,
    windowSeconds: window ? roundSpan(window.seconds) : undefined,
    history,
    modelHistory,
    events: before.events,
    ...memoryView(scrape, scrapes, before.memory),
  }
  const events = appendEvents(before.events, viewEvents(before, view, lastScrape, scrape, at))
  return {...memory, scrapes, view: {...view, events}}
}

/** The memory with one more event (what the user did, and how it went). */
export function withEvent(memory: DashboardMemory, event: DashboardEvent): DashboardMemory {
  return {...memory, view: {...memory.view, events: appendEvents(memory.view.events, [event])}}
}

/** True when two views would render the same (so the dashboard need not render again). */
export function sameView(a: DashboardView, b: DashboardView): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b)
}
