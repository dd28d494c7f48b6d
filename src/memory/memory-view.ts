/**
 * What memory-aware serving (a `memory_budget`) tells the rest of the server: the events metrics and the TUI count,
 * and the snapshot they draw. The memory manager (the registry's collaborator) produces both; metrics, the TUI and
 * the repository index only read them, so none of them knows how the budget decides.
 */
import type {SizeSource} from './measured-gain.js'

/** Why a version was loaded: a bounded label (model_loads_total's `reason`). */
export type LoadReason = 'startup' | 'request' | 'explicit'

/** Told of what the memory manager does; every method is called synchronously and must not throw. */
export interface MemoryObserver {
  /** A version was loaded into memory: its size as the budget now counts it, and how long the load took. */
  loaded(model: string, version: string | undefined, bytes: number, seconds: number, reason: LoadReason): void
  /** A version was evicted (least recently used) to make room; `ageSeconds`: since it was loaded. */
  evicted(model: string, version: string | undefined, bytes: number, ageSeconds: number): void
  /** A request found its version in memory (hit) or had to wait for a load (miss). */
  residency(model: string, version: string | undefined, hit: boolean): void
}

/** One version's memory as the budget counts it. */
export interface VersionMemory {
  readonly name: string
  readonly version?: string
  /** Bytes: measured at its last load, else stated in model-settings.json (`memory`), else estimated from its files. */
  readonly bytes: number
  readonly source: SizeSource
  /** In memory now (READY, or being loaded / evicted: its bytes count). */
  readonly resident: boolean
  readonly pinned: boolean
  /** Epoch milliseconds of its last request (or load), if any. */
  readonly lastUsed?: number
}

/** The whole budget at one moment. */
export interface MemorySnapshot {
  /** memory_budget in bytes. */
  readonly budget: number
  /** Bytes in memory now (resident, loading and being evicted versions). */
  readonly used: number
  readonly versions: readonly VersionMemory[]
}
