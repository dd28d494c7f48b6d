/** The one client interface the CLI commands, the TUI and the tests use, over REST or gRPC alike. */
import type {InferenceRequestBody, InferenceResponse, ModelMetadata, RepositoryIndexItem, ServerMetadata} from '../protocol/types.js'

/** How to send an inference. */
export interface InferOptions {
  /** Tensor data as bytes: REST's binary tensor data extension (inputs and outputs), gRPC's raw_*_contents. */
  readonly binary?: boolean
  /** A W3C traceparent sent with the request (REST header, gRPC metadata): the server's span becomes its child. */
  readonly traceparent?: string
}

export interface MlsClient {
  /** Where it talks to, for messages. */
  readonly target: string
  serverLive(): Promise<boolean>
  serverReady(): Promise<boolean>
  serverMetadata(): Promise<ServerMetadata>
  modelMetadata(name: string, version?: string): Promise<ModelMetadata>
  infer(name: string, version: string | undefined, request: InferenceRequestBody, options?: InferOptions): Promise<InferenceResponse>
  /**
   * One request, its answers as the server sends them (REST: infer_stream's events; gRPC: ModelStreamInfer): many
   * from a model whose runtime streams, else one. An error ends the iteration by throwing.
   */
  inferStream(name: string, version: string | undefined, request: InferenceRequestBody): AsyncGenerator<InferenceResponse>
  repositoryIndex(ready?: boolean): Promise<RepositoryIndexItem[]>
  loadModel(name: string): Promise<void>
  unloadModel(name: string): Promise<void>
  close(): Promise<void>
}
