import {describe, expect, it} from 'vitest'
import {decodeTensorData, type RawTensor} from '../../../src/dataplane/decode-input.js'
import {MlsError} from '../../../src/errors.js'

const t = (datatype: RawTensor['datatype'], data: unknown, shape = [Array.isArray(data) ? data.length : 1]): RawTensor => ({name: 'x', datatype, shape, data})

function failure(fn: () => unknown): MlsError {
  try {
    fn()
  } catch (error) {
    return error as MlsError
  }
  throw new Error('expected a failure')
}

describe('decodeTensorData', () => {
  it('keeps FP32 as a Float32Array and turns null into NaN', () => {
    const out = decodeTensorData(t('FP32', [1.5, null, -2])) as Float32Array
    expect(out).toBeInstanceOf(Float32Array)
    expect(Array.from(out)).toEqual([1.5, NaN, -2])
  })

  it('flattens nested data row-major', () => {
    expect(Array.from(decodeTensorData(t('INT32', [[1, 2, 3], [4, 5, 6]], [2, 3])) as Int32Array)).toEqual([1, 2, 3, 4, 5, 6])
  })

  it('walks data nested 200,000 levels deep without overflowing the stack', () => {
    let deep: unknown = [1.5]
    for (let i = 0; i < 200_000; i++) deep = [deep, 2]
    const out = decodeTensorData(t('FP32', deep, [200_001])) as Float32Array
    expect([out.length, out[0], out[200_000]]).toEqual([200_001, 1.5, 2])
    expect(failure(() => decodeTensorData(t('FP32', deep, [3]))).message).toBe('input "x": shape [3] needs 3 values, found more than 3')
  })

  it('converts any number type into a float input and whole numbers into an integer input', () => {
    expect(decodeTensorData(t('FP64', [0.25, 2]), 'FP32')).toEqual(new Float32Array([0.25, 2]))
    expect(decodeTensorData(t('INT32', [3, 4]), 'FP32')).toEqual(new Float32Array([3, 4]))
    expect(decodeTensorData(t('FP32', [3, -4]), 'INT64')).toEqual(new BigInt64Array([3n, -4n]))
    expect(decodeTensorData(t('INT64', [7]), 'UINT8')).toEqual(new Uint8Array([7]))
  })

  it('refuses a fraction for an integer input, and values that do not fit', () => {
    expect(failure(() => decodeTensorData(t('FP32', [1, 0.5]), 'INT64')).message).toBe('input "x": element 1 is 0.5, expected a whole number: the model input is INT64')
    expect(failure(() => decodeTensorData(t('INT32', [300]), 'UINT8')).message).toBe('input "x": element 0 is 300, expected a value in the UINT8 range [0, 255]')
    expect(failure(() => decodeTensorData(t('INT8', [200]))).message).toBe('input "x": element 0 is 200, expected a value in the INT8 range [-128, 127]')
    expect(failure(() => decodeTensorData(t('UINT8', [-1]), 'FP32')).message).toBe('input "x": element 0 is -1, expected a value in the UINT8 range [0, 255]')
    expect(failure(() => decodeTensorData(t('FP32', [null]), 'INT32')).code).toBe('INVALID_DATA')
  })

  it('takes INT64 / UINT64 JSON numbers up to 2^53 - 1 exactly, and refuses larger ones (they arrive with digits lost)', () => {
    expect(decodeTensorData(t('INT64', [Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]))).toEqual(new BigInt64Array([2n ** 53n - 1n, -(2n ** 53n - 1n)]))
    // JSON.parse('9007199254740993') is 9007199254740992: the request's number is already gone.
    const lost = JSON.parse('[9007199254740993]') as number[]
    expect(failure(() => decodeTensorData(t('INT64', lost))).message).toBe(
      'input "x": element 0 is 9007199254740992, expected an integer within ±(2^53 - 1): larger INT64 values lose digits as JSON numbers; send them as raw bytes (binary extension or gRPC raw_input_contents)',
    )
    expect(failure(() => decodeTensorData(t('UINT64', [2 ** 60]))).code).toBe('INVALID_DATA')
  })

  it('refuses BOOL or BYTES for a numeric input and numbers for BOOL', () => {
    expect(failure(() => decodeTensorData(t('BOOL', [true]), 'FP32'))).toMatchObject({code: 'INVALID_DATATYPE', message: 'input "x": datatype BOOL cannot be used for a FP32 input'})
    expect(failure(() => decodeTensorData(t('BYTES', ['a']), 'INT32')).code).toBe('INVALID_DATATYPE')
    expect(failure(() => decodeTensorData(t('INT32', [1]), 'BOOL')).code).toBe('INVALID_DATATYPE')
    expect(failure(() => decodeTensorData(t('BOOL', [1]))).message).toBe('input "x": element 0 is 1, expected true or false for BOOL')
  })

  it('checks element types: strings for numbers, floats for INT32', () => {
    expect(failure(() => decodeTensorData(t('FP32', [1, '2']))).message).toBe('input "x": element 1 is "2", expected a number for FP32')
    expect(failure(() => decodeTensorData(t('INT32', [1.5]))).message).toBe('input "x": element 0 is 1.5, expected an integer for INT32')
  })

  it('checks the element count against the shape before converting', () => {
    expect(failure(() => decodeTensorData(t('FP32', [1, 2, 3], [2, 2]))).message).toBe('input "x": shape [2,2] needs 4 values, found 3')
    expect(failure(() => decodeTensorData(t('FP32', [[1, 2], [3, 4], [5]], [2, 2]))).message).toBe('input "x": shape [2,2] needs 4 values, found more than 4')
    expect(failure(() => decodeTensorData(t('FP32', 5, [1]))).message).toBe('input "x": data: expected an array, found 5')
  })

  it('encodes BYTES as UTF-8 and BOOL as 0/1', () => {
    expect(decodeTensorData(t('BYTES', ['hé'])) ).toEqual([new Uint8Array([0x68, 0xc3, 0xa9])])
    expect(decodeTensorData(t('BOOL', [true, false]))).toEqual(new Uint8Array([1, 0]))
  })
})
