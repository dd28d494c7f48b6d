/**
 * The composition root: settings -> registry -> data plane -> transports. `startServer` is what `mls start` calls and
 * what a library user can call too.
 */
import {readFileSync} from 'node:fs'
import type {AddressInfo} from 'node:net'
import {adaptiveBatching} from '../batching/index.js'
import {DataPlane, type RepositoryCoordinator} from '../dataplane/dataplane.js'
import {MlsError} from '../errors.js'
import type {Logger} from '../logger.js'
import {ModelRegistry} from '../repository/model-registry.js'
import {runtimeFactory} from '../runtimes/registry.js'
import {tlsEnabled, type ServerSettings} from '../settings/server-settings.js'
import {watchRepository, type RepositoryWatcher} from '../watch/repository-watcher.js'
import {parallelInference} from '../workers/index.js'
import {startGrpcServer} from './grpc/server.js'
import {Metrics} from './metrics/metrics.js'
import {startMetricsServer, type MetricsServer} from './metrics/server.js'
import {repositoryAuth} from './repository-auth.js'
import type {StopOutcome} from './graceful-stop.js'
import {buildRestApp} from './rest/app.js'
import {loadSummary, logListening, logLoaded} from './startup-log.js'

/** gRPC message limit when grpc_max_message_length is unset: room for a 16 MiB tensor and more (grpc-js's 4 MiB is not). */
export const DEFAULT_GRPC_MAX_MESSAGE_LENGTH = 64 * 1024 * 1024

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

/** Resolves true when `work` settles within `ms`, false otherwise (the work goes on). */
function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, ms))))
  return Promise.race([work.then(() => true, () => true), late]).finally(() => clearTimeout(timer))
}

function urlOf(address: AddressInfo | string | null, scheme: 'http' | 'https'): string {
  if (address === null || typeof address === 'string') return String(address)
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return `${scheme}://${host}:${address.port}`
}

/** The PEM certificate and key when TLS is on (the files were checked when the settings were loaded). */
function readTls(settings: ServerSettings): {cert: Buffer; key: Buffer} | undefined {
  if (!tlsEnabled(settings)) return undefined
  return {cert: readFileSync(settings.ssl_certfile!), key: readFileSync(settings.ssl_keyfile!)}
}

/** A bind failure, said in terms of the setting that chose the port. */
function listenError(error: unknown, what: string, host: string, port: number, field: string): Error {
  const message = (error as Error).message
  const reason = /EADDRINUSE/.test(message) ? 'is already in use' : /EACCES/.test(message) ? 'is not permitted' : `failed: ${message}`
  return new Error(`${what} address ${host}:${port} ${reason} (set ${field}, MLS_${field.toUpperCase()} or --${field.replace('_', '-')})`, {cause: error})
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
}

export async function startServer(settings: ServerSettings, logger: Logger, options: StartServerOptions = {}): Promise<RunningServer> {
  const metrics = settings.metrics_endpoint === null ? undefined : new Metrics({restPrefix: settings.metrics_rest_server_prefix})
  const registry: ModelRegistry = new ModelRegistry({
    root: settings.model_repository_root,
    // Models with parallel_workers > 0 run on worker threads; adaptive batching (wrap) stays outermost, on the main thread.
    factory: parallelInference(runtimeFactory({root: settings.model_repository_root, metrics, logger}), {workers: settings.parallel_workers, logger, observer: metrics}),
    logger,
    strictReadiness: settings.strict_readiness,
    allowExternalUris: settings.allow_external_uris,
    onStateChange: metrics ? (entry) => metrics.state(entry.name, entry.version, entry.state) : undefined,
    onRemove: metrics ? (entry) => metrics.forgetState(entry.name, entry.version) : undefined,
    wrap: adaptiveBatching(logger, metrics),
    // An unload or reload waits for the version's in-flight requests as a shutdown does, then answers the rest.
    drainTimeout: {ms: settings.shutdown_grace_period * 1000, label: `shutdown_grace_period (${settings.shutdown_grace_period} s)`},
    onAbandon: (instance, reason): number => dataplane.abortRequestsOf(instance, reason),
  })
  const local: RepositoryCoordinator = {load: (name) => registry.load(name), unload: (name) => registry.unload(name)}
  const dataplane: DataPlane = new DataPlane(registry, settings, metrics, options.coordinator?.(local))
  const tls = readTls(settings)
  const auth = repositoryAuth(settings.repository_auth_token)
  const rest = buildRestApp(dataplane, {maxRequestSize: settings.max_request_size, logger, observer: metrics, cors: settings.cors_settings, auth, tls})

  // Listen before loading: liveness answers at once and readiness turns true when loading is done.
  try {
    await rest.listen({host: settings.host, port: settings.http_port})
  } catch (error) {
    throw listenError(error, 'REST', settings.host, settings.http_port, 'http_port')
  }
  const restUrl = urlOf(rest.server.address(), tls ? 'https' : 'http')
  let grpc
  try {
    grpc = await startGrpcServer(dataplane, {
      host: settings.host,
      port: settings.grpc_port,
      maxMessageLength: settings.grpc_max_message_length ?? DEFAULT_GRPC_MAX_MESSAGE_LENGTH,
      logger,
      observer: metrics,
      repositoryAuth: auth,
      tls,
    })
  } catch (error) {
    await rest.close()
    throw listenError(error, 'gRPC', settings.host, settings.grpc_port, 'grpc_port')
  }
  let metricsServer: MetricsServer | undefined
  if (metrics && options.serveMetrics !== false) {
    try {
      metricsServer = await startMetricsServer(metrics, {host: settings.host, port: settings.metrics_port, path: settings.metrics_endpoint!})
    } catch (error) {
      await Promise.all([rest.close(), grpc.close()])
      throw listenError(error, 'metrics', settings.host, settings.metrics_port, 'metrics_port')
    }
  }
  logListening(logger, {restUrl, grpcAddress: grpc.address, tls: tls !== undefined, metricsUrl: metricsServer?.url, repositoryAuth: auth !== undefined, repositoryRoot: settings.model_repository_root})

  const loading = registry.start(settings.load_models_at_startup)
  // Watching starts with loading, so no change made meanwhile is missed; changes are applied once loading is over.
  const watcher = options.watch
    ? watchRepository({root: settings.model_repository_root, registry, logger, after: loading, debounceMs: typeof options.watch === 'object' ? options.watch.debounceMs : undefined})
    : undefined
  // Start-up is over once the watcher's first scan is done too: a change made after the line below is seen.
  const loaded = Promise.all([loading, watcher?.ready]).then(() => logLoaded(logger, loadSummary(registry.all(), dataplane.ready())))

  let closing: Promise<StopOutcome> | undefined
  const stop = async (): Promise<StopOutcome> => {
    dataplane.beginStop()
    await watcher?.close()
    const grace = settings.shutdown_grace_period
    const deadline = performance.now() + grace * 1000
    const left = () => deadline - performance.now()
    let clean = true
    if (dataplane.inFlight > 0) {
      logger.info(`waiting for ${dataplane.inFlight} request(s) in flight (shutdown_grace_period ${grace} s)`)
      if (!(await within(dataplane.drained(), left()))) {
        clean = false
        const error = new MlsError('SERVER_STOPPING', `the server is shutting down and its shutdown_grace_period (${grace} s) ran out before this request finished`)
        const cut = dataplane.abortInFlight(error)
        logger.warn(`shutdown_grace_period (${grace} s) ran out: ${cut} request(s) still in flight answered 503 SERVER_STOPPING`, {event: 'shutdown_grace_expired', requests: cut})
      }
    }
    // Listeners close once the inference is over: health checks answer (not ready) until then.
    await Promise.all([within(rest.close(), Math.max(left(), 1000)), grpc.close(Math.min(Math.max(left(), 250), 1000)), metricsServer?.close()])
    if (!(await within(loaded.catch(() => undefined).then(() => registry.close()), left()))) {
      clean = false
      logger.warn(`shutdown_grace_period (${grace} s) ran out before every model unloaded (a runtime still running a request); exiting without unloading`, {event: 'shutdown_grace_expired'})
    }
    return {clean}
  }
  return {
    dataplane,
    registry,
    restUrl,
    grpcAddress: grpc.address,
    metricsUrl: metricsServer?.url,
    metrics,
    watcher,
    loaded,
    close() {
      closing ??= stop()
      return closing
    },
  }
}
