/**
 * The versions of one model name and which of them answers when a request names no version (MLServer's
 * `SingleModelRegistry`). It only keeps the list; loading and unloading are the lifecycle's business.
 */
import {MlsError} from '../errors.js'
import type {ModelSpec} from './discover.js'
import {ModelEntry, type StateListener} from './model-entry.js'
import {defaultVersion} from './version-order.js'

export class ModelVersions {
  private list: ModelEntry[] = []

  constructor(
    readonly name: string,
    private readonly onStateChange?: StateListener,
  ) {}

  /** Every version, in the order they were found. */
  get entries(): readonly ModelEntry[] {
    return this.list
  }

  /** The version names (an unversioned entry has none). */
  versions(): string[] {
    return this.list.flatMap((entry) => (entry.version === undefined ? [] : [entry.version]))
  }

  /** Exactly this version (undefined: the unversioned one), if known. */
  get(version: string | undefined): ModelEntry | undefined {
    return this.list.find((entry) => entry.version === version)
  }

  /**
   * The version a request without a version gets: the unversioned one, else the highest (see version-order.ts),
   * chosen among the READY versions while there is one. A version that failed to load (or is loading, or unloaded)
   * never takes the default route from one that serves; with none READY, the usual default says why.
   */
  default(): ModelEntry | undefined {
    return defaultVersion(this.list.filter((entry) => entry.state === 'READY')) ?? defaultVersion(this.list)
  }

  /** The named version, or the default one when `version` is absent or empty; MODEL_VERSION_NOT_FOUND otherwise. */
  find(version?: string): ModelEntry {
    const entry = version === undefined || version === '' ? this.default() : this.get(version)
    if (entry !== undefined) return entry
    const known = this.versions()
    throw new MlsError(
      'MODEL_VERSION_NOT_FOUND',
      `model "${this.name}" has no version "${version}"${known.length ? ` (versions: ${known.join(', ')})` : ''}`,
    )
  }

  /**
   * The entry for the spec's version, created when new; it now reads its settings from `spec`. When another file
   * already defines that version and `onDuplicate` is given, the first file wins: `onDuplicate` is told of it and
   * the entry keeps its spec.
   */
  register(spec: ModelSpec, onDuplicate?: (existing: ModelEntry) => void): ModelEntry {
    let entry = this.get(spec.version)
    if (entry === undefined) {
      entry = new ModelEntry(this.name, spec.version, spec, this.onStateChange)
      this.list.push(entry)
    } else if (entry.spec.file !== spec.file && onDuplicate !== undefined) {
      onDuplicate(entry)
      return entry
    }
    entry.spec = spec
    return entry
  }

  /** Drops a version from the list; false when it was not in it. */
  remove(entry: ModelEntry): boolean {
    const before = this.list.length
    this.list = this.list.filter((e) => e !== entry)
    return this.list.length < before
  }
}
