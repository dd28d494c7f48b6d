/**
 * Loads that cannot start yet wait here, first come first served, until the budget grants them room.
 *
 * A wait ends when its load is granted, when it cannot ever fit (MEMORY_EXHAUSTED at once), when memory_wait_timeout
 * passes (MEMORY_EXHAUSTED with the sizes), or when the request's own bound fires first (its AbortWatch: the load
 * gives up with that bound's error, e.g. INFER_TIMEOUT or REQUEST_CANCELLED). The queue is asked again whenever room
 * may have appeared: the budget changed (a commit, a release), the caller says a version's in-flight count reached 0
 * (`wake`), or the earliest minimum residency ends (a timer).
 *
 * Order: the queue is tried from its head. A load granted leaves it; one that got a claim leaves its room protected
 * (memory-budget.ts) and the loads behind it are tried too; one that must wait stops the pass, since it records
 * nothing and a later load could take the room it is waiting for: strictly first in, first out.
 */
import type {AbortWatch} from '../util/abortable.js'
import {MemoryExhaustedError} from './memory-exhausted.js'
import type {MemoryBudget, ReserveOptions} from './memory-budget.js'

/** setTimeout's longest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1

export interface RoomWaiterOptions<K> {
  readonly budget: MemoryBudget<K>
  /**
   * Starts evicting `victim` (stop new requests on it at once, drain, unload) and calls `budget.release(victim)` once
   * its memory is freed. Called synchronously when a load's claim names it; must not throw.
   */
  readonly evict: (victim: K) => void
  /** memory_wait_timeout in ms: the longest any load waits for room (Infinity: no bound). */
  readonly waitTimeoutMs: number
  /** The setting named in timeout messages; default "memory_wait_timeout". */
  readonly timeoutLabel?: string
  /** A key as messages name it (e.g. `model "m" version "1"`); default String(key). */
  readonly describe?: (key: K) => string
  /** The budget's clock (ms): residency ends are on it. Default performance.now. */
  readonly clock?: () => number
}

export interface AcquireOptions extends ReserveOptions {
  /** The request's own bound (its deadline, the client going away): the wait ends with its reason. */
  readonly abort?: AbortWatch
}

interface Waiter<K> {
  readonly key: K
  readonly size: number
  readonly options: AcquireOptions
  readonly started: number
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
  timer?: NodeJS.Timeout
  settled: boolean
}

export class RoomWaiter<K> {
  private readonly queue: Array<Waiter<K>> = []
  private readonly budget: MemoryBudget<K>
  private readonly clock: () => number
  private readonly stopListening: () => void
  private pumping = false
  private again = false
  private residencyTimer?: {readonly at: number; readonly timer: NodeJS.Timeout}

  constructor(private readonly options: RoomWaiterOptions<K>) {
    this.budget = options.budget
    this.clock = options.clock ?? (() => performance.now())
    this.stopListening = this.budget.onChange(() => this.wake())
  }

  /**
   * Resolves once `key` may load `size` bytes: its room is reserved (the budget's phase `loading`); the caller then
   * loads and calls `budget.commit`, or `budget.release` if the load fails. Rejects with MemoryExhaustedError, or the
   * abort's reason; nothing of `key` stays in the budget then.
   */
  acquire(key: K, size: number, options: AcquireOptions = {}): Promise<void> {
    if (options.abort?.aborted) return Promise.reject(options.abort.reason)
    if (this.queue.some((waiter) => waiter.key === key)) {
      return Promise.reject(new Error(`room waiter: ${this.describe(key)} is already waiting`))
    }
    const phase = this.budget.phaseOf(key)
    if (phase !== undefined) return Promise.reject(new Error(`room waiter: ${this.describe(key)} is already ${phase}; release it first`))
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter<K> = {key, size, options, started: this.clock(), resolve, reject, settled: false}
      this.queue.push(waiter)
      const timeout = this.options.waitTimeoutMs
      if (Number.isFinite(timeout)) {
        waiter.timer = setTimeout(() => this.timeOut(waiter), Math.min(MAX_TIMER_MS, Math.max(0, timeout)))
        waiter.timer.unref?.()
      }
      options.abort?.on(() => this.giveUp(waiter, options.abort!.reason))
      this.pump()
    })
  }

  /** Room may have appeared (a version's in-flight requests reached 0): the queue is tried again. */
  wake(): void {
    if (this.queue.length > 0) this.pump()
  }

  /** Loads waiting (including those whose claimed room is being freed). */
  get waiting(): number {
    return this.queue.length
  }

  /** Ends every wait with `error` (server stop) and stops listening to the budget. */
  close(error: unknown): void {
    this.stopListening()
    this.clearResidencyTimer()
    for (const waiter of [...this.queue]) this.giveUp(waiter, error)
  }

  /** Tries the queue from its head; re-entrant calls (an eviction released at once) run one more pass. */
  private pump(): void {
    if (this.pumping) {
      this.again = true
      return
    }
    this.pumping = true
    try {
      do {
        this.again = false
        this.pass()
      } while (this.again)
    } finally {
      this.pumping = false
    }
  }

  private pass(): void {
    for (const waiter of [...this.queue]) {
      if (waiter.settled) continue
      const decision = this.budget.reserve(waiter.key, waiter.size, waiter.options)
      switch (decision.kind) {
        case 'granted':
          this.settle(waiter)
          waiter.resolve()
          continue
        case 'claimed':
          for (const victim of decision.victims) this.options.evict(victim)
          continue
        case 'never':
          this.settle(waiter)
          waiter.reject(MemoryExhaustedError.neverFits(this.describe(waiter.key), decision.report))
          continue
        case 'wait':
          this.armResidencyTimer(decision.retryAt)
          return
      }
    }
  }

  private timeOut(waiter: Waiter<K>): void {
    if (waiter.settled) return
    const report = this.budget.report(waiter.key, waiter.size)
    const label = this.options.timeoutLabel ?? 'memory_wait_timeout'
    this.giveUp(waiter, MemoryExhaustedError.waitedTooLong(this.describe(waiter.key), this.clock() - waiter.started, label, report))
  }

  /** Ends a wait with `error`; a claim it held is given back, and the loads behind it are tried. */
  private giveUp(waiter: Waiter<K>, error: unknown): void {
    if (waiter.settled) return
    this.settle(waiter)
    waiter.reject(error)
    if (this.budget.phaseOf(waiter.key) === 'claimed') this.budget.release(waiter.key)
    else this.wake()
  }

  private settle(waiter: Waiter<K>): void {
    waiter.settled = true
    clearTimeout(waiter.timer)
    const at = this.queue.indexOf(waiter)
    if (at >= 0) this.queue.splice(at, 1)
    if (this.queue.length === 0) this.clearResidencyTimer()
  }

  /** One timer, at the earliest residency end that could make room for the head of the queue. */
  private armResidencyTimer(at: number | undefined): void {
    if (at === undefined) return
    if (this.residencyTimer !== undefined && this.residencyTimer.at <= at) return
    this.clearResidencyTimer()
    const timer = setTimeout(
      () => {
        this.residencyTimer = undefined
        this.wake()
      },
      Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(at - this.clock()))),
    )
    timer.unref?.()
    this.residencyTimer = {at, timer}
  }

  private clearResidencyTimer(): void {
    if (this.residencyTimer === undefined) return
    clearTimeout(this.residencyTimer.timer)
    this.residencyTimer = undefined
  }

  private describe(key: K): string {
    return this.options.describe?.(key) ?? String(key)
  }
}
