/**
 * `mls start --watch`: keeps the registry in step with the files below the repository root. A new model-settings.json
 * loads its model; a changed model-settings.json or model file reloads that version, rolling (the old instance serves
 * until the new one is READY; a failed reload keeps it serving, with the reason); a deleted model-settings.json unloads
 * its version (in-flight requests finish) and drops it from the repository. Changes are debounced per model version,
 * applied one at a time, and told as events (logged, and given to listeners such as the dashboard).
 *
 * This file is the intake (file events, debouncing, one change at a time) and the hands (registry calls); what to do
 * is decided by plan-change.ts and worded by watch-text.ts.
 */
import {statSync} from 'node:fs'
import path from 'node:path'
import type {Logger} from '../logger.js'
import {findModelSettingsFiles, MODEL_SETTINGS_FILE, readModelSpec} from '../repository/discover.js'
import type {ModelEntry} from '../repository/model-entry.js'
import type {ModelRegistry} from '../repository/model-registry.js'
import {KeyedDebouncer} from './debounce.js'
import {isIgnoredName, isIgnoredPath} from './ignore.js'
import {modelsAffected, type PathKind, type WatchedModel} from './model-paths.js'
import {planChange, planRetire, type Action, type Heir} from './plan-change.js'
import {TreeWatcher} from './tree-watcher.js'
import {after, before, type Telling, type WatchEvent} from './watch-text.js'

export type {WatchEvent} from './watch-text.js'

/** Quiet time after the last change to a model before it is applied: editors and copies write in bursts. */
export const WATCH_DEBOUNCE_MS = 250

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
      onError: (error, where) => options.logger.warn(`watch: cannot watch ${this.relative(where)}: ${error.message}`, {event: 'watch_error', path: where}),
    })
    this.debouncer = new KeyedDebouncer(options.debounceMs ?? WATCH_DEBOUNCE_MS, (file) => this.due(file))
    this.queue = Promise.resolve(options.after).then(
      () => undefined,
      () => undefined,
    )
  }

  /** Starts watching: changes made once `ready` has resolved are seen. */
  start(): this {
    this.tree.start()
    void this.tree.ready.then(() => {
      if (!this.closed) this.options.logger.info(`watching ${this.options.root} for changes to models`, {event: 'watch_started'})
    })
    return this
  }

  /** Resolves once the tree is watched (the first scan is asynchronous): changes made after this are seen. */
  get ready(): Promise<void> {
    return this.tree.ready
  }

  /** Calls `listener` with every event from now on; returns the function that stops it. */
  onEvent(listener: WatchListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Stops watching, drops changes still in their quiet period and waits for the one being applied. */
  async close(): Promise<void> {
    this.closed = true
    await this.tree.close()
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

  /** Gathers the facts about `file`, plans, and carries out the plan step by step. */
  private async apply(file: string, changed: readonly string[]): Promise<void> {
    const {registry} = this.options
    const current = registry.entryForFile(file)
    const now = kindOf(file) === 'file' ? readModelSpec(file) : undefined
    const other = now === undefined ? undefined : registry.get(now.name, now.version)
    const facts = {
      file: this.relative(file),
      now,
      current,
      other: other === undefined || other === current ? undefined : {entry: other, file: this.relative(other.spec.file), fileExists: kindOf(other.spec.file) === 'file'},
      changed,
    }
    for (const step of planChange(facts)) {
      await this.carryOut(step.kind === 'retire' ? planRetire(step.entry, step.cause, await this.heirOf(step.entry, file)) : step)
    }
  }

  /** Another model-settings.json below the root (not `file`) that defines `entry`'s version. */
  private async heirOf(entry: ModelEntry, file: string): Promise<Heir | undefined> {
    const files = (await findModelSettingsFiles(this.options.root, this.options.logger)).filter((other) => other !== file)
    const spec = files.map(readModelSpec).find((s) => s.ok && s.name === entry.name && s.version === entry.version)
    return spec === undefined ? undefined : {spec, file: this.relative(spec.file)}
  }

  private async carryOut(step: Action<ModelEntry>): Promise<void> {
    this.tell(before(step))
    let failure: string | undefined
    switch (step.kind) {
      case 'load':
        failure = await this.options.registry.loadVersion(step.spec)
        break
      case 'reload':
        failure = await this.options.registry.loadVersion(step.spec, step.entry)
        break
      case 'remove':
        await this.options.registry.removeVersion(step.entry)
        break
      case 'adopt':
        step.entry.spec = step.heir.spec
        break
      case 'leave':
      case 'ignore':
        break
    }
    const outcome = after(step, failure)
    if (outcome !== undefined) this.tell(outcome)
  }

  /** Logs the telling's line (with model, version and reason) if it has one, and tells listeners. */
  private tell({who, level, text, log}: Telling): void {
    if (log !== undefined) {
      const {logger} = this.options
      const write = log.level === 'error' ? logger.error : log.level === 'warn' ? logger.warn : log.level === 'debug' ? logger.debug : logger.info
      write(`watch: ${log.message}`, {event: log.event, model: who.name, version: who.version, reason: log.reason})
    }
    const event: WatchEvent = {level, model: who.name, ...(who.version === undefined ? {} : {version: who.version}), text: `watch: ${text}`}
    for (const listener of this.listeners) listener(event)
  }
}

/** Watches `root` and applies changes to `registry` (see RepositoryWatcher). */
export function watchRepository(options: RepositoryWatcherOptions): RepositoryWatcher {
  return new RepositoryWatcher(options).start()
}
