/**
 * The model registry: every model version found below the repository root, its lifecycle, and the operations of
 * the repository API. Operations on one model name are serialised; different names proceed in parallel.
 */
import {MlsError} from '../errors.js'
import type {Logger} from '../logger.js'
import type {RepositoryIndexItem} from '../protocol/types.js'
import type {RuntimeFactory} from '../runtimes/runtime.js'
import {confineUri} from './confine-uri.js'
import {discoverModels, type ModelSpec} from './discover.js'
import {LoadedModel, type RuntimeWrapper} from './loaded-model.js'
import {ModelEntry, type StateListener} from './model-entry.js'
import {modelLabel} from './model-label.js'
import {runBounded} from '../util/bounded.js'
import {defaultVersion} from './version-order.js'

/** Model names loaded at the same time during start-up. */
export const START_UP_CONCURRENCY = 8

export interface RegistryOptions {
  readonly root: string
  readonly factory: RuntimeFactory
  readonly logger: Logger
  readonly strictReadiness: boolean
  /** Told of every state change of every model version. */
  readonly onStateChange?: StateListener
  /** Told of a version dropped from the repository (removeVersion). */
  readonly onRemove?: (entry: ModelEntry) => void
  /** Attaches behaviour around each loaded runtime (adaptive batching). */
  readonly wrap?: RuntimeWrapper
  /** Let model uris point outside the root (allow_external_uris); by default such a model is UNAVAILABLE. */
  readonly allowExternalUris?: boolean
  /**
   * How long an unload (or the old instance of a reload) waits for its in-flight requests; `label` names the setting
   * in messages. Without it the wait has no bound, and a hung runtime holds the unload forever.
   */
  readonly drainTimeout?: {readonly ms: number; readonly label: string}
  /** Answers the requests still running on `instance` when that wait ran out with `reason`; returns how many. */
  readonly onAbandon?: (instance: LoadedModel, reason: MlsError) => number
}

export class ModelRegistry {
  private readonly models = new Map<string, ModelEntry[]>()
  private readonly locks = new Map<string, Promise<unknown>>()
  private startupEntries: ModelEntry[] = []
  private startupDone = false

  constructor(private readonly options: RegistryOptions) {}

  /** Discovers the repository and, when asked, loads every model (all in parallel). */
  async start(loadModels: boolean): Promise<void> {
    const specs = await this.discover()
    for (const spec of specs) this.register(spec)
    this.startupEntries = this.all()
    if (loadModels) {
      // Bounded: loading a hundred models at once would hold every file and session in memory at the same moment.
      await runBounded([...this.models.keys()], START_UP_CONCURRENCY, (name) => this.withLock(name, () => this.loadEntries(name, this.models.get(name)!)))
    }
    this.startupDone = true
  }

  /** Every model spec below the root, with the uri rule applied. */
  private async discover(): Promise<ModelSpec[]> {
    return (await discoverModels(this.options.root)).map((spec) => this.confine(spec))
  }

  /** The spec, or a failed one when its uri leaves the root (unless allow_external_uris). */
  private confine(spec: ModelSpec): ModelSpec {
    return this.options.allowExternalUris ? spec : confineUri(spec, this.options.root)
  }

  /** Ready to serve traffic: start-up is over and at least one model (strict: every start-up model) is READY. */
  isReady(): boolean {
    if (!this.startupDone) return false
    if (this.options.strictReadiness) {
      return this.startupEntries.length > 0 && this.startupEntries.every((entry) => entry.state === 'READY')
    }
    return this.all().some((entry) => entry.state === 'READY')
  }

  all(): ModelEntry[] {
    return [...this.models.values()].flat()
  }

  index(ready?: boolean): RepositoryIndexItem[] {
    return this.all()
      .filter((entry) => ready === undefined || (entry.state === 'READY') === ready)
      .map((entry) => entry.toIndexItem())
  }

  versions(name: string): string[] {
    return (this.models.get(name) ?? []).flatMap((entry) => (entry.version === undefined ? [] : [entry.version]))
  }

  /** The entry for name and version (default version when absent); 404-type errors otherwise. */
  find(name: string, version?: string): ModelEntry {
    if (name === '') throw new MlsError('INVALID_REQUEST', 'no model name given')
    const entries = this.models.get(name)
    if (entries === undefined) throw new MlsError('MODEL_NOT_FOUND', `model "${name}" not found`)
    if (version === undefined || version === '') return defaultVersion(entries)!
    const entry = entries.find((e) => e.version === version)
    if (entry === undefined) {
      const known = this.versions(name)
      throw new MlsError(
        'MODEL_VERSION_NOT_FOUND',
        `model "${name}" has no version "${version}"${known.length ? ` (versions: ${known.join(', ')})` : ''}`,
      )
    }
    return entry
  }

  /** The instance that serves name/version right now, or the error that says why there is none. */
  ready(name: string, version?: string): {entry: ModelEntry; instance: LoadedModel} {
    const entry = this.find(name, version)
    const label = modelLabel(entry)
    switch (entry.state) {
      case 'READY':
        return {entry, instance: entry.instance!}
      case 'LOADING':
        throw new MlsError('MODEL_NOT_READY', `${label} is loading; retry shortly`)
      case 'UNLOADING':
        throw new MlsError('MODEL_NOT_READY', `${label} is unloading`)
      case 'UNKNOWN':
        throw new MlsError('MODEL_UNAVAILABLE', `${label} is not loaded (load it with POST /v2/repository/models/${name}/load)`)
      default:
        throw new MlsError(
          'MODEL_UNAVAILABLE',
          entry.reason === 'unloaded' ? `${label} is unloaded` : `${label} failed to load: ${entry.reason}`,
        )
    }
  }

  /**
   * Loads (or reloads) every version of `name` from the files on disk now. A loaded version is replaced only once its
   * new instance is ready; if that fails the old one keeps serving.
   */
  async load(name: string): Promise<void> {
    const specs = (await this.discover()).filter((spec) => spec.name === name)
    if (specs.length === 0) {
      throw new MlsError('MODEL_NOT_FOUND', `model "${name}" not found: no model-settings.json below ${this.options.root} names it`)
    }
    await this.withLock(name, async () => {
      const entries = specs.map((spec) => this.register(spec))
      const failures = await this.loadEntries(name, entries)
      if (failures.length > 0) {
        throw new MlsError('MODEL_LOAD_FAILED', `failed to load model "${name}": ${failures.join('; ')}`)
      }
    })
  }

  /** Unloads every version of `name`: no new requests, in-flight ones finish, then the runtime is freed. */
  async unload(name: string): Promise<void> {
    const entries = this.models.get(name)
    if (entries === undefined) throw new MlsError('MODEL_NOT_FOUND', `model "${name}" not found`)
    await this.withLock(name, () => Promise.all(entries.map((entry) => this.unloadEntry(entry))))
  }

  /** The version that `file` (a model-settings.json) defines, if the registry has it. */
  entryForFile(file: string): ModelEntry | undefined {
    return this.all().find((entry) => entry.spec.file === file)
  }

  /** The entry for exactly this name and version (undefined: the unversioned one), if any. */
  get(name: string, version: string | undefined): ModelEntry | undefined {
    return this.models.get(name)?.find((entry) => entry.version === version)
  }

  /**
   * Loads or reloads one version from `spec`: into `entry` when given (the version that spec's file defined, even if
   * the file is now broken), else into the version the spec names. Rolling, as `load`. Resolves with why it failed.
   */
  async loadVersion(given: ModelSpec, entry?: ModelEntry): Promise<string | undefined> {
    const spec = this.confine(given)
    return this.withLock(entry?.name ?? spec.name, () => {
      const target = entry ?? this.register(spec)
      target.spec = spec
      return this.loadEntry(target)
    })
  }

  /** Unloads one version (after its in-flight requests) and drops it from the repository: its file is gone. */
  async removeVersion(entry: ModelEntry): Promise<void> {
    await this.withLock(entry.name, async () => {
      const entries = this.models.get(entry.name)
      if (entries === undefined || !entries.includes(entry)) return
      await this.unloadEntry(entry)
      const rest = entries.filter((e) => e !== entry)
      if (rest.length > 0) this.models.set(entry.name, rest)
      else this.models.delete(entry.name)
      this.startupEntries = this.startupEntries.filter((e) => e !== entry)
      this.options.onRemove?.(entry)
      this.options.logger.info(`${modelLabel(entry)} removed from the repository`, {
        event: 'model_removed',
        model: entry.name,
        version: entry.version,
      })
    })
  }

  /** Unloads everything (server shutdown). */
  async close(): Promise<void> {
    await Promise.all([...this.models.keys()].map((name) => this.unload(name)))
  }

  private register(spec: ModelSpec): ModelEntry {
    let entries = this.models.get(spec.name)
    if (entries === undefined) this.models.set(spec.name, (entries = []))
    let entry = entries.find((e) => e.version === spec.version)
    if (entry === undefined) {
      entry = new ModelEntry(spec.name, spec.version, spec, this.options.onStateChange)
      entries.push(entry)
    } else if (entry.spec.file !== spec.file && this.startupDone === false) {
      this.options.logger.warn(`${spec.file}: model "${spec.name}" version "${spec.version ?? '(none)'}" is already defined by ${entry.spec.file}; ignored`)
      return entry
    }
    entry.spec = spec
    return entry
  }

  /** Loads entries in parallel; returns the failure messages. */
  private async loadEntries(name: string, entries: readonly ModelEntry[]): Promise<string[]> {
    const results = await Promise.all(entries.map((entry) => this.loadEntry(entry)))
    return results.filter((r): r is string => r !== undefined)
  }

  private async loadEntry(entry: ModelEntry): Promise<string | undefined> {
    const {spec} = entry
    const label = modelLabel(entry)
    const previous = entry.state === 'READY' ? entry.instance : undefined
    const fail = (message: string) => {
      if (previous) {
        entry.set(entry.state, `reload failed, the previous instance keeps serving: ${message}`)
      } else {
        entry.set('UNAVAILABLE', message)
      }
      this.options.logger.error(`${label} failed to ${previous ? 'reload (the previous instance keeps serving)' : 'load'}`, {event: 'model_failed', model: entry.name, version: entry.version, duration_ms: Math.round(performance.now() - started), reason: message})
      return message
    }
    const started = performance.now()
    if (!spec.ok) return fail(spec.error)
    for (const warning of spec.warnings) this.options.logger.warn(warning)
    if (!previous) {
      entry.set('LOADING')
    }
    let instance: LoadedModel
    try {
      instance = await LoadedModel.load(spec.settings, this.options.factory, this.options.wrap)
    } catch (error) {
      return fail((error as Error).message)
    }
    entry.instance = instance
    entry.set('READY')
    this.options.logger.info(`${label} ${previous ? 'reloaded' : 'loaded'}`, {
      event: previous ? 'model_reloaded' : 'model_loaded',
      model: entry.name,
      version: entry.version,
      duration_ms: Math.round(performance.now() - started),
    })
    if (previous) await this.closeInstance(entry, previous)
    return undefined
  }

  private async unloadEntry(entry: ModelEntry): Promise<void> {
    const instance = entry.instance
    if (instance) {
      const started = performance.now()
      entry.set('UNLOADING')
      await this.closeInstance(entry, instance)
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

  /** Closes an instance, waiting for its requests at most drainTimeout; those still running then get an error. */
  private closeInstance(entry: ModelEntry, instance: LoadedModel): Promise<void> {
    const bound = this.options.drainTimeout
    if (bound === undefined) return instance.close()
    return instance.close(bound.ms, (running) => {
      const reason = new MlsError('MODEL_NOT_READY', `${modelLabel(entry)} was unloaded while this request ran: it did not finish within ${bound.label}`)
      const answered = this.options.onAbandon?.(instance, reason) ?? 0
      this.options.logger.warn(
        `${modelLabel(entry)}: ${running} request(s) still running after ${bound.label}; unloading anyway (${answered} waiting client(s) answered 503 MODEL_NOT_READY)`,
        {event: 'model_drain_timeout', model: entry.name, version: entry.version, in_flight: running},
      )
    })
  }

  private async withLock<T>(name: string, task: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(name) ?? Promise.resolve()
    const next = previous.then(task, task)
    this.locks.set(name, next.catch(() => undefined))
    return next
  }
}
