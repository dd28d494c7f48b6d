/**
 * encodeResponse: what a runtime computed, as a V2 result, by content type, as MLServer's encode_response does. A
 * value a request codec takes is the whole response (a Table: `pd`, one output per column; an NdArray, a typed array or
 * numeric arrays: `np`; strings: `str`; each as the only output, named after the model's only declared output, else
 * "output-1"). An object is one output per key, each encoded by the content type its declared output names in
 * model-settings.json, else by its value (numbers `np`, strings `str`, Dates `datetime`, byte strings `base64`).
 * Every output so encoded carries `parameters.content_type`, as MLServer's outputs do.
 */
import type {InferResult, Tensor} from '../protocol/types.js'
import {describe} from './codec-error.js'
import {contentTypeOf, declared, registryOf, type CodecOptions} from './content-type.js'

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** Output `name` holding `value`: by its declared content type, else by the value. Throws (an Error) when no codec fits. */
export function encodeOutput(name: string, value: unknown, options: CodecOptions = {}): Tensor {
  const registry = registryOf(options)
  const tagged = declared(options.outputs, name)
  const contentType = contentTypeOf(tagged?.parameters, `model output "${name}"`)
  const codec = contentType === undefined ? registry.inputCodecFor(value) : registry.inputCodec(contentType)
  if (codec === undefined) {
    throw new Error(
      contentType === undefined
        ? `output "${name}": no content type encodes ${describe(value)}; return numbers (a typed array, an NdArray or arrays), strings, Dates or Uint8Arrays`
        : `output "${name}": unknown content type "${contentType}" (model-settings.json outputs); input content types: ${registry.contentTypes().input.join(', ')}`,
    )
  }
  return codec.encode(name, value, {datatype: tagged?.datatype})
}

/** The value as a V2 result; `options` are the model's defaults (its ModelSettings) and the registry. */
export function encodeResponse(value: unknown, options: CodecOptions = {}): InferResult {
  const registry = registryOf(options)
  const codec = registry.requestCodecFor(value)
  if (codec !== undefined) {
    const only = options.outputs?.length === 1 ? options.outputs[0] : undefined
    return codec.encodeResponse(value, {outputName: only?.name ?? 'output-1', hint: {datatype: only?.datatype}, outputs: options.outputs})
  }
  if (isPlainObject(value)) return {outputs: Object.entries(value).map(([name, v]) => encodeOutput(name, v, options))}
  throw new Error(`cannot encode ${describe(value)} as a response: return a Table, an NdArray, a typed array, strings, or an object of named outputs`)
}
