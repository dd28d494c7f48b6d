/** Shared by the codec tests: sample data for every datatype, and the HTTP status an error would answer with. */
import {expect} from 'vitest'
import {decodeTensorData} from '../../../src/dataplane/decode-input.js'
import {DATATYPE_NAMES, type Datatype} from '../../../src/protocol/datatypes.js'
import {encodeOutput} from '../../../src/protocol/json.js'
import type {Tensor} from '../../../src/protocol/types.js'
import {toHttpError} from '../../../src/server/rest/error-map.js'

/** Four JSON values per datatype, covering its extremes. */
export const SAMPLES: Readonly<Record<Datatype, ReadonlyArray<number | boolean | string | null>>> = {
  BOOL: [true, false, false, true],
  UINT8: [0, 255, 1, 128],
  UINT16: [0, 65535, 1, 300],
  UINT32: [0, 4294967295, 1, 70000],
  UINT64: [0, Number.MAX_SAFE_INTEGER, 1, 2 ** 40],
  INT8: [-128, 127, 0, -1],
  INT16: [-32768, 32767, 0, -1],
  INT32: [-2147483648, 2147483647, 0, -1],
  INT64: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 0, -1],
  FP16: [0.5, -2, 1024, null],
  FP32: [1.5, -0.25, 300000, null],
  FP64: [Math.PI, -1e-300, 1e300, null],
  BYTES: ['a', 'é ü', '', '{"json": true}'],
}

export const ALL_DATATYPES: readonly Datatype[] = DATATYPE_NAMES

/** A tensor as the data plane hands it to a runtime: JSON values checked and converted to typed data. */
export function wireTensor(name: string, datatype: Datatype, shape: number[], data: readonly unknown[], parameters?: Record<string, unknown>): Tensor {
  const tensor: Tensor = {name, datatype, shape, data: decodeTensorData({name, datatype, shape, data: [...data]})}
  return parameters === undefined ? tensor : {...tensor, parameters}
}

/** The JSON a transport sends for a tensor. */
export function wire(tensor: Tensor) {
  return encodeOutput(tensor)
}

/** The HTTP status the REST transport answers for what `run` throws. */
export function statusOf(run: () => unknown): {status: number; code: string; message: string} {
  try {
    run()
  } catch (error) {
    const http = toHttpError(error)
    return {status: http.status, code: http.body.code, message: http.body.error}
  }
  return expect.unreachable('expected an error') as never
}
