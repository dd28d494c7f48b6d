/**
 * The server composed in-process by the same `composeServer` that `startServer` uses: settings from the real loader,
 * the registry over real model files and runtimes, the data plane, the fastify app (reached through `inject`, no
 * socket), and the gRPC server (`startGrpcFor`) on 127.0.0.1 with an ephemeral port. What `startServer` adds on top
 * (the REST and metrics listeners, watching, the stop sequence) is tested end to end on the built CLI (test/e2e).
 */
import type {FastifyInstance} from 'fastify'
import type {DataPlane} from '../../../src/dataplane/dataplane.js'
import {createLogger, type Logger} from '../../../src/logger.js'
import type {ModelRegistry} from '../../../src/repository/model-registry.js'
import {composeServer} from '../../../src/server/compose.js'
import type {GrpcServer} from '../../../src/server/grpc/server.js'
import {startGrpcFor} from '../../../src/server/listen.js'
import type {Metrics} from '../../../src/server/metrics/metrics.js'
import type {BodyBudget} from '../../../src/server/rest/body-budget.js'
import {loadServerSettings} from '../../../src/settings/load-server-settings.js'
import type {ServerSettings} from '../../../src/settings/server-settings.js'
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
  /** Bytes held for unfinished REST bodies (max_buffered_request_bytes). */
  readonly bodyBudget: BodyBudget
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
  // Composed as startServer composes it (src/server/compose.ts); REST is reached through inject, not a port.
  const parts = composeServer(settings, logger)
  const {metrics, registry, dataplane, rest: app} = parts
  await app.ready()
  let grpc: GrpcServer
  try {
    grpc = await startGrpcFor(parts)
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
    bodyBudget: parts.bodyBudget,
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
