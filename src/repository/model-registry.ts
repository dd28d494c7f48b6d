/**
 * The model registry: every model version found below the repository root, and the operations of the repository
 * API. It delegates: one name's versions and default version to `ModelVersions`, loading and unloading to
 * `ModelLifecycle`, and serialisation to a `KeyedLock` (operations on one model name run one at a time; different
 * names proceed in parallel).
 */
import {MlsError} from '../errors.js'
import type {Logger} from '../logger.js'
import type {RepositoryIndexItem} from '../protocol/types.js'
import type {RuntimeFactory} from '../runtimes/runtime.js'
import {runBounded} from '../util/bounded.js'
import {KeyedLock} from '../util/keyed-lock.js'
import {confineUri} from './confine-uri.js'
import {discoverModels, type ModelSpec} from './discover.js'
import type {LoadedModel, RuntimeWrapper} from './loaded-model.js'
import type {ModelEntry, StateListener} from './model-entry.js'
import {ModelLifecycle} from './model-lifecycle.js'
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
}

export class ModelRegistry {
  private readonly models = new Map<string, ModelVersions>()
  private readonly lock = new KeyedLock()
  private readonly lifecycle: ModelLifecycle
  private startupEntries: ModelEntry[] = []
  private startupDone = false

  constructor(private readonly options: RegistryOptions) {
    this.lifecycle = new ModelLifecycle(options)
  }

  /** Discovers the repository and, when asked, loads every model (all in parallel). */
  async start(loadModels: boolean): Promise<void> {
    const specs = await this.discover()
    for (const spec of specs) this.register(spec)
    this.startupEntries = this.all()
    if (loadModels) {
      // Bounded: loading a hundred models at once would hold every file and session in memory at the same moment.
      await runBounded([...this.models.keys()], START_UP_CONCURRENCY, (name) =>
        this.lock.run(name, () => this.loadAll(this.models.get(name)!.entries)),
      )
    }
    this.startupDone = true
  }

  /** Every model spec below the root, with the uri rule applied. */
  private async discover(): Promise<ModelSpec[]> {
    return (await discoverModels(this.options.root, process.env, this.options.logger)).map((spec) => this.confine(spec))
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
    return [...this.models.values()].flatMap((versions) => versions.entries)
  }

  index(ready?: boolean): RepositoryIndexItem[] {
    return this.all()
      .filter((entry) => ready === undefined || (entry.state === 'READY') === ready)
      .map((entry) => entry.toIndexItem())
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
      throw new MlsError('MODEL_NOT_FOUND', `model "${name}" not found: no model-settings.json below ${this.options.root} names it`)
    }
    await this.lock.run(name, async () => {
      // Matched again under the lock: a load or watch change queued before this one may have moved a file's version.
      const specs = found.filter((spec) => this.belongsTo(spec, name))
      const failures = await Promise.all(specs.map((spec) => this.loadSpec(spec)))
      const failed = failures.filter((failure): failure is string => failure !== undefined)
      if (failed.length > 0) {
        throw new MlsError('MODEL_LOAD_FAILED', `failed to load model "${name}": ${failed.join('; ')}`)
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
    return this.lock.run(entry?.name ?? spec.name, () => {
      const target = entry ?? this.register(spec)
      target.spec = spec
      return this.lifecycle.load(target)
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
    await Promise.all([...this.models.keys()].map((name) => this.unload(name)))
  }

  /** Drops a version from the lists (it holds no instance any more); the caller holds the name's lock. */
  private drop(entry: ModelEntry): void {
    const versions = this.models.get(entry.name)
    if (versions === undefined || !versions.remove(entry)) return
    if (versions.entries.length === 0) this.models.delete(entry.name)
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
