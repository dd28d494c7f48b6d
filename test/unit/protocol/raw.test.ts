import {describe, expect, it} from 'vitest'
import {float16BitsToNumbers, numbersToFloat16Bits} from '../../../src/protocol/float16.js'
import {decodeRaw, encodeRaw} from '../../../src/protocol/raw.js'

describe('raw tensor bytes', () => {
  it('round-trips numeric datatypes little-endian', () => {
    const values = new Int32Array([1, -2, 300000])
    const bytes = encodeRaw('INT32', values)
    expect(Array.from(bytes.subarray(0, 4))).toEqual([1, 0, 0, 0])
    expect(decodeRaw(bytes, 'INT32', 3, 'x')).toEqual(values)
    const big = new BigInt64Array([2n ** 60n, -1n])
    expect(decodeRaw(encodeRaw('INT64', big), 'INT64', 2, 'x')).toEqual(big)
  })

  it('decodes from any offset of a larger buffer', () => {
    const buffer = new Uint8Array(9)
    buffer.set(new Uint8Array(new Float32Array([1.5, -2]).buffer), 1)
    expect(decodeRaw(buffer.subarray(1), 'FP32', 2, 'x')).toEqual(new Float32Array([1.5, -2]))
  })

  it('reads aligned bytes in place, and copies unaligned ones', () => {
    const buffer = new Uint8Array(12)
    buffer.set(new Uint8Array(new Float32Array([1.5, -2]).buffer), 4)
    const aligned = decodeRaw(buffer.subarray(4), 'FP32', 2, 'x') as Float32Array
    expect(aligned).toEqual(new Float32Array([1.5, -2]))
    expect(aligned.buffer).toBe(buffer.buffer)
    expect(aligned.byteOffset).toBe(4)
    const unaligned = new Uint8Array(9)
    unaligned.set(new Uint8Array(new Float32Array([3]).buffer), 1)
    const copied = decodeRaw(unaligned.subarray(1, 5), 'FP32', 1, 'x') as Float32Array
    expect(copied).toEqual(new Float32Array([3]))
    expect(copied.buffer).not.toBe(unaligned.buffer)
  })

  it('length-prefixes BYTES elements', () => {
    const data = [new Uint8Array([104, 105]), new Uint8Array([])]
    const bytes = encodeRaw('BYTES', data)
    expect(Array.from(bytes)).toEqual([2, 0, 0, 0, 104, 105, 0, 0, 0, 0])
    expect(decodeRaw(bytes, 'BYTES', 2, 'x')).toEqual(data)
  })

  it('says what does not fit', () => {
    expect(() => decodeRaw(new Uint8Array(10), 'FP32', 4, 'input "a"')).toThrow('input "a": 10 raw bytes cannot hold 4 FP32 values (16 bytes expected)')
    expect(() => decodeRaw(new Uint8Array([9, 0, 0, 0, 1]), 'BYTES', 1, 'b')).toThrow('b: raw BYTES element 0 claims 9 bytes, only 1 remain')
    expect(() => decodeRaw(new Uint8Array([1, 0, 0, 0, 1, 1, 0]), 'BYTES', 1, 'b')).toThrow('raw BYTES element 1 has a truncated length prefix')
    expect(() => decodeRaw(new Uint8Array([0, 0, 0, 0]), 'BYTES', 2, 'b')).toThrow('raw BYTES hold 1 elements, the shape needs 2')
  })

  it('packs FP16', () => {
    const values = [0, 1, -2, 0.5, 65504, 1 / 1024]
    expect(Array.from(float16BitsToNumbers(numbersToFloat16Bits(values)))).toEqual(values)
    expect(Array.from(numbersToFloat16Bits([1, -2, Infinity]))).toEqual([0x3c00, 0xc000, 0x7c00])
    expect(Number.isNaN(float16BitsToNumbers(numbersToFloat16Bits([NaN]))[0])).toBe(true)
    expect(decodeRaw(encodeRaw('FP16', new Float32Array([1.5, -3])), 'FP16', 2, 'x')).toEqual(new Float32Array([1.5, -3]))
  })
})
