/**
 * decodeRequest: a V2 request as friendly values, by content type, as MLServer's decode_request does. Each input with
 * a content type (its own `parameters.content_type`, else the declared input's in model-settings.json) is decoded by
 * that input codec; then a request-level content type (the request's, else model-settings.json
 * `parameters.content_type`) decodes the whole request (`pd`: a Table; `np` / `str`: the only input). Without one the
 * result is an object of input name to value, `np` (an NdArray) for inputs without a content type.
 */
import {MlsError} from '../errors.js'
import type {InferRequest, Tensor} from '../protocol/types.js'
import {contentTypeOf, declared, registryOf, type CodecOptions} from './content-type.js'
import type {InputCodec} from './codec.js'
import {NumpyCodec} from './numpy.js'

/** The decoded inputs of a request without a request-level content type: input name to value. */
export type DecodedInputs = Record<string, unknown>

function inputCodecOf(input: Tensor, options: CodecOptions): InputCodec | undefined {
  const where = `input "${input.name}"`
  const contentType = contentTypeOf(input.parameters, where) ?? contentTypeOf(declared(options.inputs, input.name)?.parameters, `model input "${input.name}"`)
  if (contentType === undefined) return undefined
  const registry = registryOf(options)
  const codec = registry.inputCodec(contentType)
  if (codec === undefined) {
    const known = registry.contentTypes().input.join(', ')
    throw new MlsError('INVALID_REQUEST', `${where}: unknown content type "${contentType}"; input content types: ${known}`)
  }
  return codec
}

/** One input as a value: by its content type, else as an NdArray (`np`). */
export function decodeInput(input: Tensor, options: CodecOptions = {}): unknown {
  return (inputCodecOf(input, options) ?? NumpyCodec).decode(input)
}

/**
 * The request as values. The type parameter only names what the caller expects (a Table for `pd`, say); it is not
 * checked. Decoding failures are MlsErrors that answer 400: a content type that does not fit the datatype, data it
 * cannot read, an unknown content type.
 */
export function decodeRequest<T = DecodedInputs>(request: InferRequest, options: CodecOptions = {}): T {
  const decoded = new Map<string, unknown>()
  for (const input of request.inputs) {
    const codec = inputCodecOf(input, options)
    if (codec !== undefined) decoded.set(input.name, codec.decode(input))
  }
  const requestType = contentTypeOf(request.parameters, 'request') ?? (options.contentType || undefined)
  if (requestType !== undefined) {
    const registry = registryOf(options)
    const codec = registry.requestCodec(requestType)
    if (codec === undefined) {
      const known = registry.contentTypes().request.join(', ')
      throw new MlsError('INVALID_REQUEST', `request: content type "${requestType}" is not a request-level content type; request content types: ${known}`)
    }
    return codec.decodeRequest(request, decoded) as T
  }
  const out: DecodedInputs = {}
  for (const input of request.inputs) {
    Object.defineProperty(out, input.name, {value: decoded.has(input.name) ? decoded.get(input.name) : NumpyCodec.decode(input), enumerable: true, writable: true, configurable: true})
  }
  return out as T
}
