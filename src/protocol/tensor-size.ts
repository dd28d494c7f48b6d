/**
 * What a tensor's answer costs before it is built: its raw bytes (what max_response_size counts) and the most its JSON
 * text can take. Both are counted from the typed data alone, in one pass over BYTES elements and none over numbers, so
 * an answer can be refused before any wire form of it exists.
 */
import {DATATYPES, type Datatype} from './datatypes.js'
import type {Tensor} from './types.js'

/** Raw bytes of the tensor's data: elements times the datatype's size (FP16 2, BOOL 1), BYTES the byte strings' lengths. */
export function rawByteSize(tensor: Pick<Tensor, 'datatype' | 'data'>): number {
  const {data} = tensor
  if (tensor.datatype !== 'BYTES') return data.length * DATATYPES[tensor.datatype].size
  let total = 0
  for (let i = 0; i < data.length; i++) total += (data as readonly Uint8Array[])[i].byteLength
  return total
}

/**
 * The longest JSON text one element of each datatype can take, its comma included. Numbers print as JavaScript
 * prints a double: the longest is 24 characters ("-2.2250738585072014e-308"; INT64 / UINT64 go out as doubles too).
 * BOOL "false", the integers their extreme values.
 */
const JSON_ELEMENT: Readonly<Record<Exclude<Datatype, 'BYTES'>, number>> = {
  BOOL: 6,
  UINT8: 4,
  UINT16: 6,
  UINT32: 11,
  UINT64: 25,
  INT8: 5,
  INT16: 7,
  INT32: 12,
  INT64: 25,
  FP16: 25,
  FP32: 25,
  FP64: 25,
}

/** What a tensor's JSON adds around its data (name, datatype, shape, keys), beyond its name's own length. */
const JSON_TENSOR_OVERHEAD = 256

/**
 * The most characters the tensor's JSON output (`{"name":..,"data":[..]}`) can take: every element at its longest,
 * and a BYTES element's every byte escaped as `\u00XX` (6 characters) inside its quotes. Parameters are not counted
 * (a runtime's few words, not tensor data).
 */
export function jsonTextBound(tensor: Pick<Tensor, 'name' | 'datatype' | 'data' | 'shape'>): number {
  const fixed = JSON_TENSOR_OVERHEAD + tensor.name.length * 6 + tensor.shape.length * 21
  if (tensor.datatype !== 'BYTES') return fixed + tensor.data.length * JSON_ELEMENT[tensor.datatype]
  return fixed + rawByteSize(tensor) * 6 + tensor.data.length * 3
}
