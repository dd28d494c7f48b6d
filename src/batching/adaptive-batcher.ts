/**
 * Adaptive batching around a runtime: concurrent requests are joined along dimension 0 into one runtime call and the
 * outputs split back, each request getting its own rows. A batch closes when it holds max_batch_size rows or when
 * max_batch_time has passed since its first request. Only requests of the same form are joined (input names,
 * datatypes, trailing dimensions, requested outputs); a request with parameters, or larger than a batch, runs alone.
 * A failed batch fails its own requests only.
 */
import {MlsError} from '../errors.js'
import type {InferRequest, InferResult} from '../protocol/types.js'
import type {Runtime, RuntimeMetadata} from '../runtimes/runtime.js'
import {abortOf, markBatched} from '../util/abortable.js'
import {concatRows, rowsOf, sliceRows} from './concat.js'

export interface BatchingOptions {
  readonly maxBatchSize: number
  readonly maxBatchTimeMs: number
  /** Told how many requests wait, whenever that changes (the batch_request_queue metric). */
  readonly onQueue?: (waiting: number) => void
  /** Told of every batch run (debug log). */
  readonly onBatch?: (requests: number, rows: number) => void
  /**
   * Told of every model execution that succeeded (the statistics extension): its rows, and the milliseconds to join
   * the requests' inputs, to run the runtime and to split its outputs back (0 for a request that ran alone).
   */
  readonly onExecution?: (rows: number, inputMs: number, inferMs: number, outputMs: number) => void
}

interface Pending {
  readonly request: InferRequest
  readonly rows: number
  resolve(result: InferResult): void
  reject(error: unknown): void
}

interface Group {
  readonly items: Pending[]
  rows: number
  timer?: NodeJS.Timeout
}

/** Requests that may share a batch have the same key. */
function formKey(request: InferRequest): string {
  return JSON.stringify([request.inputs.map((t) => [t.name, t.datatype, t.shape.slice(1)]), request.outputs ?? null])
}

export class AdaptiveBatcher implements Runtime {
  private readonly groups = new Map<string, Group>()
  private waiting = 0

  constructor(
    private readonly runtime: Runtime,
    private readonly options: BatchingOptions,
  ) {}

  load(): Promise<void> {
    return this.runtime.load()
  }

  metadata(): RuntimeMetadata {
    return this.runtime.metadata()
  }

  unload(): Promise<void> {
    return this.runtime.unload()
  }

  predict(request: InferRequest): Promise<InferResult> {
    const rows = request.inputs.length > 0 ? rowsOf(request.inputs[0]) : 0
    const batchable =
      request.parameters === undefined &&
      request.inputs.length > 0 &&
      request.inputs.every((t) => t.shape.length > 0 && rowsOf(t) === rows && t.parameters === undefined) &&
      rows > 0 &&
      rows < this.options.maxBatchSize
    if (!batchable) return this.alone(request, rows)

    const abort = abortOf(request)
    if (abort?.aborted) return Promise.reject(abort.reason as Error)
    return new Promise<InferResult>((resolve, reject) => {
      const key = formKey(request)
      let group = this.groups.get(key)
      if (group === undefined) {
        group = {items: [], rows: 0}
        this.groups.set(key, group)
      }
      // A request that would overflow the open batch closes it first.
      if (group.rows + rows > this.options.maxBatchSize) {
        this.flush(key)
        group = {items: [], rows: 0}
        this.groups.set(key, group)
      }
      const pending: Pending = {request, rows, resolve, reject}
      group.items.push(pending)
      group.rows += rows
      this.setWaiting(this.waiting + 1)
      // Given up while waiting (client gone, timeout): it leaves the batch and is never run.
      abort?.on(() => this.withdraw(key, pending))
      if (group.rows >= this.options.maxBatchSize) this.flush(key)
      else group.timer ??= setTimeout(() => this.flush(key), this.options.maxBatchTimeMs)
    })
  }

  /** Takes a request out of its open batch, if it is still waiting there, and rejects it with its signal's reason. */
  private withdraw(key: string, pending: Pending): void {
    const group = this.groups.get(key)
    const at = group?.items.indexOf(pending) ?? -1
    if (group === undefined || at < 0) return
    group.items.splice(at, 1)
    group.rows -= pending.rows
    this.setWaiting(this.waiting - 1)
    if (group.items.length === 0) {
      clearTimeout(group.timer)
      this.groups.delete(key)
    }
    pending.reject(abortOf(pending.request)?.reason)
  }

  private setWaiting(n: number): void {
    this.waiting = n
    this.options.onQueue?.(n)
  }

  private flush(key: string): void {
    const group = this.groups.get(key)
    if (group === undefined || group.items.length === 0) return
    this.groups.delete(key)
    clearTimeout(group.timer)
    this.setWaiting(this.waiting - group.items.length)
    void this.run(group.items, group.rows)
  }

  /** One request run by itself: one execution of its own rows. */
  private alone(request: InferRequest, rows: number): Promise<InferResult> {
    const onExecution = this.options.onExecution
    if (onExecution === undefined) return this.runtime.predict(request)
    const started = performance.now()
    return this.runtime.predict(request).then((result) => {
      onExecution(rows, 0, performance.now() - started, 0)
      return result
    })
  }

  private async run(items: readonly Pending[], rows: number): Promise<void> {
    this.options.onBatch?.(items.length, rows)
    // The end of each request's wait in the batch (tracing's batch span).
    const joining = performance.now()
    for (const p of items) markBatched(p.request, joining)
    if (items.length === 1) {
      this.alone(items[0].request, rows).then(items[0].resolve, items[0].reject)
      return
    }
    const [first] = items
    const inputs = first.request.inputs.map((_, i) => concatRows(items.map((p) => p.request.inputs[i])))
    const running = performance.now()
    let result: InferResult
    let ran: number
    try {
      result = await this.runtime.predict({id: first.request.id, inputs, outputs: first.request.outputs})
      ran = performance.now()
      for (const output of result.outputs) {
        if (rowsOf(output) !== rows) throw new Error(`output "${output.name}" has ${rowsOf(output)} rows for a batch of ${rows}: it cannot be split back`)
      }
    } catch (error) {
      // Keep the failure's code (a dead worker is INTERNAL, a bad request INVALID_...): only the message says "batch".
      const message = `a batch of ${items.length} requests failed: ${(error as Error).message}`
      for (const p of items) p.reject(error instanceof MlsError ? new MlsError(error.code, message, {cause: error}) : new Error(message, {cause: error}))
      return
    }
    let start = 0
    const answers = items.map((p) => {
      const outputs = result.outputs.map((t) => sliceRows(t, start, p.rows))
      start += p.rows
      return outputs
    })
    this.options.onExecution?.(rows, running - joining, ran - running, performance.now() - ran)
    items.forEach((p, i) => p.resolve({outputs: answers[i]}))
  }
}
