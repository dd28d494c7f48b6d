/**
 * The lifecycle of a model version: load (a reload is rolling), unload after its in-flight requests, and which
 * instance a request may use. A version gains an instance only in `attach` and loses one only in `free`: the two
 * places where what a version holds in memory changes, told to the `loaded` / `freed` hooks. Callers serialise
 * operations on one name (the registry's keyed lock); this class keeps no list of versions.
 */
import {MlsError} from '../errors.js'
import type {Logger} from '../logger.js'
import type {LoadReason} from '../memory/memory-view.js'
import type {RuntimeFactory} from '../runtimes/runtime.js'
import {ClientPaths} from './client-paths.js'
import {LoadedModel, type RuntimeWrapper} from './loaded-model.js'
import type {ModelEntry} from './model-entry.js'
import {modelLabel} from './model-label.js'
import {EVICTED, type LoadTicket, type ModelMemory} from './model-memory.js'

export interface LifecycleOptions {
  readonly factory: RuntimeFactory
  readonly logger: Logger
  /** Attaches behaviour around each loaded runtime (adaptive batching). */
  readonly wrap?: RuntimeWrapper
  /** How long freeing an instance waits for its in-flight requests; `label` names the setting in messages. */
  readonly drainTimeout?: {readonly ms: number; readonly label: string}
  /** Answers the requests still running on `instance` when that wait ran out with `reason`; returns how many. */
  readonly onAbandon?: (instance: LoadedModel, reason: MlsError) => number
  /** Say only "failed to load" in the errors of requests (repository_auth_token set): reasons carry file paths. */
  readonly hideFailureReasons?: boolean
  /** With a memory_budget: every load asks it for room first, and every freed instance gives its room back. */
  readonly memory?: ModelMemory
  /** The repository root: a failure's reason (which clients read) names files relative to it; the log keeps them whole. */
  readonly root?: string
}

/** Told when an instance starts serving a version, and when an instance's runtime has been freed. */
export interface LifecycleHooks {
  /** After `instance` became the one serving `entry` (state READY); a reload's old instance is still open then. */
  readonly loaded: Array<(entry: ModelEntry, instance: LoadedModel) => void>
  /** After `instance` of `entry` was freed: unloaded, or replaced by a reload. */
  readonly freed: Array<(entry: ModelEntry, instance: LoadedModel) => void>
}

export class ModelLifecycle {
  readonly hooks: LifecycleHooks = {loaded: [], freed: []}
  /** Instances freed or being freed: an evicted instance that a reload or unload also lets go is freed once. */
  private readonly freeing = new WeakSet<LoadedModel>()

  private readonly paths?: ClientPaths

  constructor(private readonly options: LifecycleOptions) {
    if (options.root !== undefined) this.paths = new ClientPaths(options.root)
    if (options.memory !== undefined) options.memory.evictInstance = (entry, instance) => this.evict(entry, instance)
  }

  /**
   * The instance a request on `entry` uses, or the error that says why there is none. Every request passes here,
   * so this is where a version's last use can be noted.
   */
  instanceFor(entry: ModelEntry): LoadedModel {
    const label = modelLabel(entry)
    switch (entry.state) {
      case 'READY':
        return entry.instance!
      case 'LOADING':
        throw new MlsError('MODEL_NOT_READY', `${label} is loading; retry shortly`)
      case 'UNLOADING':
        throw new MlsError('MODEL_NOT_READY', `${label} is unloading`)
      case 'UNKNOWN':
        throw new MlsError('MODEL_UNAVAILABLE', `${label} is not loaded (load it through the repository API)`)
      case 'NOT_LOADED':
        throw new MlsError('MODEL_NOT_READY', `${label} is not in memory; retry shortly`)
      default:
        if (entry.reason === 'unloaded') throw new MlsError('MODEL_UNAVAILABLE', `${label} is unloaded`)
        if (this.options.hideFailureReasons) {
          throw new MlsError('MODEL_UNAVAILABLE', `${label} failed to load (the reason is in the server log and the repository index)`)
        }
        throw new MlsError('MODEL_UNAVAILABLE', `${label} failed to load: ${entry.reason}`)
    }
  }

  /** The error a request on `entry` gets while it has no instance (instanceFor's), as a value. */
  failureOf(entry: ModelEntry): MlsError {
    try {
      this.instanceFor(entry)
    } catch (error) {
      if (error instanceof MlsError) return error
    }
    return new MlsError('MODEL_UNAVAILABLE', `${modelLabel(entry)} did not load`)
  }

  /**
   * Loads `entry` from its spec. A READY version is reloaded rolling: its instance serves until the new one is ready,
   * and keeps serving if the new one fails. Resolves with why it failed, or undefined. With a memory_budget the load
   * first waits for room; when there is none (MEMORY_EXHAUSTED) it rejects with that error and the version is left
   * as it was: no room now is not a broken model.
   */
  async load(entry: ModelEntry, reason: LoadReason = 'explicit'): Promise<string | undefined> {
    const {spec} = entry
    const {logger} = this.options
    const previous = entry.state === 'READY' ? entry.instance : undefined
    const started = performance.now()
    const fail = (message: string) => {
      // The reason is what clients read (index, errors): paths relative to the root. The log below keeps them whole.
      const reason = this.paths?.relative(message) ?? message
      if (previous) entry.set(entry.state, `reload failed, the previous instance keeps serving: ${reason}`)
      else entry.set('UNAVAILABLE', reason)
      logger.error(`${modelLabel(entry)} failed to ${previous ? 'reload (the previous instance keeps serving)' : 'load'}`, {
        event: 'model_failed',
        model: entry.name,
        version: entry.version,
        duration_ms: Math.round(performance.now() - started),
        reason: message,
      })
      return message
    }
    if (!spec.ok) return fail(spec.error)
    for (const warning of spec.warnings) logger.warn(warning)
    const {memory} = this.options
    const was = {state: entry.state, reason: entry.reason}
    if (!previous) entry.set('LOADING')
    let ticket: LoadTicket | undefined
    if (memory !== undefined) {
      try {
        ticket = await memory.reserve(entry, reason)
      } catch (error) {
        if (!previous) entry.set(was.state, was.reason)
        throw error
      }
    }
    let instance: LoadedModel
    try {
      instance = await LoadedModel.load(spec.settings, this.options.factory, this.options.wrap)
    } catch (error) {
      if (ticket !== undefined) memory!.failed(ticket)
      return fail((error as Error).message)
    }
    if (ticket !== undefined) {
      memory!.loaded(ticket, instance)
      instance.onIdle = () => memory!.idle()
    }
    this.attach(entry, instance)
    logger.info(`${modelLabel(entry)} ${previous ? 'reloaded' : 'loaded'}`, {
      event: previous ? 'model_reloaded' : 'model_loaded',
      model: entry.name,
      version: entry.version,
      duration_ms: Math.round(performance.now() - started),
      // With a memory_budget: how much of that was waiting for room, and the bytes the version now counts.
      ...(ticket === undefined ? {} : {waited_ms: Math.round(ticket.waitedMs), bytes: memory!.budget.sizeOf(ticket.residency)}),
    })
    if (previous) await this.free(entry, previous)
    return undefined
  }

  /** Unloads `entry`: no new requests, in-flight ones finish (within drainTimeout), then the runtime is freed. */
  async unload(entry: ModelEntry): Promise<void> {
    const instance = entry.instance
    if (instance) {
      const started = performance.now()
      entry.set('UNLOADING')
      await this.free(entry, instance)
      entry.instance = undefined
      this.options.logger.info(`${modelLabel(entry)} unloaded`, {
        event: 'model_unloaded',
        model: entry.name,
        version: entry.version,
        duration_ms: Math.round(performance.now() - started),
      })
    }
    entry.set('UNAVAILABLE', 'unloaded')
  }

  /**
   * Evicts `instance` of `entry` (the memory budget chose it; it has no request in flight): from now no request
   * reaches it, the version is NOT_LOADED (the next request loads it again), and its runtime is freed after.
   */
  evict(entry: ModelEntry, instance: LoadedModel): void {
    if (entry.instance === instance) {
      entry.instance = undefined
      entry.set('NOT_LOADED', EVICTED)
    }
    this.free(entry, instance).catch((error: unknown) => {
      this.options.logger.error(`${modelLabel(entry)}: freeing the evicted instance failed: ${(error as Error).message}`, {
        event: 'model_evict_failed',
        model: entry.name,
        version: entry.version,
      })
    })
  }

  /** The one place a version starts serving from an instance. */
  private attach(entry: ModelEntry, instance: LoadedModel): void {
    entry.instance = instance
    entry.set('READY')
    for (const hook of this.hooks.loaded) hook(entry, instance)
  }

  /** The one place an instance is freed: waits for its requests at most drainTimeout, then answers those left. */
  private async free(entry: ModelEntry, instance: LoadedModel): Promise<void> {
    if (this.freeing.has(instance)) return
    this.freeing.add(instance)
    this.options.memory?.freeing(instance)
    try {
      await this.close(entry, instance)
    } finally {
      this.options.memory?.freed(instance)
    }
    for (const hook of this.hooks.freed) hook(entry, instance)
  }

  private async close(entry: ModelEntry, instance: LoadedModel): Promise<void> {
    const bound = this.options.drainTimeout
    if (bound === undefined) {
      await instance.close()
    } else {
      await instance.close(bound.ms, (running) => {
        const reason = new MlsError('MODEL_NOT_READY', `${modelLabel(entry)} was unloaded while this request ran: it did not finish within ${bound.label}`)
        const answered = this.options.onAbandon?.(instance, reason) ?? 0
        this.options.logger.warn(
          `${modelLabel(entry)}: ${running} request(s) still running after ${bound.label}; unloading anyway (${answered} waiting client(s) answered 503 MODEL_NOT_READY)`,
          {event: 'model_drain_timeout', model: entry.name, version: entry.version, in_flight: running},
        )
      })
    }
  }
}
