/**
 * Stopping a running server the graceful way, once: on the first SIGINT or SIGTERM, or when asked (the dashboard's q).
 * New requests are refused while in-flight ones finish; a second signal exits at once (code 130).
 */
import type {Logger} from '../logger.js'

/** A graceful stop, begun by a signal or by `stop`. */
export interface GracefulStop {
  /** Begins the stop (only the first call does anything); resolves when the server has stopped. */
  stop(reason: string): Promise<void>
  /** Resolves when the server has stopped, whoever began it. */
  readonly stopped: Promise<void>
  /** Calls `listener` when the stop begins. */
  onStopping(listener: () => void): void
}

/** Installs the SIGINT / SIGTERM handlers for `server` and returns the way to stop it from elsewhere. */
export function gracefulStop(server: {close(): Promise<void>}, logger: Logger): GracefulStop {
  let finish: () => void = () => {}
  const stopped = new Promise<void>((resolve) => (finish = resolve))
  const listeners: Array<() => void> = []
  let stopping = false
  const stop = (reason: string): Promise<void> => {
    if (stopping) return stopped
    stopping = true
    logger.info(`${reason}: shutting down (in-flight requests finish first)`)
    for (const listener of listeners) listener()
    server.close().then(finish, (error: Error) => {
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
