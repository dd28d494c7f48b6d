import {describe, expect, it} from 'vitest'
import {MAX_RANDOM_ELEMENTS, RANDOM_STRING_LENGTH, parseShapes, randomRequest} from '../../../src/benchmark/random-request.js'
import {CliError} from '../../../src/cli/cli-error.js'
import {toTensorData} from '../../../src/codecs/tensor-data.js'
import {DATATYPE_NAMES, type Datatype} from '../../../src/protocol/datatypes.js'
import type {ModelMetadata, TensorMetadata} from '../../../src/protocol/types.js'

const model = (inputs: TensorMetadata[]): ModelMetadata => ({name: 'm', versions: [], platform: 'onnx', inputs, outputs: []})
const fail = (message: string): never => {
  throw new Error(message)
}

describe('randomRequest: data of the declared datatype and shape', () => {
  it('-1 dimensions become the batch size; fixed ones stay', () => {
    const request = randomRequest(model([{name: 'x', datatype: 'FP32', shape: [-1, 64]}]), {batchSize: 8})
    expect(request.inputs).toHaveLength(1)
    const [x] = request.inputs
    expect(x).toMatchObject({name: 'x', datatype: 'FP32', shape: [8, 64]})
    expect(x.data).toHaveLength(512)
    expect((x.data as number[]).every((v) => typeof v === 'number' && v >= 0 && v < 1)).toBe(true)
    expect(new Set(x.data as number[]).size).toBeGreaterThan(500) // random, not a constant
  })

  it.each(DATATYPE_NAMES)('%s: every value is one the datatype takes (checked by the codecs that validate requests)', (datatype) => {
    const request = randomRequest(model([{name: 'in', datatype, shape: [-1, 3]}]), {batchSize: 5})
    const data = request.inputs[0].data as unknown[]
    expect(request.inputs[0].shape).toEqual([5, 3])
    expect(data).toHaveLength(15)
    expect(() => toTensorData(datatype as Datatype, data, fail)).not.toThrow()
  })

  it('BOOL gives booleans, integer types small non-negative integers, BYTES strings', () => {
    const request = randomRequest(
      model([
        {name: 'b', datatype: 'BOOL', shape: [64]},
        {name: 'i8', datatype: 'INT8', shape: [64]},
        {name: 'u64', datatype: 'UINT64', shape: [64]},
        {name: 's', datatype: 'BYTES', shape: [-1]},
      ]),
      {batchSize: 4},
    )
    const [b, i8, u64, s] = request.inputs.map((i) => i.data as unknown[])
    expect(b.every((v) => typeof v === 'boolean')).toBe(true)
    expect(new Set(b).size).toBe(2)
    for (const ints of [i8, u64]) expect(ints.every((v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) < 100)).toBe(true)
    expect(request.inputs[3].shape).toEqual([4])
    expect(s.every((v) => typeof v === 'string' && v.length === RANDOM_STRING_LENGTH)).toBe(true)
  })

  it('several inputs each get their own shape; the same seed gives the same data', () => {
    const meta = model([
      {name: 'a', datatype: 'FP64', shape: [-1, 2]},
      {name: 'b', datatype: 'INT32', shape: [-1, -1]},
    ])
    const one = randomRequest(meta, {batchSize: 3})
    expect(one.inputs.map((i) => i.shape)).toEqual([[3, 2], [3, 3]])
    expect(randomRequest(meta, {batchSize: 3})).toEqual(one)
    expect(randomRequest(meta, {batchSize: 3, seed: 2})).not.toEqual(one)
  })

  it('--shape sets an input\'s shape when it fits the declared one', () => {
    const meta = model([{name: 'img', datatype: 'UINT8', shape: [-1, 3, -1, -1]}])
    expect(randomRequest(meta, {batchSize: 1, shapes: parseShapes(['img:2,3,8,8'])}).inputs[0].shape).toEqual([2, 3, 8, 8])
    expect(() => randomRequest(meta, {batchSize: 1, shapes: parseShapes(['img:2,4,8,8'])})).toThrow(/--shape img:2,4,8,8 does not fit the model input "img" \[-1,3,-1,-1\]/)
    expect(() => randomRequest(meta, {batchSize: 1, shapes: parseShapes(['image:1,3,8,8'])})).toThrow(/--shape names "image", not an input of model "m" \(inputs: img\)/)
  })

  it('refuses what it cannot fill, as usage errors (exit 2)', () => {
    const errors = [
      () => randomRequest(model([]), {batchSize: 1}),
      () => randomRequest(model([{name: 'x', datatype: 'FP32', shape: [-1, MAX_RANDOM_ELEMENTS]}]), {batchSize: 2}),
      () => parseShapes(['x=1,2']),
    ]
    const messages = [/declares no inputs.*--dataset FILE/, /would hold 33554432 values, more than 16777216/, /--shape takes NAME:D1,D2,\.\.\./]
    errors.forEach((fn, i) => {
      expect(fn).toThrow(CliError)
      expect(fn).toThrow(messages[i])
      try {
        fn()
      } catch (error) {
        expect((error as CliError).exitCode).toBe(2)
      }
    })
  })
})
