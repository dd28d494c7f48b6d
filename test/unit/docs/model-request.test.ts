/** A model's request schema and example, from its metadata. */
import {describe, expect, it} from 'vitest'
import {inferenceRequestSchema} from '../../../src/protocol/schemas.js'
import type {TensorMetadata} from '../../../src/protocol/types.js'
import {exampleRequest, modelRequestSchema} from '../../../src/server/docs/model-request.js'

const MNIST = {
  inputs: [{name: 'input', datatype: 'FP32', shape: [-1, 64]}] satisfies TensorMetadata[],
  outputs: [
    {name: 'predict', datatype: 'INT64', shape: [-1, 1]},
    {name: 'scores', datatype: 'FP32', shape: [-1, 45]},
  ] satisfies TensorMetadata[],
}

const TWO_INPUTS = {
  inputs: [
    {name: 'flag', datatype: 'BOOL', shape: [2]},
    {name: 'text', datatype: 'BYTES', shape: [-1, -1]},
  ] satisfies TensorMetadata[],
  outputs: [],
}

describe('exampleRequest', () => {
  it('fills each input with zeros, -1 dimensions as 1', () => {
    const example = exampleRequest(MNIST.inputs)
    expect(example).toEqual({inputs: [{name: 'input', shape: [1, 64], datatype: 'FP32', data: new Array(64).fill(0)}]})
    expect(inferenceRequestSchema.safeParse(example).success).toBe(true)
  })

  it('uses false for BOOL and "" for BYTES', () => {
    expect(exampleRequest(TWO_INPUTS.inputs).inputs).toEqual([
      {name: 'flag', shape: [2], datatype: 'BOOL', data: [false, false]},
      {name: 'text', shape: [1, 1], datatype: 'BYTES', data: ['']},
    ])
  })

  it('gives a model that declares no inputs a one-value request', () => {
    expect(inferenceRequestSchema.safeParse(exampleRequest([])).success).toBe(true)
  })
})

describe('modelRequestSchema', () => {
  it('accepts its own example', () => {
    for (const metadata of [MNIST, TWO_INPUTS]) expect(modelRequestSchema(metadata).schema.safeParse(exampleRequest(metadata.inputs)).success).toBe(true)
  })

  it('narrows names, datatypes and shapes to the model\'s', () => {
    const {schema} = modelRequestSchema(MNIST)
    const input = (patch: object) => ({inputs: [{name: 'input', shape: [3, 64], datatype: 'FP32', data: [], ...patch}]})
    expect(schema.safeParse(input({})).success).toBe(true)
    expect(schema.safeParse(input({name: 'other'})).success).toBe(false)
    expect(schema.safeParse(input({datatype: 'INT32'})).success).toBe(false)
    expect(schema.safeParse(input({shape: [3, 63]})).success).toBe(false)
    expect(schema.safeParse(input({shape: [3, 64, 1]})).success).toBe(false)
    expect(schema.safeParse(input({shape: [-1, 64]})).success).toBe(false)
  })

  it('lets `outputs` name only the declared outputs', () => {
    const {schema} = modelRequestSchema(MNIST)
    const body = {...exampleRequest(MNIST.inputs)}
    expect(schema.safeParse({...body, outputs: [{name: 'scores'}]}).success).toBe(true)
    expect(schema.safeParse({...body, outputs: [{name: 'nope'}]}).success).toBe(false)
  })

  it('takes several inputs by name, each once', () => {
    const {schema} = modelRequestSchema(TWO_INPUTS)
    const [flag, text] = exampleRequest(TWO_INPUTS.inputs).inputs
    expect(schema.safeParse({inputs: [text, flag]}).success).toBe(true)
    expect(schema.safeParse({inputs: [flag]}).success).toBe(false)
  })

  it('takes a scalar input (shape [])', () => {
    const metadata = {inputs: [{name: 's', datatype: 'FP64', shape: []}] satisfies TensorMetadata[], outputs: []}
    const example = exampleRequest(metadata.inputs)
    expect(example.inputs[0]).toEqual({name: 's', shape: [], datatype: 'FP64', data: [0]})
    expect(modelRequestSchema(metadata).schema.safeParse(example).success).toBe(true)
  })

  it('keeps the protocol\'s schema for a model that declares no inputs', () => {
    expect(modelRequestSchema({inputs: [], outputs: []}).schema).toBe(inferenceRequestSchema)
  })

  it('still applies the protocol\'s rules (it extends the schema that validates requests)', () => {
    const {schema} = modelRequestSchema(MNIST)
    expect(schema.safeParse({inputs: [{name: 'input', shape: [1, 64], datatype: 'FP32'}]}).success).toBe(false)
  })
})
