/**
 * The composition root: settings -> registry -> data plane -> transports. `startServer` is what `mls start` calls and
 * what a library user can call too.
 */
import {readFileSync} from 'node:fs'
import type {AddressInfo} from 'node:net'
import {adaptiveBatching} from '../batching/index.js'
import {DataPlane, type RepositoryCoordinator} from '../dataplane/dataplane.js'
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
import {buildRestApp} from './rest/app.js'

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
  /** Stops accepting requests, lets in-flight ones finish, unloads every model. */
  close(): Promise<void>
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
  const registry = new ModelRegistry({
    root: settings.model_repository_root,
    // Models with parallel_workers > 0 run on worker threads; adaptive batching (wrap) stays outermost, on the main thread.
    factory: parallelInference(runtimeFactory({root: settings.model_repository_root, metrics, logger}), {workers: settings.parallel_workers, logger, observer: metrics}),
    logger,
    strictReadiness: settings.strict_readiness,
    allowExternalUris: settings.allow_external_uris,
    onStateChange: metrics ? (entry) => metrics.state(entry.name, entry.version, entry.state) : undefined,
    onRemove: metrics ? (entry) => metrics.forgetState(entry.name, entry.version) : undefined,
    wrap: adaptiveBatching(logger, metrics),
  })
  const local: RepositoryCoordinator = {load: (name) => registry.load(name), unload: (name) => registry.unload(name)}
  const dataplane = new DataPlane(registry, settings, metrics, options.coordinator?.(local))
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
  logger.info(`REST server listening on ${restUrl}`)
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
  logger.info(`gRPC server listening on ${grpc.address}${tls ? ' (TLS)' : ''}`)
  if (auth) logger.info('repository API (index, load, unload) needs the bearer token (repository_auth_token)')
  let metricsServer: MetricsServer | undefined
  if (metrics && options.serveMetrics !== false) {
    try {
      metricsServer = await startMetricsServer(metrics, {host: settings.host, port: settings.metrics_port, path: settings.metrics_endpoint!})
    } catch (error) {
      await Promise.all([rest.close(), grpc.close()])
      throw listenError(error, 'metrics', settings.host, settings.metrics_port, 'metrics_port')
    }
    logger.info(`metrics listening on ${metricsServer.url}`)
  }
  logger.info(`model repository: ${settings.model_repository_root}`)

  const loaded = registry.start(settings.load_models_at_startup).then(() => {
    const entries = registry.all()
    const ready = entries.filter((e) => e.state === 'READY').length
    logger.info(`start-up loading finished: ${ready} of ${entries.length} model version(s) ready${dataplane.ready() ? '' : ' (server NOT ready)'}`)
  })
  // Watching starts with loading, so no change made meanwhile is missed; changes are applied once loading is over.
  const watcher = options.watch
    ? watchRepository({root: settings.model_repository_root, registry, logger, after: loaded, debounceMs: typeof options.watch === 'object' ? options.watch.debounceMs : undefined})
    : undefined

  let closing: Promise<void> | undefined
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
      closing ??= (async () => {
        await watcher?.close()
        await Promise.all([rest.close(), grpc.close(), metricsServer?.close()])
        await loaded.catch(() => undefined)
        await registry.close()
      })()
      return closing
    },
  }
}
