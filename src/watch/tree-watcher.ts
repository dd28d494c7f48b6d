/**
 * Watches a folder tree with chokidar, skipping ignored names (and everything below an ignored folder). Every path
 * that may have changed is reported: added, changed or removed files and folders; a folder moved in whole is scanned
 * and what it holds is reported as added, one moved out reports what it held as removed.
 *
 * chokidar's first scan is asynchronous: changes are seen once `ready` has resolved. chokidar is imported when
 * watching starts, so a server without `--watch` does not load it. Symbolic links are not followed (a link to a
 * folder above would have chokidar walk the tree again and again, 40 levels deep).
 */
import {readdir} from 'node:fs/promises'
import path from 'node:path'
import type {FSWatcher} from 'chokidar'

export interface TreeWatcherOptions {
  /** Names (of files and folders) to skip. */
  readonly ignored: (name: string) => boolean
  /** Told of every path that may have changed (absolute): created, written, deleted, renamed or moved in or out. */
  readonly onPath: (changed: string) => void
  /** Told when a path cannot be watched or read (e.g. the system's inotify limit is reached), with that path. */
  readonly onError: (error: Error, where: string) => void
}

export class TreeWatcher {
  private watcher?: Promise<FSWatcher | undefined>
  private started?: Promise<void>
  private closed = false

  constructor(
    private readonly root: string,
    private readonly options: TreeWatcherOptions,
  ) {}

  /** Starts watching; changes made once `ready` has resolved are seen. */
  start(): this {
    const ready = (this.watcher ??= this.open())
    this.started = ready.then((watcher) => (watcher === undefined ? undefined : new Promise<void>((resolve) => watcher.once('ready', () => resolve()))))
    return this
  }

  /** Resolves once the first scan is done (at once when not started, or when watching could not start). */
  get ready(): Promise<void> {
    return this.started ?? Promise.resolve()
  }

  async close(): Promise<void> {
    this.closed = true
    await (await this.watcher)?.close()
  }

  private async open(): Promise<FSWatcher | undefined> {
    const {ignored, onPath, onError} = this.options
    let chokidar
    try {
      chokidar = await import('chokidar')
    } catch (error) {
      onError(error as Error, this.root)
      return undefined
    }
    if (this.closed) return undefined
    const watcher = chokidar.watch(this.root, {
      ignoreInitial: true,
      persistent: false,
      followSymlinks: false,
      // Names below the root are judged, not the root's own (it may sit in a dot folder).
      ignored: (file) => path.relative(this.root, file).split(path.sep).some((part) => part !== '' && ignored(part)),
    })
    watcher.on('all', (event, changed) => {
      onPath(changed)
      if (event === 'addDir') this.scanNewFolder(changed)
    })
    watcher.on('error', (error) => onError(error as Error, (error as NodeJS.ErrnoException).path ?? this.root))
    return watcher
  }

  /**
   * Reports what a new folder holds, now and once more a moment later: chokidar watches a new folder only after it
   * saw it, and a file written in between (`mkdir m; cp model.onnx m/; echo {...} > m/model-settings.json`) would
   * otherwise never be reported.
   */
  private scanNewFolder(folder: string): void {
    const seen = new Set<string>()
    // The second scan reports only what the first did not see: a file reported twice would be loaded twice.
    const scan = async () => {
      if (this.closed) return
      let names: string[]
      try {
        names = await readdir(folder, {recursive: true})
      } catch {
        return // gone again, or not readable: chokidar reports (or its error handler does)
      }
      for (const name of names) {
        if (this.closed) return
        if (seen.has(name) || name.split(path.sep).some((part) => this.options.ignored(part))) continue
        seen.add(name)
        this.options.onPath(path.join(folder, name))
      }
    }
    void scan().then(() => setTimeout(() => void scan(), NEW_FOLDER_RESCAN_MS).unref())
  }
}

/** When a new folder is scanned a second time, ms after it appeared. */
const NEW_FOLDER_RESCAN_MS = 100
