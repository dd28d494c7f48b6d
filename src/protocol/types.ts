/** Open Inference Protocol (V2) types: the JSON shapes on the wire and the typed tensors the data plane passes inward. */
import type {Datatype, NumericArray} from './datatypes.js'

/** `parameters` on requests, tensors and responses: string, number and bool values by the protocol; kept open as MLServer does. */
export type Parameters = Readonly<Record<string, unknown>>

/** Tensor elements in memory: a typed array for numbers and BOOL (0/1), one byte string per element for BYTES. */
export type TensorData = NumericArray | readonly Uint8Array[]

/** A validated tensor: `data` holds exactly product(shape) elements of `datatype`. */
export interface Tensor {
  readonly name: string
  readonly datatype: Datatype
  readonly shape: readonly number[]
  readonly data: TensorData
  readonly parameters?: Parameters
}

/** What a runtime receives: inputs already checked against the model's metadata and converted to its datatypes. */
export interface InferRequest {
  readonly id: string
  readonly parameters?: Parameters
  readonly inputs: readonly Tensor[]
  /** Output names the client asked for; undefined means the runtime's default outputs. */
  readonly outputs?: readonly string[]
  /**
   * Aborted when the answer is no longer wanted: the client went away, `infer_timeout` (or the gRPC deadline) passed,
   * or the server's shutdown grace period ran out; `signal.reason` is the error the client got. The client has its
   * answer already; a runtime doing long asynchronous work may stop early (pass it to fetch, timers, etc.), which frees
   * the request's place in the model's queue (max_queue_size) sooner. Absent on the joined calls of adaptive batching.
   */
  readonly signal?: AbortSignal
}

export interface InferResult {
  readonly outputs: readonly Tensor[]
  readonly parameters?: Parameters
}

/** What the data plane answers an inference with; each transport encodes the tensors its own way. */
export interface InferenceResult {
  readonly model_name: string
  readonly model_version?: string
  readonly id: string
  readonly parameters?: Parameters
  readonly outputs: readonly Tensor[]
}

// ---- JSON wire shapes ----

export interface RequestInput {
  name: string
  shape: number[]
  datatype: string
  parameters?: Record<string, unknown>
  data: unknown
}

export interface RequestOutput {
  name: string
  parameters?: Record<string, unknown>
}

export interface InferenceRequestBody {
  id?: string
  parameters?: Record<string, unknown>
  inputs: RequestInput[]
  outputs?: RequestOutput[]
}

export interface ResponseOutput {
  name: string
  shape: number[]
  datatype: Datatype
  parameters?: Parameters
  data: Array<number | boolean | string>
}

export interface InferenceResponse {
  model_name: string
  model_version?: string
  id: string
  parameters?: Parameters
  outputs: ResponseOutput[]
}

export interface TensorMetadata {
  readonly name: string
  readonly datatype: Datatype
  /** -1 marks a variable dimension. */
  readonly shape: readonly number[]
  readonly parameters?: Parameters
}

export interface ModelMetadata {
  name: string
  versions: string[]
  platform: string
  inputs: TensorMetadata[]
  outputs: TensorMetadata[]
  parameters?: Parameters
}

export interface ServerMetadata {
  name: string
  version: string
  extensions: string[]
}

/**
 * NOT_LOADED: with a memory_budget, a version that is servable but not in memory (never loaded, or evicted); the next
 * request loads it.
 */
export type ModelState = 'UNKNOWN' | 'READY' | 'UNAVAILABLE' | 'LOADING' | 'UNLOADING' | 'NOT_LOADED'

export interface RepositoryIndexItem {
  name: string
  version?: string
  state: ModelState
  reason: string
  /** With a memory_budget (REST only): the version's memory as the budget counts it. */
  memory_bytes?: number
  /** Where memory_bytes comes from: measured at its last load, stated in model-settings.json, or estimated from its files. */
  memory_source?: 'measured' | 'stated' | 'estimated'
  /** With a memory_budget: true when model-settings.json pins the version (never evicted). */
  pinned?: boolean
  /** With a memory_budget: when the version last served a request (or loaded), ISO 8601. */
  last_used?: string
}
