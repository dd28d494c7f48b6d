/**
 * Checks a request tensor's data against its shape and datatype and converts it to the datatype the model input
 * declares, in one pass. Numbers change type only where no value changes meaning: any number into a float input,
 * integers into an integer input when every value fits; a fraction, BOOL or BYTES for a numeric input is refused.
 */
import {MlsError} from '../errors.js'
import {encodeUtf8} from '../protocol/bytes.js'
import {RawBytes, decodeRaw} from '../protocol/raw.js'
import {DATATYPES, type Datatype, type DatatypeInfo, type NumericArray} from '../protocol/datatypes.js'
import type {TensorData} from '../protocol/types.js'
import {describeValue} from '../util/zod-issues.js'

export interface RawTensor {
  readonly name: string
  readonly shape: readonly number[]
  readonly datatype: Datatype
  readonly data: unknown
}

const formatShape = (shape: readonly number[]) => `[${shape.join(',')}]`

/**
 * Elements of nested `data`, flattened row-major; stops counting once past `limit` so a huge body is not copied.
 * Iterative, not recursive: JSON nested a hundred thousand levels deep must be a 400, not a stack overflow.
 */
function flatten(data: unknown[], limit: number): unknown[] {
  let nested = false
  for (let i = 0; i < data.length; i++) {
    if (Array.isArray(data[i])) {
      nested = true
      break
    }
  }
  if (!nested) return data
  const out: unknown[] = []
  const arrays: unknown[][] = [data]
  const positions: number[] = [0]
  while (arrays.length > 0 && out.length <= limit) {
    const top = arrays.length - 1
    const array = arrays[top]
    if (positions[top] >= array.length) {
      arrays.pop()
      positions.pop()
      continue
    }
    const item = array[positions[top]++]
    if (Array.isArray(item)) {
      arrays.push(item)
      positions.push(0)
    } else {
      out.push(item)
    }
  }
  return out
}

export function elementCount(shape: readonly number[]): number {
  let count = 1
  for (const dim of shape) count *= dim
  return count
}

/** Whether data of `source` may be converted to `target` at all (before looking at values). */
function convertible(source: DatatypeInfo, target: DatatypeInfo): boolean {
  if (source.name === target.name) return true
  const numeric = (t: DatatypeInfo) => t.kind === 'int' || t.kind === 'uint' || t.kind === 'float'
  return numeric(source) && numeric(target)
}

export function decodeTensorData(tensor: RawTensor, targetType: Datatype = tensor.datatype): TensorData {
  const label = `input "${tensor.name}"`
  if (tensor.data instanceof RawBytes) return decodeRawTensor(tensor, tensor.data, targetType, label)
  if (!Array.isArray(tensor.data)) {
    throw new MlsError('INVALID_DATA', `${label}: data: expected an array, found ${describeValue(tensor.data)}`)
  }
  const count = elementCount(tensor.shape)
  const flat = flatten(tensor.data, count)
  if (flat.length !== count) {
    throw new MlsError(
      'INVALID_DATA',
      `${label}: shape ${formatShape(tensor.shape)} needs ${count} values, found ${flat.length > count ? `more than ${count}` : flat.length}`,
    )
  }
  const source = DATATYPES[tensor.datatype]
  const target = DATATYPES[targetType]
  if (!convertible(source, target)) {
    throw new MlsError('INVALID_DATATYPE', `${label}: datatype ${source.name} cannot be used for a ${target.name} input`)
  }
  const bad = (i: number, value: unknown, expected: string): never => {
    throw new MlsError('INVALID_DATA', `${label}: element ${i} is ${describeValue(value)}, expected ${expected}`)
  }

  if (source.kind === 'bytes') {
    const out: Uint8Array[] = new Array(count)
    for (let i = 0; i < count; i++) {
      const value = flat[i]
      if (typeof value === 'string') out[i] = encodeUtf8(value)
      else if (value instanceof Uint8Array) out[i] = value
      else bad(i, value, 'a string for BYTES')
    }
    return out
  }
  const out = new target.array!(count)
  if (source.kind === 'bool') {
    for (let i = 0; i < count; i++) {
      const value = flat[i]
      if (typeof value !== 'boolean') bad(i, value, 'true or false for BOOL')
      out[i] = value ? 1 : 0
    }
    return out
  }
  writeNumbers(flat, source, target, out, bad)
  return out
}

/** Raw bytes decode as their declared datatype; a different model datatype converts through the same checks as JSON. */
function decodeRawTensor(tensor: RawTensor, raw: RawBytes, targetType: Datatype, label: string): TensorData {
  const data = decodeRaw(raw.bytes, tensor.datatype, elementCount(tensor.shape), label)
  if (targetType === tensor.datatype) return data
  const values = data instanceof BigInt64Array || data instanceof BigUint64Array ? Array.from(data, Number) : Array.from(data as ArrayLike<unknown>)
  return decodeTensorData({...tensor, data: tensor.datatype === 'BOOL' ? values.map((v) => v !== 0) : values}, targetType)
}

function writeNumbers(
  flat: readonly unknown[],
  source: DatatypeInfo,
  target: DatatypeInfo,
  out: NumericArray,
  bad: (i: number, value: unknown, expected: string) => never,
): void {
  const n = flat.length
  const sourceIsFloat = source.kind === 'float'
  // The common case (float data into a float input) is one tight loop.
  if (target.kind === 'float') {
    const dest = out as Float32Array
    for (let i = 0; i < n; i++) {
      const value = flat[i]
      if (typeof value === 'number' && (sourceIsFloat || Number.isInteger(value))) dest[i] = value
      else if (value === null && sourceIsFloat) dest[i] = NaN
      else bad(i, value, sourceIsFloat ? `a number for ${source.name}` : `an integer for ${source.name}`)
    }
    if (!sourceIsFloat) checkRange(flat, source, bad)
    return
  }
  const min = Number(target.min)
  const max = Number(target.max)
  for (let i = 0; i < n; i++) {
    const value = flat[i]
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      if (typeof value === 'number' && sourceIsFloat && Number.isFinite(value)) {
        bad(i, value, `a whole number: the model input is ${target.name}`)
      }
      bad(i, value, sourceIsFloat ? `a number for ${source.name}` : `an integer for ${source.name}`)
    }
    if ((value as number) < min || (value as number) > max) bad(i, value, `a value that fits ${target.name}`)
    // A JSON number past 2^53 - 1 has already lost digits (9007199254740993 parses as ...992): refuse it, never guess.
    if (target.big && !Number.isSafeInteger(value)) bad(i, value, `an integer within ±(2^53 - 1): larger ${target.name} values lose digits as JSON numbers; send them as raw bytes (binary extension or gRPC raw_input_contents)`)
  }
  if (!sourceIsFloat) checkRange(flat, source, bad)
  if (target.big) {
    const dest = out as BigInt64Array
    for (let i = 0; i < n; i++) dest[i] = BigInt(flat[i] as number)
  } else {
    const dest = out as Int32Array
    for (let i = 0; i < n; i++) dest[i] = flat[i] as number
  }
}

/** Integer data must fit the datatype it was declared as, whatever it converts to. */
function checkRange(flat: readonly unknown[], source: DatatypeInfo, bad: (i: number, value: unknown, expected: string) => never): void {
  const min = Number(source.min)
  const max = Number(source.max)
  for (let i = 0; i < flat.length; i++) {
    const value = flat[i] as number
    if (value < min || value > max) bad(i, value, `a value in the range of ${source.name}`)
  }
}
