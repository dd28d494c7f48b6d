/**
 * Helpers for the codecs that read BYTES elements as text (`str`, `base64`, `datetime`): the elements as strings,
 * and values given as a list of N (sent as [N, 1], as MLServer does) or as nested arrays (sent with their shape).
 */
import {decodeUtf8Strict, encodeUtf8} from '../protocol/bytes.js'
import type {Tensor} from '../protocol/types.js'
import {decodeError, describe, requireBytes} from './codec-error.js'
import {shapeOf, type Fail} from './tensor-data.js'

/** The BYTES elements of `tensor` as strings; a 400 for another datatype or invalid UTF-8. Plain strings pass as they are. */
export function elementsAsText(contentType: string, tensor: Tensor): string[] {
  requireBytes(contentType, tensor)
  return (tensor.data as readonly unknown[]).map((element, i) => {
    if (typeof element === 'string') return element
    const text = element instanceof Uint8Array ? decodeUtf8Strict(element) : undefined
    if (text === undefined) throw decodeError('INVALID_DATA', contentType, tensor, `element ${i} is not valid UTF-8 text`)
    return text
  })
}

/** A list (shape [N, 1]) or nested arrays (their own shape) of `T`, flattened; `fail` when an element is not a `T`. */
export function listOf<T>(value: unknown, isT: (v: unknown) => v is T, what: string, fail: Fail): {shape: number[]; flat: T[]} {
  if (isT(value)) return {shape: [1, 1], flat: [value]}
  if (!Array.isArray(value)) fail(`expected an array of ${what}, found ${describe(value)}`)
  const {shape, flat} = shapeOf(value as unknown[], fail)
  flat.forEach((v, i) => isT(v) || fail(`element ${i} is ${describe(v)}, expected ${what}`))
  return {shape: shape.length === 1 ? [shape[0], 1] : shape, flat: flat as T[]}
}

/** True when `value` is a non-empty array (nested or not) whose elements all pass `isT`. */
export function isListOf<T>(value: unknown, isT: (v: unknown) => v is T): boolean {
  if (!Array.isArray(value) || value.length === 0) return false
  try {
    return shapeOf(value, (m) => {
      throw new Error(m)
    }).flat.every(isT)
  } catch {
    return false
  }
}

/** A BYTES tensor of UTF-8 text with `parameters.content_type`. */
export function textTensor(name: string, contentType: string, shape: number[], texts: readonly string[]): Tensor {
  return {name, datatype: 'BYTES', shape, data: texts.map(encodeUtf8), parameters: {content_type: contentType}}
}
