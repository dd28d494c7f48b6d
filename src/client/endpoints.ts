/**
 * Where the server is, in this order: flags (--url, --grpc-url, --metrics-url); env MLS_URL / MLS_GRPC_URL /
 * MLS_METRICS_URL; the ports of settings.json in --repo DIR or the current folder, on 127.0.0.1 (https:// and grpcs://
 * when it sets ssl_certfile); else 127.0.0.1 with MLServer's default ports 8080 / 8081 / 8082.
 */
import {existsSync} from 'node:fs'
import path from 'node:path'
import {usageError} from '../cli/cli-error.js'
import {SettingsError} from '../errors.js'
import {loadServerSettings} from '../settings/load-server-settings.js'
import {SERVER_DEFAULTS, tlsEnabled} from '../settings/server-settings.js'

export interface Endpoints {
  /** REST base URL, e.g. http://127.0.0.1:8080 */
  readonly rest: string
  /** gRPC target, e.g. 127.0.0.1:8081; `grpcs://host:port` for TLS */
  readonly grpc: string
  /** Metrics URL, e.g. http://127.0.0.1:8082/metrics */
  readonly metrics: string
}

export interface EndpointSources {
  readonly url?: string
  readonly grpcUrl?: string
  readonly metricsUrl?: string
  readonly repo?: string
  readonly env?: NodeJS.ProcessEnv
  readonly cwd?: string
}

const trimSlash = (url: string) => url.replace(/\/+$/, '')

export function resolveEndpoints(sources: EndpointSources = {}): Endpoints {
  const env = sources.env ?? process.env
  const cwd = sources.cwd ?? process.cwd()
  const repo = sources.repo === undefined ? cwd : path.resolve(cwd, sources.repo)
  let ports = {http: SERVER_DEFAULTS.http_port, grpc: SERVER_DEFAULTS.grpc_port, metrics: SERVER_DEFAULTS.metrics_port, endpoint: SERVER_DEFAULTS.metrics_endpoint, tls: false}
  if (existsSync(path.join(repo, 'settings.json'))) {
    try {
      const {settings} = loadServerSettings({root: repo, env: {}, cwd, checkFiles: false})
      ports = {http: settings.http_port, grpc: settings.grpc_port, metrics: settings.metrics_port, endpoint: settings.metrics_endpoint, tls: tlsEnabled(settings)}
    } catch (error) {
      if (error instanceof SettingsError) throw usageError(`cannot read the server's ports: ${error.message}`)
      throw error
    }
  }
  return {
    rest: trimSlash(sources.url ?? env.MLS_URL ?? `${ports.tls ? 'https' : 'http'}://127.0.0.1:${ports.http}`),
    grpc: (sources.grpcUrl ?? env.MLS_GRPC_URL ?? `${ports.tls ? 'grpcs://' : ''}127.0.0.1:${ports.grpc}`).replace(/^grpc:\/\//, ''),
    metrics: sources.metricsUrl ?? env.MLS_METRICS_URL ?? `http://127.0.0.1:${ports.metrics}${ports.endpoint ?? '/metrics'}`,
  }
}
