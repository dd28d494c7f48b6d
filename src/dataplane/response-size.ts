/**
 * max_response_size: the raw output tensor bytes one answer may carry, counted on the runtime's result before any
 * transport encodes it (JSON, binary extension, gRPC typed or raw contents). Every inference path passes here (single
 * requests, each answer of a stream, batched and worker-pool models alike), so no transport builds an answer the limit
 * refuses. What a wire form adds on top is bounded per datatype (protocol/tensor-size.ts).
 */
import {MlsError} from '../errors.js'
import {rawByteSize} from '../protocol/tensor-size.js'
import type {Tensor} from '../protocol/types.js'
import {modelLabel} from '../repository/model-label.js'
import type {ScopeModel} from './request-scope.js'

/** Throws RESPONSE_TOO_LARGE when `outputs` hold more raw bytes than `limit`. */
export function checkResponseSize(model: ScopeModel, outputs: readonly Tensor[], limit: number): void {
  let total = 0
  for (let i = 0; i < outputs.length; i++) total += rawByteSize(outputs[i])
  if (total <= limit) return
  throw new MlsError(
    'RESPONSE_TOO_LARGE',
    `the answer of ${modelLabel(model)} would hold ${total} bytes of output tensors, more than max_response_size (${limit} bytes); ` +
      'send a smaller input, ask for fewer outputs, or raise max_response_size',
  )
}
