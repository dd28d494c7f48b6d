/**
 * `mls start`: serves a model repository until a signal (or q on the dashboard) stops it. One process, or with
 * processes > 1 a cluster primary and its workers; with --tui the dashboard over the server, its log in a pane.
 */
import {runClusterPrimary} from '../cluster/index.js'
import {createLogger} from '../logger.js'
import {pinnedBeyondBudget} from '../repository/model-memory.js'
import {publishRuntimeFile} from '../running/publish.js'
import {gracefulStop} from '../server/graceful-stop.js'
import {startServer} from '../server/index.js'
import {logReady, modelCounts} from '../server/ready-banner.js'
import {redactSettings, tlsEnabled} from '../settings/server-settings.js'
import {LogBuffer} from '../tui/sources/log-buffer.js'
import {canShowDashboard} from '../tui/terminal/load-renderer.js'
import {usageError} from './cli-error.js'
import {checkImplicitRoot} from './implicit-root.js'
import {dashboardChoice, startSettings, type SettingsFlags} from './start-settings.js'

/** What `mls start` was given. */
export interface StartOptions {
  /** The repository root (default: the current folder). */
  readonly root?: string
  /** The flags that are settings (they override env and settings.json). */
  readonly flags: SettingsFlags
  /** --watch: follow the files below the root. */
  readonly watch: boolean
  /** --tui: show the dashboard when there is a terminal. */
  readonly tui: boolean
  /** mls's version, for the first log line. */
  readonly version: string
}

/**
 * Serves until stopped; resolves with the exit code: 0, 1 when the server could not start, or the stop's code (1 when
 * the shutdown grace period ran out). Throws a CliError (exit 2) for unusable settings, before anything is logged.
 */
export async function runStart(options: StartOptions): Promise<number> {
  const {settings, file, warnings} = startSettings({root: options.root, flags: options.flags, watch: options.watch})
  // No DIR and nothing else naming the repository: refuse a folder that is not one (a clone of mls, a home folder).
  checkImplicitRoot({root: options.root, settingsFile: file, repositoryRoot: settings.model_repository_root})
  const dashboard = dashboardChoice(options.tui, settings.processes, canShowDashboard())
  // With the dashboard the log goes to its pane, never over the screen.
  const log = dashboard.show ? new LogBuffer() : undefined
  const logger = createLogger({debug: settings.debug, structured: settings.use_structured_logging, write: log?.write})
  if (dashboard.warning !== undefined) logger.warn(dashboard.warning)
  logger.info(`mls ${options.version}: settings from ${file ?? 'defaults (no settings.json)'}`)
  for (const warning of warnings) logger.warn(warning)
  logger.debug(`resolved settings: ${JSON.stringify(redactSettings(settings))}`)

  if (settings.memory_budget !== null) {
    // Pinned versions never leave memory: if they alone exceed the budget, nothing could ever be served as promised.
    const problem = await pinnedBeyondBudget(settings.model_repository_root, settings.memory_budget)
    if (problem !== undefined) throw usageError(`invalid settings (SETTINGS_INVALID)\n${problem}`)
  }
  const structured = settings.use_structured_logging
  if (settings.processes > 1) {
    // Only the primary writes the runtime file: it is the process a user stops, and it outlives its workers.
    let published: {remove(): void} | undefined
    await runClusterPrimary(settings, logger, {
      onListening: (at) => {
        published = publishRuntimeFile({...at, tls: tlsEnabled(settings), repositoryRoot: settings.model_repository_root, version: options.version}, logger)
      },
      onReady: (at, counts) => logReady(logger, {...at, repositoryRoot: settings.model_repository_root, counts}, structured),
      onStopping: () => published?.remove(),
    })
    published?.remove()
    logger.info('stopped')
    return 0
  }
  let server
  try {
    server = await startServer(settings, logger, {watch: options.watch})
  } catch (error) {
    logger.error(`cannot start: ${(error as Error).message}`)
    log?.passThrough((line) => process.stderr.write(line + '\n'), Number.POSITIVE_INFINITY)
    return 1
  }
  const published = publishRuntimeFile(
    {restUrl: server.restUrl, grpcAddress: server.grpcAddress, tls: tlsEnabled(settings), metricsUrl: server.metricsUrl, repositoryRoot: settings.model_repository_root, version: options.version},
    logger,
  )
  const at = {restUrl: server.restUrl, grpcAddress: server.grpcAddress, metricsUrl: server.metricsUrl, repositoryRoot: settings.model_repository_root}
  const ready = () => logReady(logger, {...at, counts: modelCounts(server.registry.all())}, structured)
  // After the start-up lines (`loaded` logs the last one); a failed start-up load was logged, and the counts say it.
  void server.loaded.then(ready, ready)
  // A stopping server refuses new requests: its runtime file goes at once, so that no client picks it any more.
  const onStopping = () => published.remove()
  // The dashboard (Ink, React) is imported only when it is shown: a plain `mls start` does not pay for it.
  let code
  if (log) code = await (await import('./server-dashboard.js')).runServerDashboard({server, logger, log, onStopping})
  else {
    const stop = gracefulStop(server, logger)
    stop.onStopping(onStopping)
    code = await stop.stopped
  }
  published.remove()
  logger.info(code === 0 ? 'stopped' : `stopped (exit code ${code}: the shutdown grace period ran out)`)
  return code
}
