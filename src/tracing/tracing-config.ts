/**
 * Whether tracing is configured, and where spans go. Read once at start-up, without loading the OpenTelemetry SDK.
 *
 * - OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none: off, whatever else is set.
 * - tracing_server (MLServer's setting: host:port of an OTLP collector): OTLP over gRPC to it. It wins over the
 *   OTEL_EXPORTER_OTLP_* endpoint and protocol; the other OTEL_* variables (headers, timeout, compression, service name,
 *   resource attributes, sampler, batch processor) still apply.
 * - else OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT: OTLP with the protocol of
 *   OTEL_EXPORTER_OTLP_TRACES_PROTOCOL / OTEL_EXPORTER_OTLP_PROTOCOL (grpc, http/protobuf, http/json; default
 *   http/protobuf, as the OpenTelemetry specification says); the exporter reads the endpoint from the environment.
 * - else: off (the SDK is not loaded).
 */
import {SettingsError} from '../errors.js'

export type OtlpProtocol = 'grpc' | 'http/protobuf' | 'http/json'

export interface TracingConfig {
  readonly protocol: OtlpProtocol
  /** The collector's URL when tracing_server set it; undefined: the exporter reads OTEL_EXPORTER_OTLP_*. */
  readonly url?: string
  /** What configured it, for the start-up log. */
  readonly source: 'tracing_server' | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' | 'OTEL_EXPORTER_OTLP_ENDPOINT'
}

const PROTOCOLS: readonly string[] = ['grpc', 'http/protobuf', 'http/json']

function set(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== ''
}

/** The collector URL of a tracing_server value: host:port gets http:// (an OTLP/gRPC collector without TLS). */
export function tracingServerUrl(server: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(server) ? server : `http://${server}`
}

/** The tracing of these settings and environment; undefined when tracing is not configured. */
export function tracingConfig(tracingServer: string | null, env: NodeJS.ProcessEnv = process.env): TracingConfig | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none') return undefined
  if (tracingServer !== null && tracingServer.trim() !== '') return {protocol: 'grpc', url: tracingServerUrl(tracingServer.trim()), source: 'tracing_server'}
  const source = set(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : set(env.OTEL_EXPORTER_OTLP_ENDPOINT) ? 'OTEL_EXPORTER_OTLP_ENDPOINT' : undefined
  if (source === undefined) return undefined
  const variable = set(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL) ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL'
  const protocol = env[variable]?.trim() || 'http/protobuf'
  if (!PROTOCOLS.includes(protocol)) throw new SettingsError(`${variable} is "${protocol}": expected grpc, http/protobuf or http/json`)
  return {protocol: protocol as OtlpProtocol, source}
}
