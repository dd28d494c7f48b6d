/**
 * A request tensor's data as its runtime gets it: nested JSON arrays flattened and counted against the shape, raw
 * bytes read as their datatype, then every value checked and converted to the datatype the model input declares by
 * the one validator (codecs/tensor-values.ts). A fraction, BOOL or BYTES for a numeric input is refused.
 */
import {MlsError} from '../errors.js'
import {checkValues} from '../codecs/tensor-values.js'
import type {BodySource} from './admission.js'
import {DATATYPES, type Datatype, type DatatypeInfo} from '../protocol/datatypes.js'
import {RawBytes, decodeRaw} from '../protocol/raw.js'
import {elementCount, formatShape} from '../protocol/shape.js'
import type {TensorData} from '../protocol/types.js'
import {describeValue} from '../util/zod-issues.js'

export interface RawTensor {
  readonly name: string
  readonly shape: readonly number[]
  readonly datatype: Datatype
  readonly data: unknown
}

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

/** Whether data of `source` may be converted to `target` at all (before looking at values). */
function convertible(source: DatatypeInfo, target: DatatypeInfo): boolean {
  if (source.name === target.name) return true
  return isNumeric(source) && isNumeric(target)
}

function isNumeric(type: DatatypeInfo): boolean {
  return type.kind === 'int' || type.kind === 'uint' || type.kind === 'float'
}

/** A value check failed for the input named `name`: a 400 INVALID_DATA naming it (made only when a check fails). */
function invalidData(name: string, message: string): never {
  throw new MlsError('INVALID_DATA', `input "${name}": ${message}`)
}

/**
 * `tensor`'s data as `targetType` data. `from` says where value arrays came from: a JSON body (the default), whose
 * numbers cannot be infinite, or gRPC contents, whose floats can (see ValueSource).
 */
export function decodeTensorData(tensor: RawTensor, targetType: Datatype = tensor.datatype, from: BodySource = 'json'): TensorData {
  if (tensor.data instanceof RawBytes) return decodeRawTensor(tensor, tensor.data, targetType)
  if (!Array.isArray(tensor.data)) {
    throw new MlsError('INVALID_DATA', `input "${tensor.name}": data: expected an array, found ${describeValue(tensor.data)}`)
  }
  const count = elementCount(tensor.shape)
  const flat = flatten(tensor.data, count)
  if (flat.length !== count) {
    throw new MlsError(
      'INVALID_DATA',
      `input "${tensor.name}": shape ${formatShape(tensor.shape)} needs ${count} values, found ${flat.length > count ? `more than ${count}` : flat.length}`,
    )
  }
  const source = DATATYPES[tensor.datatype]
  const target = DATATYPES[targetType]
  if (!convertible(source, target)) {
    throw new MlsError('INVALID_DATATYPE', `input "${tensor.name}": datatype ${source.name} cannot be used for a ${target.name} input`)
  }
  return checkValues(flat, tensor.datatype, targetType, from === 'json' ? 'json' : 'wire', invalidData, tensor.name)
}

/** Raw bytes decode as their declared datatype; a different model datatype converts through the same checks as JSON. */
function decodeRawTensor(tensor: RawTensor, raw: RawBytes, targetType: Datatype): TensorData {
  const data = decodeRaw(raw.bytes, tensor.datatype, elementCount(tensor.shape), `input "${tensor.name}"`)
  if (targetType === tensor.datatype) return data
  const values = data instanceof BigInt64Array || data instanceof BigUint64Array ? Array.from(data, Number) : Array.from(data as ArrayLike<unknown>)
  return decodeTensorData({...tensor, data: tensor.datatype === 'BOOL' ? values.map((v) => v !== 0) : values}, targetType, 'grpc')
}
