/** The gRPC client: stubs from proto/dataplane.proto, answers converted to the same V2 JSON shapes as REST. */
import * as grpc from '@grpc/grpc-js'
import type {
  ModelInferResponseMessage,
  ModelMetadataResponseMessage,
  ReadyResponseMessage,
  RepositoryIndexResponseMessage,
  ServerLiveResponseMessage,
  ServerMetadataResponseMessage,
  TensorMetadataMessage,
} from '../protocol/grpc-messages.js'
import {loadProtos} from '../protocol/grpc-protos.js'
import type {Datatype} from '../protocol/datatypes.js'
import type {InferenceRequestBody, InferenceResponse, ModelMetadata, ModelState, RepositoryIndexItem, ServerMetadata} from '../protocol/types.js'
import {ConnectionError, ServerError} from './client-error.js'
import type {ClientCredentials} from './credentials.js'
import {fromModelInferResponse, toModelInferRequest} from './grpc-convert.js'
import type {InferOptions, MlsClient} from './mls-client.js'

const MAX_MESSAGE = 64 * 1024 * 1024

type Stub = grpc.Client &
  Record<string, (request: unknown, metadata: grpc.Metadata, callback: (error: grpc.ServiceError | null, response: unknown) => void) => void>

const TLS_SCHEME = /^grpcs:\/\//

let ipServernameQuiet = false
/**
 * grpc-js sends the target's host as the TLS server name; for an IP address (how a local server is reached) Node warns
 * once on stderr (DEP0123: SNI takes no IP addresses). The certificate is still checked against the IP; only that
 * warning is dropped.
 */
function quietIpServernameWarning(): void {
  if (ipServernameQuiet) return
  ipServernameQuiet = true
  const emit = process.emitWarning.bind(process)
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const options = rest[0] as {code?: string} | string | undefined
    const code = typeof options === 'object' ? options?.code : rest[1]
    if (code === 'DEP0123') return
    (emit as (...args: unknown[]) => void)(warning, ...rest)
  }) as typeof process.emitWarning
}

export class GrpcClient implements MlsClient {
  private readonly stub: Stub
  private readonly tls: boolean

  /** `target` is host:port, or grpcs://host:port for TLS (trusting `credentials.ca`, else the system's roots). */
  /** `origin`: where `target` came from, for the unreachable-server message (endpoints.ts). */
  constructor(
    readonly target: string,
    private readonly credentials: ClientCredentials = {},
    private readonly origin?: string,
  ) {
    const Service = grpc.makeGenericClientConstructor(loadProtos().inference, 'GRPCInferenceService')
    this.tls = TLS_SCHEME.test(target)
    if (this.tls) quietIpServernameWarning()
    const channel = this.tls ? grpc.credentials.createSsl(credentials.ca ?? null) : grpc.credentials.createInsecure()
    this.stub = new Service(target.replace(TLS_SCHEME, ''), channel, {
      'grpc.max_receive_message_length': MAX_MESSAGE,
      'grpc.max_send_message_length': MAX_MESSAGE,
    }) as unknown as Stub
  }

  /** Calls `method`; T is its response message (src/protocol/grpc-messages.ts). */
  private call<T>(method: string, request: unknown, traceparent?: string): Promise<T> {
    const metadata = this.metadata()
    if (traceparent !== undefined) metadata.set('traceparent', traceparent)
    return new Promise((resolve, reject) =>
      this.stub[method](request, metadata, (error, response) => {
        if (error === null) return resolve(response as T)
        reject(this.clientError(error))
      }),
    )
  }

  /** A call's error as the client reports it: the channel (nothing listening, TLS), or the server's answer. */
  private clientError(error: grpc.ServiceError): Error {
    const code = error.metadata?.get('mls-error-code')[0]
    // UNAVAILABLE without mls's error code is the channel itself: nothing is listening there.
    if (error.code === grpc.status.UNAVAILABLE && code === undefined) {
      const cause = /ECONNREFUSED/.test(error.details)
        ? 'ECONNREFUSED'
        : this.tls && /certificate|self.signed|handshake/i.test(error.details)
          ? `${error.details}: the server's TLS certificate is not trusted; pass its CA with --ca FILE (or MLS_CA_FILE)`
          : error.details
      return new ConnectionError(this.target, cause, '--grpc-url / MLS_GRPC_URL', this.origin)
    }
    return new ServerError(grpc.status[error.code], code === undefined ? undefined : String(code), error.details)
  }

  private metadata(): grpc.Metadata {
    const metadata = new grpc.Metadata()
    if (this.credentials.token !== undefined) metadata.set('authorization', `Bearer ${this.credentials.token}`)
    return metadata
  }

  async serverLive(): Promise<boolean> {
    return (await this.call<ServerLiveResponseMessage>('ServerLive', {})).live
  }

  async serverReady(): Promise<boolean> {
    return (await this.call<ReadyResponseMessage>('ServerReady', {})).ready
  }

  async serverMetadata(): Promise<ServerMetadata> {
    const {name, version, extensions} = await this.call<ServerMetadataResponseMessage>('ServerMetadata', {})
    return {name, version, extensions}
  }

  async modelMetadata(name: string, version?: string): Promise<ModelMetadata> {
    const m = await this.call<ModelMetadataResponseMessage>('ModelMetadata', {name, version: version ?? ''})
    const tensor = (t: TensorMetadataMessage) => ({name: t.name, datatype: t.datatype as Datatype, shape: t.shape.map(Number)})
    return {name: m.name, versions: m.versions, platform: m.platform, inputs: m.inputs.map(tensor), outputs: m.outputs.map(tensor)}
  }

  async infer(name: string, version: string | undefined, request: InferenceRequestBody, options: InferOptions = {}): Promise<InferenceResponse> {
    return fromModelInferResponse(await this.call<ModelInferResponseMessage>('ModelInfer', toModelInferRequest(name, version, request, {raw: options.binary}), options.traceparent))
  }

  /** ModelStreamInfer with one request (the server's default grpc_stream_format, mlserver: plain ModelInferResponse messages). */
  async *inferStream(name: string, version: string | undefined, request: InferenceRequestBody): AsyncGenerator<InferenceResponse> {
    const call = (this.stub as unknown as Record<string, (metadata: grpc.Metadata) => grpc.ClientDuplexStream<unknown, ModelInferResponseMessage>>).ModelStreamInfer(this.metadata())
    call.write(toModelInferRequest(name, version, request))
    call.end()
    try {
      for await (const message of call) yield fromModelInferResponse(message as ModelInferResponseMessage)
    } catch (error) {
      throw typeof (error as grpc.ServiceError).code === 'number' ? this.clientError(error as grpc.ServiceError) : error
    } finally {
      call.cancel()
    }
  }

  async repositoryIndex(ready?: boolean): Promise<RepositoryIndexItem[]> {
    const {models} = await this.call<RepositoryIndexResponseMessage>('RepositoryIndex', {ready: ready ?? false})
    const items = models.map((m): RepositoryIndexItem => ({name: m.name, ...(m.version ? {version: m.version} : {}), state: m.state as ModelState, reason: m.reason}))
    // proto3 cannot say ready=false: filter here so both transports answer alike.
    return ready === false ? items.filter((m) => m.state !== 'READY') : items
  }

  async loadModel(name: string): Promise<void> {
    await this.call('RepositoryModelLoad', {model_name: name})
  }

  async unloadModel(name: string): Promise<void> {
    await this.call('RepositoryModelUnload', {model_name: name})
  }

  async close(): Promise<void> {
    this.stub.close()
  }
}
