/**
 * One worker thread of a pool, seen from the main thread: its load, its requests in flight, and its end. When the
 * thread ends, every request in flight on it is rejected at once (never left hanging) and the pool is told.
 *
 * A thread can hang: a runtime may compute forever (`while (true) {}` holds the thread, so it never even reads the
 * messages sent to it) or await something that never comes. JavaScript cannot stop either, but a thread can be
 * terminated. So a request given up (client gone, infer_timeout) that its thread still runs `hungAfterMs` later ends
 * the thread (its pool replaces it), and an unload terminates a thread still running requests (stop()).
 */
import {Worker} from 'node:worker_threads'
import {MlsError} from '../errors.js'
import type {InferRequest, InferResult} from '../protocol/types.js'
import type {RuntimeMetadata} from '../runtimes/runtime.js'
import type {ModelSettings} from '../settings/model-settings.js'
import {deserializeError, type FromWorker, type ToWorker, type WorkerData} from './messages.js'
import {abortOf} from '../util/abortable.js'
import {within} from '../util/within.js'
import {forTransfer} from './transfer.js'

export interface PoolWorkerOptions {
  /** The worker's entry module (a built .js file). */
  readonly entry: URL
  readonly settings: ModelSettings
  /** Names this worker in messages, e.g. `worker 2 of model "m" version "v1"`. */
  readonly label: string
  /** The thread's name, shown by debuggers (`[worker 7] mls m:v1 #2`). */
  readonly threadName: string
  /** How long an unload may take before the thread is terminated anyway. */
  readonly stopTimeoutMs: number
  /** Told once when the thread ends without being stopped: why, and how many requests in flight failed. */
  readonly onDeath: (reason: string, failed: number) => void
  /**
   * A request given up that the thread has not finished this long after is taken as a hung runtime: the thread is
   * terminated (told to onDeath, so the pool replaces it). Undefined: never.
   */
  readonly hungAfter?: {readonly ms: number; readonly label: string}
}

interface Pending {
  resolve(result: InferResult): void
  reject(error: unknown): void
  /** The thread began running it (a request still queued behind a busy one is skipped when given up, never hung). */
  started?: boolean
  /** It was given up (client gone, infer_timeout). */
  givenUp?: boolean
  /** Set once the request was given up and started: the hung-runtime watch. */
  watch?: NodeJS.Timeout
}

/** Why the thread was terminated on purpose, and what its requests in flight are answered. */
interface CutOff {
  readonly reason: string
  readonly error: MlsError
}

type State = 'loading' | 'ready' | 'stopping' | 'ended'

/** One thread: created loading the model (see `ready`), then serving predict() until stop() or its death. */
export class PoolWorker {
  /** Resolves with the runtime's metadata once the model is loaded in the thread; rejects with the load error. */
  readonly ready: Promise<RuntimeMetadata>
  /** Resolves when the thread has ended, however it ended. */
  readonly ended: Promise<void>
  /** performance.now() when the model became ready. */
  readyAt = 0
  private readonly thread: Worker
  private readonly pending = new Map<number, Pending>()
  private nextId = 0
  private state: State = 'loading'
  private crash?: string
  private settle!: {resolve(metadata: RuntimeMetadata): void; reject(error: Error): void}
  private unloaded?: (problem?: string) => void
  private cutOff?: CutOff

  constructor(private readonly options: PoolWorkerOptions) {
    this.ready = new Promise((resolve, reject) => (this.settle = {resolve, reject}))
    this.ready.catch(() => undefined) // the pool awaits it; a failed load must not also be an unhandled rejection
    const workerData: WorkerData = {settings: options.settings}
    this.thread = new Worker(options.entry, {workerData, name: options.threadName})
    // A worker never keeps the process alive by itself: shutdown must not hang on a stuck thread.
    this.thread.unref()
    this.thread.on('message', (message: FromWorker) => this.receive(message))
    this.thread.on('error', (error) => {
      this.crash ??= `it threw ${error.name}: ${error.message}`
    })
    this.thread.on('messageerror', (error) => {
      this.crash ??= `a message could not be read: ${error.message}`
      void this.thread.terminate()
    })
    this.ended = new Promise((resolve) => {
      this.thread.once('exit', (code) => {
        this.exited(code)
        resolve()
      })
    })
  }

  get live(): boolean {
    return this.state === 'ready'
  }

  /** Requests sent to this thread and not answered yet. */
  get inFlight(): number {
    return this.pending.size
  }

  /** Sends a request; its input buffers are moved to the thread (see transfer.ts). */
  predict(request: InferRequest): Promise<InferResult> {
    if (this.state !== 'ready') return Promise.reject(new MlsError('MODEL_NOT_READY', `${this.options.label} is not serving`))
    const id = ++this.nextId
    // The signal stays on this side (it cannot be cloned); giving up is sent as a message.
    const {tensors, transfer} = forTransfer(request.inputs)
    const message: ToWorker = {type: 'infer', id, request: {id: request.id, parameters: request.parameters, inputs: tensors, outputs: request.outputs}}
    return new Promise<InferResult>((resolve, reject) => {
      this.pending.set(id, {resolve, reject})
      try {
        this.thread.postMessage(message, transfer)
      } catch (error) {
        this.pending.delete(id)
        reject(error)
        return
      }
      abortOf(request)?.on(() => this.cancel(id))
    })
  }

  /**
   * Tells the thread a request was given up; it answers (skipped, or as its runtime ends), which frees the request's
   * place. If it has not answered `hungAfter` after it was both given up and started, its runtime is hung: the thread is
   * terminated. A request given up while it waits behind a busy one is not timed: the thread skips it when it gets there,
   * and the busy request, still wanted, is not cut off.
   */
  private cancel(id: number): void {
    const pending = this.pending.get(id)
    if (pending === undefined || this.state !== 'ready' || pending.givenUp === true) return
    pending.givenUp = true
    this.thread.postMessage({type: 'cancel', id} satisfies ToWorker)
    if (pending.started === true) this.watch(id, pending)
  }

  /** Starts the hung-runtime watch on a request given up and started (once). */
  private watch(id: number, pending: Pending): void {
    const hung = this.options.hungAfter
    if (hung === undefined || pending.watch !== undefined) return
    pending.watch = setTimeout(() => {
      if (!this.pending.has(id) || this.state !== 'ready') return
      const reason = `it was terminated: a request given up on it was still running ${hung.label} later (a hung runtime)`
      this.terminate({reason, error: new MlsError('MODEL_NOT_READY', `${this.options.label} was terminated while this request waited on it (a request given up on it did not return within ${hung.label}); it is being replaced, retry shortly`)})
    }, hung.ms)
    pending.watch.unref()
  }

  /** Ends the thread at once, whatever it runs: its requests in flight are rejected with `cutOff.error`. */
  private terminate(cutOff: CutOff): Promise<void> {
    this.cutOff ??= cutOff
    void this.thread.terminate()
    return this.ended
  }

  /**
   * Unloads the runtime in the thread (waiting at most stopTimeoutMs) and ends the thread; resolves with a problem to
   * report, if any. A thread still running requests is terminated at once instead, its requests rejected with
   * `abandon`: the pool waited for them as long as it would (a runtime that does not return holds its thread forever,
   * and one that computes forever would not even read the unload message).
   */
  async stop(abandon?: MlsError): Promise<string | undefined> {
    if (this.state === 'ended') return undefined
    const wasReady = this.state === 'ready'
    this.state = 'stopping'
    if (wasReady && abandon !== undefined && this.pending.size > 0) {
      const running = this.pending.size
      await this.terminate({reason: 'it was terminated at unload', error: abandon})
      return `it was still running ${running} request(s) and was terminated (its runtime was not unloaded)`
    }
    let problem: string | undefined
    if (wasReady) {
      // The thread's own report of its unload (a problem, or none); a thread that ends first has none to give.
      const unloaded = new Promise<string | undefined>((resolve) => (this.unloaded = resolve))
      let report: string | undefined
      const answered = Promise.race([unloaded, this.ended.then(() => undefined)]).then((value) => (report = value))
      this.thread.postMessage({type: 'unload'} satisfies ToWorker)
      problem = (await within(answered, this.options.stopTimeoutMs)) ? report : `it did not unload within ${this.options.stopTimeoutMs} ms and was terminated`
    }
    await this.thread.terminate()
    await this.ended
    return problem
  }

  private receive(message: FromWorker): void {
    switch (message.type) {
      case 'ready':
        this.state = 'ready'
        this.readyAt = performance.now()
        this.settle.resolve(message.metadata)
        return
      case 'load-failed':
        this.state = 'ended'
        this.settle.reject(deserializeError(message.error))
        void this.thread.terminate()
        return
      case 'started': {
        const pending = this.pending.get(message.id)
        if (pending === undefined) return
        pending.started = true
        if (pending.givenUp === true) this.watch(message.id, pending)
        return
      }
      case 'result':
      case 'failed': {
        const pending = this.pending.get(message.id)
        if (pending === undefined) return
        this.pending.delete(message.id)
        clearTimeout(pending.watch)
        if (message.type === 'result') pending.resolve(message.result)
        else pending.reject(deserializeError(message.error))
        return
      }
      case 'unloaded':
        this.unloaded?.(message.error === undefined ? undefined : `its runtime failed to unload: ${message.error.message}`)
    }
  }

  private exited(code: number): void {
    const previous = this.state
    this.state = 'ended'
    const reason = this.cutOff?.reason ?? this.crash ?? `it exited with code ${code}`
    // No-op once settled; otherwise the load ends here (a crash while loading, or a stop before the model was ready).
    this.settle.reject(new Error(`${this.options.label} ${previous === 'stopping' ? 'was stopped' : 'ended'} while loading the model: ${reason}`))
    const failed = this.pending.size
    const message =
      previous === 'stopping'
        ? `${this.options.label} was stopped while running this request`
        : `${this.options.label} died while running this request (${reason}); it is being replaced`
    for (const pending of this.pending.values()) {
      clearTimeout(pending.watch)
      pending.reject(this.cutOff?.error ?? new MlsError('INTERNAL', message))
    }
    this.pending.clear()
    if (previous === 'ready') this.options.onDeath(reason, failed)
  }
}
