/**
 * The model registry: every model version found below the repository root, and the operations of the repository
 * API. It delegates: one name's versions and default version to `ModelVersions`, loading and unloading to
 * `ModelLifecycle`, and serialisation to a `KeyedLock` (operations on one model name run one at a time; different
 * names proceed in parallel).
 */
import {MlsError, SettingsError} from '../errors.js'
import type {Logger} from '../logger.js'
import {formatBytes} from '../memory/byte-size.js'
import {MemoryExhaustedError} from '../memory/memory-exhausted.js'
import type {MemoryObserver, MemorySnapshot} from '../memory/memory-view.js'
import {SingleFlight} from '../memory/single-flight.js'
import type {RepositoryIndexItem} from '../protocol/types.js'
import type {RuntimeFactory} from '../runtimes/runtime.js'
import {runBounded} from '../util/bounded.js'
import {KeyedLock} from '../util/keyed-lock.js'
import {ClientPaths} from './client-paths.js'
import {confineUri} from './confine-uri.js'
import {discoverModels, type ModelSpec} from './discover.js'
import type {LoadedModel, RuntimeWrapper} from './loaded-model.js'
import type {ModelEntry, StateListener} from './model-entry.js'
import {ModelLifecycle} from './model-lifecycle.js'
import {isPinned, ModelMemory, NOT_IN_MEMORY, type MemorySettings} from './model-memory.js'
import {ModelVersions} from './model-versions.js'

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
  /**
   * Keep load-failure reasons (they carry file paths) out of the data plane's errors: on when repository_auth_token
   * is set, so what the guarded repository index shows is not open on metadata and inference. The log keeps them.
   */
  readonly hideFailureReasons?: boolean
  /** memory_budget and its settings: on when given (load on demand, LRU eviction; see model-memory.ts). */
  readonly memory?: MemorySettings
  /** Told of loads, evictions and residency hits / misses (metrics). */
  readonly memoryObserver?: MemoryObserver
}

/** The value a load on demand settles with: MEMORY_EXHAUSTED is no failure to back off from (no room now is not a broken model). */
type OnDemand = MlsError | undefined

export class ModelRegistry {
  private readonly models = new Map<string, ModelVersions>()
  private readonly lock = new KeyedLock()
  private readonly lifecycle: ModelLifecycle
  /** With a memory_budget. */
  readonly memory?: ModelMemory
  /** Loads on demand: one per version at a time, shared by its requests; a failure backs off (1 s doubling to 60 s). */
  private readonly onDemand = new SingleFlight<ModelEntry, OnDemand>()
  private startupEntries: ModelEntry[] = []
  private startupDone = false

  private readonly paths: ClientPaths

  constructor(private readonly options: RegistryOptions) {
    this.paths = new ClientPaths(options.root)
    if (options.memory !== undefined) this.memory = new ModelMemory(options.memory, options.logger, options.memoryObserver)
    this.lifecycle = new ModelLifecycle({...options, memory: this.memory})
  }

  /**
   * Discovers the repository and, when asked, loads every model (all in parallel). With a memory_budget, versions
   * start NOT_LOADED; pinned ones are loaded (all must fit: a SettingsError otherwise, exit code 2), and with
   * `loadModels` the others in name order while they fit without evicting (see startWithBudget).
   */
  async start(loadModels: boolean): Promise<void> {
    const specs = await this.discover()
    for (const spec of specs) this.register(spec)
    this.startupEntries = this.all()
    if (this.memory !== undefined) {
      await this.startWithBudget(this.memory, loadModels)
    } else if (loadModels) {
      // Bounded: loading a hundred models at once would hold every file and session in memory at the same moment.
      await runBounded([...this.models.keys()], START_UP_CONCURRENCY, (name) =>
        this.lock.run(name, () => this.loadAll(this.models.get(name)!.entries)),
      )
    }
    this.startupDone = true
  }

  /**
   * Start-up with a memory_budget: every valid version NOT_LOADED, broken ones UNAVAILABLE with their reason; then
   * the pinned versions load (their sizes, stated or estimated, must fit the budget together, and again once
   * measured); then, with load_models_at_startup, the other versions in order of name and version, each only if it
   * fits in the room left without evicting anything (the first ones found do not make way for later ones).
   */
  private async startWithBudget(memory: ModelMemory, loadModels: boolean): Promise<void> {
    const entries = this.all().sort((a, b) => a.name.localeCompare(b.name) || (a.version ?? '').localeCompare(b.version ?? ''))
    for (const entry of entries) {
      if (!entry.spec.ok) {
        await this.lifecycle.load(entry, 'startup')
        continue
      }
      entry.set('NOT_LOADED', NOT_IN_MEMORY)
      await memory.sizeOf(entry) // the estimate, for the index until it is measured
    }
    const pinned = entries.filter((entry) => entry.spec.ok && isPinned(entry))
    let pinnedBytes = 0
    for (const entry of pinned) pinnedBytes += (await memory.sizeOf(entry)).bytes
    if (pinnedBytes > memory.settings.budget) {
      throw new SettingsError(
        `the pinned model versions need ${formatBytes(pinnedBytes)} (stated, or estimated from their files), more than memory_budget ${formatBytes(memory.settings.budget)}`,
      )
    }
    for (const entry of pinned) await this.lock.run(entry.name, () => this.loadStartup(entry))
    if (memory.budget.pinned > memory.settings.budget) {
      // Measured larger than stated or estimated: they stay (pinned), and nothing else fits; said loudly.
      this.options.logger.error(
        `the pinned model versions hold ${formatBytes(memory.budget.pinned)} as measured, more than memory_budget ${formatBytes(memory.settings.budget)}: no other version can load; raise memory_budget or unpin some`,
      )
    }
    if (!loadModels) return
    for (const entry of entries) {
      if (!entry.spec.ok || isPinned(entry)) continue
      const {bytes} = await memory.sizeOf(entry)
      if (memory.budget.promised + bytes > memory.settings.budget) continue
      await this.lock.run(entry.name, () => this.loadStartup(entry))
    }
  }

  /** One start-up load with a budget: no room is logged and the version stays NOT_LOADED. */
  private async loadStartup(entry: ModelEntry): Promise<void> {
    try {
      await this.lifecycle.load(entry, 'startup')
    } catch (error) {
      if (!(error instanceof MlsError)) throw error
      this.options.logger.warn(`${entry.spec.file}: not loaded at start-up: ${error.message}`)
    }
  }

  /** Every model spec below the root, with the uri rule applied. */
  private async discover(): Promise<ModelSpec[]> {
    return (await discoverModels(this.options.root, process.env, this.options.logger)).map((spec) => this.confine(spec))
  }

  /** The spec, or a failed one when its uri leaves the root (unless allow_external_uris). */
  private confine(spec: ModelSpec): ModelSpec {
    return this.options.allowExternalUris ? spec : confineUri(spec, this.options.root)
  }

  /**
   * Ready to serve traffic: start-up is over and at least one model (strict: every start-up model) is servable:
   * READY, or with a memory_budget NOT_LOADED (it loads on the next request).
   */
  isReady(): boolean {
    if (!this.startupDone) return false
    if (this.options.strictReadiness) {
      return this.startupEntries.length > 0 && this.startupEntries.every((entry) => this.servable(entry))
    }
    return this.all().some((entry) => this.servable(entry))
  }

  /** READY, or with a memory_budget not in memory but loadable on the next request (or loading now). */
  servable(entry: ModelEntry): boolean {
    if (entry.state === 'READY') return true
    // LOADING too: requests wait for the load, as for one of their own.
    return this.memory !== undefined && entry.spec.ok && (entry.state === 'NOT_LOADED' || entry.state === 'LOADING')
  }

  /**
   * With a memory_budget, whether a request for `entry` loads it: it is servable but not in memory (never loaded,
   * evicted), or its last load failed (retried once the back-off has passed). Not after an explicit unload.
   */
  loadsOnDemand(entry: ModelEntry): boolean {
    if (this.memory === undefined || !entry.spec.ok) return false
    // LOADING: a load under way (on demand, explicit, start-up) that the request waits for, as for its own.
    return entry.state === 'NOT_LOADED' || entry.state === 'LOADING' || (entry.state === 'UNAVAILABLE' && entry.reason !== 'unloaded' && entry.instance === undefined)
  }

  /**
   * With a memory_budget: loads `entry` for a request (see loadsOnDemand), shared by every request that waits for
   * it; resolves once the load is over (READY, or failed: the caller's instanceFor says why). Rejects with
   * MEMORY_EXHAUSTED when no room could be made, and at once with the last failure while its back-off lasts.
   */
  async bringIn(entry: ModelEntry): Promise<void> {
    const outcome = await this.onDemand.run(entry, () =>
      this.lock.run(entry.name, async (): Promise<OnDemand> => {
        if (!this.loadsOnDemand(entry)) return undefined
        try {
          const failure = await this.lifecycle.load(entry, 'request')
          if (failure !== undefined) throw this.lifecycle.failureOf(entry)
        } catch (error) {
          if (error instanceof MemoryExhaustedError) return error
          throw error
        }
        return undefined
      }),
    )
    if (outcome !== undefined) throw outcome
  }

  /**
   * The instance of a READY `entry` for a request, noted as used (the memory budget's LRU order); else undefined.
   * `hit`: the request found it in memory as it arrived (false for one that waited for its load, and for probes).
   */
  serving(entry: ModelEntry, hit = true): LoadedModel | undefined {
    const instance = entry.state === 'READY' ? entry.instance : undefined
    if (instance !== undefined && this.memory !== undefined) this.memory.touch(instance, hit)
    return instance
  }

  /** The instance of `entry` or the error that says why it has none (not READY). */
  instanceFor(entry: ModelEntry): LoadedModel {
    return this.lifecycle.instanceFor(entry)
  }

  /** With a memory_budget: the budget and every version's size (metrics, the TUI); undefined without one. */
  memorySnapshot(): MemorySnapshot | undefined {
    return this.memory?.snapshot(this.all())
  }

  all(): ModelEntry[] {
    return [...this.models.values()].flatMap((versions) => versions.entries)
  }

  index(ready?: boolean): RepositoryIndexItem[] {
    return this.all()
      .filter((entry) => ready === undefined || (entry.state === 'READY') === ready)
      .map((entry) => (this.memory === undefined ? entry.toIndexItem() : {...entry.toIndexItem(), ...this.memory.indexFields(entry)}))
  }

  versions(name: string): string[] {
    return this.models.get(name)?.versions() ?? []
  }

  /** The entry for name and version (default version when absent); 404-type errors otherwise. */
  find(name: string, version?: string): ModelEntry {
    if (name === '') throw new MlsError('INVALID_REQUEST', 'no model name given')
    const versions = this.models.get(name)
    if (versions === undefined) throw new MlsError('MODEL_NOT_FOUND', `model "${name}" not found`)
    return versions.find(version)
  }

  /** The instance that serves name/version right now, or the error that says why there is none. */
  ready(name: string, version?: string): {entry: ModelEntry; instance: LoadedModel} {
    const entry = this.find(name, version)
    return {entry, instance: this.lifecycle.instanceFor(entry)}
  }

  /**
   * Loads (or reloads) every version of `name` from the files on disk now. A loaded version is replaced only once its
   * new instance is ready; if that fails the old one keeps serving. A failed load changes nothing that serves: a
   * broken file (say half-written by a sync) is a failed reload of the version that file defined, not a new version
   * under a name guessed from its folder; MODEL_LOAD_FAILED names each file and why.
   */
  async load(name: string): Promise<void> {
    const found = await this.discover()
    if (!found.some((spec) => this.belongsTo(spec, name))) {
      throw new MlsError('MODEL_NOT_FOUND', `model "${name}" not found: no model-settings.json in the repository names it`)
    }
    await this.lock.run(name, async () => {
      // Matched again under the lock: a load or watch change queued before this one may have moved a file's version.
      const specs = found.filter((spec) => this.belongsTo(spec, name))
      for (const entry of this.models.get(name)?.entries ?? []) this.onDemand.reset(entry)
      const failures = await Promise.all(specs.map((spec) => this.loadSpec(spec)))
      const failed = failures.filter((failure): failure is string => failure !== undefined)
      if (failed.length > 0) {
        // Files named relative to the root: clients read this (the log has each failure with absolute paths).
        throw new MlsError('MODEL_LOAD_FAILED', this.paths.relative(`failed to load model "${name}": ${failed.join('; ')}`))
      }
    })
  }

  /**
   * Whether `spec` is a file of model `name`: a valid file by the name it gives; a broken one by the version it
   * defined, when it defined one (its name and version are only a guess: the folder's name when it is not JSON).
   */
  private belongsTo(spec: ModelSpec, name: string): boolean {
    if (spec.ok) return spec.name === name
    return (this.entryForFile(spec.file)?.name ?? spec.name) === name
  }

  /** Loads one file's version (see `load`); resolves with why it failed, naming the file. */
  private async loadSpec(spec: ModelSpec): Promise<string | undefined> {
    const entry = spec.ok ? this.registerValid(spec) : this.targetOfBroken(spec)
    const failure = entry === undefined ? (spec.ok ? undefined : spec.error) : await this.lifecycle.load(entry)
    if (failure === undefined) return undefined
    const where = failure.includes(spec.file) ? failure : `${spec.file}: ${failure}`
    return entry?.version === undefined ? where : `version "${entry.version}": ${where}`
  }

  /**
   * The entry for a valid file. A version that this file defined under another identity and that serves nothing (its
   * broken file was given a guessed one) is dropped: the file says what it defines now.
   */
  private registerValid(spec: ModelSpec & {ok: true}): ModelEntry {
    const was = this.entryForFile(spec.file)
    if (was !== undefined && (was.name !== spec.name || was.version !== spec.version) && was.instance === undefined) this.drop(was)
    return this.register(spec)
  }

  /**
   * The entry a broken file's failure belongs to: the version the file defined (it keeps serving, if it did); a new
   * entry when the file defined none, unless its guessed identity is a version another file defines (that one is
   * left as it is, and the failure only reported).
   */
  private targetOfBroken(spec: ModelSpec & {ok: false}): ModelEntry | undefined {
    const owner = this.entryForFile(spec.file)
    if (owner !== undefined) {
      owner.spec = spec
      return owner
    }
    if (this.get(spec.name, spec.version) !== undefined) {
      this.options.logger.error(`${spec.file} cannot be loaded: ${spec.error}`, {event: 'model_failed', model: spec.name, version: spec.version, reason: spec.error})
      return undefined
    }
    return this.register(spec)
  }

  /** Unloads every version of `name`: no new requests, in-flight ones finish, then the runtime is freed. */
  async unload(name: string): Promise<void> {
    const versions = this.models.get(name)
    if (versions === undefined) throw new MlsError('MODEL_NOT_FOUND', `model "${name}" not found`)
    // The versions as they are when the lock is ours: a load queued before this unload may have added one.
    await this.lock.run(name, () => Promise.all(versions.entries.map((entry) => this.lifecycle.unload(entry))))
  }

  /** The version that `file` (a model-settings.json) defines, if the registry has it. */
  entryForFile(file: string): ModelEntry | undefined {
    return this.all().find((entry) => entry.spec.file === file)
  }

  /** The entry for exactly this name and version (undefined: the unversioned one), if any. */
  get(name: string, version: string | undefined): ModelEntry | undefined {
    return this.models.get(name)?.get(version)
  }

  /**
   * Loads or reloads one version from `spec`: into `entry` when given (the version that spec's file defined, even if
   * the file is now broken), else into the version the spec names. Rolling, as `load`. Resolves with why it failed.
   */
  async loadVersion(given: ModelSpec, entry?: ModelEntry): Promise<string | undefined> {
    const spec = this.confine(given)
    return this.lock.run(entry?.name ?? spec.name, async () => {
      const target = entry ?? this.register(spec)
      target.spec = spec
      this.onDemand.reset(target)
      if (this.memory !== undefined && spec.ok && (target.state === 'NOT_LOADED' || target.state === 'UNKNOWN')) {
        // Not in memory: the next request loads the new files; a change loads nothing by itself.
        target.set('NOT_LOADED', NOT_IN_MEMORY)
        return undefined
      }
      try {
        return await this.lifecycle.load(target)
      } catch (error) {
        // No room for the new instance (MEMORY_EXHAUSTED): the old one keeps serving, as after any failed reload.
        return (error as Error).message
      }
    })
  }

  /** Unloads one version (after its in-flight requests) and drops it from the repository: its file is gone. */
  async removeVersion(entry: ModelEntry): Promise<void> {
    await this.lock.run(entry.name, async () => {
      const versions = this.models.get(entry.name)
      if (versions === undefined || !versions.entries.includes(entry)) return
      await this.lifecycle.unload(entry)
      this.drop(entry)
      this.options.logger.info(`model ${entry.name}${entry.version ? `:${entry.version}` : ''} removed from the repository`, {
        event: 'model_removed',
        model: entry.name,
        version: entry.version,
      })
    })
  }

  /** Unloads everything (server shutdown). */
  async close(): Promise<void> {
    this.memory?.close(new MlsError('SERVER_STOPPING', 'the server is stopping'))
    await Promise.all([...this.models.keys()].map((name) => this.unload(name)))
  }

  /** Drops a version from the lists (it holds no instance any more); the caller holds the name's lock. */
  private drop(entry: ModelEntry): void {
    const versions = this.models.get(entry.name)
    if (versions === undefined || !versions.remove(entry)) return
    if (versions.entries.length === 0) this.models.delete(entry.name)
    this.onDemand.reset(entry)
    this.startupEntries = this.startupEntries.filter((e) => e !== entry)
    this.options.onRemove?.(entry)
  }

  /** The entry for the spec's version; during start-up the first file that defines a version wins. */
  private register(spec: ModelSpec): ModelEntry {
    let versions = this.models.get(spec.name)
    if (versions === undefined) this.models.set(spec.name, (versions = new ModelVersions(spec.name, this.options.onStateChange)))
    const duplicate = this.startupDone
      ? undefined
      : (existing: ModelEntry) =>
          this.options.logger.warn(`${spec.file}: model "${spec.name}" version "${spec.version ?? '(none)'}" is already defined by ${existing.spec.file}; ignored`)
    return versions.register(spec, duplicate)
  }

  /** Loads entries in parallel; returns the failure messages. */
  private async loadAll(entries: readonly ModelEntry[]): Promise<string[]> {
    const results = await Promise.all(entries.map((entry) => this.lifecycle.load(entry)))
    return results.filter((r): r is string => r !== undefined)
  }
}
