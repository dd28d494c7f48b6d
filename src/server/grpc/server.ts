/** The gRPC adapter: a grpc-js server with the inference, repository, health and reflection services. */
import * as grpc from '@grpc/grpc-js'
import {ReflectionService} from '@grpc/reflection'
import type {DataPlane} from '../../dataplane/dataplane.js'
import type {Logger} from '../../logger.js'
import type {RepositoryAuth} from '../repository-auth.js'
import type {GrpcObserver} from './handlers.js'
import {healthHandlers} from './health-service.js'
import {inferenceHandlers} from './inference-service.js'
import {guardDeserializers, guardHandlers} from './malformed.js'
import {loadProtos} from '../../protocol/grpc-protos.js'
import {repositoryHandlers} from './repository-service.js'

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
  })
  const context = {logger: options.logger, observer: options.observer, repositoryAuth: options.repositoryAuth}
  server.addService(guardDeserializers(protos.inference), guardHandlers(inferenceHandlers(dataplane, context)))
  server.addService(guardDeserializers(protos.modelRepository), guardHandlers(repositoryHandlers(dataplane, context)))
  server.addService(guardDeserializers(protos.health), guardHandlers(healthHandlers(dataplane)))
  new ReflectionService(protos.packageDefinition).addToServer(server)

  const credentials =
    options.tls === undefined
      ? grpc.ServerCredentials.createInsecure()
      : grpc.ServerCredentials.createSsl(null, [{cert_chain: options.tls.cert, private_key: options.tls.key}], false)
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(formatAddress(options.host, options.port), credentials, (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  )
  return {
    address: formatAddress(options.host, port),
    close(graceMs = 10_000) {
      return new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown()
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
