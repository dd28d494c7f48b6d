/**
 * The stop sequence of a running server, all within shutdown_grace_period: readiness turns false and new requests are
 * refused (REST: 503 SERVER_STOPPING in our shape, Connection: close on every answer, see rest/drain.ts; gRPC:
 * UNAVAILABLE SERVER_STOPPING); the watcher stops; what was taken before the stop finishes (what still runs when the
 * grace period is out is answered 503 SERVER_STOPPING); a short quiet period lets requests already on the wire be
 * answered rather than reset; then the listeners close (liveness and readiness answer until then) and every model
 * unloads.
 */
import {MlsError} from '../errors.js'
import {within} from '../util/within.js'
import type {RepositoryWatcher} from '../watch/repository-watcher.js'
import {causeOf} from './cause.js'
import type {ServerParts} from './compose.js'
import type {StopOutcome} from './graceful-stop.js'
import type {Listeners} from './listen.js'

/**
 * How long the listeners stay open once the work taken before the stop is done: requests already on the wire (sent
 * before the client saw readiness turn false) are answered 503 instead of meeting a closed connection, and probes see
 * not-ready. Never beyond the grace period.
 */
export const DRAIN_QUIET_MS = 500

/** The least time the last spans get to be exported, even when the grace period is over. */
export const TRACE_FLUSH_MS = 5000

/** What the stop sequence stops. */
export interface Stoppable {
  readonly parts: ServerParts
  readonly listeners: Listeners
  readonly watcher?: RepositoryWatcher
  /** Start-up loading: models unload once it is over (a failure of it was logged where it happened). */
  readonly loaded: Promise<void>
}

/** Runs the stop sequence once; `clean` is false when the grace period ran out (requests cut off, a model not unloaded). */
export async function stopServer({parts, listeners, watcher, loaded}: Stoppable): Promise<StopOutcome> {
  const {settings, logger, dataplane, registry, rest, restDrain} = parts
  const grace = settings.shutdown_grace_period
  const deadline = performance.now() + grace * 1000
  const left = () => deadline - performance.now()
  dataplane.beginStop()
  restDrain.begin()
  await watcher?.close()
  let clean = true
  const waiting = Math.max(dataplane.inFlight, restDrain.pending)
  if (waiting > 0) {
    logger.info(`waiting for ${waiting} request(s) in flight (shutdown_grace_period ${grace} s)`)
    // REST requests whose body is still arriving are not in the data plane yet: both must be done.
    const done = Promise.all([dataplane.drained(), restDrain.settled()])
    if (!(await within(done, left()))) {
      clean = false
      const error = new MlsError('SERVER_STOPPING', `the server is shutting down and its shutdown_grace_period (${grace} s) ran out before this request finished`)
      const cut = dataplane.abortInFlight(error)
      logger.warn(`shutdown_grace_period (${grace} s) ran out: ${cut} request(s) still in flight answered 503 SERVER_STOPPING`, {event: 'shutdown_grace_expired', requests: cut})
    }
  }
  if (left() > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(DRAIN_QUIET_MS, left())))
  // Listeners close once the inference is over: health checks answer (not ready) until then. A REST close that fails
  // is told and the stop goes on (the process is on its way out); within() alone would drop the failure.
  const restClosed = rest.close().catch((error: unknown) => logger.warn(`closing the REST listener failed: ${causeOf(error)}`))
  const {grpc, metricsServer} = listeners
  await Promise.all([within(restClosed, Math.max(left(), 1000)), grpc.close(Math.min(Math.max(left(), 250), 1000)), metricsServer?.close()])
  const unloaded = loaded
    .catch(() => undefined)
    .then(() => registry.close())
    .catch((error: unknown) => logger.warn(`unloading the models failed: ${causeOf(error)}`))
  if (!(await within(unloaded, left()))) {
    clean = false
    logger.warn(`shutdown_grace_period (${grace} s) ran out before every model unloaded (a runtime still running a request); exiting without unloading`, {event: 'shutdown_grace_expired'})
  }
  // The spans still buffered are exported before the process exits (bounded: a collector that is gone does not hold it).
  if (parts.tracer !== undefined) {
    const flushed = parts.tracer.shutdown().catch((error: unknown) => logger.warn(`exporting the last spans failed: ${causeOf(error)}`))
    if (!(await within(flushed, Math.max(left(), TRACE_FLUSH_MS)))) logger.warn(`exporting the last spans took over ${Math.round(Math.max(left(), TRACE_FLUSH_MS))} ms; exiting without them`)
  }
  return {clean}
}
