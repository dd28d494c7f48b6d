/**
 * The inference requests the data plane is answering: counted so a graceful stop knows when they are done, and
 * aborted all at once when the stop's grace period runs out.
 */
import type {MlsError} from '../errors.js'

interface Abortable {
  abort(reason: MlsError): void
}

export class InflightRequests {
  private readonly requests = new Set<Abortable>()
  private idle: Array<() => void> = []

  get size(): number {
    return this.requests.size
  }

  add(request: Abortable): void {
    this.requests.add(request)
  }

  delete(request: Abortable): void {
    this.requests.delete(request)
    if (this.requests.size === 0 && this.idle.length > 0) {
      const waiters = this.idle
      this.idle = []
      for (const resolve of waiters) resolve()
    }
  }

  /** Resolves once no request is in flight. */
  drained(): Promise<void> {
    if (this.requests.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.idle.push(resolve))
  }

  /** Fails every request in flight with `reason`; returns how many there were. */
  abortAll(reason: MlsError): number {
    const n = this.requests.size
    for (const request of [...this.requests]) request.abort(reason)
    return n
  }
}
