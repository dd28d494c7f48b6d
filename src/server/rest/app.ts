/** The REST adapter: a fastify app that translates HTTP to data plane calls and errors back to HTTP, nothing more. */
import Fastify, {type FastifyInstance, type FastifyReply, type FastifyRequest} from 'fastify'
import type {DataPlane} from '../../dataplane/dataplane.js'
import {MlsError} from '../../errors.js'
import type {Logger} from '../../logger.js'
import {registerDocs} from '../docs/register-docs.js'
import type {RepositoryAuth} from '../repository-auth.js'
import type {ConnectionTable} from '../connections/connection-table.js'
import type {BodyLimits} from './body-reader.js'
import {clientErrorHandler} from './client-error.js'
import {limitConnections} from './connection-limit.js'
import {registerCors, type CorsSettings} from './cors.js'
import type {RestDrain} from './drain.js'
import {MAX_PARAM_LENGTH, toHttpError} from './error-map.js'
import {registerBodyParsers} from './json-body.js'
import {healthRoutes} from './routes/health.js'
import {modelExtensionRoutes} from './routes/model-extensions.js'
import {modelRoutes} from './routes/models.js'
import {repositoryRoutes} from './routes/repository.js'
import type {RequestTimeoutOptions} from './request-timeouts.js'
import {registerCompression, type CompressionSettings} from './response-compression.js'
import type {InferenceTracer} from '../../tracing/inference-trace.js'

/** Told of every REST request but health checks (metrics); `path` is the route template, never the raw URL. */
export interface RestObserver {
  restStarted(method: string, path: string): void
  restFinished(method: string, path: string, status: number, seconds: number): void
}

export interface RestOptions {
  /** How request bodies are read: max_request_size, max_json_depth, request_body_timeout, the buffered-bytes budget. */
  readonly body: BodyLimits
  readonly logger: Logger
  readonly observer?: RestObserver
  /** CORS (cors_settings); off when absent or null. */
  readonly cors?: CorsSettings | null
  /** The bearer-token guard of the repository routes (repository_auth_token); none when absent. */
  readonly auth?: RepositoryAuth
  /** PEM certificate and key: serve HTTPS (ssl_certfile / ssl_keyfile). */
  readonly tls?: {readonly cert: Buffer; readonly key: Buffer}
  /** Node's bounds on receiving a request (request-timeouts.ts); Node's defaults when absent. */
  readonly timeouts?: RequestTimeoutOptions
  /** The REST connections of this process, capped (max_connections); no cap when absent. */
  readonly connections?: ConnectionTable
  /** Compressed answers (gzip_enabled, gzip_minimum_size); none when absent. */
  readonly compression?: CompressionSettings
  /** The graceful stop's REST side (drain.ts): installed on the app's server; without it the data plane alone refuses. */
  readonly drain?: RestDrain
  /** Tracing, when configured (tracing_server, OTEL_EXPORTER_OTLP_*): every inference gets a server span. */
  readonly tracer?: InferenceTracer
}

const UNCOUNTED = new Set(['/v2/health/live', '/v2/health/ready'])
/** The label of requests that matched no route: one value, whatever the URL. */
export const UNMATCHED_PATH = '<unmatched>'

export function buildRestApp(dataplane: DataPlane, options: RestOptions): FastifyInstance {
  const {handshakeTimeout, ...httpTimeouts}: Partial<RequestTimeoutOptions> = options.timeouts ?? {}
  const app = Fastify({
    ...(options.tls === undefined
      ? {http: httpTimeouts}
      : {https: {cert: options.tls.cert, key: options.tls.key, ...httpTimeouts, ...(handshakeTimeout === undefined ? {} : {handshakeTimeout})}}),
    // fastify sets the server's requestTimeout from its own option (0 unless given), over the one created with.
    requestTimeout: httpTimeouts.requestTimeout ?? 0,
    // Node's refusals (timeouts, oversized headers, malformed requests) in the catalogue's shape.
    clientErrorHandler: clientErrorHandler(options.logger),
    // Bodies are read by our own parsers (body-reader.ts), which apply max_request_size themselves.
    bodyLimit: options.body.maxRequestSize,
    logger: false,
    // The stop's refusals are ours (drain.ts): in the catalogue's shape, and probes still answer while closing.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // Model names are path segments; keep them as given.
    routerOptions: {ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH},
    // Errors fastify raises before routing (a bad percent-encoding, an overlong name) get the catalogue's shape too.
    frameworkErrors: (thrown, request, reply) => {
      const {status, body} = toHttpError(thrown)
      options.logger.debug(`${request.method} ${request.url.slice(0, 200)}: ${status} ${body.code}: ${body.error}`)
      void (reply as FastifyReply).code(status).type('application/json').send(body)
    },
  }) as unknown as FastifyInstance

  // The drain wraps fastify's handler alone; the connection cap's listener is put before both.
  options.drain?.install(app.server)
  if (options.connections) limitConnections(app.server, options.connections, options.tls !== undefined)
  registerBodyParsers(app, options.body)
  if (options.observer) observeRequests(app, options.observer)
  // After the observer's hook (a preflight answered here still counts, as `<unmatched>`), before any route's.
  if (options.cors) registerCors(app, options.cors)
  if (options.logger.debugEnabled) logAccess(app, options.logger)
  if (options.compression) registerCompression(app, options.compression, options.logger)

  app.setErrorHandler((thrown, request, reply) => {
    const {status, body, headers, error} = toHttpError(thrown)
    // Overload, timeouts and stopping are expected under load: a stack per refusal would flood the log.
    if (error.kind === 'internal') options.logger.error(`${request.method} ${request.url}: ${error.stack ?? error.message}${error.cause instanceof Error ? `\ncaused by: ${error.cause.stack}` : ''}`)
    else options.logger.debug(`${request.method} ${request.url}: ${status} ${body.code}: ${body.error}`)
    if (headers !== undefined) reply.headers(headers)
    return reply.code(status).type('application/json').send(body)
  })

  app.setNotFoundHandler((request, reply) => {
    const {status, body} = toHttpError(new MlsError('ROUTE_NOT_FOUND', `no endpoint ${request.method} ${request.url}`))
    return reply.code(status).send(body)
  })

  registerDocs(app, dataplane)
  healthRoutes(app, dataplane)
  modelRoutes(app, dataplane, options.drain, options.logger, options.tracer)
  modelExtensionRoutes(app, dataplane)
  repositoryRoutes(app, dataplane, {auth: options.auth, logger: options.logger})
  return app
}

/** The route template a request's handler counted it under (set by the handler wrapper below). */
const COUNTED = Symbol('mls.metrics-path')

type Counted = FastifyRequest & {[COUNTED]?: string}

/**
 * Counting every REST request but health checks. A request is counted as started when its route's handler begins:
 * each route's handler is wrapped as it is added, with its template captured, so the request path has no onRequest
 * hook and reads no `request.routeOptions` (a getter that builds an object on each read). One onResponse hook counts
 * it finished. A request answered before any handler (a 404, a CORS preflight, a body that did not parse) is counted
 * started and finished there; it is never seen in progress.
 */
function observeRequests(app: FastifyInstance, observer: RestObserver): void {
  app.addHook('onRoute', (route) => {
    const path = route.url
    if (path === undefined || UNCOUNTED.has(path)) return
    const handler = route.handler
    route.handler = function (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
      observer.restStarted(request.method, path)
      ;(request as Counted)[COUNTED] = path
      return handler.call(this, request, reply)
    }
  })
  // Callback-style: cheaper than an async hook on every request.
  app.addHook('onResponse', (request, reply, done) => {
    const seconds = reply.elapsedTime / 1000
    const counted = (request as Counted)[COUNTED]
    if (counted !== undefined) {
      observer.restFinished(request.method, counted, reply.statusCode, seconds)
    } else {
      const path = request.routeOptions.url ?? UNMATCHED_PATH
      if (!UNCOUNTED.has(path)) {
        observer.restStarted(request.method, path)
        observer.restFinished(request.method, path, reply.statusCode, seconds)
      }
    }
    done()
  })
}

/**
 * The access log, with the debug setting only: one line per request, written when its answer is sent (fastify's own
 * request logging stays off: it writes two). Callback-style: cheaper than an async hook on every request. The message
 * is the fields in a few words, so the human form reads without them; the request id is the client's `x-request-id`.
 */
function logAccess(app: FastifyInstance, logger: Logger): void {
  app.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode
    logger.debug(`${request.method} ${request.url} ${status}`, {
      event: 'http_request',
      method: request.method,
      url: request.url,
      status,
      duration_ms: Math.round(reply.elapsedTime * 100) / 100,
      request_id: request.headers['x-request-id'] as string | undefined,
    })
    done()
  })
}
