/**
 * `mls start --tui`: the dashboard over the server this process runs (read in process, metrics from its metrics
 * endpoint), its log in a pane. The logger writes into a
 * LogBuffer (never over the dashboard); anything else written to stderr meanwhile goes there too. q stops the server
 * the graceful way, as SIGINT / SIGTERM do; afterwards the last log lines are printed on the normal screen.
 */
import type {Logger} from '../logger.js'
import {loopbackUrl} from '../running/loopback.js'
import {gracefulStop} from '../server/graceful-stop.js'
import type {RunningServer} from '../server/index.js'
import {inProcessSource} from '../tui/sources/in-process-source.js'
import type {LogBuffer} from '../tui/sources/log-buffer.js'
import {loadRenderer} from '../tui/terminal/load-renderer.js'

/** Log lines printed after the dashboard closes, so the end of the story stays on screen. */
const TAIL_LINES = 10

/** Sends what is written to process.stderr into `log` until the returned function is called. */
function captureStderr(log: LogBuffer): () => void {
  const original = process.stderr.write
  process.stderr.write = ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown) => {
    log.write(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString())
    const done = typeof encoding === 'function' ? encoding : callback
    if (typeof done === 'function') done()
    return true
  }) as typeof process.stderr.write
  return () => {
    process.stderr.write = original
  }
}

/** The running server, its logger and where that logger writes. */
export interface ServerDashboardOptions {
  readonly server: RunningServer
  readonly logger: Logger
  /** Where the logger writes. */
  readonly log: LogBuffer
  /** Time between polls, ms (default 1000). */
  readonly intervalMs?: number
  /** Called when the stop begins (q, SIGINT or SIGTERM). */
  readonly onStopping?: () => void
}

/** Shows the dashboard until the server has stopped (q, SIGINT or SIGTERM); resolves with the stop's exit code. */
export async function runServerDashboard({server, logger, log, intervalMs = 1000, onStopping}: ServerDashboardOptions): Promise<number> {
  const stopper = gracefulStop(server, logger)
  if (onStopping !== undefined) stopper.onStopping(onStopping)
  const metricsUrl = server.metricsUrl === undefined ? undefined : loopbackUrl(server.metricsUrl)
  const source = inProcessSource(server, loopbackUrl(server.restUrl), metricsUrl)
  const {showServerDashboard} = await loadRenderer()
  const restore = captureStderr(log)
  try {
    await showServerDashboard({source, intervalMs, log, title: 'mls start'}, stopper)
  } finally {
    restore()
    log.passThrough((line) => process.stderr.write(line + '\n'), TAIL_LINES)
  }
  return stopper.stopped
}
