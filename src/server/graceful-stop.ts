/**
 * Stopping a running server the graceful way, once: on the first SIGINT or SIGTERM, or when asked (the dashboard's q).
 * Readiness turns false and new requests are refused while in-flight ones finish (within shutdown_grace_period);
 * a second signal exits at once (code 130).
 */
import type {Logger} from '../logger.js'

/** What a server's close() may report: whether everything in flight finished within the grace period. */
export interface StopOutcome {
  readonly clean: boolean
}

/** The exit code of a stop that ran out of grace period (requests cut off, or a model that would not unload). */
export const EXIT_GRACE_EXPIRED = 1

/** A graceful stop, begun by a signal or by `stop`. */
export interface GracefulStop {
  /** Begins the stop (only the first call does anything); resolves with the exit code when the server has stopped. */
  stop(reason: string): Promise<number>
  /** Resolves with the exit code (0 clean, EXIT_GRACE_EXPIRED) when the server has stopped, whoever began it. */
  readonly stopped: Promise<number>
  /** Calls `listener` when the stop begins. */
  onStopping(listener: () => void): void
}

/** Installs the SIGINT / SIGTERM handlers for `server` and returns the way to stop it from elsewhere. */
export function gracefulStop(server: {close(): Promise<StopOutcome | void>}, logger: Logger): GracefulStop {
  let finish: (code: number) => void = () => {}
  const stopped = new Promise<number>((resolve) => (finish = resolve))
  const listeners: Array<() => void> = []
  let stopping = false
  const stop = (reason: string): Promise<number> => {
    if (stopping) return stopped
    stopping = true
    logger.info(`${reason}: shutting down (in-flight requests finish first)`)
    for (const listener of listeners) listener()
    server.close().then((outcome) => finish(outcome === undefined || outcome.clean ? 0 : EXIT_GRACE_EXPIRED), (error: Error) => {
      logger.error(`shutdown failed: ${error.message}`)
      process.exit(1)
    })
    return stopped
  }
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn(`${signal} again: exiting at once`)
      process.exit(130)
    }
    void stop(signal)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return {
    stop,
    stopped,
    onStopping: (listener) => void listeners.push(listener),
  }
}
