/** The gRPC adapter: a grpc-js server with the inference, repository, health and reflection services. */
import * as grpc from '@grpc/grpc-js'
import {ReflectionService} from '@grpc/reflection'
import type {DataPlane} from '../../dataplane/dataplane.js'
import type {Logger} from '../../logger.js'
import type {ConnectionTable} from '../connections/connection-table.js'
import type {RepositoryAuth} from '../repository-auth.js'
import {listenGrpc} from './connection-guard.js'
import type {GrpcObserver} from './handlers.js'
import {healthHandlers} from './health-service.js'
import {inferenceHandlers} from './inference-service.js'
import {guardDeserializers, guardHandlers} from './malformed.js'
import {inferenceService, loadProtos} from '../../protocol/grpc-protos.js'
import type {GrpcStreamFormat} from '../../settings/server-settings.js'
import {repositoryHandlers} from './repository-service.js'
import type {InferenceTracer} from '../../tracing/inference-trace.js'

export interface GrpcOptions {
  readonly host: string
  readonly port: number
  readonly maxMessageLength: number
  readonly logger: Logger
  readonly observer?: GrpcObserver
  /** The bearer-token guard of the repository rpcs (repository_auth_token). */
  readonly repositoryAuth?: RepositoryAuth
  /** PEM certificate and key: serve over TLS (ssl_certfile / ssl_keyfile). */
  readonly tls?: {readonly cert: Buffer; readonly key: Buffer}
  /** The gRPC connections of this process (max_connections). */
  readonly connections: ConnectionTable
  /** Bounds on connections, in seconds as the settings give them (0: no limit, never, or not enforced). */
  readonly limits: GrpcLimits
  /** ModelStreamInfer's messages (grpc_stream_format; default mlserver). */
  readonly streamFormat?: GrpcStreamFormat
  /** Tracing, when configured: every inference gets a server span. */
  readonly tracer?: InferenceTracer
}

/** The settings that bound gRPC connections, in seconds. */
export interface GrpcLimits {
  readonly grpc_handshake_timeout: number
  readonly grpc_max_connection_idle: number
  readonly grpc_keepalive_time: number
  readonly grpc_keepalive_timeout: number
  readonly grpc_keepalive_min_ping_interval: number
}

/** grpc-js's channel options for idle GOAWAY and server keepalive pings (0 leaves grpc-js's "never"). */
export function grpcConnectionOptions(limits: GrpcLimits): grpc.ServerOptions {
  const ms = (seconds: number) => Math.round(seconds * 1000)
  return {
    ...(limits.grpc_max_connection_idle > 0 ? {'grpc.max_connection_idle_ms': ms(limits.grpc_max_connection_idle)} : {}),
    ...(limits.grpc_keepalive_time > 0 ? {'grpc.keepalive_time_ms': ms(limits.grpc_keepalive_time)} : {}),
    'grpc.keepalive_timeout_ms': ms(limits.grpc_keepalive_timeout),
  }
}

export interface GrpcServer {
  /** host:port it listens on. */
  readonly address: string
  close(graceMs?: number): Promise<void>
}

function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}

export async function startGrpcServer(dataplane: DataPlane, options: GrpcOptions): Promise<GrpcServer> {
  // grpc-js logs on its own to stderr; its lines go to our log at debug level (errors reach us as exceptions).
  grpc.setLogger({error: (...args: unknown[]) => options.logger.debug(`grpc-js: ${args.join(' ')}`)})
  const protos = loadProtos()
  const server = new grpc.Server({
    'grpc.max_receive_message_length': options.maxMessageLength,
    'grpc.max_send_message_length': options.maxMessageLength,
    ...grpcConnectionOptions(options.limits),
  })
  const context = {logger: options.logger, observer: options.observer, repositoryAuth: options.repositoryAuth, tracer: options.tracer}
  const streamFormat = options.streamFormat ?? 'mlserver'
  server.addService(guardDeserializers(inferenceService(streamFormat)), guardHandlers(inferenceHandlers(dataplane, context, streamFormat)))
  server.addService(guardDeserializers(protos.modelRepository), guardHandlers(repositoryHandlers(dataplane, context)))
  server.addService(guardDeserializers(protos.health), guardHandlers(healthHandlers(dataplane)))
  new ReflectionService(protos.packageDefinition).addToServer(server)

  const credentials =
    options.tls === undefined
      ? grpc.ServerCredentials.createInsecure()
      : grpc.ServerCredentials.createSsl(null, [{cert_chain: options.tls.cert, private_key: options.tls.key}], false)
  const listener = await listenGrpc(server, credentials, options.host, options.port, {
    table: options.connections,
    handshakeTimeoutMs: Math.round(options.limits.grpc_handshake_timeout * 1000),
    minPingIntervalMs: Math.round(options.limits.grpc_keepalive_min_ping_interval * 1000),
    logger: options.logger,
  })
  return {
    address: formatAddress(options.host, listener.port),
    close(graceMs = 10_000) {
      listener.stopAccepting()
      return new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown()
          listener.destroyAll()
          resolve()
        }, graceMs)
        server.tryShutdown(() => {
          clearTimeout(force)
          resolve()
        })
      })
    },
  }
}
