/** `base64`: BYTES elements holding base64 text, decoded to the bytes they stand for. As MLServer's Base64Codec. */
import type {Tensor} from '../protocol/types.js'
import type {InputCodec} from './codec.js'
import {decodeError, encodeError} from './codec-error.js'
import {elementsAsText, isListOf, listOf, textTensor} from './strings.js'

const CONTENT_TYPE = 'base64'
/** The standard alphabet with its padding, as Python's base64.b64decode reads it. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array

export const Base64Codec: InputCodec<Uint8Array[]> = {
  contentType: CONTENT_TYPE,
  canEncode: (value) => isListOf(value, isBytes),
  /** One Uint8Array per element; a 400 for a datatype other than BYTES or an element that is not base64. */
  decode(tensor: Tensor): Uint8Array[] {
    return elementsAsText(CONTENT_TYPE, tensor).map((text, i) => {
      if (!BASE64.test(text)) throw decodeError('INVALID_DATA', CONTENT_TYPE, tensor, `element ${i} is not base64 (standard alphabet, padded)`)
      const buffer = Buffer.from(text, 'base64')
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
    })
  },
  /** A list of N byte strings is sent as [N, 1] base64 texts; nested arrays keep their shape. */
  encode(name: string, value: Uint8Array[]): Tensor {
    const {shape, flat} = listOf(value, isBytes, 'Uint8Arrays', (message) => {
      throw encodeError(CONTENT_TYPE, name, message)
    })
    return textTensor(name, CONTENT_TYPE, shape, flat.map((bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')))
  },
}
