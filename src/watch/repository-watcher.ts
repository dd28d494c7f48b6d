/**
 * `mls start --watch`: keeps the registry in step with the files below the repository root. A new model-settings.json
 * loads its model; a changed model-settings.json or model file reloads that version, rolling (the old instance serves
 * until the new one is READY; a failed reload keeps it serving, with the reason); a deleted model-settings.json unloads
 * its version (in-flight requests finish) and drops it from the repository. Changes are debounced per model version,
 * applied one at a time, and told as events (logged, and given to listeners such as the dashboard).
 */
import {statSync} from 'node:fs'
import path from 'node:path'
import type {Logger} from '../logger.js'
import {findModelSettingsFiles, MODEL_SETTINGS_FILE, readModelSpec, type ModelSpec} from '../repository/discover.js'
import type {ModelEntry} from '../repository/model-entry.js'
import {modelLabel as label} from '../repository/model-label.js'
import type {ModelRegistry} from '../repository/model-registry.js'
import {KeyedDebouncer} from './debounce.js'
import {isIgnoredName, isIgnoredPath} from './ignore.js'
import {modelsAffected, type PathKind, type WatchedModel} from './model-paths.js'
import {TreeWatcher} from './tree-watcher.js'

/** Quiet time after the last change to a model before it is applied: editors and copies write in bursts. */
export const WATCH_DEBOUNCE_MS = 250

/** What the watcher did, for people: one line, with the model version it concerns. */
export interface WatchEvent {
  readonly level: 'info' | 'ok' | 'warn' | 'error'
  readonly model: string
  readonly version?: string
  readonly text: string
}

export type WatchListener = (event: WatchEvent) => void

export interface RepositoryWatcherOptions {
  readonly root: string
  readonly registry: ModelRegistry
  readonly logger: Logger
  /** Changes are applied once this settles (start-up loading); they are collected meanwhile. */
  readonly after?: Promise<unknown>
  /** Quiet time per model, ms (default WATCH_DEBOUNCE_MS). */
  readonly debounceMs?: number
}

type Identity = {readonly name: string; readonly version?: string}

function kindOf(file: string): PathKind {
  try {
    return statSync(file).isDirectory() ? 'directory' : 'file'
  } catch {
    return 'gone'
  }
}

export class RepositoryWatcher {
  private readonly listeners = new Set<WatchListener>()
  /** Per model-settings.json waiting for its quiet period: the paths that changed (relative to the root). */
  private readonly changes = new Map<string, Set<string>>()
  private readonly tree: TreeWatcher
  private readonly debouncer: KeyedDebouncer<string>
  private queue: Promise<void>
  private closed = false

  constructor(private readonly options: RepositoryWatcherOptions) {
    this.tree = new TreeWatcher(options.root, {
      ignored: isIgnoredName,
      onPath: (changed) => this.changed(changed),
      onError: (error, folder) => options.logger.warn(`watch: cannot watch ${folder}: ${error.message}`, {event: 'watch_error'}),
    })
    this.debouncer = new KeyedDebouncer(options.debounceMs ?? WATCH_DEBOUNCE_MS, (file) => this.due(file))
    this.queue = Promise.resolve(options.after).then(
      () => undefined,
      () => undefined,
    )
  }

  /** Starts watching: changes made after this returns are seen. */
  start(): this {
    this.tree.start()
    this.options.logger.info(`watching ${this.options.root} for changes to models`, {event: 'watch_started'})
    return this
  }

  /** Calls `listener` with every event from now on; returns the function that stops it. */
  onEvent(listener: WatchListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Stops watching, drops changes still in their quiet period and waits for the one being applied. */
  async close(): Promise<void> {
    this.closed = true
    this.tree.close()
    this.debouncer.close()
    await this.queue
  }

  private relative(file: string): string {
    return path.relative(this.options.root, file) || '.'
  }

  /** The versions defined by model-settings.json files (a model described by the environment has none to watch). */
  private known(): WatchedModel[] {
    return this.options.registry
      .all()
      .filter((entry) => path.basename(entry.spec.file) === MODEL_SETTINGS_FILE)
      .map(({spec}) => ({file: spec.file, uri: spec.ok ? spec.settings.uri : undefined}))
  }

  private changed(absolute: string): void {
    const relative = path.relative(this.options.root, absolute)
    if (relative === '' || isIgnoredPath(relative)) return
    const files = modelsAffected(absolute, kindOf(absolute), this.known())
    this.options.logger.debug(`watch: ${relative} changed`, {event: 'watch_change', models: files.map((f) => this.relative(f)).join(',') || undefined})
    for (const file of files) {
      let paths = this.changes.get(file)
      if (paths === undefined) this.changes.set(file, (paths = new Set()))
      paths.add(relative)
      this.debouncer.schedule(file)
    }
  }

  /** The quiet period of `file` is over: apply it after the changes before it. */
  private due(file: string): void {
    const changed = [...(this.changes.get(file) ?? [])].sort()
    this.changes.delete(file)
    this.queue = this.queue.then(async () => {
      if (this.closed) return
      try {
        await this.apply(file, changed)
      } catch (error) {
        this.options.logger.error(`watch: applying changes to ${this.relative(file)} failed: ${(error as Error).message}`, {event: 'watch_error'})
      }
    })
  }

  /** Tells listeners; with `event`, logs it too (one line, with model, version and reason). */
  private tell(level: WatchEvent['level'], who: Identity, text: string, log?: {event: string; message: string; reason: string}): void {
    if (log) {
      const write = level === 'error' ? this.options.logger.error : level === 'warn' ? this.options.logger.warn : this.options.logger.info
      write(`watch: ${log.message}`, {event: log.event, model: who.name, version: who.version, reason: log.reason})
    }
    const event: WatchEvent = {level, model: who.name, ...(who.version === undefined ? {} : {version: who.version}), text: `watch: ${text}`}
    for (const listener of this.listeners) listener(event)
  }

  private async apply(file: string, changed: readonly string[]): Promise<void> {
    const {registry} = this.options
    const current = registry.entryForFile(file)
    if (kindOf(file) !== 'file') {
      if (current !== undefined) await this.removeOrHandOver(current, file, `${this.relative(file)} is gone`)
      return
    }
    const spec = readModelSpec(file)
    // A broken file keeps the identity of the version it defined, so that version keeps serving.
    if (current !== undefined && (!spec.ok || (spec.name === current.name && spec.version === current.version))) {
      return this.reload(current, spec, describe(changed))
    }
    const other = registry.get(spec.name, spec.version)
    if (other !== undefined && other !== current && kindOf(other.spec.file) === 'file') {
      const reason = `${label(spec)} is already defined by ${this.relative(other.spec.file)}`
      this.tell('warn', spec, `${this.relative(file)} ignored: ${reason}`, {event: 'watch_ignored', message: `${this.relative(file)} ignored`, reason})
    } else {
      const reason = current === undefined ? `${this.relative(file)} added` : `${this.relative(file)} now defines ${label(spec)} instead of ${label(current)}`
      await this.load(spec, reason)
    }
    if (current !== undefined) await this.removeOrHandOver(current, file, `${this.relative(file)} no longer defines it`)
  }

  /**
   * `file` no longer defines `entry`: another model-settings.json that defines the same version (one ignored as a
   * duplicate, or the same folder under a new name) takes it over, rolling; otherwise the version is removed.
   */
  private async removeOrHandOver(entry: ModelEntry, file: string, reason: string): Promise<void> {
    const files = (await findModelSettingsFiles(this.options.root)).filter((other) => other !== file)
    const heir = files.map(readModelSpec).find((spec) => spec.ok && spec.name === entry.name && spec.version === entry.version)
    if (heir === undefined) return this.remove(entry, reason)
    const handOver = `${reason}; ${this.relative(heir.file)} defines it`
    if (entry.state === 'UNKNOWN' || entry.reason === 'unloaded') {
      entry.spec = heir
      this.tell('info', entry, `${label(entry)} is now defined by ${this.relative(heir.file)} (${reason})`)
      return
    }
    await this.reload(entry, heir, handOver)
  }

  private async load(spec: ModelSpec, reason: string): Promise<void> {
    this.tell('info', spec, `loading ${label(spec)} (${reason})`, {event: 'watch_load', message: `loading ${label(spec)}`, reason})
    const failure = await this.options.registry.loadVersion(spec)
    if (failure === undefined) this.tell('ok', spec, `${label(spec)} loaded`)
    else this.tell('error', spec, `${label(spec)} failed to load: ${failure}`)
  }

  private async reload(entry: ModelEntry, spec: ModelSpec, reason: string): Promise<void> {
    // Unloaded on purpose, or not loaded at start-up: a change does not bring it in (`mls repo load` does).
    if (entry.state === 'UNKNOWN' || entry.reason === 'unloaded') {
      this.tell('info', entry, `${label(entry)} is not loaded: ${reason}, left as it is`)
      this.options.logger.debug(`watch: ${label(entry)} is not loaded; change left alone`, {event: 'watch_skipped', model: entry.name, version: entry.version, reason})
      return
    }
    const serving = entry.state === 'READY'
    const verb = serving ? 'reloading' : 'loading'
    this.tell('info', entry, `${verb} ${label(entry)} (${reason})`, {event: serving ? 'watch_reload' : 'watch_load', message: `${verb} ${label(entry)}`, reason})
    const failure = await this.options.registry.loadVersion(spec, entry)
    if (failure === undefined) this.tell('ok', entry, `${label(entry)} ${serving ? 'reloaded' : 'loaded'}`)
    else if (serving) this.tell('error', entry, `${label(entry)}: reload failed, the previous version keeps serving: ${failure}`)
    else this.tell('error', entry, `${label(entry)} failed to load: ${failure}`)
  }

  private async remove(entry: ModelEntry, reason: string): Promise<void> {
    this.tell('info', entry, `unloading ${label(entry)} (${reason})`, {event: 'watch_unload', message: `unloading ${label(entry)}`, reason})
    await this.options.registry.removeVersion(entry)
    this.tell('ok', entry, `${label(entry)} unloaded and removed from the repository`)
  }
}

/** "a changed", "a and 2 more changed". */
function describe(changed: readonly string[]): string {
  if (changed.length === 0) return 'files changed'
  return `${changed[0]}${changed.length > 1 ? ` and ${changed.length - 1} more` : ''} changed`
}

/** Watches `root` and applies changes to `registry` (see RepositoryWatcher). */
export function watchRepository(options: RepositoryWatcherOptions): RepositoryWatcher {
  return new RepositoryWatcher(options).start()
}
