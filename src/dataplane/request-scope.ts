/**
 * One inference's lifetime limits: the client going away, infer_timeout (or the gRPC deadline) and the server's stop,
 * combined into one AbortSignal whose reason is the MlsError the request fails with. The runtime receives the signal
 * (InferRequest.signal); the data plane answers the client as soon as it fires.
 */
import {MlsError} from '../errors.js'
import type {InferRequest} from '../protocol/types.js'
import {Abortable} from '../util/abortable.js'

/**
 * How a transport says its client went away: called once with `gone`, to call when that happens; it may return a
 * function that stops watching (called when the request is over).
 */
export type ClientWatch = (gone: () => void) => (() => void) | void

export interface ScopeOptions {
  readonly watchClient?: ClientWatch
  /** Milliseconds from now until the request times out; undefined or 0: never. */
  readonly timeoutMs?: number
  /** Says what the timeout was, for the message ("infer_timeout (2 s)", "the call's deadline (1.5 s)"). */
  readonly timeoutLabel?: string
  /** Names the model in messages. */
  readonly label: string
}

export class RequestScope {
  private readonly abortable = new Abortable()
  private readonly timer?: NodeJS.Timeout
  private readonly unwatch?: () => void

  constructor(options: ScopeOptions) {
    const ms = options.timeoutMs
    if (ms !== undefined && ms > 0 && Number.isFinite(ms)) {
      this.timer = setTimeout(() => this.abort(new MlsError('INFER_TIMEOUT', `${options.label} did not answer within ${options.timeoutLabel ?? `${ms / 1000} s`}`)), ms)
    }
    this.unwatch = options.watchClient?.(() => this.abort(new MlsError('REQUEST_CANCELLED', `the client went away before ${options.label} answered`))) ?? undefined
  }

  /** The request as the runtime gets it: with a `signal` made on first read. */
  attach(request: InferRequest): InferRequest {
    return this.abortable.attach(request)
  }

  /** Ends the request with `reason`: the signal fires and race() rejects with it. */
  abort(reason: MlsError): void {
    this.abortable.abort(reason)
  }

  /** Throws the reason if the scope has ended already (say the client left while the body was being validated). */
  throwIfAborted(): void {
    if (this.abortable.aborted) throw this.abortable.reason
  }

  /** Settles with `work`, or rejects with the abort reason as soon as the signal fires (the work may go on). */
  race<T>(work: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // A rejection after `work` settled is a no-op: nothing to unsubscribe.
      this.abortable.on(() => reject(this.abortable.reason as Error))
      work.then(resolve, reject)
    })
  }

  /** Ends the scope: the timer stops and the client is no longer watched. */
  dispose(): void {
    clearTimeout(this.timer)
    this.unwatch?.()
  }
}
