/**
 * Parallel inference as a registry hook: models whose effective `parallel_workers` (model-settings.json, else
 * settings.json) is above 0 are served by a pool of worker threads; the others run in-process as before.
 */
import type {Logger} from '../logger.js'
import {resolveRuntimeName} from '../runtimes/registry.js'
import type {RuntimeFactory} from '../runtimes/runtime.js'
import type {ModelSettings} from '../settings/model-settings.js'
import {WorkerPool, type WorkerPoolOptions} from './worker-pool.js'

export {WorkerPool} from './worker-pool.js'

/** Receives the parallel_request_queue metric: requests sent to a model's workers and not answered yet. */
export interface ParallelQueueObserver {
  parallelQueue(model: string, version: string | undefined, inFlight: number): void
}

export interface ParallelOptions {
  /** The server's parallel_workers: the default for models that do not set their own. */
  readonly workers: number
  readonly logger: Logger
  readonly observer?: ParallelQueueObserver
  /** Pool options for tests (worker entry, restart policy). */
  readonly pool?: Partial<Omit<WorkerPoolOptions, 'size' | 'logger' | 'onQueue'>>
}

/** How many worker threads serve this model: its own parallel_workers when set, else the server's. */
export function effectiveWorkers(settings: ModelSettings, serverWorkers: number): number {
  return settings.parallelWorkers ?? serverWorkers
}

/**
 * Wraps a runtime factory: a model with workers gets a WorkerPool (each thread creates the runtime itself with the
 * built-in registry, so the main thread holds no copy of the model), any other model gets `factory`'s runtime.
 * Adaptive batching still wraps the result, so batches are formed on the main thread and each runs on one worker.
 */
export function parallelInference(factory: RuntimeFactory, options: ParallelOptions): RuntimeFactory {
  return (settings) => {
    const size = effectiveWorkers(settings, options.workers)
    if (size <= 0) return factory(settings)
    // An unknown implementation fails here, with the in-process message, before any thread starts.
    resolveRuntimeName(settings)
    const {observer} = options
    return new WorkerPool(settings, {
      ...options.pool,
      size,
      logger: options.logger,
      onQueue: observer ? (inFlight) => observer.parallelQueue(settings.name, settings.version, inFlight) : undefined,
    })
  }
}
