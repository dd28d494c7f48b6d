/**
 * The inference requests the data plane is answering, each with its AbortController: counted so a graceful stop knows
 * when they are done, and aborted all at once when the stop's grace period runs out.
 */
import type {MlsError} from '../errors.js'

export class InflightRequests {
  private readonly controllers = new Set<AbortController>()
  private idle: Array<() => void> = []

  get size(): number {
    return this.controllers.size
  }

  add(controller: AbortController): void {
    this.controllers.add(controller)
  }

  delete(controller: AbortController): void {
    this.controllers.delete(controller)
    if (this.controllers.size === 0 && this.idle.length > 0) {
      const waiters = this.idle
      this.idle = []
      for (const resolve of waiters) resolve()
    }
  }

  /** Resolves once no request is in flight. */
  drained(): Promise<void> {
    if (this.controllers.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.idle.push(resolve))
  }

  /** Fails every request in flight with `reason`; returns how many there were. */
  abortAll(reason: MlsError): number {
    const n = this.controllers.size
    for (const controller of [...this.controllers]) controller.abort(reason)
    return n
  }
}
