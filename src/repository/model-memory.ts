/**
 * Memory-aware serving, on when memory_budget is set: every load first gets room in the budget (waiting for
 * evictions, in-flight requests or a minimum residency, within memory_wait_timeout), its memory is measured when it
 * has loaded, and the least recently used idle versions are evicted to make room. The budget's decisions are
 * src/memory/memory-budget.ts and its queue room-waiter.ts; this class ties them to model versions: sizes (stated >
 * measured > estimated), the instance each budget key is, what evicting one does, and what observers are told.
 *
 * A budget key (Residency) is one instance of a version, from the moment its load asks for room until its memory is
 * freed: a rolling reload has two at once (the old one serving, the new one loading), and both count.
 */
import type {Logger} from '../logger.js'
import {formatBytes} from '../memory/byte-size.js'
import {indexMemoryFields, type IndexMemoryFields} from '../memory/index-fields.js'
import {chooseSize, measuredGain, versionSize, type MemorySample, type SizeSource} from '../memory/measured-gain.js'
import {MemoryBudget} from '../memory/memory-budget.js'
import type {LoadReason, MemoryObserver, MemorySnapshot, VersionMemory} from '../memory/memory-view.js'
import {RoomWaiter} from '../memory/room-waiter.js'
import {estimateBytes, filesBytes, floorBytes, runtimeKind, type RuntimeKind} from '../memory/size-estimate.js'
import {resolveRuntimeName} from '../runtimes/registry.js'
import {discoverModels, type ModelSpec} from './discover.js'
import type {LoadedModel} from './loaded-model.js'
import type {ModelEntry} from './model-entry.js'
import {modelLabel} from './model-label.js'

export interface MemorySettings {
  /** memory_budget in bytes. */
  readonly budget: number
  /** memory_wait_timeout in seconds (0: no bound). */
  readonly waitTimeout: number
  /** memory_min_residency in seconds. */
  readonly minResidency: number
}

/** The state and reason of a version that is servable but not in memory (documented in docs/memory.md). */
export const NOT_IN_MEMORY = 'not in memory; loads on the next request'
export const EVICTED = 'evicted (least recently used); loads on the next request'

/**
 * The least residency, even with memory_min_residency 0: a version just loaded serves the requests that waited for
 * its load before it can be evicted. Without it, with two loads waiting on each other, each commit wakes the other
 * load, which evicts the version before its requests reach it; they load it again, which evicts the other: the two
 * versions thrash and no request is ever answered (measured with bench/tools/evict-cycles.js --clients 4).
 */
export const FRESH_RESIDENCY_MS = 50

/** One instance of a version in the budget: loading, resident or being freed. */
export class Residency {
  instance?: LoadedModel
  readonly started = performance.now()
  readonly startedAt = Date.now()
  /** The memory sample before the load, and whether another load or a free overlapped it (then it is not measured). */
  before?: MemorySample
  overlapped = false
  constructor(
    readonly entry: ModelEntry,
    readonly reason: LoadReason,
  ) {}

  toString(): string {
    return modelLabel(this.entry)
  }
}

/** The load's ticket: its room is reserved; `loaded` or `failed` must follow. */
export interface LoadTicket {
  readonly residency: Residency
  /** Milliseconds it waited for room. */
  readonly waitedMs: number
}

/** What a version's size is known as, kept across its loads. */
interface KnownSize {
  /** The size its last measured load settled on (versionSize). */
  measured?: number
  /** From its files: the estimate before any load, and the least a loaded version holds (size-estimate.ts). */
  files?: {readonly estimated: number; readonly floor: number}
}

export class ModelMemory {
  readonly budget: MemoryBudget<Residency>
  private readonly waiter: RoomWaiter<Residency>
  private readonly sizes = new WeakMap<ModelEntry, KnownSize>()
  /** Loads measuring now: a load or a free during one spoils its measurement. */
  private readonly measuring = new Set<Residency>()
  private readonly lastUsedAt = new WeakMap<ModelEntry, number>()
  /** When each version was last evicted (performance.now): a load soon after is a sign of thrash (guardedLoad). */
  private readonly evictedAt = new WeakMap<ModelEntry, number>()
  /** Native libraries loaded at least once in this process (see loaded). */
  private readonly librariesLoaded = new Set<string>()
  /** Frees an evicted instance (the lifecycle's evict): detaches it from its version at once, frees it later. */
  evictInstance: (entry: ModelEntry, instance: LoadedModel) => void = () => {}

  constructor(
    readonly settings: MemorySettings,
    private readonly logger: Logger,
    private readonly observer?: MemoryObserver,
  ) {
    this.budget = new MemoryBudget<Residency>({
      budget: settings.budget,
      minResidencyMs: Math.max(settings.minResidency * 1000, FRESH_RESIDENCY_MS),
      freshResidencyMs: FRESH_RESIDENCY_MS,
      inFlight: (residency) => residency.instance?.inFlight ?? 0,
    })
    this.waiter = new RoomWaiter<Residency>({
      budget: this.budget,
      waitTimeoutMs: settings.waitTimeout > 0 ? settings.waitTimeout * 1000 : Number.POSITIVE_INFINITY,
      evict: (victim) => this.evict(victim),
      describe: (residency) => modelLabel(residency.entry),
    })
  }

  /** The size the budget uses for `entry`'s next load, and where it comes from. */
  async sizeOf(entry: ModelEntry): Promise<{bytes: number; source: SizeSource}> {
    const known = this.known(entry)
    known.files ??= await fileSizes(entry.spec)
    return chooseSize({stated: statedSize(entry), measured: known.measured, estimated: known.files.estimated})
  }

  /**
   * Waits for room for one load of `entry` (evicting least recently used versions), within memory_wait_timeout.
   * Rejects with MEMORY_EXHAUSTED when it can never fit or the wait ran out.
   */
  async reserve(entry: ModelEntry, reason: LoadReason): Promise<LoadTicket> {
    const size = await this.sizeOf(entry)
    let {bytes} = size
    // An estimate is only a guess (4x an XGBoost file, when a big forest measures nearer 1-2x): one larger than all
    // the room there could be is tried in all of that room, and measured, rather than refused unmeasured.
    if (size.source === 'estimated') bytes = Math.max(1, Math.min(bytes, this.settings.budget - this.budget.pinned))
    const residency = new Residency(entry, reason)
    const asked = performance.now()
    await this.waiter.acquire(residency, bytes, {pinned: isPinned(entry), estimated: size.source === 'estimated', guarded: this.guardedLoad(entry, reason, asked)})
    for (const other of this.measuring) other.overlapped = true
    residency.before = sample()
    this.measuring.add(residency)
    return {residency, waitedMs: performance.now() - asked}
  }

  /**
   * Whether a load holds its version for the full memory_min_residency from the start: when a user asked for it
   * (start-up, `repo load`), or when it comes back less than memory_min_residency after its eviction (the sign of two
   * versions taking turns). A load for a request otherwise is held only FRESH_RESIDENCY_MS, enough to answer the
   * requests that waited for it, until a request finds it in memory (a hit, see touch): a version loaded for one
   * request and not asked for again then makes room at once, and the residency does not cap how many one-off loads
   * a second the budget can take (versions in memory / memory_min_residency).
   */
  private guardedLoad(entry: ModelEntry, reason: LoadReason, now: number): boolean {
    if (reason !== 'request') return true
    const evicted = this.evictedAt.get(entry)
    return evicted !== undefined && now - evicted < this.budget.minResidencyMs
  }

  /** The load of `ticket` succeeded: its measured size replaces the estimate, and it is resident. */
  loaded(ticket: LoadTicket, instance: LoadedModel): void {
    const {residency} = ticket
    this.measuring.delete(residency)
    const known = this.known(residency.entry)
    // The first load of a runtime kind also loads its library (onnxruntime's native code and thread pools, ~25 MiB):
    // that is the process's, not the model's, so that load keeps its estimate.
    const library = nativeLibraryOf(kindOf(residency.entry.spec))
    const first = library !== undefined && !this.librariesLoaded.has(library)
    if (library !== undefined) this.librariesLoaded.add(library)
    // What the runtime counts itself (XGBoost: its forest) is exact; a process-wide measurement is only trusted when
    // the load ran alone, and not for the load that also brought in its library.
    const reported = instance.reportedBytes
    const measuredNow = reported ?? (!first && !residency.overlapped && residency.before !== undefined ? measuredGain(residency.before, sample()) : undefined)
    for (const other of this.measuring) other.overlapped = true
    const files = known.files ?? {estimated: 0, floor: 0}
    const stated = statedSize(residency.entry)
    // A runtime's own count is exact: no floor from the files (a folder's test sets are not the model).
    const settled =
      reported !== undefined && stated === undefined
        ? {bytes: reported, source: 'measured' as const}
        : versionSize({stated, measuredNow, measuredBefore: known.measured, estimated: files.estimated, floor: files.floor})
    if (settled.source === 'measured') known.measured = settled.bytes
    const {bytes} = settled
    residency.instance = instance
    instance.memory = residency
    this.budget.commit(residency, bytes)
    this.lastUsedAt.set(residency.entry, Date.now())
    this.observer?.loaded(residency.entry.name, residency.entry.version, bytes, (performance.now() - residency.started) / 1000, residency.reason)
  }

  /** The load of `ticket` failed: its room is given back. */
  failed(ticket: LoadTicket): void {
    this.measuring.delete(ticket.residency)
    this.budget.release(ticket.residency)
  }

  /**
   * A request is served by `instance` now: it moves to the back of the eviction order. A `hit` (the request found it
   * in memory) holds it for the full memory_min_residency from now on (guardedLoad).
   */
  touch(instance: LoadedModel, hit: boolean): void {
    const residency = instance.memory as Residency | undefined
    if (residency === undefined) return
    this.budget.touch(residency, undefined, hit)
    this.lastUsedAt.set(residency.entry, Date.now())
  }

  /** A request found its version in memory, or had to wait for it to load. */
  residency(entry: ModelEntry, hit: boolean): void {
    this.observer?.residency(entry.name, entry.version, hit)
  }

  /** An unload or a reload's replacement of `instance` begins: it is no victim any more; its bytes count until freed. */
  freeing(instance: LoadedModel): void {
    const residency = instance.memory as Residency | undefined
    if (residency !== undefined) this.budget.startUnload(residency)
  }

  /** `instance`'s runtime was freed: its bytes leave the budget. */
  freed(instance: LoadedModel): void {
    const residency = instance.memory as Residency | undefined
    if (residency === undefined) return
    for (const other of this.measuring) other.overlapped = true
    this.budget.release(residency)
  }

  /** An instance's in-flight requests reached 0: a load waiting for room may go on. */
  idle(): void {
    this.waiter.wake()
  }

  /** Ends every wait for room (server stop). */
  close(error: unknown): void {
    this.waiter.close(error)
  }

  /** The budget chose `victim`: no new request reaches it from now (synchronously), and it is freed after. */
  private evict(victim: Residency): void {
    const {entry, instance} = victim
    if (instance === undefined) return
    const slot = this.budget.sizeOf(victim) ?? 0
    this.logger.info(`${modelLabel(entry)} evicted (least recently used) to make room: ${formatBytes(slot)} freed`, {
      event: 'model_evicted',
      model: entry.name,
      version: entry.version,
      bytes: slot,
    })
    this.observer?.evicted(entry.name, entry.version, slot, (performance.now() - victim.started) / 1000)
    this.evictedAt.set(entry, performance.now())
    // A load's commit (loaded) wakes the loads waiting for room at once, and with memory_min_residency 0 the version
    // it has just made resident can be their victim before the lifecycle attaches it (synchronously, right after
    // loaded returns). Evicting it then would free a runtime that is attached READY a moment later: every request
    // on it fails until an explicit load. So an instance its version does not hold yet is evicted once it does.
    if (entry.instance !== instance) queueMicrotask(() => this.evictInstance(entry, instance))
    else this.evictInstance(entry, instance)
  }

  /** Whether `entry` is in memory with room counted (resident, loading or being freed). */
  holds(entry: ModelEntry): boolean {
    return entry.instance?.memory !== undefined
  }

  /** The REST index's memory fields for `entry`. */
  indexFields(entry: ModelEntry): IndexMemoryFields {
    return indexMemoryFields(this.viewOf(entry))
  }

  /** The budget and every version's size (metrics, the TUI). */
  snapshot(entries: readonly ModelEntry[]): MemorySnapshot {
    return {budget: this.budget.budget, used: this.budget.used, versions: entries.map((entry) => this.viewOf(entry))}
  }

  private viewOf(entry: ModelEntry): VersionMemory {
    const residency = entry.instance?.memory as Residency | undefined
    const known = this.known(entry)
    const counted = residency === undefined ? undefined : this.budget.sizeOf(residency)
    const chosen = chooseSize({stated: statedSize(entry), measured: known.measured, estimated: known.files?.estimated ?? 0})
    const lastUsed = this.lastUsedAt.get(entry)
    return {
      name: entry.name,
      ...(entry.version === undefined ? {} : {version: entry.version}),
      bytes: counted ?? chosen.bytes,
      source: chosen.source,
      resident: residency !== undefined,
      pinned: isPinned(entry),
      ...(lastUsed === undefined ? {} : {lastUsed}),
    }
  }

  private known(entry: ModelEntry): KnownSize {
    let known = this.sizes.get(entry)
    if (known === undefined) this.sizes.set(entry, (known = {}))
    return known
  }

}

/** A spec's estimate and floor from the bytes of its files (0 for a spec that cannot be read). */
async function fileSizes(spec: ModelSpec): Promise<{estimated: number; floor: number}> {
  if (!spec.ok) return {estimated: 0, floor: 0}
  const kind = kindOf(spec)
  const bytes = await filesBytes(spec.settings.uri ?? spec.settings.folder)
  return {estimated: estimateBytes(bytes, kind), floor: floorBytes(bytes, kind)}
}

/** A version's memory from its files on disk, by runtime kind (size-estimate.ts); a spec that cannot be read: 0. */
export async function estimateSpec(spec: ModelSpec): Promise<number> {
  return (await fileSizes(spec)).estimated
}

/** The native library a runtime kind loads on its first use: onnxruntime for ONNX and sklearn (ONNX graphs). */
function nativeLibraryOf(kind: RuntimeKind): string | undefined {
  return kind === 'onnx' || kind === 'sklearn' ? 'onnxruntime' : undefined
}

/** The runtime kind a spec loads with (custom when it cannot be told). */
function kindOf(spec: ModelSpec): RuntimeKind {
  if (!spec.ok) return 'custom'
  try {
    return runtimeKind(resolveRuntimeName(spec.settings))
  } catch {
    return 'custom'
  }
}

/**
 * Whether the pinned versions below `root` fit `budget` together, by their stated or estimated sizes: the message
 * that says they do not (start-up then exits with code 2), or undefined.
 */
export async function pinnedBeyondBudget(root: string, budget: number): Promise<string | undefined> {
  const pinned = (await discoverModels(root)).filter((spec) => spec.ok && spec.settings.pinned === true)
  let total = 0
  for (const spec of pinned) total += (spec.ok ? spec.settings.memoryBytes : undefined) ?? (await estimateSpec(spec))
  if (total <= budget) return undefined
  return `the pinned model versions need ${formatBytes(total)} (stated, or estimated from their files), more than memory_budget ${formatBytes(budget)}: raise memory_budget, state a smaller "memory" or unpin some (${pinned.map((spec) => spec.file).join(', ')})`
}

function statedSize(entry: ModelEntry): number | undefined {
  return entry.spec.ok ? entry.spec.settings.memoryBytes : undefined
}

export function isPinned(entry: ModelEntry): boolean {
  return entry.spec.ok && entry.spec.settings.pinned === true
}

function sample(): MemorySample {
  const {rss, heapUsed, external} = process.memoryUsage()
  return {rss, heapUsed, external}
}
