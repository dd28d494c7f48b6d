/**
 * The memory budget's accounting and its eviction decision, with no I/O: which loads may start, which versions to
 * evict to make room for one, or why it must wait or can never fit. Evicting, loading and waiting are the caller's
 * (room-waiter.ts waits; the registry evicts and loads). A key is one body of memory: a model version's instance.
 *
 * Every key is in one phase:
 * - `claimed`: a load promised room that is not free yet (victims are still being evicted, or another load whose size
 *   is only estimated must finish first); it asks again (`reserve` with the same key) when told something changed.
 * - `loading`: a load that may run now; its reserved size counts.
 * - `resident`: in memory, at its measured (or stated, or estimated) size.
 * - `evicting`: chosen as a victim, or being unloaded; its bytes count until `release`, as they are still held.
 *
 * Two totals: `used` = resident + evicting + loading (what is in memory, or being put there, now) and `promised` =
 * resident + loading + claimed (what will be once the evictions under way finish).
 *
 * What is guaranteed (all in bytes as the budget knows them):
 * 1. A load starts (`granted`) only if `used` plus its size fits the budget, beside what the claims made before it
 *    still need of the free room (a claim's size less the bytes of its own victims still being evicted): two loads
 *    never share room, free room goes to the earliest claims first, and a claim's victims free room for it alone.
 * 2. A `claimed` decision by a new key leaves `promised` within the budget: room freed by an eviction goes to the
 *    load it was made for, never to two. Once the evictions under way finish, every claim fits and is granted.
 * 3. Only `commit` can take `used` over the budget: when a load's measured size exceeds what it reserved. While
 *    `used` is over, nothing is granted, and the next decision evicts enough to cover the excess. Loads whose size is
 *    only an estimate (`estimated: true`, the first load of a version) run at most `maxEstimatedLoads` at a time
 *    (default 1), so if remembered sizes repeat, `used` exceeds the budget by at most one model's underestimate:
 *    less than one model being loaded, the bound.
 * 4. A victim is never pinned, never has a request in flight (the `inFlight` probe), is not loading, claimed or
 *    already evicting, and was neither loaded nor used less than its residency ago: `minResidencyMs` for a guarded
 *    key, `freshResidencyMs` for one that is not (yet).
 *
 * Guarded keys: a load asks for the full minimum residency (`guarded`, the default) or only the fresh one; a key is
 * guarded from its first `hit` on. The registry guards a load that comes back soon after its version's eviction, or
 * that a user asked for, and a version once a request finds it in memory: the residency then stops two hot versions
 * thrashing, while a version loaded for one request and not asked for again makes room as soon as that request is
 * answered (a Zipf tail of one-off loads is not held to the full residency; see model-memory.ts).
 */

/** What a load asks for beside its size. */
export interface ReserveOptions {
  /** A pinned version: never evicted; pinned bytes decide whether anything else can ever fit. */
  readonly pinned?: boolean
  /** The size is an estimate (from the files), not a measurement: see guarantee 3. */
  readonly estimated?: boolean
  /** Held for minResidencyMs from its load (the default), or only freshResidencyMs until its first hit. */
  readonly guarded?: boolean
}

/** Where the budget's bytes are, seen from one load: for decisions and messages (MEMORY_EXHAUSTED). */
export interface MemoryReport {
  /** Bytes the load needs. */
  readonly size: number
  readonly budget: number
  /** Held by pinned versions (resident, loading or claimed), other than this load. */
  readonly pinned: number
  /** budget − promised, not counting this load's own claim (negative after a commit that overshot). */
  readonly free: number
  /** Unpinned resident versions with requests in flight. */
  readonly inUse: number
  /** Unpinned idle resident versions loaded or used less than the minimum residency ago. */
  readonly recent: number
  /** Loads running or claimed (other than this one). */
  readonly loading: number
  /** Being evicted or unloaded: freed soon. */
  readonly evicting: number
}

/** The answer to `reserve`. */
export type Decision<K> =
  /** The load may start now; its size is reserved (phase `loading`). */
  | {readonly kind: 'granted'}
  /**
   * Room is promised (phase `claimed`), not free yet: the caller starts evicting `victims` (possibly none: evictions
   * under way or an estimated load will make the room), calls `release` on each once freed, and asks again.
   */
  | {readonly kind: 'claimed'; readonly victims: readonly K[]}
  /** Room could come later (requests finish, a residency passes, loads finish); nothing is recorded unless claimed before. */
  | {readonly kind: 'wait'; readonly report: MemoryReport; /** When a residency ends that could make room. */ readonly retryAt?: number}
  /** Cannot fit even with every unpinned version evicted (size > budget − pinned); nothing is recorded. */
  | {readonly kind: 'never'; readonly report: MemoryReport}

export type Phase = 'claimed' | 'loading' | 'resident' | 'evicting'

export interface MemoryBudgetOptions<K> {
  /** The budget in bytes. */
  readonly budget: number
  /** A guarded version loaded or used less than this long ago is not evicted (two hot models do not thrash). Default 1000. */
  readonly minResidencyMs?: number
  /** The same for a version not guarded (yet); default minResidencyMs (every key then held alike). */
  readonly freshResidencyMs?: number
  /** Loads with an estimated size running at once; default 1 (guarantee 3). */
  readonly maxEstimatedLoads?: number
  /**
   * Requests (and open streams) in flight on a resident key. A probe, read only when choosing victims: the registry's
   * instance already counts them, and a second counter on the request path could drift from it. Default: none.
   */
  readonly inFlight?: (key: K) => number
  /** Milliseconds, monotonic; default performance.now. */
  readonly clock?: () => number
}

interface Slot<K> {
  size: number
  phase: Phase
  readonly pinned: boolean
  estimated: boolean
  guarded: boolean
  loadedAt: number
  lastUsed: number
  /** Order of arrival: ties in LRU order go to the older entry; claims are served in it. */
  readonly seq: number
  /** An evicting victim: the claim it was chosen for (boxed, as a key may be any value, undefined too). */
  owner?: {readonly key: K}
}

export class MemoryBudget<K> {
  readonly budget: number
  readonly minResidencyMs: number
  readonly freshResidencyMs: number
  private readonly maxEstimatedLoads: number
  private readonly inFlight: (key: K) => number
  private readonly clock: () => number
  private readonly slots = new Map<K, Slot<K>>()
  private readonly listeners: Array<() => void> = []
  private seq = 0

  constructor(options: MemoryBudgetOptions<K>) {
    this.budget = options.budget
    this.minResidencyMs = options.minResidencyMs ?? 1000
    this.freshResidencyMs = Math.min(options.freshResidencyMs ?? this.minResidencyMs, this.minResidencyMs)
    this.maxEstimatedLoads = options.maxEstimatedLoads ?? 1
    this.inFlight = options.inFlight ?? (() => 0)
    this.clock = options.clock ?? (() => performance.now())
  }

  /**
   * Asks for room to load `key` (size in bytes). A key that holds a claim asks again with the same call when told
   * something changed (`onChange`); its size and options stay those of its first ask. Throws if `key` is loading,
   * resident or evicting: release it first.
   */
  reserve(key: K, size: number, options: ReserveOptions = {}): Decision<K> {
    let slot = this.slots.get(key)
    if (slot !== undefined && slot.phase !== 'claimed') throw new Error(`memory budget: ${String(key)} is already ${slot.phase}`)
    if (slot !== undefined) size = slot.size
    const now = this.clock()
    const totals = this.totals(key)
    const pinned = options.pinned ?? slot?.pinned ?? false
    const estimated = options.estimated ?? slot?.estimated ?? false
    const guarded = options.guarded ?? slot?.guarded ?? true
    if (size > this.budget - totals.pinned) {
      if (slot !== undefined) this.forget(key)
      return {kind: 'never', report: this.report(key, size)}
    }
    const own = slot?.size ?? 0
    const promisedOthers = totals.promised - own
    // Room free now goes to the claims made before this one first (each was promised it), then to this load.
    const fitsNow = totals.used + this.demandBefore(slot?.seq ?? Infinity, key) + size <= this.budget
    // A claim is already counted in `promised`; a new load must fit in what is not promised.
    const fitsPromise = slot !== undefined || promisedOthers + size <= this.budget
    const estimateFree = !estimated || totals.estimatedLoads < this.maxEstimatedLoads
    if (fitsNow && fitsPromise && estimateFree) {
      if (slot === undefined) slot = this.add(key, size, pinned, estimated, guarded, now)
      slot.phase = 'loading'
      // Its victims' room is its own now (counted in `used`); what they free when released is free for anyone.
      for (const other of this.slots.values()) if (other.owner?.key === key) other.owner = undefined
      return {kind: 'granted'}
    }
    const need = promisedOthers + size - this.budget
    if (need <= 0) {
      // The room is promised already: evictions under way free it, or the estimated load in progress finishes.
      if (slot === undefined) this.add(key, size, pinned, estimated, guarded, now)
      return {kind: 'claimed', victims: []}
    }
    const victims = this.chooseVictims(need, now)
    if (victims === undefined) {
      return {kind: 'wait', report: this.report(key, size), retryAt: this.nextResidencyEnd(now)}
    }
    for (const victim of victims) {
      const chosen = this.slots.get(victim)!
      chosen.phase = 'evicting'
      chosen.owner = {key}
    }
    if (slot === undefined) this.add(key, size, pinned, estimated, guarded, now)
    return {kind: 'claimed', victims}
  }

  /** A granted load finished: `key` is resident at `size` bytes (measured, or stated), used and loaded now. */
  commit(key: K, size: number): void {
    const slot = this.slots.get(key)
    if (slot?.phase !== 'loading') throw new Error(`memory budget: commit of ${String(key)}, which is ${slot?.phase ?? 'unknown'}, not loading`)
    const now = this.clock()
    slot.phase = 'resident'
    slot.size = size
    slot.estimated = false
    slot.loadedAt = now
    slot.lastUsed = now
    this.changed()
  }

  /**
   * `key` holds no memory any more: unloaded, evicted, its load failed, or its claim given up (a wait timed out).
   * Unknown keys are ignored, so a release may come twice.
   */
  release(key: K): void {
    if (this.forget(key)) this.changed()
  }

  /**
   * An explicit unload of a resident `key` starts: it is no victim any more, and its bytes count until `release`.
   * Returns false if `key` was not resident.
   */
  startUnload(key: K): boolean {
    const slot = this.slots.get(key)
    if (slot?.phase !== 'resident') return false
    slot.phase = 'evicting'
    this.changed()
    return true
  }

  /**
   * `key` served a request now (or at `now`): it moves to the back of the LRU order. A `hit` (the request found it in
   * memory, rather than waiting for its load) guards it: from now on it is held for minResidencyMs.
   */
  touch(key: K, now = this.clock(), hit = false): void {
    const slot = this.slots.get(key)
    if (slot === undefined) return
    if (now > slot.lastUsed) slot.lastUsed = now
    if (hit) slot.guarded = true
  }

  /** Tells `listener` whenever room may have appeared (commit, release, startUnload); returns how to stop. */
  onChange(listener: () => void): () => void {
    this.listeners.push(listener)
    return () => {
      const at = this.listeners.indexOf(listener)
      if (at >= 0) this.listeners.splice(at, 1)
    }
  }

  phaseOf(key: K): Phase | undefined {
    return this.slots.get(key)?.phase
  }

  sizeOf(key: K): number | undefined {
    return this.slots.get(key)?.size
  }

  /** Bytes in memory or being put there (resident + evicting + loading). */
  get used(): number {
    return this.totals(undefined).used
  }

  /** Bytes that will be held once the evictions under way finish (resident + loading + claimed). */
  get promised(): number {
    return this.totals(undefined).promised
  }

  /** Bytes held by pinned versions: more than the budget means start-up must stop (exit code 2). */
  get pinned(): number {
    return this.totals(undefined).pinned
  }

  /** Every key with its phase and size (the index, metrics, the TUI). */
  *entries(): IterableIterator<{key: K; phase: Phase; size: number; pinned: boolean; lastUsed: number; loadedAt: number}> {
    for (const [key, slot] of this.slots) {
      yield {key, phase: slot.phase, size: slot.size, pinned: slot.pinned, lastUsed: slot.lastUsed, loadedAt: slot.loadedAt}
    }
  }

  /**
   * The fewest least-recently-used victims that free `need` bytes: the shortest prefix of the LRU order that does,
   * less any victim in it whose bytes turn out not to be needed (the more recently used spared first); undefined if
   * every eligible victim together frees less.
   */
  private chooseVictims(need: number, now: number): K[] | undefined {
    const eligible: Array<[K, Slot<K>]> = []
    for (const entry of this.slots) if (this.evictable(entry[0], entry[1], now)) eligible.push(entry)
    eligible.sort(([, a], [, b]) => a.lastUsed - b.lastUsed || a.loadedAt - b.loadedAt || a.seq - b.seq)
    const chosen: Array<[K, Slot<K>]> = []
    let freed = 0
    for (const entry of eligible) {
      if (freed >= need) break
      chosen.push(entry)
      freed += entry[1].size
    }
    if (freed < need) return undefined
    for (let i = chosen.length - 2; i >= 0; i--) {
      if (freed - chosen[i][1].size >= need) {
        freed -= chosen[i][1].size
        chosen.splice(i, 1)
      }
    }
    return chosen.map(([key]) => key)
  }

  /**
   * What the claims of other keys that arrived before `seq` still need of the room free now: each its size, less the
   * bytes of its own victims still being evicted (those bring their own room when freed).
   */
  private demandBefore(seq: number, except: K): number {
    const coming = new Map<K, number>()
    for (const slot of this.slots.values()) {
      if (slot.phase === 'evicting' && slot.owner !== undefined) coming.set(slot.owner.key, (coming.get(slot.owner.key) ?? 0) + slot.size)
    }
    let bytes = 0
    for (const [key, slot] of this.slots) {
      if (slot.phase === 'claimed' && slot.seq < seq && key !== except) bytes += Math.max(0, slot.size - (coming.get(key) ?? 0))
    }
    return bytes
  }

  private evictable(key: K, slot: Slot<K>, now: number): boolean {
    return slot.phase === 'resident' && !slot.pinned && !this.recent(slot, now) && this.inFlight(key) === 0
  }

  private recent(slot: Slot<K>, now: number): boolean {
    return now - Math.max(slot.loadedAt, slot.lastUsed) < this.residencyOf(slot)
  }

  private residencyOf(slot: Slot<K>): number {
    return slot.guarded ? this.minResidencyMs : this.freshResidencyMs
  }

  /** The earliest time an idle, unpinned resident version's residency ends, if one is still within it. */
  private nextResidencyEnd(now: number): number | undefined {
    let earliest: number | undefined
    for (const [key, slot] of this.slots) {
      if (slot.phase !== 'resident' || slot.pinned || !this.recent(slot, now) || this.inFlight(key) > 0) continue
      const end = Math.max(slot.loadedAt, slot.lastUsed) + this.residencyOf(slot)
      if (earliest === undefined || end < earliest) earliest = end
    }
    return earliest
  }

  private totals(except: K | undefined): {used: number; promised: number; pinned: number; estimatedLoads: number} {
    let used = 0
    let promised = 0
    let pinned = 0
    let estimatedLoads = 0
    for (const [key, slot] of this.slots) {
      const {size, phase} = slot
      if (phase !== 'claimed') used += size
      if (phase !== 'evicting') promised += size
      if (slot.pinned && phase !== 'evicting' && key !== except) pinned += size
      if (phase === 'loading' && slot.estimated) estimatedLoads++
    }
    return {used, promised, pinned, estimatedLoads}
  }

  /** Where the budget's bytes are, seen from a load of `key` needing `size` (for messages). */
  report(key: K, size: number): MemoryReport {
    const now = this.clock()
    let inUse = 0
    let recent = 0
    let loading = 0
    let evicting = 0
    for (const [other, slot] of this.slots) {
      if (other === key) continue
      if (slot.phase === 'evicting') evicting += slot.size
      else if (slot.phase !== 'resident') loading += slot.size
      else if (slot.pinned) continue
      else if (this.inFlight(other) > 0) inUse += slot.size
      else if (this.recent(slot, now)) recent += slot.size
    }
    const totals = this.totals(key)
    const own = this.slots.get(key)?.phase === 'claimed' ? this.slots.get(key)!.size : 0
    return {size, budget: this.budget, pinned: totals.pinned, free: this.budget - (totals.promised - own), inUse, recent, loading, evicting}
  }

  private add(key: K, size: number, pinned: boolean, estimated: boolean, guarded: boolean, now: number): Slot<K> {
    const slot: Slot<K> = {size, phase: 'claimed', pinned, estimated, guarded, loadedAt: now, lastUsed: now, seq: this.seq++}
    this.slots.set(key, slot)
    return slot
  }

  /** Drops `key`; victims chosen for it (a claim given up) now make room for anyone. */
  private forget(key: K): boolean {
    const slot = this.slots.get(key)
    if (slot === undefined) return false
    this.slots.delete(key)
    if (slot.phase === 'claimed') for (const other of this.slots.values()) if (other.owner?.key === key) other.owner = undefined
    return true
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener()
  }
}
