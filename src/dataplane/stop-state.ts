/**
 * Whether a graceful stop has begun, and who wants to know when it does. Once begun, a stop never ends: readiness
 * stays false and every new inference or repository request is refused with SERVER_STOPPING.
 */
import {MlsError} from '../errors.js'

/** The refusal of a request that arrives once a stop has begun (the data plane's, and REST's drain.ts). */
export function serverStopping(): MlsError {
  return new MlsError('SERVER_STOPPING', 'the server is shutting down and takes no new requests')
}

export class StopState {
  private begun = false
  private readonly listeners = new Set<() => void>()

  /** True once begin() was called. */
  get stopping(): boolean {
    return this.begun
  }

  /** Begins the stop (once): every listener is called, in the order they came. */
  begin(): void {
    if (this.begun) return
    this.begun = true
    // A copy: a listener may stop listening (or add another) while being told.
    for (const listener of [...this.listeners]) listener()
  }

  /** Calls `listener` when the stop begins; returns the function that stops listening. */
  onStop(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => void this.listeners.delete(listener)
  }

  /** Throws SERVER_STOPPING once the stop has begun: a new request is refused. */
  refuseWhileStopping(): void {
    if (this.begun) throw serverStopping()
  }
}
