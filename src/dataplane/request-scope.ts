/**
 * One inference's lifetime limits: the client going away, infer_timeout (or the gRPC deadline) and the server's stop,
 * combined into one abort state whose reason is the MlsError the request fails with. The runtime receives it as
 * InferRequest.signal (made only if read); the data plane answers the client as soon as it fires.
 *
 * This sits on every request's path, so it allocates little: no AbortSignal unless a runtime asks, no listener array
 * unless batching or a worker pool watches, messages built only when a limit fires.
 */
import {MlsError} from '../errors.js'
import {modelLabel} from '../repository/model-label.js'
import {Abortable} from '../util/abortable.js'

/**
 * How a transport says its client went away: called once with `scope`, to abort with `scope.clientGone()` when that
 * happens; it may return a function that stops watching (called when the request is over).
 */
export type ClientWatch = (scope: RequestScope) => (() => void) | void

/** The model a request is for, to name it in messages. */
export interface ScopeModel {
  readonly name: string
  readonly version?: string
}

/** A model instance's queue: one place per request, taken at admission and given back once (see RequestScope.hold). */
export interface WorkHolder {
  acquire(): void
  release(): void
}

export class RequestScope extends Abortable {
  private timer?: NodeJS.Timeout
  private unwatch?: () => void
  private rejectRace?: (reason: unknown) => void
  /** The model instance whose queue place this request holds, from hold() on (an unload finds its requests by it). */
  holder?: WorkHolder = undefined
  /** Whether the place in the holder's queue is still to be given back. */
  private placeHeld = false
  /** Whether the runtime's work (race(work, true)) is still running: then the place waits for it. */
  private working = false
  /** Links of the data plane's in-flight list (see inflight.ts). */
  prev?: RequestScope = undefined
  next?: RequestScope = undefined

  /**
   * `timeoutMs`: milliseconds from now until the request times out (undefined or 0: never); `timeoutLabel` says what
   * the timeout was, for the message ("infer_timeout (2 s)", "the call's deadline (1.5 s)").
   */
  constructor(
    private readonly model: ScopeModel,
    watchClient?: ClientWatch,
    timeoutMs?: number,
    timeoutLabel?: string,
  ) {
    super()
    if (timeoutMs !== undefined && timeoutMs > 0 && Number.isFinite(timeoutMs)) {
      this.timer = setTimeout(() => this.timedOut(timeoutLabel ?? `${timeoutMs / 1000} s`), timeoutMs)
    }
    if (watchClient !== undefined) this.unwatch = watchClient(this) ?? undefined
  }

  private timedOut(what: string): void {
    this.abort(new MlsError('INFER_TIMEOUT', `${modelLabel(this.model)} did not answer within ${what}`))
  }

  /**
   * The client's deadline (a gRPC call's) has passed: the request times out as if its timer had fired. Also for an
   * answer that arrived after the deadline but before the timer could run (a runtime that held the thread): the client
   * no longer waits for it, so it is a timeout, not a success.
   */
  deadlinePassed(): void {
    if (this.aborted) return
    this.timedOut("the call's deadline")
  }

  /** The client went away before the answer: the request is given up (that frees its place in the queue). */
  clientGone(): void {
    if (this.aborted) return
    this.abort(new MlsError('REQUEST_CANCELLED', `the client went away before ${modelLabel(this.model)} answered`))
  }

  /** Ends the request with `reason`: the signal fires and race() rejects with it. */
  override abort(reason: unknown): boolean {
    if (!super.abort(reason)) return false
    this.rejectRace?.(reason)
    return true
  }

  /** Throws the reason if the scope has ended already (say the client left while the body was being validated). */
  throwIfAborted(): void {
    if (this.aborted) throw this.reason
  }

  /**
   * Takes a place in `holder`'s queue for this request. This scope is the place's one owner: it gives it back exactly
   * once, when the runtime's work settles (race(work, true)) or, if no work is running, when the scope ends (dispose()).
   * So a request whose client already has its answer (timeout, disconnect) keeps its place until the runtime lets go:
   * a hung runtime fills max_queue_size and further requests are refused at once instead of piling up.
   */
  hold(holder: WorkHolder): void {
    holder.acquire()
    this.holder = holder
    this.placeHeld = true
  }

  private giveBackPlace(): void {
    if (!this.placeHeld) return
    this.placeHeld = false
    this.holder!.release()
  }

  /**
   * Settles with `work`, or rejects with the abort reason as soon as the scope is aborted (the work may go on). With
   * `isWork` (the runtime's own work, not a wait for the client), the queue place is given back when the work settles,
   * whichever came first.
   */
  race<T>(work: Promise<T>, isWork = false): Promise<T> {
    if (isWork) this.working = true
    return new Promise<T>((resolve, reject) => {
      if (this.aborted) reject(this.reason)
      else this.rejectRace = reject
      work.then(
        (value) => {
          if (isWork) this.workSettled()
          resolve(value)
        },
        (error: unknown) => {
          if (isWork) this.workSettled()
          reject(error)
        },
      )
    })
  }

  private workSettled(): void {
    this.working = false
    this.giveBackPlace()
  }

  /** Ends the scope: the timer stops, the client is no longer watched, and the queue place is given back unless work still runs. */
  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.rejectRace = undefined
    this.unwatch?.()
    if (!this.working) this.giveBackPlace()
  }
}
