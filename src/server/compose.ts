/**
 * The composition: settings -> registry -> data plane -> transports. Builds every part of a server and wires them
 * together; nothing listens and nothing loads yet (listen.ts binds the ports, the registry loads on `start`).
 */
import type {FastifyInstance} from 'fastify'
import {adaptiveBatching} from '../batching/index.js'
import {DataPlane, type RepositoryCoordinator} from '../dataplane/dataplane.js'
import {ResponseCache} from '../dataplane/response-cache.js'
import {InferenceStatistics} from '../dataplane/statistics.js'
import type {Logger} from '../logger.js'
import {ModelRegistry} from '../repository/model-registry.js'
import {runtimeFactory} from '../runtimes/registry.js'
import type {ServerSettings} from '../settings/server-settings.js'
import {parallelInference} from '../workers/index.js'
import {readTls, type TlsFiles} from './listen.js'
import {registerCacheMetrics} from './metrics/cache-metrics.js'
import {MemoryMetrics} from './metrics/memory-metrics.js'
import {Metrics} from './metrics/metrics.js'
import {repositoryAuth, type RepositoryAuth} from './repository-auth.js'
import {ConnectionTable} from './connections/connection-table.js'
import {buildRestApp} from './rest/app.js'
import {BodyBudget} from './rest/body-budget.js'
import {RestDrain} from './rest/drain.js'
import {requestTimeoutOptions} from './rest/request-timeouts.js'
import type {InferenceTracer} from '../tracing/inference-trace.js'

/** The parts of one server, wired together and not yet listening. */
export interface ServerParts {
  readonly settings: ServerSettings
  readonly logger: Logger
  /** The metrics families; undefined when metrics_endpoint is null. */
  readonly metrics?: Metrics
  readonly registry: ModelRegistry
  readonly dataplane: DataPlane
  /** The REST app, built (routes, hooks) but not listening. */
  readonly rest: FastifyInstance
  /** Bytes held for unfinished REST request bodies (max_buffered_request_bytes). */
  readonly bodyBudget: BodyBudget
  /** The REST side of a graceful stop: Connection: close, refusals in our shape, and what was taken before it. */
  readonly restDrain: RestDrain
  /** The bearer-token guard of the repository API, when repository_auth_token is set. */
  readonly auth?: RepositoryAuth
  /** The certificate and key, when TLS is on. */
  readonly tls?: TlsFiles
  /** Tracing, when configured (tracing_server, OTEL_EXPORTER_OTLP_*); its spans are flushed by the stop sequence. */
  readonly tracer?: InferenceTracer
}

/** Builds the parts; `coordinator` carries out repository load/unload (default: this process's registry alone). */
export function composeServer(
  settings: ServerSettings,
  logger: Logger,
  coordinator?: (local: RepositoryCoordinator) => RepositoryCoordinator,
  tracer?: InferenceTracer,
): ServerParts {
  const metrics = settings.metrics_endpoint === null ? undefined : new Metrics({restPrefix: settings.metrics_rest_server_prefix})
  // Per-version counters of the statistics extension: the data plane counts requests, adaptive batching its executions.
  const statistics = new InferenceStatistics()
  const grace = {ms: settings.shutdown_grace_period * 1000, label: `shutdown_grace_period (${settings.shutdown_grace_period} s)`}
  const registry: ModelRegistry = new ModelRegistry({
    root: settings.model_repository_root,
    // Models with parallel_workers > 0 run on worker threads; adaptive batching (wrap) stays outermost, on the main thread.
    // A thread hung in its runtime is terminated after the grace period (given up requests, unload) and replaced.
    factory: parallelInference(runtimeFactory({root: settings.model_repository_root, metrics, logger}), {
      workers: settings.parallel_workers,
      logger,
      observer: metrics,
      pool: {grace},
    }),
    logger,
    strictReadiness: settings.strict_readiness,
    allowExternalUris: settings.allow_external_uris,
    // With the repository API guarded, load-failure reasons (file paths) are shown only there and in the log.
    hideFailureReasons: settings.repository_auth_token !== null,
    onStateChange: metrics ? (entry) => metrics.state(entry.name, entry.version, entry.state) : undefined,
    onRemove: metrics ? (entry) => metrics.forgetState(entry.name, entry.version) : undefined,
    wrap: adaptiveBatching(logger, metrics, statistics),
    // An unload or reload waits for the version's in-flight requests as a shutdown does, then answers the rest.
    drainTimeout: grace,
    onAbandon: (instance, reason): number => dataplane.abortRequestsOf(instance, reason),
    // memory_budget: load on demand and LRU eviction (model-memory.ts); none: every loaded model stays.
    memoryObserver: metrics === undefined || settings.memory_budget === null ? undefined : new MemoryMetrics(metrics.registry, () => registry.memorySnapshot()),
    memory:
      settings.memory_budget === null
        ? undefined
        : {budget: settings.memory_budget, waitTimeout: settings.memory_wait_timeout, minResidency: settings.memory_min_residency},
  })
  // cache_enabled: the answers of models that opt in; a freed instance (reload, unload, eviction) takes its answers along.
  const cache = settings.cache_enabled ? new ResponseCache({entries: settings.cache_size, bytes: settings.cache_max_bytes}) : undefined
  if (cache !== undefined) {
    registry.hooks.freed.push((_entry, instance) => cache.forget(instance))
    if (metrics !== undefined) registerCacheMetrics(metrics.registry, cache)
  }
  const local: RepositoryCoordinator = {load: (name) => registry.load(name), unload: (name) => registry.unload(name)}
  const dataplane: DataPlane = new DataPlane(registry, settings, metrics, coordinator?.(local), statistics, cache)
  const tls = readTls(settings)
  const auth = repositoryAuth(settings.repository_auth_token)
  const bodyBudget = new BodyBudget(settings.max_buffered_request_bytes)
  const restDrain = new RestDrain()
  const rest = buildRestApp(dataplane, {
    body: {maxRequestSize: settings.max_request_size, maxJsonDepth: settings.max_json_depth, bodyTimeout: settings.request_body_timeout, budget: bodyBudget},
    logger,
    observer: metrics,
    cors: settings.cors_settings,
    auth,
    tls,
    timeouts: requestTimeoutOptions(settings),
    connections: new ConnectionTable({transport: 'rest', max: settings.max_connections, observer: metrics}),
    drain: restDrain,
    compression: {enabled: settings.gzip_enabled, minimumSize: settings.gzip_minimum_size},
    tracer,
  })
  return {settings, logger, metrics, registry, dataplane, rest, restDrain, bodyBudget, auth, tls, tracer}
}
