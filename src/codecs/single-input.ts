/** A request codec made of an input codec: the request's only input decoded, a value encoded as the only output (MLServer's SingleInputRequestCodec). */
import {MlsError} from '../errors.js'
import type {InferRequest, InferResult} from '../protocol/types.js'
import type {InputCodec, RequestCodec, ResponseEncoding} from './codec.js'

export function singleInputRequestCodec<T>(codec: InputCodec<T>): RequestCodec<T> {
  return {
    contentType: codec.contentType,
    canEncode: (value) => codec.canEncode(value),
    decodeRequest(request: InferRequest, decoded: ReadonlyMap<string, unknown>): T {
      if (request.inputs.length !== 1) {
        throw new MlsError(
          'INVALID_REQUEST',
          `content type ${codec.contentType} at request level takes exactly one input, found ${request.inputs.length}; tag the inputs one by one instead`,
        )
      }
      const [input] = request.inputs
      return decoded.has(input.name) ? (decoded.get(input.name) as T) : codec.decode(input)
    },
    encodeResponse(value: T, encoding: ResponseEncoding): InferResult {
      return {outputs: [codec.encode(encoding.outputName, value, encoding.hint)]}
    },
  }
}
