/**
 * Listening: the TLS files, then REST, gRPC and metrics bound in that order, all or none: when one port cannot be
 * bound, the listeners already open are closed again and the error names the setting that chose the port.
 */
import {readFileSync} from 'node:fs'
import type {AddressInfo} from 'node:net'
import {tlsEnabled, type ServerSettings} from '../settings/server-settings.js'
import {causeOf} from './cause.js'
import {ConnectionTable} from './connections/connection-table.js'
import type {ServerParts} from './compose.js'
import {startGrpcServer, type GrpcServer} from './grpc/server.js'
import {startMetricsServer, type MetricsServer} from './metrics/server.js'
import {startupLine} from './startup-log.js'

/** gRPC message limit when grpc_max_message_length is unset: room for a 16 MiB tensor and more (grpc-js's 4 MiB is not). */
export const DEFAULT_GRPC_MAX_MESSAGE_LENGTH = 64 * 1024 * 1024

/** A PEM certificate and its key. */
export interface TlsFiles {
  readonly cert: Buffer
  readonly key: Buffer
}

/** The open listeners of a server. */
export interface Listeners {
  /** Base URL of the REST server, e.g. http://127.0.0.1:8080 */
  readonly restUrl: string
  readonly grpc: GrpcServer
  /** Undefined when metrics_endpoint is null or the caller serves the metrics itself. */
  readonly metricsServer?: MetricsServer
}

/** The PEM certificate and key when TLS is on (the files were checked when the settings were loaded). */
export function readTls(settings: ServerSettings): TlsFiles | undefined {
  if (!tlsEnabled(settings)) return undefined
  return {cert: readFileSync(settings.ssl_certfile!), key: readFileSync(settings.ssl_keyfile!)}
}

function urlOf(address: AddressInfo | string | null, scheme: 'http' | 'https'): string {
  if (address === null || typeof address === 'string') return String(address)
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return `${scheme}://${host}:${address.port}`
}

/** A bind failure, said in terms of the setting that chose the port. */
function listenError(error: unknown, what: string, host: string, port: number, field: string): Error {
  const message = (error as Error).message
  const reason = /EADDRINUSE/.test(message) ? 'is already in use' : /EACCES/.test(message) ? 'is not permitted' : `failed: ${message}`
  return new Error(`${what} address ${host}:${port} ${reason} (set ${field}, MLS_${field.toUpperCase()} or --${field.replace('_', '-')})`, {cause: error})
}

/** The gRPC server of these parts, on settings.host:grpc_port (TLS and the repository token as the settings say). */
export function startGrpcFor(parts: ServerParts): Promise<GrpcServer> {
  const {settings, logger, dataplane, metrics, auth, tls} = parts
  return startGrpcServer(dataplane, {
    host: settings.host,
    port: settings.grpc_port,
    maxMessageLength: settings.grpc_max_message_length ?? DEFAULT_GRPC_MAX_MESSAGE_LENGTH,
    logger,
    observer: metrics,
    repositoryAuth: auth,
    tls,
    connections: new ConnectionTable({transport: 'grpc', max: settings.max_connections, observer: metrics}),
    limits: settings,
    streamFormat: settings.grpc_stream_format,
    tracer: parts.tracer,
  })
}

/**
 * Binds REST, gRPC and (unless `serveMetrics` is false) metrics, logging each address. When a bind fails, closes the
 * listeners already open and throws that failure; a listener that fails to close is logged, not thrown over it.
 */
export async function listenAll(parts: ServerParts, serveMetrics: boolean): Promise<Listeners> {
  const {settings, logger, rest, metrics, auth, tls} = parts
  const opened: Array<{what: string; close(): Promise<void>}> = []
  const bind = async <T>(what: string, port: number, field: string, open: () => Promise<T>): Promise<T> => {
    try {
      return await open()
    } catch (error) {
      await Promise.all(
        opened.map((listener) =>
          listener.close().catch((closeError: unknown) => logger.warn(`closing the ${listener.what} listener after the failed ${what} bind failed: ${causeOf(closeError)}`)),
        ),
      )
      throw listenError(error, what, settings.host, port, field)
    }
  }

  await bind('REST', settings.http_port, 'http_port', () => rest.listen({host: settings.host, port: settings.http_port}))
  opened.push({what: 'REST', close: () => rest.close()})
  const restUrl = urlOf(rest.server.address(), tls ? 'https' : 'http')
  startupLine.rest(logger, restUrl)

  const grpc = await bind('gRPC', settings.grpc_port, 'grpc_port', () => startGrpcFor(parts))
  opened.push({what: 'gRPC', close: () => grpc.close()})
  startupLine.grpc(logger, grpc.address, tls !== undefined)
  if (auth) startupLine.auth(logger)

  let metricsServer: MetricsServer | undefined
  if (metrics && serveMetrics) {
    metricsServer = await bind('metrics', settings.metrics_port, 'metrics_port', () =>
      startMetricsServer(metrics, {host: settings.host, port: settings.metrics_port, path: settings.metrics_endpoint!}),
    )
    startupLine.metrics(logger, metricsServer.url)
  }
  return {restUrl, grpc, metricsServer}
}
