/**
 * Triton's binary tensor data extension, request side: the body is a JSON header of Inference-Header-Content-Length
 * bytes, then the data of each input that has `parameters.binary_data_size`, in order (little-endian, row-major;
 * BYTES elements are a 4-byte length then the bytes). Such inputs get RawBytes as their data; the data plane then
 * checks them like any other tensor data.
 */
import {MlsError} from '../../errors.js'
import {RawBytes} from '../../protocol/raw.js'
import {describeValue} from '../../util/zod-issues.js'
import {parseJsonBytes} from './json-text.js'

/** The Inference-Header-Content-Length header's value. Digits only: Number() would also take " 102 ", "0x66", "102e0" and "-0". */
export function parseHeaderLength(value: string): number {
  const n = Number(value)
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new MlsError('INVALID_REQUEST', `Inference-Header-Content-Length: expected a non-negative integer, found ${JSON.stringify(value)}`)
  }
  return n
}

/** The body split at `headerLength` (the header's value, or the number it was parsed to): its JSON header must be UTF-8 JSON. */
export function parseBinaryBody(body: Buffer, headerLength: string | number): unknown {
  const n = typeof headerLength === 'number' ? headerLength : parseHeaderLength(headerLength)
  if (n > body.length) {
    throw new MlsError('INVALID_REQUEST', `Inference-Header-Content-Length is ${n} but the body has only ${body.length} bytes`)
  }
  const json = parseJsonBytes(body.subarray(0, n), 'the JSON header')
  const inputs = (json as {inputs?: unknown} | undefined)?.inputs
  let offset = n
  if (Array.isArray(inputs)) {
    for (const input of inputs as Array<Record<string, unknown> | null>) {
      const size = (input?.parameters as Record<string, unknown> | undefined)?.binary_data_size
      if (input === null || typeof input !== 'object' || size === undefined) continue
      const label = typeof input.name === 'string' ? `input "${input.name}"` : `input ${describeValue(input.name)}`
      if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) {
        throw new MlsError('INVALID_REQUEST', `${label}: binary_data_size: expected a non-negative integer, found ${describeValue(size)}`)
      }
      if (input.data !== undefined) throw new MlsError('INVALID_REQUEST', `${label} has both data and binary_data_size`)
      if (offset + size > body.length) {
        throw new MlsError('INVALID_DATA', `${label}: binary_data_size ${size} runs past the end of the body (${body.length - offset} bytes left)`)
      }
      input.data = new RawBytes(body.subarray(offset, offset + size))
      offset += size
    }
  }
  if (offset !== body.length) {
    throw new MlsError('INVALID_REQUEST', `the body has ${body.length - offset} bytes after the JSON header that no input's binary_data_size accounts for`)
  }
  return json
}
