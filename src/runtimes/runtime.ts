/**
 * The runtime contract: what every model implementation provides. A runtime knows nothing of HTTP, gRPC or metrics;
 * it receives validated tensors (already converted to the datatypes its metadata declares) and returns tensors.
 */
import type {InferRequest, InferResult, TensorMetadata} from '../protocol/types.js'
import type {ModelSettings} from '../settings/model-settings.js'

export interface RuntimeMetadata {
  readonly platform: string
  /** What the model takes; an empty list means "not declared" and inputs are passed through unchecked. */
  readonly inputs: readonly TensorMetadata[]
  /** Every output a client may request by name. */
  readonly outputs: readonly TensorMetadata[]
}

export interface Runtime {
  /** Reads the artifact and prepares inference. Throwing leaves the model UNAVAILABLE with the message as reason. */
  load(): Promise<void>
  /** Valid after load(). */
  metadata(): RuntimeMetadata
  /** `request.outputs` undefined means the runtime's default outputs; otherwise exactly those, in that order. */
  predict(request: InferRequest): Promise<InferResult>
  /** Frees what load() took. Called once no request is in flight. */
  unload(): Promise<void>
}

export type RuntimeFactory = (settings: ModelSettings) => Runtime
