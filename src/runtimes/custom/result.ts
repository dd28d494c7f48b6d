/**
 * What a custom runtime's predict returned, as the InferResult the data plane expects: an InferResult has its tensors
 * checked (datatype, shape, data of that datatype; plain arrays become typed arrays), anything else goes through
 * encodeResponse with the model's content-type defaults. Then the requested outputs are picked, in the order asked.
 * Problems are plain Errors: the data plane answers them as INFERENCE_FAILED with the message.
 */
import type {CodecOptions} from '../../codecs/content-type.js'
import {encodeResponse} from '../../codecs/encode-response.js'
import {ndarrayParts} from '../../codecs/ndarray.js'
import type {InferResult, Tensor} from '../../protocol/types.js'

function isTensorLike(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'name' in value && 'datatype' in value && 'shape' in value && 'data' in value
}

/** An object with an `outputs` array of tensors (name, datatype, shape, data). */
export function isInferResult(value: unknown): value is InferResult {
  const outputs = (value as {outputs?: unknown} | null)?.outputs
  return typeof value === 'object' && value !== null && Array.isArray(outputs) && outputs.every(isTensorLike)
}

function checkTensor(output: Tensor, index: number): Tensor {
  const name = output.name
  if (typeof name !== 'string' || name === '') throw new Error(`output ${index}: name must be a non-empty string`)
  const parts = ndarrayParts(output, (message) => {
    throw new Error(`output "${name}": ${message}`)
  })
  return output.parameters === undefined ? {name, ...parts} : {name, ...parts, parameters: output.parameters}
}

/** The outputs named in `requested` (all when undefined), in that order. */
export function selectOutputs(result: InferResult, requested: readonly string[] | undefined): InferResult {
  if (requested === undefined) return result
  const byName = new Map(result.outputs.map((o) => [o.name, o]))
  const outputs = requested.map((name) => {
    const output = byName.get(name)
    if (output === undefined) throw new Error(`the runtime returned no output "${name}" (it returned ${[...byName.keys()].map((n) => `"${n}"`).join(', ') || 'none'})`)
    return output
  })
  return {...result, outputs}
}

/** `value` as a checked InferResult holding the `requested` outputs. */
export function toInferResult(value: unknown, requested: readonly string[] | undefined, options: CodecOptions): InferResult {
  let result: InferResult
  if (isInferResult(value)) {
    const outputs = value.outputs.map(checkTensor)
    result = value.parameters === undefined ? {outputs} : {outputs, parameters: value.parameters}
  } else {
    result = encodeResponse(value, options)
  }
  return selectOutputs(result, requested)
}
