import {describe, expect, it} from 'vitest'
import {checkValues, type ValueSource} from '../../../src/codecs/tensor-values.js'
import type {Datatype} from '../../../src/protocol/datatypes.js'
import {elementCount, formatShape} from '../../../src/protocol/shape.js'

const fail = (name: string, message: string): never => {
  throw new Error(`${name}: ${message}`)
}
const check = (values: unknown[], declared: Datatype, from: ValueSource, target: Datatype = declared) => checkValues(values, declared, target, from, fail, 'x')

describe('checkValues, the one tensor value validator', () => {
  it('reads what both sources share alike', () => {
    for (const from of ['wire', 'code'] as const) {
      expect(check([1.5, null], 'FP32', from)).toEqual(Float32Array.of(1.5, NaN))
      expect(check([true, false], 'BOOL', from)).toEqual(Uint8Array.of(1, 0))
      expect(check([-2, 3], 'INT8', from)).toEqual(Int8Array.of(-2, 3))
      expect(check([2 ** 40], 'INT64', from)).toEqual(BigInt64Array.of(2n ** 40n))
      expect(check(['é', Uint8Array.of(7)], 'BYTES', from)).toEqual([Uint8Array.of(0xc3, 0xa9), Uint8Array.of(7)])
      expect(() => check([1, 2.5], 'INT32', from)).toThrow('x: element 1 is 2.5, expected an integer for INT32')
      expect(() => check([300], 'UINT8', from)).toThrow('x: element 0 is 300, expected a value in the UINT8 range [0, 255]')
      expect(() => check(['1'], 'FP64', from)).toThrow('x: element 0 is "1", expected a number for FP64')
    }
  })

  it('takes bigints and 0 / 1 for BOOL from code only', () => {
    expect(check([5n], 'INT64', 'code')).toEqual(BigInt64Array.of(5n))
    expect(check([5n], 'FP64', 'code')).toEqual(Float64Array.of(5))
    expect(check([1, 0], 'BOOL', 'code')).toEqual(Uint8Array.of(1, 0))
    expect(() => check([5n], 'INT64', 'wire')).toThrow('expected an integer for INT64')
    expect(() => check([1], 'BOOL', 'wire')).toThrow('x: element 0 is 1, expected true or false for BOOL')
    expect(() => check([1], 'BYTES', 'wire')).toThrow('expected a string for BYTES')
    expect(() => check([1], 'BYTES', 'code')).toThrow('expected a string or a Uint8Array for BYTES')
  })

  it('refuses INT64 numbers past 2^53 - 1 from the wire (digits lost), and checks code bigints exactly', () => {
    expect(() => check([2 ** 60], 'INT64', 'wire')).toThrow(/expected an integer within ±\(2\^53 - 1\)/)
    expect(check([2n ** 63n - 1n], 'INT64', 'code')).toEqual(BigInt64Array.of(2n ** 63n - 1n))
    expect(() => check([2n ** 63n], 'INT64', 'code')).toThrow('expected a value in the INT64 range [-9223372036854775808, 9223372036854775807]')
  })

  it('converts client data to the model datatype only where no value changes meaning', () => {
    expect(check([1, 2], 'INT32', 'wire', 'FP32')).toEqual(Float32Array.of(1, 2))
    expect(check([3, 4], 'FP64', 'wire', 'INT64')).toEqual(BigInt64Array.of(3n, 4n))
    expect(() => check([1.5], 'FP64', 'wire', 'INT32')).toThrow('x: element 0 is 1.5, expected a whole number: the model input is INT32')
    expect(() => check([1, 300], 'INT64', 'wire', 'INT8')).toThrow('element 1 is 300, expected a value in the INT8 range [-128, 127]')
    // Integer data must fit its declared type too, whatever it converts to.
    expect(() => check([1, 300], 'UINT8', 'wire', 'INT32')).toThrow('element 1 is 300, expected a value in the UINT8 range [0, 255]')
  })
})

describe('shape helpers', () => {
  it('counts elements and writes shapes one way', () => {
    expect(elementCount([2, 3, 4])).toBe(24)
    expect(elementCount([])).toBe(1)
    expect(elementCount([5, 0])).toBe(0)
    expect(formatShape([2, 3])).toBe('[2,3]')
    expect(formatShape([])).toBe('[]')
  })
})
