/** Quantiles from cumulative histogram buckets, as Prometheus's `histogram_quantile` computes them. */
import type {Bucket} from '../sources/scrape-counters.js'

/**
 * The q-quantile (0..1) of the observations counted in `buckets` (cumulative, sorted by `le`, the last `+Inf`):
 * linear interpolation inside the bucket that holds the rank; the first bucket starts at 0; a rank in the `+Inf` bucket
 * answers the highest finite bound. Undefined when nothing was observed or there is no `+Inf` bucket.
 */
export function histogramQuantile(q: number, buckets: readonly Bucket[]): number | undefined {
  if (buckets.length === 0 || buckets[buckets.length - 1].le !== Number.POSITIVE_INFINITY) return undefined
  const total = buckets[buckets.length - 1].count
  if (!(total > 0)) return undefined
  const rank = Math.min(Math.max(q, 0), 1) * total
  let i = buckets.findIndex((bucket) => bucket.count >= rank)
  // q = 0 finds the first bucket even when it is empty; start at the first one that counted something.
  while (i < buckets.length - 1 && buckets[i].count === 0) i++
  const upper = buckets[i].le
  if (upper === Number.POSITIVE_INFINITY) return buckets.length > 1 ? buckets[buckets.length - 2].le : undefined
  const lower = i === 0 ? 0 : buckets[i - 1].le
  const below = i === 0 ? 0 : buckets[i - 1].count
  const inside = buckets[i].count - below
  if (inside <= 0) return upper
  return lower + ((upper - lower) * (rank - below)) / inside
}

/** Bucket counts of `newer` minus `older` (matched by bound); a counter reset (a smaller count) starts over from `newer`. */
export function bucketDelta(older: readonly Bucket[] | undefined, newer: readonly Bucket[]): Bucket[] {
  const before = new Map((older ?? []).map((bucket) => [bucket.le, bucket.count]))
  const delta = newer.map((bucket) => ({le: bucket.le, count: bucket.count - (before.get(bucket.le) ?? 0)}))
  return delta.some((bucket) => bucket.count < 0) ? [...newer] : delta
}

/** The sum of several bucket lists, by bound (for a total over models). */
export function mergeBuckets(lists: ReadonlyArray<readonly Bucket[]>): Bucket[] {
  const sums = new Map<number, number>()
  for (const list of lists) for (const bucket of list) sums.set(bucket.le, (sums.get(bucket.le) ?? 0) + bucket.count)
  return [...sums].map(([le, count]) => ({le, count})).sort((a, b) => a.le - b.le)
}
