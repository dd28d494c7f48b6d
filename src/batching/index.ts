/** Adaptive batching as a registry hook: models with max_batch_size > 1 and max_batch_time > 0 get a batcher. */
import type {Logger} from '../logger.js'
import type {RuntimeWrapper} from '../repository/loaded-model.js'
import {AdaptiveBatcher} from './adaptive-batcher.js'

export interface BatchQueueObserver {
  batchQueue(model: string, version: string | undefined, waiting: number): void
}

/** Told of every model execution of a batching model (the statistics extension: execution_count, batch_stats). */
export interface ExecutionObserver {
  executed(model: string, version: string | undefined, rows: number, inputMs: number, inferMs: number, outputMs: number): void
}

export function adaptiveBatching(logger: Logger, observer?: BatchQueueObserver, executions?: ExecutionObserver): RuntimeWrapper {
  return (runtime, settings) => {
    if (settings.maxBatchSize <= 1 || settings.maxBatchTime <= 0) return runtime
    const model = {model: settings.name, version: settings.version}
    return new AdaptiveBatcher(runtime, {
      maxBatchSize: settings.maxBatchSize,
      maxBatchTimeMs: settings.maxBatchTime * 1000,
      onQueue: observer ? (waiting) => observer.batchQueue(settings.name, settings.version, waiting) : undefined,
      onExecution: executions ? (rows, inputMs, inferMs, outputMs) => executions.executed(settings.name, settings.version, rows, inputMs, inferMs, outputMs) : undefined,
      onBatch: logger.debugEnabled ? (requests, rows) => logger.debug(`batch of ${requests} request(s), ${rows} row(s)`, {event: 'batch', ...model, requests, rows}) : undefined,
    })
  }
}
