/**
 * Raw tensor bytes: little-endian, row-major, no padding; a BYTES element is a 4-byte little-endian length followed
 * by its bytes. Used by gRPC raw_*_contents (and the HTTP binary extension).
 */
import {MlsError} from '../errors.js'
import {DATATYPES, type Datatype, type NumericArray} from './datatypes.js'
import {float16BitsToNumbers, numbersToFloat16Bits} from './float16.js'
import type {TensorData} from './types.js'

/** Marks tensor data that arrived as raw bytes, so the data plane decodes it by datatype. */
export class RawBytes {
  constructor(readonly bytes: Uint8Array) {}
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/** Decodes raw bytes as `count` elements of `datatype`; INVALID_DATA (prefixed with `label`) when they do not fit. */
export function decodeRaw(bytes: Uint8Array, datatype: Datatype, count: number, label: string): TensorData {
  const fail = (message: string): never => {
    throw new MlsError('INVALID_DATA', `${label}: ${message}`)
  }
  if (datatype === 'BYTES') return decodeRawBytes(bytes, count, fail)
  const info = DATATYPES[datatype]
  if (bytes.byteLength !== count * info.size) {
    fail(`${bytes.byteLength} raw bytes cannot hold ${count} ${datatype} values (${count * info.size} bytes expected)`)
  }
  if (datatype === 'FP16') {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const bits = new Uint16Array(count)
    for (let i = 0; i < count; i++) bits[i] = view.getUint16(2 * i, true)
    return float16BitsToNumbers(bits)
  }
  if (!LITTLE_ENDIAN) throw new Error('big-endian hosts are not supported')
  const Ctor = info.array as unknown as {new (buffer: ArrayBufferLike, offset: number, length: number): NumericArray}
  // Aligned bytes are read in place: a view, no copy (a worker pool copies views before it transfers; see
  // workers/transfer.ts). Bytes at an unaligned offset of a larger message buffer are copied to a fresh buffer.
  if (bytes.byteOffset % info.size === 0) return new Ctor(bytes.buffer, bytes.byteOffset, count)
  const copy = new Uint8Array(count * info.size)
  copy.set(bytes)
  return new Ctor(copy.buffer, 0, count)
}

function decodeRawBytes(bytes: Uint8Array, count: number, fail: (message: string) => never): Uint8Array[] {
  const out: Uint8Array[] = []
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let offset = 0
  while (offset < bytes.byteLength) {
    if (offset + 4 > bytes.byteLength) fail(`raw BYTES element ${out.length} has a truncated length prefix`)
    const length = view.getUint32(offset, true)
    offset += 4
    if (offset + length > bytes.byteLength) fail(`raw BYTES element ${out.length} claims ${length} bytes, only ${bytes.byteLength - offset} remain`)
    out.push(bytes.subarray(offset, offset + length))
    offset += length
    if (out.length > count) break
  }
  if (out.length !== count) fail(`raw BYTES hold ${out.length > count ? `more than ${count}` : out.length} elements, the shape needs ${count}`)
  return out
}

/** Encodes tensor data as raw little-endian bytes. */
export function encodeRaw(datatype: Datatype, data: TensorData): Uint8Array {
  if (datatype === 'BYTES') {
    const elements = data as readonly Uint8Array[]
    const out = new Uint8Array(elements.reduce((n, e) => n + 4 + e.byteLength, 0))
    const view = new DataView(out.buffer)
    let offset = 0
    for (const element of elements) {
      view.setUint32(offset, element.byteLength, true)
      out.set(element, offset + 4)
      offset += 4 + element.byteLength
    }
    return out
  }
  if (datatype === 'FP16') {
    const bits = numbersToFloat16Bits(data as Float32Array)
    return new Uint8Array(bits.buffer)
  }
  const array = data as NumericArray
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength)
}
