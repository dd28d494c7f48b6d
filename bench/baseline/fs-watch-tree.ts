/**
 * Baseline for bench/watch-tree.ts: mls's own tree watcher before chokidar replaced it (src/watch/tree-watcher.ts until
 * December 2026), kept to compare the two.
 *
 * Watches a folder tree with one non-recursive fs.watch per folder, skipping ignored folders (node_modules, dot
 * folders). A folder that appears (created, or moved in whole) is watched at once and everything already in it is
 * reported, so files written into it before its watch began are not missed; a folder that goes is unwatched.
 *
 * Why not `fs.watch(root, {recursive: true})`: on Linux, Node 20 emulates it in JavaScript with one watcher per
 * file and per folder, node_modules and .git included, reads the tree synchronously on every folder change, and
 * unwatches by string prefix (removing folder `a` also stops watching `ab`).
 */
import {readdirSync, statSync, watch, type FSWatcher} from 'node:fs'
import path from 'node:path'
import {isAtOrBelow} from '../../src/watch/ignore.js'

export interface TreeWatcherOptions {
  /** Names (of files and folders) to skip. */
  readonly ignored: (name: string) => boolean
  /** Told of every path that may have changed (absolute): created, written, deleted, renamed or moved in or out. */
  readonly onPath: (changed: string) => void
  /** Told when a folder cannot be watched (e.g. the system's inotify limit is reached). */
  readonly onError: (error: Error, folder: string) => void
}

export class TreeWatcher {
  private readonly watchers = new Map<string, FSWatcher>()
  private closed = false

  constructor(
    private readonly root: string,
    private readonly options: TreeWatcherOptions,
  ) {}

  /** Starts watching (synchronously: changes made after this returns are seen). */
  start(): this {
    this.watchFolder(this.root, false)
    return this
  }

  /** Folders being watched (for tests and debugging). */
  get folders(): number {
    return this.watchers.size
  }

  close(): void {
    this.closed = true
    for (const watcher of this.watchers.values()) watcher.close()
    this.watchers.clear()
  }

  /** Watches `folder` and the folders below it; with `announce`, reports everything found there. */
  private watchFolder(folder: string, announce: boolean): void {
    if (this.closed || this.watchers.has(folder)) return
    let watcher: FSWatcher
    try {
      watcher = watch(folder, {persistent: false}, (type, name) => this.changed(folder, type, name))
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code !== 'ENOENT' && code !== 'ENOTDIR') this.options.onError(error as Error, folder)
      return
    }
    // Raised when the folder goes away on some platforms: it is unwatched, its parent tells of the change.
    watcher.on('error', () => this.unwatch(folder))
    this.watchers.set(folder, watcher)
    let entries
    try {
      entries = readdirSync(folder, {withFileTypes: true})
    } catch {
      return
    }
    for (const entry of entries) {
      if (this.options.ignored(entry.name)) continue
      const full = path.join(folder, entry.name)
      if (announce) this.options.onPath(full)
      if (entry.isDirectory()) this.watchFolder(full, announce)
    }
  }

  private changed(folder: string, type: string, name: string | Buffer | null): void {
    if (this.closed) return
    // No name: the system dropped the details (an overflow); the folder as a whole may have changed.
    if (name === null) return this.options.onPath(folder)
    const base = name.toString()
    if (this.options.ignored(base)) return
    const full = path.join(folder, base)
    const isFolder = isDirectory(full)
    // A folder's own attributes changed: its contents tell of their changes themselves.
    if (type !== 'rename' && isFolder) return
    // Whatever is at this path now is watched afresh: a folder moved away keeps its watch (it follows the inode).
    if (type === 'rename' && (isFolder || this.watchers.has(full))) {
      this.unwatch(full)
      if (isFolder) this.watchFolder(full, true)
    }
    this.options.onPath(full)
  }

  private unwatch(folder: string): void {
    for (const [watched, watcher] of this.watchers) {
      if (isAtOrBelow(watched, folder)) {
        watcher.close()
        this.watchers.delete(watched)
      }
    }
  }
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory()
  } catch {
    return false
  }
}
