/**
 * Rates between two scrapes: requests per second, error rate and latency quantiles per model version and in total.
 * Counters are cumulative, so everything here is a difference over the time between the scrapes; a series that the
 * older scrape lacks counts from 0 (prom-client shows a model's series from its first request on), and a counter that
 * went down (the server restarted) counts from 0 again.
 */
import type {Bucket, ModelCounters, ScrapeCounters} from '../sources/scrape-counters.js'
import {bucketDelta, histogramQuantile, mergeBuckets} from './histogram-quantile.js'

/** What happened between two scrapes. Undefined: the server does not say (missing family, or no requests). */
export interface Rates {
  /** Inferences answered or failed per second. */
  readonly rps?: number
  /** Failed / all inferences, 0..1; undefined without requests. */
  readonly errorRate?: number
  /** Latency quantiles in seconds over the window; undefined without requests. */
  readonly p50?: number
  readonly p99?: number
  /** Failed inferences in the window. */
  readonly failures?: number
}

/** Rates per model key, and for all models together. */
export interface WindowRates {
  readonly seconds: number
  readonly models: ReadonlyMap<string, Rates>
  readonly total: Rates
  /** The rates of a model without series (no requests yet): 0 requests/s where the server exposes the families. */
  readonly none: Rates
}

const increase = (older: number | undefined, newer: number | undefined): number | undefined => {
  if (newer === undefined) return undefined
  const before = older ?? 0
  return newer >= before ? newer - before : newer
}

interface Deltas {
  readonly success?: number
  readonly failure?: number
  readonly buckets?: Bucket[]
}

function deltas(older: ModelCounters | undefined, newer: ModelCounters | undefined, has: ScrapeCounters['has']): Deltas {
  return {
    success: increase(older?.success, newer?.success ?? (has.success ? 0 : undefined)),
    failure: increase(older?.failure, newer?.failure ?? (has.failure ? 0 : undefined)),
    buckets: newer?.buckets === undefined ? undefined : bucketDelta(older?.buckets, newer.buckets),
  }
}

function ratesOf(d: Deltas, seconds: number, has: ScrapeCounters['has']): Rates {
  const known = d.success !== undefined || d.failure !== undefined
  const requests = (d.success ?? 0) + (d.failure ?? 0)
  return {
    rps: known ? requests / seconds : undefined,
    errorRate: d.failure !== undefined && requests > 0 ? d.failure / requests : undefined,
    p50: d.buckets === undefined ? undefined : histogramQuantile(0.5, d.buckets),
    p99: d.buckets === undefined ? undefined : histogramQuantile(0.99, d.buckets),
    failures: d.failure ?? (has.failure ? 0 : undefined),
  }
}

/** Rates from `older` to `newer`; undefined when no time passed between them. */
export function windowRates(older: ScrapeCounters, newer: ScrapeCounters): WindowRates | undefined {
  const seconds = (newer.time - older.time) / 1000
  if (!(seconds > 0)) return undefined
  const models = new Map<string, Rates>()
  const all: Deltas[] = []
  for (const key of new Set([...newer.models.keys(), ...older.models.keys()])) {
    const d = deltas(older.models.get(key), newer.models.get(key), newer.has)
    all.push(d)
    models.set(key, ratesOf(d, seconds, newer.has))
  }
  const sum = (pick: (d: Deltas) => number | undefined, has: boolean) =>
    has || all.some((d) => pick(d) !== undefined) ? all.reduce((total, d) => total + (pick(d) ?? 0), 0) : undefined
  const lists = all.flatMap((d) => (d.buckets === undefined ? [] : [d.buckets]))
  const total: Deltas = {
    success: sum((d) => d.success, newer.has.success),
    failure: sum((d) => d.failure, newer.has.failure),
    buckets: lists.length > 0 ? mergeBuckets(lists) : undefined,
  }
  return {seconds, models, total: ratesOf(total, seconds, newer.has), none: ratesOf(deltas(undefined, undefined, newer.has), seconds, newer.has)}
}

/** Memory-aware serving over a window: per second, and the share of requests that found their version in memory. */
export interface MemoryRates {
  readonly hitsPerSecond: number
  readonly missesPerSecond: number
  readonly loadsPerSecond: number
  readonly evictionsPerSecond: number
  /** hits / (hits + misses), 0..1; undefined without requests. */
  readonly hitRatio?: number
}

/** The memory rates from `older` to `newer`; undefined when `newer` has no budget or no time passed. */
export function memoryRates(older: ScrapeCounters, newer: ScrapeCounters): MemoryRates | undefined {
  const seconds = (newer.time - older.time) / 1000
  const after = newer.memory
  if (after === undefined || !(seconds > 0)) return undefined
  const before = older.memory
  const hits = increase(before?.hits, after.hits)!
  const misses = increase(before?.misses, after.misses)!
  return {
    hitsPerSecond: hits / seconds,
    missesPerSecond: misses / seconds,
    loadsPerSecond: increase(before?.loads, after.loads)! / seconds,
    evictionsPerSecond: increase(before?.evictions, after.evictions)! / seconds,
    hitRatio: hits + misses > 0 ? hits / (hits + misses) : undefined,
  }
}
