/**
 * NdArray: the `np` content type's value, a tensor without a name (numpy's ndarray): a typed array in row-major order
 * plus its shape and datatype. And the conversion of what a runtime may return for one (an NdArray, a typed array,
 * nested plain arrays) into tensor parts.
 */
import type {Datatype} from '../protocol/datatypes.js'
import {elementCount, formatShape} from '../protocol/shape.js'
import type {TensorData} from '../protocol/types.js'
import {describe} from './codec-error.js'
import {checkDatatype, checkShape, inferDatatype, shapeOf, toTensorData, typedArrayDatatype, type Fail} from './tensor-data.js'

/**
 * A decoded `np` tensor. `data` holds product(shape) elements row-major: a typed array for numbers (Float32Array for
 * FP16 and FP32, BigInt64Array for INT64, ...), a Uint8Array of 0 / 1 for BOOL, one Uint8Array per element for BYTES.
 */
export interface NdArray<T extends TensorData = TensorData> {
  readonly datatype: Datatype
  readonly shape: readonly number[]
  readonly data: T
}

/** Any object with `datatype`, `shape` and `data` fields. */
export function isNdArray(value: unknown): value is NdArray {
  return typeof value === 'object' && value !== null && 'datatype' in value && 'shape' in value && 'data' in value
}

/** True for what `ndarrayParts` takes: an NdArray, a typed array, or (nested) arrays of numbers, booleans or bigints. */
export function isArrayLikeTensor(value: unknown): boolean {
  if (isNdArray(value) || typedArrayDatatype(value) !== undefined) return true
  if (!Array.isArray(value)) return false
  try {
    const {flat} = shapeOf(value, (message) => {
      throw new Error(message)
    })
    return flat.every((v) => typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v === null)
  } catch {
    return false
  }
}

/**
 * Datatype, shape and data for `value`: an NdArray as it is (data checked against datatype and shape), a typed array as
 * one dimension of its own datatype, nested arrays with the shape of their nesting and the datatype of `datatype`
 * when given, else of their elements (numbers FP64, booleans BOOL, bigints INT64, strings BYTES).
 */
export function ndarrayParts(value: unknown, fail: Fail, datatype?: Datatype): NdArray {
  if (isNdArray(value)) {
    const type = checkDatatype(value.datatype, fail)
    const shape = checkShape(value.shape, fail)
    const data = value.data as unknown
    if (!Array.isArray(data) && !ArrayBuffer.isView(data)) fail(`data must be an array or a typed array, found ${describe(data)}`)
    const {flat} = Array.isArray(data) ? shapeOf(data, fail) : {flat: data as unknown as ArrayLike<unknown>}
    if (flat.length !== elementCount(shape)) fail(`shape ${formatShape(shape)} needs ${elementCount(shape)} elements, data has ${flat.length}`)
    return {datatype: type, shape, data: toTensorData(type, flat, fail)}
  }
  const own = typedArrayDatatype(value)
  if (own !== undefined) {
    const array = value as ArrayLike<unknown>
    const type = datatype ?? own
    return {datatype: type, shape: [array.length], data: toTensorData(type, array, fail)}
  }
  if (!Array.isArray(value)) fail(`expected an NdArray, a typed array or an array, found ${describe(value)}`)
  const {shape, flat} = shapeOf(value as unknown[], fail)
  const type = datatype ?? inferDatatype(flat) ?? fail(`cannot tell one datatype from elements such as ${describe(flat.find((v) => typeof v !== typeof flat[0]))}`)
  return {datatype: type, shape, data: toTensorData(type, flat, fail)}
}

/** MLServer's inject_batch_dimension: a 1-D shape [N] is sent as [N, 1] (and a scalar as [1]). */
export function withBatchDimension(shape: readonly number[]): number[] {
  return shape.length > 1 ? [...shape] : [...shape, 1]
}
