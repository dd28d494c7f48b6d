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

/** Something to tell when the runtime's work settles, whether or not the client still waits (the model's queue place). */
export interface WorkHolder {
  release(): void
}

export class RequestScope extends Abortable {
  private timer?: NodeJS.Timeout
  private unwatch?: () => void
  private rejectRace?: (reason: unknown) => void
  /** What holds the work once race() began (the model instance running it). */
  holder?: WorkHolder = undefined
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
   * Settles with `work`, or rejects with the abort reason as soon as the scope is aborted (the work may go on). `holder`,
   * when given, is released when the work settles, whichever came first, and is the scope's holder from now on.
   */
  race<T>(work: Promise<T>, holder?: WorkHolder): Promise<T> {
    if (holder !== undefined) this.holder = holder
    return new Promise<T>((resolve, reject) => {
      if (this.aborted) reject(this.reason)
      else this.rejectRace = reject
      work.then(
        (value) => {
          holder?.release()
          resolve(value)
        },
        (error: unknown) => {
          holder?.release()
          reject(error)
        },
      )
    })
  }

  /** Ends the scope: the timer stops and the client is no longer watched. */
  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.rejectRace = undefined
    this.unwatch?.()
  }
}
