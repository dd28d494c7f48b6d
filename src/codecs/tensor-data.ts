/**
 * Plain JavaScript values <-> tensor data: the shape of nested arrays, the datatype their elements suggest, and the
 * conversion of elements into the typed array a datatype is held in (BOOL as 0/1 bytes, BYTES as one byte string per
 * element, FP16 as a Float32Array). `null` is a missing value: NaN for the floating types.
 */
import {DATATYPES, isDatatype, type Datatype, type NumericArray} from '../protocol/datatypes.js'
import type {TensorData} from '../protocol/types.js'
import {describe} from './codec-error.js'
import {checkValues} from './tensor-values.js'

/** Throws an error with `message` (the caller decides which kind); never returns. */
export type Fail = (message: string) => never

const TYPED_ARRAY_DATATYPES: ReadonlyArray<readonly [Function, Datatype]> = [
  [Float32Array, 'FP32'],
  [Float64Array, 'FP64'],
  [Int8Array, 'INT8'],
  [Int16Array, 'INT16'],
  [Int32Array, 'INT32'],
  [BigInt64Array, 'INT64'],
  [Uint8Array, 'UINT8'],
  [Uint8ClampedArray, 'UINT8'],
  [Uint16Array, 'UINT16'],
  [Uint32Array, 'UINT32'],
  [BigUint64Array, 'UINT64'],
]

/** The datatype a typed array holds (Uint8Array: UINT8), or undefined for anything else. */
export function typedArrayDatatype(value: unknown): Datatype | undefined {
  if (!ArrayBuffer.isView(value)) return undefined
  return TYPED_ARRAY_DATATYPES.find(([ctor]) => value instanceof ctor)?.[1]
}

/** A typed array other than Uint8Array nests as a dimension; a Uint8Array inside an array is one BYTES element. */
function isRow(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || (typedArrayDatatype(value) !== undefined && !(value instanceof Uint8Array))
}

/** The shape of nested arrays and their elements flattened row-major; `fail` when they are not rectangular. */
export function shapeOf(value: ArrayLike<unknown>, fail: Fail): {shape: number[]; flat: unknown[]} {
  const shape: number[] = []
  for (let level: unknown = value; isRow(level); level = level.length > 0 ? level[0] : undefined) shape.push(level.length)
  const flat: unknown[] = []
  const walk = (node: ArrayLike<unknown>, depth: number, at: string) => {
    if (node.length !== shape[depth]) fail(`the arrays are not rectangular: ${at} has ${node.length} elements, expected ${shape[depth]}`)
    for (let i = 0; i < node.length; i++) {
      const item = node[i]
      if (depth + 1 < shape.length) {
        if (!isRow(item)) fail(`the arrays are not rectangular: ${at}[${i}] is ${describe(item)}, expected an array`)
        walk(item, depth + 1, `${at}[${i}]`)
      } else if (isRow(item)) {
        fail(`the arrays are not rectangular: ${at}[${i}] is an array, expected a value`)
      } else {
        flat.push(item)
      }
    }
  }
  walk(value, 0, 'the value')
  return {shape, flat}
}

/** The datatype plain elements suggest: numbers (and null) FP64, booleans BOOL, bigints INT64, strings and byte strings BYTES. */
export function inferDatatype(flat: readonly unknown[]): Datatype | undefined {
  if (flat.length === 0) return 'FP64'
  const every = (test: (v: unknown) => boolean) => flat.every(test)
  if (every((v) => typeof v === 'number' || v === null)) return 'FP64'
  if (every((v) => typeof v === 'boolean')) return 'BOOL'
  if (every((v) => typeof v === 'bigint')) return 'INT64'
  if (every((v) => typeof v === 'string' || v instanceof Uint8Array)) return 'BYTES'
  return undefined
}

/** Checks a shape: an array of non-negative integers. */
export function checkShape(shape: unknown, fail: Fail): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    fail(`shape must be an array of non-negative integers, found ${describe(shape)}`)
  }
  return [...(shape as number[])]
}

/** Checks a datatype name. */
export function checkDatatype(datatype: unknown, fail: Fail): Datatype {
  if (!isDatatype(datatype)) fail(`unknown datatype ${describe(datatype)}`)
  return datatype as Datatype
}

/**
 * `values` as the data of a `datatype` tensor. A typed array that already holds the datatype is returned as it is;
 * otherwise every element is checked by the one validator (tensor-values.ts, as values from code): numbers (or null,
 * as NaN) for floats, integers in range (numbers or bigints) for integer types, booleans (or 0 / 1) for BOOL, strings
 * (UTF-8) or Uint8Arrays for BYTES.
 */
export function toTensorData(datatype: Datatype, values: ArrayLike<unknown>, fail: Fail): TensorData {
  const info = DATATYPES[datatype]
  if (datatype !== 'BOOL' && datatype !== 'FP16' && info.array !== undefined && values instanceof info.array) return values as NumericArray
  if (datatype === 'FP16' && values instanceof Float32Array) return values
  if (datatype === 'BOOL' && values instanceof Uint8Array && values.every((v) => v <= 1)) return values
  return checkValues(values, datatype, datatype, 'code', failWith, fail)
}

const failWith = (fail: Fail, message: string): never => fail(message)
