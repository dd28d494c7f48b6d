/**
 * Per-version inference statistics in the shape of Triton's statistics extension: counts and cumulative durations of
 * what the data plane measures where a request finishes, kept as plain numbers on one object per version (a few
 * additions per request, nothing allocated once a version has counted its first request).
 *
 * What each phase holds (durations in the data plane, from the moment it takes a request to its answer; parsing the
 * body and encoding the answer belong to the transport and are in none of them):
 * - success / fail: the request's whole time in the data plane, by outcome.
 * - queue: the wait before the request reaches its runtime: the version's load on demand (memory_budget). The wait in
 *   an adaptive batch and for a parallel worker happens inside the runtime call and is counted in compute_infer.
 * - compute_input: decoding the request into the tensors the runtime reads (content types, datatype conversion).
 * - compute_infer: the runtime's predict, until it settles.
 * - compute_output: checking the answer (response size) and building it, before a transport encodes it.
 * - cache_hit / cache_miss: requests of a model with the response cache on (cache_enabled) answered from it or not, and
 *   the time spent on the cache (the key, the look-up, and for a miss storing the answer), as Triton's.
 * queue and the compute phases count successful requests only, as Triton's do.
 */

/** Triton's `$duration_stat`. */
export interface DurationStat {
  count: number
  ns: number
}

/** Triton's `$inference_stats`. */
export interface InferStats {
  success: DurationStat
  fail: DurationStat
  queue: DurationStat
  compute_input: DurationStat
  compute_infer: DurationStat
  compute_output: DurationStat
  cache_hit: DurationStat
  cache_miss: DurationStat
}

/** Triton's `$batch_stats`: the model executions of one batch size (adaptive batching). */
export interface BatchStats {
  batch_size: number
  compute_input: DurationStat
  compute_infer: DurationStat
  compute_output: DurationStat
}

/** Triton's `$model_stat` for one version (`version` absent for an unversioned model). */
export interface VersionStats {
  name: string
  version?: string
  /** Milliseconds since the epoch; 0 when the version never answered a request. */
  last_inference: number
  inference_count: number
  execution_count: number
  inference_stats: InferStats
  batch_stats: BatchStats[]
}

/** One phase: a count and the milliseconds it added up to (nanoseconds only when read: no rounding per request). */
class Phase {
  count = 0
  ms = 0

  add(ms: number): void {
    this.count++
    this.ms += ms
  }

  stat(): DurationStat {
    return {count: this.count, ns: Math.round(this.ms * 1e6)}
  }
}

class BatchPhases {
  readonly input = new Phase()
  readonly infer = new Phase()
  readonly output = new Phase()
}

/** The counters of one version. */
export class VersionCounters {
  lastInference = 0
  inferenceCount = 0
  executionCount = 0
  readonly success = new Phase()
  readonly fail = new Phase()
  readonly queue = new Phase()
  readonly computeInput = new Phase()
  readonly computeInfer = new Phase()
  readonly computeOutput = new Phase()
  readonly cacheHit = new Phase()
  readonly cacheMiss = new Phase()
  /** By batch size (rows), for models with adaptive batching. */
  readonly batches = new Map<number, BatchPhases>()

  /**
   * A request answered, given the performance.now() readings that bound its phases: taken, at the runtime's door,
   * decoded, answered by the runtime, ended. `inferences`: how many inferences it held (its rows with batching on, else
   * 1); `executed`: whether it was one model execution of its own (adaptive batching counts its executions itself).
   */
  succeeded(started: number, queued: number, decoded: number, answered: number, ended: number, inferences: number, executed: boolean): void {
    // From the clock already read: no Date.now() per request.
    this.lastInference = performance.timeOrigin + ended
    this.inferenceCount += inferences
    if (executed) this.executionCount++
    this.success.add(ended - started)
    this.queue.add(queued - started)
    this.computeInput.add(decoded - queued)
    this.computeInfer.add(answered - decoded)
    this.computeOutput.add(ended - answered)
  }

  /** A request of a model with the response cache on was answered from it (`hit`) or not; `ms` spent on the cache. */
  cacheLookup(hit: boolean, ms: number): void {
    ;(hit ? this.cacheHit : this.cacheMiss).add(ms)
  }

  /** A request failed (any error once the data plane had found its version), taken at `started` and ended at `ended`. */
  failed(started: number, ended: number): void {
    this.lastInference = performance.timeOrigin + ended
    this.fail.add(ended - started)
  }

  /** One model execution by adaptive batching: `rows` joined, the times to join them, run them and split the answer. */
  executed(rows: number, inputMs: number, inferMs: number, outputMs: number): void {
    this.executionCount++
    let phases = this.batches.get(rows)
    if (phases === undefined) this.batches.set(rows, (phases = new BatchPhases()))
    phases.input.add(inputMs)
    phases.infer.add(inferMs)
    phases.output.add(outputMs)
  }

  snapshot(name: string, version: string | undefined): VersionStats {
    const batch_stats = [...this.batches]
      .sort(([a], [b]) => a - b)
      .map(([batch_size, p]) => ({batch_size, compute_input: p.input.stat(), compute_infer: p.infer.stat(), compute_output: p.output.stat()}))
    return {
      name,
      ...(version === undefined ? {} : {version}),
      last_inference: Math.round(this.lastInference),
      inference_count: this.inferenceCount,
      execution_count: this.executionCount,
      inference_stats: {
        success: this.success.stat(),
        fail: this.fail.stat(),
        queue: this.queue.stat(),
        compute_input: this.computeInput.stat(),
        compute_infer: this.computeInfer.stat(),
        compute_output: this.computeOutput.stat(),
        cache_hit: this.cacheHit.stat(),
        cache_miss: this.cacheMiss.stat(),
      },
      batch_stats,
    }
  }
}

/** Every version's counters in this process, by name and version (kept across unload, reload and eviction). */
export class InferenceStatistics {
  private readonly byName = new Map<string, Map<string, VersionCounters>>()

  /** The counters of name/version, made on first use; two map look-ups after that. */
  of(name: string, version: string | undefined): VersionCounters {
    let versions = this.byName.get(name)
    if (versions === undefined) this.byName.set(name, (versions = new Map()))
    const key = version ?? ''
    let counters = versions.get(key)
    if (counters === undefined) versions.set(key, (counters = new VersionCounters()))
    return counters
  }

  /** One model execution of adaptive batching (batching/index.ts's ExecutionObserver). */
  executed(name: string, version: string | undefined, rows: number, inputMs: number, inferMs: number, outputMs: number): void {
    this.of(name, version).executed(rows, inputMs, inferMs, outputMs)
  }

  /** Every version that has counted something, in Triton's shape. */
  snapshot(): VersionStats[] {
    const all: VersionStats[] = []
    for (const [name, versions] of this.byName) {
      for (const [key, counters] of versions) all.push(counters.snapshot(name, key === '' ? undefined : key))
    }
    return all
  }
}

/** A version that has counted nothing yet. */
export function emptyStats(name: string, version: string | undefined): VersionStats {
  return new VersionCounters().snapshot(name, version)
}

const addDuration = (a: DurationStat, b: DurationStat): DurationStat => ({count: a.count + b.count, ns: a.ns + b.ns})

/** Sums the statistics of several processes per version: counts and durations add up, last_inference is the latest. */
export function mergeStats(parts: ReadonlyArray<readonly VersionStats[]>): VersionStats[] {
  const merged = new Map<string, VersionStats>()
  for (const part of parts) {
    for (const stats of part) {
      const key = `${stats.name}\0${stats.version ?? ''}`
      const into = merged.get(key)
      if (into === undefined) {
        merged.set(key, structuredClone(stats))
        continue
      }
      into.last_inference = Math.max(into.last_inference, stats.last_inference)
      into.inference_count += stats.inference_count
      into.execution_count += stats.execution_count
      for (const phase of Object.keys(into.inference_stats) as Array<keyof InferStats>) {
        into.inference_stats[phase] = addDuration(into.inference_stats[phase], stats.inference_stats[phase])
      }
      for (const batch of stats.batch_stats) {
        const same = into.batch_stats.find((b) => b.batch_size === batch.batch_size)
        if (same === undefined) into.batch_stats.push(structuredClone(batch))
        else {
          same.compute_input = addDuration(same.compute_input, batch.compute_input)
          same.compute_infer = addDuration(same.compute_infer, batch.compute_infer)
          same.compute_output = addDuration(same.compute_output, batch.compute_output)
        }
      }
      into.batch_stats.sort((a, b) => a.batch_size - b.batch_size)
    }
  }
  return [...merged.values()]
}
