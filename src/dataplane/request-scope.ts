/**
 * One inference's lifetime limits: the client going away, infer_timeout (or the gRPC deadline) and the server's stop,
 * combined into one AbortSignal whose reason is the MlsError the request fails with. The runtime receives the signal
 * (InferRequest.signal); the data plane answers the client as soon as it fires.
 */
import {MlsError} from '../errors.js'

export interface ScopeOptions {
  /** The transport's signal: aborted when the client closes the connection or cancels the call. */
  readonly client?: AbortSignal
  /** Milliseconds from now until the request times out; undefined or 0: never. */
  readonly timeoutMs?: number
  /** Says what the timeout was, for the message ("infer_timeout 2 s", "the call's deadline"). */
  readonly timeoutLabel?: string
  /** Names the model in messages. */
  readonly label: string
}

export class RequestScope {
  readonly controller = new AbortController()
  private readonly timer?: NodeJS.Timeout
  private readonly onClientAbort?: () => void

  constructor(private readonly options: ScopeOptions) {
    const {client} = options
    if (client !== undefined) {
      this.onClientAbort = () => this.controller.abort(new MlsError('REQUEST_CANCELLED', `the client went away before ${options.label} answered`))
      if (client.aborted) this.onClientAbort()
      else client.addEventListener('abort', this.onClientAbort, {once: true})
    }
    const ms = options.timeoutMs
    if (ms !== undefined && ms > 0 && Number.isFinite(ms)) {
      this.timer = setTimeout(() => this.controller.abort(new MlsError('INFER_TIMEOUT', `${options.label} did not answer within ${options.timeoutLabel ?? `${ms / 1000} s`}`)), ms)
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal
  }

  /** Throws the reason if the scope has ended already (say the client left while the body was being validated). */
  throwIfAborted(): void {
    if (this.signal.aborted) throw this.signal.reason
  }

  /** Settles with `work`, or rejects with the abort reason as soon as the signal fires (the work may go on). */
  race<T>(work: Promise<T>): Promise<T> {
    const {signal} = this
    if (signal.aborted) return Promise.reject(signal.reason as Error)
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(signal.reason as Error)
      signal.addEventListener('abort', onAbort, {once: true})
      work.then(
        (value) => {
          signal.removeEventListener('abort', onAbort)
          resolve(value)
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort)
          reject(error)
        },
      )
    })
  }

  /** Ends the scope: the timer stops and the client's signal is no longer watched. */
  dispose(): void {
    clearTimeout(this.timer)
    if (this.onClientAbort !== undefined) this.options.client?.removeEventListener('abort', this.onClientAbort)
  }
}
