/**
 * `startServer`, what `mls start` calls and what a library user can call too: the parts composed (compose.ts), the
 * ports bound (listen.ts), the models loaded, and a `close` that runs the stop sequence once (stop-sequence.ts).
 */
import type {DataPlane, RepositoryCoordinator} from '../dataplane/dataplane.js'
import type {Logger} from '../logger.js'
import type {ModelRegistry} from '../repository/model-registry.js'
import type {ServerSettings} from '../settings/server-settings.js'
import {watchRepository, type RepositoryWatcher} from '../watch/repository-watcher.js'
import {causeOf} from './cause.js'
import {composeServer, type ServerParts} from './compose.js'
import type {StopOutcome} from './graceful-stop.js'
import {listenAll, type Listeners} from './listen.js'
import type {Metrics} from './metrics/metrics.js'
import {stopServer} from './stop-sequence.js'
import {loadSummary, logLoaded, startupLine} from './startup-log.js'
import {startTracing} from '../tracing/start-tracing.js'

export {DEFAULT_GRPC_MAX_MESSAGE_LENGTH} from './listen.js'

export interface RunningServer {
  readonly dataplane: DataPlane
  readonly registry: ModelRegistry
  /** Base URL of the REST server, e.g. http://127.0.0.1:8080 */
  readonly restUrl: string
  /** host:port of the gRPC server, e.g. 127.0.0.1:8081 */
  readonly grpcAddress: string
  /** URL of the metrics endpoint; undefined when metrics_endpoint is null or the listener is off (serveMetrics false). */
  readonly metricsUrl?: string
  /** The metrics families; undefined when metrics_endpoint is null. */
  readonly metrics?: Metrics
  /** The watcher of the repository's files (`watch` option); it tells what it does through `onEvent`. */
  readonly watcher?: RepositoryWatcher
  /** Resolves once start-up loading has finished. */
  readonly loaded: Promise<void>
  /**
   * Stops gracefully: readiness turns false and new requests are refused at once, in-flight requests finish, then the
   * listeners close and every model unloads. What is still running when shutdown_grace_period runs out is cut off
   * (its client gets 503 SERVER_STOPPING) and the outcome is not clean.
   */
  close(): Promise<StopOutcome>
}

/** How a caller embeds the server (multi-process serving uses both; the defaults are a plain single process). */
export interface StartServerOptions {
  /** Carries out repository load/unload; default: this process's registry alone. */
  readonly coordinator?: (local: RepositoryCoordinator) => RepositoryCoordinator
  /** Bind the metrics port (default true); false keeps the families (`RunningServer.metrics`) for someone else to serve. */
  readonly serveMetrics?: boolean
  /**
   * Follow the repository's files (`mls start --watch`): new models load, changed ones reload rolling, deleted ones
   * unload. `debounceMs` is the quiet time per model before a change is applied.
   */
  readonly watch?: boolean | {readonly debounceMs?: number}
  /**
   * Bind the ports only once start-up loading is over (failed or not), and resolve then: a process that replaces one
   * of `--processes N` takes no traffic before it can serve. Default false: listen first, so liveness answers at once.
   */
  readonly listenAfterLoading?: boolean
  /** Readiness stays false until `dataplane.releaseReadiness()` (the first processes of `--processes N`). */
  readonly holdReadiness?: boolean
}

/** Listens once `loaded` has settled; when a port cannot be bound, unloads what was loaded before throwing. */
async function listenLoaded(parts: ServerParts, serveMetrics: boolean, loaded: Promise<void>, watcher?: RepositoryWatcher): Promise<Listeners> {
  await loaded.catch(() => undefined) // a failed start-up load was logged where it happened; the process serves what it has
  try {
    return await listenAll(parts, serveMetrics)
  } catch (error) {
    await watcher?.close()
    await parts.registry.close().catch((closeError: unknown) => parts.logger.warn(`unloading the models failed: ${causeOf(closeError)}`))
    throw error
  }
}

export async function startServer(settings: ServerSettings, logger: Logger, options: StartServerOptions = {}): Promise<RunningServer> {
  // Tracing off (not configured): undefined, and no OpenTelemetry module is loaded.
  const tracer = await startTracing(settings, logger)
  const parts = composeServer(settings, logger, options.coordinator, tracer)
  const {registry, dataplane} = parts
  if (options.holdReadiness === true) dataplane.holdReadiness()
  // Listen before loading: liveness answers at once and readiness turns true when loading is done.
  const early = options.listenAfterLoading === true ? undefined : await listenAll(parts, options.serveMetrics !== false)
  startupLine.repository(logger, settings.model_repository_root)

  const loading = registry.start(settings.load_models_at_startup).catch((error: unknown) => {
    // Told here, with the cause, whoever awaits `loaded` (or nobody does); the rejection still reaches them.
    logger.error(`start-up loading of ${settings.model_repository_root} failed: ${causeOf(error)}`)
    throw error
  })
  // Watching starts with loading, so no change made meanwhile is missed; changes are applied once loading is over.
  const watcher = options.watch
    ? watchRepository({root: settings.model_repository_root, registry, logger, after: loading, debounceMs: typeof options.watch === 'object' ? options.watch.debounceMs : undefined})
    : undefined
  // Start-up is over once the watcher's first scan is done too: a change made after the line below is seen.
  const loaded = Promise.all([loading, watcher?.ready]).then(() => logLoaded(logger, loadSummary(registry.all(), dataplane.ready())))
  const listeners = early ?? (await listenLoaded(parts, options.serveMetrics !== false, loaded, watcher))

  let closing: Promise<StopOutcome> | undefined
  return {
    dataplane,
    registry,
    restUrl: listeners.restUrl,
    grpcAddress: listeners.grpc.address,
    metricsUrl: listeners.metricsServer?.url,
    metrics: parts.metrics,
    watcher,
    loaded,
    close() {
      closing ??= stopServer({parts, listeners, watcher, loaded})
      return closing
    },
  }
}
