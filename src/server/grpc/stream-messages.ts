/**
 * The one place that shapes ModelStreamInfer's messages, as the setting grpc_stream_format says:
 * - "mlserver" (MLServer's dataplane.proto): each answer is a plain ModelInferResponse; the message has no error field,
 *   so an error ends the stream with its status.
 * - "triton" (Triton's grpc_service.proto): each answer is wrapped in ModelStreamInferResponse; the error of one
 *   request is sent in-stream as error_message and the stream goes on, as Triton's stream handler does.
 * The serializer of each shape is chosen once, with the service definition (grpc-protos.ts inferenceService).
 */
import type {MlsError} from '../../errors.js'
import type {ModelInferRequestMessage, ModelInferResponseMessage, ModelStreamInferResponseMessage} from '../../protocol/grpc-messages.js'
import type {InferenceResult} from '../../protocol/types.js'
import type {GrpcStreamFormat} from '../../settings/server-settings.js'
import {toModelInferResponse} from './infer-messages.js'

export interface StreamMessages {
  /**
   * The message for an answer; `raw` when the request used raw_input_contents; `complete` when it is the whole answer
   * to its request (a model that does not stream), not one of a streaming runtime's results.
   */
  answer(result: InferenceResult, raw: boolean, complete: boolean): ModelInferResponseMessage | ModelStreamInferResponseMessage
  /** The in-stream message for the error of `request`, or undefined: the error ends the stream with its status. */
  error(error: MlsError, request: Partial<ModelInferRequestMessage>): ModelStreamInferResponseMessage | undefined
}

/** Triton's flag of a request's last response, sent on every response of its stream (true: the answer is complete). */
export const FINAL_RESPONSE_PARAMETER = 'triton_final_response'

/**
 * Errors raised once the model has the request (its run failed, timed out, or its answer is too large): Triton then
 * fills in the request's model and sets triton_final_response, as for an answer. Any other error happened before the
 * model had the request, and Triton sends the request's id alone.
 */
const RUN_ERRORS: ReadonlySet<string> = new Set(['INFERENCE_FAILED', 'INFER_TIMEOUT', 'RESPONSE_TOO_LARGE'])

const MLSERVER: StreamMessages = {
  answer: (result, raw) => toModelInferResponse(result, raw),
  error: () => undefined,
}

const TRITON: StreamMessages = {
  answer(result, raw, complete) {
    const response = toModelInferResponse(result, raw)
    // A streaming runtime's result does not say whether it is its request's last: the flag is left out, not guessed.
    if (complete) response.parameters = {...response.parameters, [FINAL_RESPONSE_PARAMETER]: {bool_param: true}}
    return {error_message: '', infer_response: response}
  },
  error(error, request) {
    const id = request.id ?? ''
    if (!RUN_ERRORS.has(error.code)) return {error_message: error.message, infer_response: {id}}
    return {
      error_message: error.message,
      infer_response: {id, model_name: request.model_name ?? '', model_version: request.model_version ?? '', parameters: {[FINAL_RESPONSE_PARAMETER]: {bool_param: true}}},
    }
  },
}

export function streamMessages(format: GrpcStreamFormat): StreamMessages {
  return format === 'triton' ? TRITON : MLSERVER
}
