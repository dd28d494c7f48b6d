/**
 * A model served by a pool of worker threads, as a Runtime: each thread loads its own copy of the model, a request
 * goes to the least busy live thread, and the main thread stays free for other work. A thread that dies fails its
 * in-flight requests at once and is replaced; while a replacement loads, the other threads serve. Replacements that
 * keep failing are retried with a growing delay (logged), and with no live thread requests are refused with the reason.
 * A hung runtime cannot hold the pool: a thread that still runs a request given up `grace` later is terminated and
 * replaced, and unload waits for the requests still wanted at most `grace`, then terminates threads that still run.
 */
import {MlsError} from '../errors.js'
import {abortOf} from '../util/abortable.js'
import {within} from '../util/within.js'
import type {Logger} from '../logger.js'
import type {InferRequest, InferResult} from '../protocol/types.js'
import type {Runtime, RuntimeMetadata} from '../runtimes/runtime.js'
import type {ModelSettings} from '../settings/model-settings.js'
import {modelLabel} from '../repository/model-label.js'
import {PoolWorker} from './pool-worker.js'
import {DEFAULT_RESTART_POLICY, RestartBackoff, type RestartPolicy} from './restart-policy.js'

/** The shortest time a thread may keep running a request given up before it is taken as hung. */
const MIN_HUNG_MS = 1000

/** The entry module of the built-in worker, next to this file in dist/. */
export const DEFAULT_WORKER_ENTRY = new URL('./worker-main.js', import.meta.url)

export interface WorkerPoolOptions {
  readonly size: number
  readonly logger: Logger
  /** Told the number of requests sent to the threads and not answered yet, whenever it changes. */
  readonly onQueue?: (inFlight: number) => void
  /** The worker entry module; the built-in one by default (tests pass their own). */
  readonly entry?: URL
  readonly restart?: Partial<RestartPolicy>
  /** How long a thread may take to unload before it is terminated (default 10 s). */
  readonly stopTimeoutMs?: number
  /**
   * The server's shutdown_grace_period (`label` names it in messages): how long unload waits for the requests still
   * wanted before it terminates the threads that run them, and how long a thread may keep running a request that was
   * given up (client gone, infer_timeout) before it is taken as hung, terminated and replaced. Default: unload waits
   * as long as they take, and a thread is never taken as hung.
   */
  readonly grace?: {readonly ms: number; readonly label: string}
}

interface Slot {
  readonly number: number
  /** The live worker, if any. */
  worker?: PoolWorker
  /** A replacement that is loading. */
  starting?: PoolWorker
  /** Consecutive failures (deaths soon after loading, replacements that failed to load) and the delay they earn. */
  readonly backoff: RestartBackoff
  /** Replacements tried since this slot last had a live worker. */
  attempts: number
  /** Why this slot has no live worker, for the refusal message. */
  problem?: string
  timer?: NodeJS.Timeout
}

/** A Runtime whose predict() runs on worker threads; built by parallelInference() for models with parallel_workers > 0. */
export class WorkerPool implements Runtime {
  private readonly slots: Slot[]
  private readonly label: string
  private readonly restart: RestartPolicy
  private meta?: RuntimeMetadata
  private closed = false
  private inflight = 0
  /** Requests in flight that someone still waits for (not given up): what unload waits for. */
  private wanted = 0
  private drainedWaiters: Array<() => void> = []
  private turn = 0

  constructor(
    private readonly settings: ModelSettings,
    private readonly options: WorkerPoolOptions,
  ) {
    this.label = modelLabel(settings)
    this.restart = {...DEFAULT_RESTART_POLICY, ...options.restart}
    this.slots = Array.from({length: options.size}, (_, i) => ({number: i + 1, backoff: new RestartBackoff(this.restart), attempts: 0}))
  }

  /** Starts every thread and waits until each has loaded the model; if one fails, all are stopped and its error thrown. */
  async load(): Promise<void> {
    const workers = this.slots.map((slot) => this.spawn(slot))
    let metadata: RuntimeMetadata[]
    try {
      metadata = await Promise.all(workers.map((worker) => worker.ready))
    } catch (error) {
      this.closed = true
      await Promise.all(workers.map((worker) => worker.stop()))
      throw error
    }
    // A thread that died while the others were still loading is already being replaced.
    this.slots.forEach((slot, i) => {
      if (workers[i].live) slot.worker = workers[i]
    })
    this.meta = metadata[0]
    this.options.onQueue?.(0)
    this.options.logger.info(`${this.label} serves on ${this.slots.length} worker thread(s)`, {event: 'workers_started', model: this.settings.name, version: this.settings.version, workers: this.slots.length})
  }

  metadata(): RuntimeMetadata {
    if (this.meta === undefined) throw new Error(`${this.label}: the worker pool is not loaded`)
    return this.meta
  }

  async predict(request: InferRequest): Promise<InferResult> {
    const worker = this.pick()
    this.count(+1)
    // Wanted until it is answered or given up, whichever comes first (once).
    let wanted = true
    const unwanted = () => {
      if (!wanted) return
      wanted = false
      this.wanted--
      if (this.wanted === 0) this.wake()
    }
    this.wanted++
    abortOf(request)?.on(unwanted)
    try {
      return await worker.predict(request)
    } finally {
      unwanted()
      this.count(-1)
    }
  }

  /**
   * Waits for the requests still wanted (at most `grace`), then unloads and ends every thread; a thread still running
   * a request then (a hung runtime, or one whose request was given up) is terminated, its requests answered 503
   * MODEL_NOT_READY. Pending replacements are cancelled.
   */
  async unload(): Promise<void> {
    this.closed = true
    for (const slot of this.slots) clearTimeout(slot.timer)
    const {grace} = this.options
    if (this.wanted > 0) await within(new Promise<void>((resolve) => this.drainedWaiters.push(resolve)), grace?.ms ?? Infinity)
    const abandon = new MlsError(
      'MODEL_NOT_READY',
      `${this.label} was unloaded while this request ran: it did not finish within ${grace?.label ?? 'the unload'}, and its worker thread was terminated`,
    )
    const problems = await Promise.all(this.slots.map((slot) => Promise.all([slot.worker?.stop(abandon), slot.starting?.stop()]).then(([problem]) => problem)))
    problems.forEach((problem, i) => {
      if (problem !== undefined) this.options.logger.warn(`worker ${i + 1} of ${this.label}: ${problem}`, this.fields(i + 1))
    })
  }

  /** The least busy live thread; ties go round-robin so idle threads share the work. */
  private pick(): PoolWorker {
    if (this.closed) throw new MlsError('MODEL_NOT_READY', `${this.label} is unloading`)
    let best: PoolWorker | undefined
    const n = this.slots.length
    for (let k = 0; k < n; k++) {
      const worker = this.slots[(this.turn + k) % n].worker
      if (worker?.live && (best === undefined || worker.inFlight < best.inFlight)) best = worker
    }
    if (best === undefined) {
      const reasons = this.slots.map((slot) => `worker ${slot.number}: ${slot.problem ?? 'starting'}`).join('; ')
      throw new MlsError('MODEL_NOT_READY', `${this.label} has no live worker (${reasons}); retry shortly`)
    }
    this.turn = (this.turn + 1) % n
    return best
  }

  private count(delta: number): void {
    this.inflight += delta
    this.options.onQueue?.(this.inflight)
  }

  /** No request is wanted any more: unload may go on. */
  private wake(): void {
    const waiters = this.drainedWaiters
    this.drainedWaiters = []
    for (const resolve of waiters) resolve()
  }

  private fields(worker: number) {
    return {model: this.settings.name, version: this.settings.version, worker}
  }

  private spawn(slot: Slot): PoolWorker {
    const version = this.settings.version === undefined ? '' : `:${this.settings.version}`
    const worker: PoolWorker = new PoolWorker({
      entry: this.options.entry ?? DEFAULT_WORKER_ENTRY,
      settings: this.settings,
      label: `worker ${slot.number} of ${this.label}`,
      threadName: `mls ${this.settings.name}${version} #${slot.number}`,
      stopTimeoutMs: this.options.stopTimeoutMs ?? 10_000,
      hungAfter: this.hungAfter(),
      onDeath: (reason, failed) => this.died(slot, worker, reason, failed),
    })
    return worker
  }

  /**
   * When a thread still running a request given up is taken as hung: the grace period, but never under a second (with
   * shutdown_grace_period 0, a client that goes away must not cost a thread when its runtime takes a moment to stop).
   */
  private hungAfter(): {ms: number; label: string} | undefined {
    const {grace} = this.options
    if (grace === undefined) return undefined
    return grace.ms >= MIN_HUNG_MS ? grace : {ms: MIN_HUNG_MS, label: `${MIN_HUNG_MS / 1000} s`}
  }

  private died(slot: Slot, worker: PoolWorker, reason: string, failed: number): void {
    const lived = performance.now() - worker.readyAt
    if (slot.worker === worker) slot.worker = undefined
    if (this.closed) return
    const delay = slot.backoff.died(lived)
    slot.problem = `died (${reason}), being replaced`
    this.options.logger.error(
      `worker ${slot.number} of ${this.label} died: ${reason}; ${failed} request(s) in flight on it failed; starting a replacement`,
      {event: 'worker_died', ...this.fields(slot.number), reason, failed},
    )
    this.schedule(slot, delay)
  }

  private schedule(slot: Slot, delay: number): void {
    slot.timer = setTimeout(() => void this.replace(slot), delay)
    slot.timer.unref()
  }

  private async replace(slot: Slot): Promise<void> {
    if (this.closed) return
    const started = performance.now()
    const worker = this.spawn(slot)
    slot.starting = worker
    slot.attempts++
    try {
      await worker.ready
    } catch (error) {
      if (this.closed) return
      const delay = slot.backoff.failedToStart()
      const message = (error as Error).message
      const next = `next attempt in ${delay / 1000} s`
      slot.problem = `${slot.attempts} replacement(s) failed to load, the last with: ${message}; ${next}`
      this.options.logger.error(`worker ${slot.number} of ${this.label}: replacement attempt ${slot.attempts} failed to load: ${message}; ${next}`, {
        event: 'worker_replacement_failed',
        ...this.fields(slot.number),
        reason: message,
        attempt: slot.attempts,
      })
      this.schedule(slot, delay)
      return
    } finally {
      slot.starting = undefined
    }
    if (this.closed) {
      await worker.stop()
      return
    }
    slot.worker = worker
    slot.problem = undefined
    slot.attempts = 0
    this.options.logger.info(`worker ${slot.number} of ${this.label} replaced`, {
      event: 'worker_replaced',
      ...this.fields(slot.number),
      duration_ms: Math.round(performance.now() - started),
    })
  }
}
