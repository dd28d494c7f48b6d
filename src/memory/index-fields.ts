/**
 * The fields a repository index item carries with a `memory_budget` (REST only; the gRPC message has no room for
 * them): `memory_bytes`, `memory_source` ("measured" | "stated" | "estimated"), `pinned` (true, only when pinned) and
 * `last_used` (ISO 8601, only when used since start). The server writes them from a VersionMemory; clients (`mls repo
 * list`, the TUI) read them back from whatever JSON a server sent, and show nothing new when they are absent.
 */
import type {SizeSource} from './measured-gain.js'
import type {VersionMemory} from './memory-view.js'

/** The extra fields of one index item. */
export interface IndexMemoryFields {
  readonly memory_bytes: number
  readonly memory_source: SizeSource
  readonly pinned?: true
  readonly last_used?: string
}

const SOURCES: ReadonlySet<string> = new Set<SizeSource>(['measured', 'stated', 'estimated'])

/** The fields of `version`, for its index item: `{...item, ...indexMemoryFields(version)}`. */
export function indexMemoryFields(version: VersionMemory): IndexMemoryFields {
  return {
    memory_bytes: version.bytes,
    memory_source: version.source,
    ...(version.pinned ? {pinned: true as const} : {}),
    ...(version.lastUsed === undefined ? {} : {last_used: new Date(version.lastUsed).toISOString()}),
  }
}

/**
 * The fields of an index item as a server sent it; undefined when it has no `memory_bytes` (no budget, an older
 * server or another one). A field of the wrong type is left out rather than trusted; a missing or unknown source reads
 * as measured (shown without the "~" of an estimate).
 */
export function readIndexMemoryFields(item: unknown): IndexMemoryFields | undefined {
  if (typeof item !== 'object' || item === null) return undefined
  const raw = item as Record<string, unknown>
  if (typeof raw.memory_bytes !== 'number' || !Number.isFinite(raw.memory_bytes) || raw.memory_bytes < 0) return undefined
  const source = typeof raw.memory_source === 'string' && SOURCES.has(raw.memory_source) ? (raw.memory_source as SizeSource) : 'measured'
  const lastUsed = typeof raw.last_used === 'string' && !Number.isNaN(Date.parse(raw.last_used)) ? raw.last_used : undefined
  return {
    memory_bytes: raw.memory_bytes,
    memory_source: source,
    ...(raw.pinned === true ? {pinned: true as const} : {}),
    ...(lastUsed === undefined ? {} : {last_used: lastUsed}),
  }
}
