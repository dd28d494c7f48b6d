/** `np`: every datatype round-trips, 1-D values gain MLServer's batch dimension, plain arrays find their datatype. */
import {describe, expect, it} from 'vitest'
import {NumpyCodec, NumpyRequestCodec} from '../../../src/codecs/numpy.js'
import {ALL_DATATYPES, SAMPLES, statusOf, wire, wireTensor} from './helpers.js'

const jsonValue = (v: unknown) => (v === null ? NaN : v)

describe('np', () => {
  it.each(ALL_DATATYPES)('round-trips %s: JSON -> tensor -> NdArray -> tensor -> JSON', (datatype) => {
    const tensor = wireTensor('x', datatype, [2, 2], SAMPLES[datatype])
    const array = NumpyCodec.decode(tensor)
    expect(array).toMatchObject({datatype, shape: [2, 2]})
    expect(array.data).toBe(tensor.data)
    const back = NumpyCodec.encode('y', array)
    expect(back).toMatchObject({name: 'y', datatype, shape: [2, 2], parameters: {content_type: 'np'}})
    expect(wire(back).data).toEqual(SAMPLES[datatype].map(jsonValue))
  })

  it('decodes null in float data as NaN (the data plane reads it so)', () => {
    for (const datatype of ['FP16', 'FP32', 'FP64'] as const) {
      const {data} = NumpyCodec.decode(wireTensor('x', datatype, [2], [null, 1]))
      expect(Number.isNaN((data as Float32Array)[0])).toBe(true)
    }
  })

  it('decodes a tensor built by hand with plain values, checking them (400 when they do not fit)', () => {
    expect(Array.from(NumpyCodec.decode({name: 'x', datatype: 'INT16', shape: [2], data: [1, -2] as never}).data as Int16Array)).toEqual([1, -2])
    const bad = statusOf(() => NumpyCodec.decode({name: 'x', datatype: 'INT8', shape: [1], data: [300] as never}))
    expect(bad).toMatchObject({status: 400, code: 'INVALID_DATA'})
    expect(bad.message).toMatch(/input "x" \(content type np\): element 0 is 300, expected a value in the INT8 range \[-128, 127\]/)
  })

  it('sends a 1-D value as [N, 1] and a scalar as [1], as MLServer does', () => {
    expect(NumpyCodec.encode('y', {datatype: 'FP32', shape: [3], data: new Float32Array(3)}).shape).toEqual([3, 1])
    expect(NumpyCodec.encode('y', {datatype: 'FP32', shape: [], data: new Float32Array(1)}).shape).toEqual([1])
  })

  it('encodes typed arrays with their own datatype, or the declared one', () => {
    expect(NumpyCodec.encode('y', Float32Array.of(1, 2) as never)).toMatchObject({datatype: 'FP32', shape: [2, 1]})
    expect(NumpyCodec.encode('y', BigInt64Array.of(1n) as never)).toMatchObject({datatype: 'INT64'})
    expect(NumpyCodec.encode('y', Uint8Array.of(1) as never)).toMatchObject({datatype: 'UINT8'})
    const declared = NumpyCodec.encode('y', Float64Array.of(0.5) as never, {datatype: 'FP32'})
    expect(declared.datatype).toBe('FP32')
    expect(declared.data).toBeInstanceOf(Float32Array)
  })

  it('encodes nested arrays with their shape; numbers are FP64, booleans BOOL, bigints INT64, null NaN', () => {
    const t = NumpyCodec.encode('y', [[1, 2, 3], [4, 5, null]] as never)
    expect(t).toMatchObject({datatype: 'FP64', shape: [2, 3]})
    expect(wire(t).data).toEqual([1, 2, 3, 4, 5, NaN])
    expect(NumpyCodec.encode('y', [true, false] as never)).toMatchObject({datatype: 'BOOL', shape: [2, 1]})
    expect(NumpyCodec.encode('y', [[1n], [2n]] as never)).toMatchObject({datatype: 'INT64', shape: [2, 1]})
    expect(NumpyCodec.encode('y', [Float32Array.of(1, 2), Float32Array.of(3, 4)] as never)).toMatchObject({datatype: 'FP64', shape: [2, 2]})
  })

  it('refuses values it cannot encode, naming the output', () => {
    expect(() => NumpyCodec.encode('y', [[1, 2], [3]] as never)).toThrow(/output "y" \(content type np\): the arrays are not rectangular/)
    expect(() => NumpyCodec.encode('y', [1, 'a'] as never)).toThrow(/cannot tell one datatype/)
    expect(() => NumpyCodec.encode('y', {datatype: 'FP32', shape: [3], data: [1, 2]} as never)).toThrow(/shape \[3\] needs 3 elements, data has 2/)
    expect(() => NumpyCodec.encode('y', {datatype: 'INT8', shape: [1], data: [1.5]} as never)).toThrow(/expected an integer for INT8/)
    expect(() => NumpyCodec.encode('y', {datatype: 'FP33', shape: [1], data: [1]} as never)).toThrow(/unknown datatype "FP33"/)
    expect(() => NumpyCodec.encode('y', 'text' as never)).toThrow(/expected an NdArray, a typed array or an array/)
  })

  it('tells what it can encode', () => {
    expect(NumpyCodec.canEncode(Float32Array.of(1))).toBe(true)
    expect(NumpyCodec.canEncode([[1], [2]])).toBe(true)
    expect(NumpyCodec.canEncode({datatype: 'FP32', shape: [1], data: [1]})).toBe(true)
    expect(NumpyCodec.canEncode(['a'])).toBe(false)
    expect(NumpyCodec.canEncode([new Date()])).toBe(false)
    expect(NumpyCodec.canEncode({a: 1})).toBe(false)
  })
})

describe('np at request level', () => {
  it('is the only input; more than one is a 400', () => {
    const x = wireTensor('x', 'INT32', [1], [7])
    expect(NumpyRequestCodec.decodeRequest({id: '1', inputs: [x]}, new Map()).shape).toEqual([1])
    const two = statusOf(() => NumpyRequestCodec.decodeRequest({id: '1', inputs: [x, {...x, name: 'y'}]}, new Map()))
    expect(two).toMatchObject({status: 400, code: 'INVALID_REQUEST'})
    expect(two.message).toMatch(/content type np at request level takes exactly one input, found 2/)
  })

  it('encodes a value as the one output, under the given name', () => {
    const result = NumpyRequestCodec.encodeResponse(Int32Array.of(1, 2) as never, {outputName: 'output-1'})
    expect(result.outputs).toHaveLength(1)
    expect(result.outputs[0]).toMatchObject({name: 'output-1', datatype: 'INT32', shape: [2, 1]})
  })
})
