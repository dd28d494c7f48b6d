/** `str`: BYTES elements as UTF-8 strings. As MLServer's StringCodec (and StringRequestCodec at request level). */
import type {Tensor} from '../protocol/types.js'
import type {InputCodec} from './codec.js'
import {encodeError} from './codec-error.js'
import {singleInputRequestCodec} from './single-input.js'
import {elementsAsText, isListOf, listOf, textTensor} from './strings.js'

const CONTENT_TYPE = 'str'
const isString = (v: unknown): v is string => typeof v === 'string'

export const StringCodec: InputCodec<string[]> = {
  contentType: CONTENT_TYPE,
  canEncode: (value) => isListOf(value, isString),
  /** The elements, flattened row-major; a 400 for a datatype other than BYTES or invalid UTF-8. */
  decode: (tensor: Tensor): string[] => elementsAsText(CONTENT_TYPE, tensor),
  /** A list of N strings is sent as [N, 1]; nested arrays keep their shape. */
  encode(name: string, value: string[]): Tensor {
    const {shape, flat} = listOf(value, isString, 'strings', (message) => {
      throw encodeError(CONTENT_TYPE, name, message)
    })
    return textTensor(name, CONTENT_TYPE, shape, flat)
  },
}

/** `str` at request level: the request's only input as strings; strings as the response's only output. */
export const StringRequestCodec = singleInputRequestCodec(StringCodec)
