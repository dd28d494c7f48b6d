/**
 * One of the N process places of `mls start --processes N`: the process in it now, whether that process has loaded,
 * and the restart policy the worker-thread pool uses too (workers/restart-policy.ts): a process that dies is replaced
 * at once, then with a doubling delay while its replacements keep dying before they have served a while.
 */
import type {Worker} from 'node:cluster'
import {RestartBackoff, type RestartPolicy} from '../workers/restart-policy.js'

export class WorkerSlot {
  private current?: Worker
  private loadedAt?: number
  private listens = false
  private starts = 0
  private timer?: NodeJS.Timeout
  private readonly backoff: RestartBackoff

  /** `fork` starts a process for this slot (and wires its messages and exit). */
  constructor(
    readonly number: number,
    private readonly fork: (slot: WorkerSlot) => Worker,
    policy?: RestartPolicy,
  ) {
    this.backoff = new RestartBackoff(policy)
  }

  /** The process in this slot now (the last one started). */
  get worker(): Worker {
    if (this.current === undefined) throw new Error(`process ${this.number} was never started`)
    return this.current
  }

  /** This slot's process is a replacement (not one of the processes started with the server). */
  get replacement(): boolean {
    return this.starts > 1
  }

  /** The process in the slot serves: it listens and heeds the primary's messages (a starting one would drop them). */
  get listening(): boolean {
    return this.listens
  }

  /** The process in the slot has loaded its models. */
  get loaded(): boolean {
    return this.loadedAt !== undefined
  }

  /** The process is gone, and no replacement is running yet. */
  get dead(): boolean {
    return this.current === undefined || this.current.isDead()
  }

  /** Starts a process in the slot. */
  start(): Worker {
    this.starts++
    this.loadedAt = undefined
    this.listens = false
    this.current = this.fork(this)
    return this.current
  }

  markListening(): void {
    this.listens = true
  }

  markLoaded(): void {
    this.loadedAt = Date.now()
  }

  /**
   * The slot's process exited: starts a replacement after the delay the restart policy gives (0 when the process had
   * served long enough, or is the first to die in a while), and returns that delay.
   */
  replaceLater(): number {
    const served = this.loadedAt === undefined ? 0 : Date.now() - this.loadedAt
    const delay = this.backoff.died(served)
    clearTimeout(this.timer)
    this.timer = setTimeout(() => this.start(), delay)
    return delay
  }

  /** Cancels a replacement that has not started yet (the server is stopping). */
  cancel(): void {
    clearTimeout(this.timer)
    this.timer = undefined
  }
}
