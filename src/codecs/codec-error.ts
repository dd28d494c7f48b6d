/**
 * How codecs fail. Decoding reads what a client sent, so its failures are MlsErrors the transports answer with 400.
 * Encoding reads what a runtime returned, so its failures are plain Errors (the data plane reports them as
 * INFERENCE_FAILED with the message).
 */
import {MlsError, type ErrorCode} from '../errors.js'
import type {Tensor} from '../protocol/types.js'
import {describeValue} from '../util/zod-issues.js'

/** A 400 about `tensor` read as `contentType`. */
export function decodeError(code: ErrorCode, contentType: string, tensor: Pick<Tensor, 'name'>, message: string): MlsError {
  return new MlsError(code, `input "${tensor.name}" (content type ${contentType}): ${message}`)
}

/** A 400 for a codec that reads BYTES only. */
export function requireBytes(contentType: string, tensor: Pick<Tensor, 'name' | 'datatype'>): void {
  if (tensor.datatype !== 'BYTES') {
    throw decodeError('INVALID_DATATYPE', contentType, tensor, `expected datatype BYTES, found ${tensor.datatype}`)
  }
}

/** An error about a value a runtime asked to encode. */
export function encodeError(contentType: string, name: string, message: string): Error {
  return new Error(`output "${name}" (content type ${contentType}): ${message}`)
}

/** Words for a value in messages: `"abc"`, `12`, `a Date`, `an array of 3`. */
export function describe(value: unknown): string {
  if (value instanceof Date) return 'a Date'
  if (value instanceof Uint8Array) return 'a Uint8Array'
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`
  return describeValue(value)
}
