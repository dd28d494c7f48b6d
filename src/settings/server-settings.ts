/**
 * settings.json: MLServer's field names and defaults, plus mls's own (strict_readiness, max_request_size, and the
 * security fields allow_external_uris, repository_auth_token, ssl_certfile / ssl_keyfile).
 */
import {z} from 'zod'
import {MLS_VERSION} from '../version.js'
import {byteSize} from '../memory/byte-size.js'
import {lenientBoolean, lenientInt, lenientNumber, nullable} from './coerce.js'

const port = () => lenientInt(0, 65535)

/** How ModelStreamInfer answers: MLServer's plain ModelInferResponse messages, or Triton's ModelStreamInferResponse wrapper. */
export const GRPC_STREAM_FORMATS = ['mlserver', 'triton'] as const
export type GrpcStreamFormat = (typeof GRPC_STREAM_FORMATS)[number]

const corsSettingsSchema = z.object({
  allow_origins: z.array(z.string()).optional(),
  allow_origin_regex: z
    .string()
    .refine((value) => {
      try {
        new RegExp(value)
        return true
      } catch {
        return false
      }
    }, 'expected a regular expression')
    .nullable()
    .optional(),
  allow_credentials: lenientBoolean().optional(),
  allow_methods: z.array(z.string()).optional(),
  allow_headers: z.array(z.string()).optional(),
  expose_headers: z.array(z.string()).optional(),
  max_age: lenientInt(0).optional(),
})

/** Every field mls reads, without defaults: each source (file, env, flags) is parsed with this, all keys optional. */
export const serverSettingsFields = {
  debug: lenientBoolean(),
  host: z.string().min(1),
  http_port: port(),
  grpc_port: port(),
  metrics_port: port(),
  metrics_endpoint: nullable(z.string().startsWith('/')),
  metrics_rest_server_prefix: z.string(),
  parallel_workers: lenientInt(0, 256),
  processes: lenientInt(1, 256),
  load_models_at_startup: lenientBoolean(),
  model_repository_root: z.string().min(1),
  server_name: z.string().min(1),
  server_version: z.string().min(1),
  extensions: z.array(z.string()),
  root_path: z.string(),
  cors_settings: nullable(corsSettingsSchema),
  grpc_max_message_length: nullable(lenientInt(1)),
  logging_settings: nullable(z.union([z.string(), z.record(z.string(), z.unknown())])),
  use_structured_logging: lenientBoolean(),
  strict_readiness: lenientBoolean(),
  max_request_size: lenientInt(1),
  allow_external_uris: lenientBoolean(),
  repository_auth_token: nullable(z.string().min(1)),
  ssl_certfile: nullable(z.string().min(1)),
  ssl_keyfile: nullable(z.string().min(1)),
  max_queue_size: lenientInt(0),
  infer_timeout: lenientNumber(0),
  shutdown_grace_period: lenientNumber(0),
  max_response_size: nullable(lenientInt(1)),
  max_json_depth: lenientInt(2, 10_000),
  request_headers_timeout: lenientNumber(0),
  request_body_timeout: lenientNumber(0),
  request_timeout: lenientNumber(0),
  max_connections: lenientInt(1),
  max_buffered_request_bytes: lenientInt(1),
  grpc_handshake_timeout: lenientNumber(0),
  grpc_max_connection_idle: lenientNumber(0),
  grpc_keepalive_time: lenientNumber(0),
  grpc_keepalive_timeout: lenientNumber(0),
  grpc_keepalive_min_ping_interval: lenientNumber(0),
  grpc_stream_format: z.enum(GRPC_STREAM_FORMATS, {error: 'expected "mlserver" or "triton"'}),
  memory_budget: nullable(byteSize(1)),
  memory_wait_timeout: lenientNumber(0),
  memory_min_residency: lenientNumber(0),
  gzip_enabled: lenientBoolean(),
  gzip_minimum_size: lenientInt(0),
  cache_enabled: lenientBoolean(),
  cache_size: lenientInt(1),
  cache_max_bytes: byteSize(1),
  tracing_server: nullable(
    z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[^\s/:\[\]]+):\d{1,5}$|^https?:\/\/\S+$/, {error: 'expected host:port of an OTLP/gRPC collector (or an http:// or https:// URL)'}),
  ),
}

export const serverSettingsLayerSchema = z.object(serverSettingsFields).partial()
export type ServerSettingsLayer = z.infer<typeof serverSettingsLayerSchema>

/** MLServer settings that mls accepts without effect (they configure features mls does not have, or has otherwise). */
export const IGNORED_SERVER_KEYS = [
  'parallel_workers_timeout',
  'environments_dir',
  'model_repository_implementation',
  'model_repository_implementation_args',
  'metrics_dir',
  'kafka_enabled',
  'kafka_servers',
  'kafka_topic_input',
  'kafka_topic_output',
] as const

export const SERVER_SETTINGS_KEYS = Object.keys(serverSettingsFields)

export const SERVER_DEFAULTS: Required<ServerSettingsLayer> = {
  debug: false,
  host: '0.0.0.0',
  http_port: 8080,
  grpc_port: 8081,
  metrics_port: 8082,
  metrics_endpoint: '/metrics',
  metrics_rest_server_prefix: 'rest_server',
  parallel_workers: 0,
  processes: 1,
  load_models_at_startup: true,
  model_repository_root: '.',
  server_name: 'mls',
  server_version: MLS_VERSION,
  extensions: [],
  root_path: '',
  cors_settings: null,
  grpc_max_message_length: null,
  logging_settings: null,
  use_structured_logging: false,
  strict_readiness: false,
  max_request_size: 64 * 1024 * 1024,
  allow_external_uris: false,
  repository_auth_token: null,
  ssl_certfile: null,
  ssl_keyfile: null,
  /** Requests admitted per model version and not answered yet; 0: no bound (as MLServer and Triton by default). */
  max_queue_size: 0,
  /** Seconds a request may take from admission to answer; 0: no limit. */
  infer_timeout: 0,
  /** Seconds a SIGTERM / SIGINT waits for in-flight requests before cutting them off. */
  shutdown_grace_period: 30,
  /** Raw output tensor bytes one answer may hold; null: max_request_size. */
  max_response_size: null,
  /** Deepest nesting of arrays and objects in a JSON body. */
  max_json_depth: 64,
  /** Seconds to receive a REST request's headers (nginx's client_header_timeout); 0: no limit. */
  request_headers_timeout: 60,
  /** Seconds a REST body may go without data (nginx's client_body_timeout); 0: no limit. */
  request_body_timeout: 60,
  /** Seconds to receive a whole REST request; never bounds the answer; 0: no limit. */
  request_timeout: 300,
  /** Open connections per transport (REST, gRPC). */
  max_connections: 4096,
  /** Body bytes held for unfinished REST requests across all connections. */
  max_buffered_request_bytes: 512 * 1024 * 1024,
  /** Seconds a new gRPC connection has to finish TLS and the HTTP/2 preface; 0: no limit. */
  grpc_handshake_timeout: 20,
  /** Seconds a gRPC connection may go without a call before GOAWAY; 0: never. */
  grpc_max_connection_idle: 300,
  /** Seconds of silence before the server pings a gRPC connection (gRPC's default: 2 hours). */
  grpc_keepalive_time: 7200,
  /** Seconds to wait for a ping's answer. */
  grpc_keepalive_timeout: 20,
  /** Keepalive enforcement: the shortest interval between client pings without a call open (gRPC's default). */
  grpc_keepalive_min_ping_interval: 300,
  /** ModelStreamInfer's messages: "mlserver" (plain ModelInferResponse; an error ends the stream) or "triton" (ModelStreamInferResponse; errors in-stream). */
  grpc_stream_format: 'mlserver',
  /** Bytes the loaded models may hold; null: no budget (every model loaded stays loaded). Set: load on demand, LRU eviction. */
  memory_budget: null,
  /** Seconds a load waits for memory to be freed (evictions, in-flight requests) before 503 MEMORY_EXHAUSTED. */
  memory_wait_timeout: 30,
  /** Seconds a version stays in memory after it was loaded or used before it may be evicted. */
  memory_min_residency: 1,
  /** Compress REST answers for clients that accept gzip or deflate (MLServer's setting). */
  gzip_enabled: true,
  /** Bytes below which a REST answer is never compressed (MLServer's GZip middleware: 1000). */
  gzip_minimum_size: 1000,
  /** The response cache, for the models whose model-settings.json opts in (cache_enabled); off: nothing is cached. */
  cache_enabled: false,
  /** Answers the response cache holds (per process), least recently used dropped first; MLServer's default. */
  cache_size: 100,
  /** Bytes of output tensors the response cache holds (per process). */
  cache_max_bytes: 64 * 1024 * 1024,
  /** host:port of an OTLP/gRPC collector: tracing on, spans exported there (null: the OTEL_EXPORTER_OTLP_* variables decide). */
  tracing_server: null,
}

/** Settings fields whose value is a path: relative to the settings file's folder (flags and env: the working folder). */
export const PATH_FIELDS = ['model_repository_root', 'ssl_certfile', 'ssl_keyfile'] as const

/** Fields never written to a log. */
const SECRET_FIELDS = new Set(['repository_auth_token'])

/** The settings as they may be logged: secrets replaced by "(set)". */
export function redactSettings(settings: ServerSettings): Record<string, unknown> {
  return Object.fromEntries(Object.entries(settings).map(([key, value]) => [key, SECRET_FIELDS.has(key) && value !== null ? '(set)' : value]))
}

/** Whether REST and gRPC are served over TLS. */
export function tlsEnabled(settings: Pick<ServerSettings, 'ssl_certfile' | 'ssl_keyfile'>): boolean {
  return settings.ssl_certfile !== null && settings.ssl_keyfile !== null
}

/** The resolved, frozen server settings; `model_repository_root` is absolute. */
export type ServerSettings = Readonly<Required<ServerSettingsLayer>>
