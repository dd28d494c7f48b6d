/**
 * The server composed in-process, from the same parts `startServer` (src/server/index.ts) wires: settings from the
 * real loader, the registry over real model files and runtimes, the data plane, the fastify app from the REST app
 * factory (reached through `inject`, no socket), and the gRPC server on 127.0.0.1 with an ephemeral port.
 *
 * Built from the parts rather than through `startServer`: that one listens on REST and does not hand out the fastify
 * app, which `inject` needs. What it adds on top (TLS files, the metrics listener, watching, the stop sequence) is
 * tested end to end on the built CLI (test/e2e).
 */
import type {FastifyInstance} from 'fastify'
import {adaptiveBatching} from '../../../src/batching/index.js'
import {DataPlane, type RepositoryCoordinator} from '../../../src/dataplane/dataplane.js'
import {createLogger, type Logger} from '../../../src/logger.js'
import {ModelRegistry} from '../../../src/repository/model-registry.js'
import {runtimeFactory} from '../../../src/runtimes/registry.js'
import {startGrpcServer, type GrpcServer} from '../../../src/server/grpc/server.js'
import {DEFAULT_GRPC_MAX_MESSAGE_LENGTH} from '../../../src/server/index.js'
import {Metrics} from '../../../src/server/metrics/metrics.js'
import {repositoryAuth} from '../../../src/server/repository-auth.js'
import {buildRestApp} from '../../../src/server/rest/app.js'
import {loadServerSettings} from '../../../src/settings/load-server-settings.js'
import type {ServerSettings} from '../../../src/settings/server-settings.js'
import {parallelInference} from '../../../src/workers/index.js'
import type {HttpResult} from '../../e2e/helpers/http.js'

export interface InProcessServer {
  readonly settings: ServerSettings
  readonly registry: ModelRegistry
  readonly dataplane: DataPlane
  /** The REST app, not listening: requests go through `inject`. */
  readonly app: FastifyInstance
  /** host:port of the gRPC server. */
  readonly grpcAddress: string
  /** The metrics families (undefined when metrics_endpoint is null). */
  readonly metrics?: Metrics
  /** Every log line so far. */
  logs(): string
  /** A REST request through `inject`, answered as the e2e helper's fetch answers (status, parsed body, text, headers). */
  request<T = any>(path: string, init?: RequestInit): Promise<HttpResult<T>>
  /** POST of a JSON body. */
  postJson<T = any>(path: string, value: unknown, headers?: Record<string, string>): Promise<HttpResult<T>>
  /** The raw answer of a request through `inject`: status, headers and body bytes. */
  raw(path: string, init?: RequestInit): Promise<{status: number; headers: Headers; bytes: Buffer}>
  /** Closes gRPC and REST and unloads every model. */
  close(): Promise<void>
}

export interface RequestInit {
  readonly method?: string
  readonly body?: string | Uint8Array
  readonly headers?: Record<string, string>
}

export interface InProcessOptions {
  /** Settings as flags would give them (settings fields: `max_request_size`, `strict_readiness`...). */
  readonly flags?: Record<string, unknown>
  /** Settings as environment variables would give them (`MLS_...`); the test process's own env is not read. */
  readonly env?: NodeJS.ProcessEnv
  /** Wait for start-up loading to finish (default true). */
  readonly waitLoaded?: boolean
}

/** The server over the repository at `root`: settings.json there, then `env`, then `flags`, as `mls start root` reads them. */
export async function startInProcess(root: string, options: InProcessOptions = {}): Promise<InProcessServer> {
  const {settings} = loadServerSettings({root, env: options.env ?? {}, flags: {host: '127.0.0.1', grpc_port: 0, ...options.flags}})
  let lines = ''
  const logger: Logger = createLogger({debug: settings.debug, structured: settings.use_structured_logging, write: (line) => (lines += line + '\n')})
  // As startServer composes them (src/server/index.ts), minus the listeners and the watcher.
  const metrics = settings.metrics_endpoint === null ? undefined : new Metrics({restPrefix: settings.metrics_rest_server_prefix})
  const registry: ModelRegistry = new ModelRegistry({
    root: settings.model_repository_root,
    factory: parallelInference(runtimeFactory({root: settings.model_repository_root, metrics, logger}), {workers: settings.parallel_workers, logger, observer: metrics}),
    logger,
    strictReadiness: settings.strict_readiness,
    allowExternalUris: settings.allow_external_uris,
    onStateChange: metrics ? (entry) => metrics.state(entry.name, entry.version, entry.state) : undefined,
    onRemove: metrics ? (entry) => metrics.forgetState(entry.name, entry.version) : undefined,
    wrap: adaptiveBatching(logger, metrics),
    drainTimeout: {ms: settings.shutdown_grace_period * 1000, label: `shutdown_grace_period (${settings.shutdown_grace_period} s)`},
    onAbandon: (instance, reason): number => dataplane.abortRequestsOf(instance, reason),
  })
  const local: RepositoryCoordinator = {load: (name) => registry.load(name), unload: (name) => registry.unload(name)}
  const dataplane: DataPlane = new DataPlane(registry, settings, metrics, local)
  const auth = repositoryAuth(settings.repository_auth_token)
  const app = buildRestApp(dataplane, {maxRequestSize: settings.max_request_size, logger, observer: metrics, cors: settings.cors_settings, auth})
  await app.ready()
  let grpc: GrpcServer
  try {
    grpc = await startGrpcServer(dataplane, {
      host: settings.host,
      port: settings.grpc_port,
      maxMessageLength: settings.grpc_max_message_length ?? DEFAULT_GRPC_MAX_MESSAGE_LENGTH,
      logger,
      observer: metrics,
      repositoryAuth: auth,
    })
  } catch (error) {
    await app.close()
    throw error
  }
  const loaded = registry.start(settings.load_models_at_startup)
  if (options.waitLoaded !== false) await loaded

  const raw = async (path: string, init: RequestInit = {}) => {
    const headers = {...init.headers}
    // As fetch does: a string body without a content type is sent as text/plain.
    if (typeof init.body === 'string' && !Object.keys(headers).some((key) => key.toLowerCase() === 'content-type')) headers['content-type'] = 'text/plain;charset=UTF-8'
    const response = await app.inject({
      method: (init.method ?? 'GET') as 'GET',
      url: path,
      headers,
      payload: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : Buffer.from(init.body),
    })
    const answer = new Headers()
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) answer.set(name, Array.isArray(value) ? value.join(', ') : String(value))
    }
    return {status: response.statusCode, headers: answer, bytes: response.rawPayload}
  }
  const request = async <T>(path: string, init: RequestInit = {}): Promise<HttpResult<T>> => {
    const {status, headers, bytes} = await raw(path, init)
    const text = bytes.toString('utf8')
    let body: any = undefined
    try {
      body = text === '' ? undefined : JSON.parse(text)
    } catch {
      body = text
    }
    return {status, body, text, headers}
  }
  return {
    settings,
    registry,
    dataplane,
    app,
    grpcAddress: grpc.address,
    metrics,
    logs: () => lines,
    raw,
    request,
    postJson: (path, value, headers = {}) => request(path, {method: 'POST', body: JSON.stringify(value), headers: {'content-type': 'application/json', ...headers}}),
    async close() {
      dataplane.beginStop()
      await Promise.all([grpc.close(1000), app.close()])
      await loaded.catch(() => undefined)
      await registry.close()
    },
  }
}
