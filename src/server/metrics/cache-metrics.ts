/**
 * The response cache's metrics (with cache_enabled), read from the cache when scraped:
 *
 * - `response_cache_requests_total{result}`: look-ups of the models that opted in, answered from the cache (hit) or
 *   not (miss); requests of other models are not counted. Both series exist at 0 from the start.
 * - `response_cache_entries`, `response_cache_bytes`: answers held, and their bytes as cache_max_bytes counts them.
 *
 * With `--processes N` each process has its own cache; the primary sums every family over the processes.
 */
import {Counter, Gauge, type Registry} from 'prom-client'
import type {ResponseCache} from '../../dataplane/response-cache.js'

export function registerCacheMetrics(registry: Registry, cache: ResponseCache): void {
  const registers = [registry]
  const counted = {hit: 0, miss: 0}
  new Counter({
    name: 'response_cache_requests_total',
    help: 'Inference requests of models with the response cache on, answered from it (result="hit") or not (result="miss")',
    labelNames: ['result'],
    registers,
    collect() {
      // Plain numbers on the request path; the counter catches up when scraped.
      this.labels({result: 'hit'}).inc(cache.hits - counted.hit)
      this.labels({result: 'miss'}).inc(cache.misses - counted.miss)
      counted.hit = cache.hits
      counted.miss = cache.misses
    },
  })
  new Gauge({
    name: 'response_cache_entries',
    help: 'Answers the response cache holds (cache_size bounds them)',
    registers,
    collect() {
      this.set(cache.entries)
    },
  })
  new Gauge({
    name: 'response_cache_bytes',
    help: 'Bytes the response cache holds: output tensors plus a fixed overhead per answer (cache_max_bytes bounds them)',
    registers,
    collect() {
      this.set(cache.bytes)
    },
  })
}
