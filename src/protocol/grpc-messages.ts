/**
 * The gRPC messages of proto/dataplane.proto and proto/model_repository.proto, as @grpc/proto-loader gives and takes
 * them with LOADER_OPTIONS (grpc-protos.ts): fields in the proto's snake_case, int64 as numbers, absent fields as
 * proto3 defaults ('' and [] and {}; an absent message as null), a oneof naming its chosen field. Defined once, for
 * the server adapter (src/server/grpc/) and the client (src/client/grpc-*.ts). Fields a sender may leave out are
 * optional; a reader gets the default.
 */
import type {TensorContents} from './contents-fields.js'

/** inference.InferParameter: one of its *_param fields, named by parameter_choice. */
export interface InferParameterMessage {
  parameter_choice?: string
  bool_param?: boolean
  int64_param?: number
  string_param?: string
  double_param?: number
  uint64_param?: number
}

/** map<string, InferParameter>, as requests, responses, tensors and metadata carry it. */
export type InferParameterMap = Record<string, InferParameterMessage>

/** ModelInferRequest.InferInputTensor. */
export interface InferInputTensorMessage {
  name: string
  datatype: string
  shape: number[]
  parameters?: InferParameterMap
  contents?: TensorContents | null
}

/** ModelInferRequest.InferRequestedOutputTensor. */
export interface InferRequestedOutputTensorMessage {
  name: string
  parameters?: InferParameterMap
}

export interface ModelInferRequestMessage {
  model_name: string
  model_version?: string
  id?: string
  parameters?: InferParameterMap
  inputs: InferInputTensorMessage[]
  outputs: InferRequestedOutputTensorMessage[]
  raw_input_contents: Uint8Array[]
}

/** ModelInferResponse.InferOutputTensor. */
export interface InferOutputTensorMessage {
  name: string
  datatype: string
  shape: number[]
  parameters?: InferParameterMap
  contents?: TensorContents | null
}

export interface ModelInferResponseMessage {
  model_name: string
  model_version: string
  id: string
  parameters?: InferParameterMap
  outputs: InferOutputTensorMessage[]
  raw_output_contents: Uint8Array[]
}

/** Triton's ModelStreamInferResponse (grpc_stream_format "triton"): an answer, or the error of one request. */
export interface ModelStreamInferResponseMessage {
  error_message: string
  infer_response: Partial<ModelInferResponseMessage>
}

/** ModelReadyRequest and ModelMetadataRequest (the same fields): a model, and a version ('' for the default). */
export interface ModelRequestMessage {
  name: string
  version?: string
}

export interface ServerLiveResponseMessage {
  live: boolean
}

/** ServerReadyResponse and ModelReadyResponse. */
export interface ReadyResponseMessage {
  ready: boolean
}

export interface ServerMetadataResponseMessage {
  name: string
  version: string
  extensions: string[]
}

/** ModelMetadataResponse.TensorMetadata. */
export interface TensorMetadataMessage {
  name: string
  datatype: string
  shape: number[]
  parameters?: InferParameterMap
}

export interface ModelMetadataResponseMessage {
  name: string
  versions: string[]
  platform: string
  inputs: TensorMetadataMessage[]
  outputs: TensorMetadataMessage[]
  parameters?: InferParameterMap
}

/** RepositoryIndexRequest (both services). proto3 cannot tell ready=false from absent. */
export interface RepositoryIndexRequestMessage {
  repository_name?: string
  ready?: boolean
}

/** RepositoryIndexResponse.ModelIndex: version and reason '' when there are none. */
export interface ModelIndexMessage {
  name: string
  version: string
  state: string
  reason: string
}

export interface RepositoryIndexResponseMessage {
  models: ModelIndexMessage[]
}

/** RepositoryModelLoadRequest and RepositoryModelUnloadRequest. */
export interface RepositoryModelRequestMessage {
  repository_name?: string
  model_name: string
  /** GRPCInferenceService's load and unload only (Triton's config and file: parameters); keys matter, not values. */
  parameters?: Record<string, unknown>
}
