/** One model's OpenAPI document: valid, on the model's own paths, with a ready-to-run infer example. */
import {describe, expect, it} from 'vitest'
import type {ModelMetadata} from '../../../src/protocol/types.js'
import {buildModelOpenApi} from '../../../src/server/docs/model-openapi.js'
import {openApiErrors, pointer, schemaCompiler} from './document-checks.js'

const MNIST: ModelMetadata = {
  name: 'mnist_sklearn',
  versions: ['v1.0.0'],
  platform: 'sklearn',
  inputs: [{name: 'input', datatype: 'FP32', shape: [-1, 64]}],
  outputs: [{name: 'predict', datatype: 'INT64', shape: [-1, 1]}],
}

describe('buildModelOpenApi', () => {
  it('is a valid OpenAPI 3.1 document whose schemas all compile', async () => {
    const document = buildModelOpenApi(MNIST, {serverVersion: '0.1.0'})
    expect(await openApiErrors(document)).toEqual([])
    const compile = schemaCompiler(document)
    for (const name of Object.keys(document.components.schemas)) expect(() => compile(pointer('components', 'schemas', name)), name).not.toThrow()
  })

  it('documents the model\'s own paths, without parameters', () => {
    const document = buildModelOpenApi(MNIST, {serverVersion: '0.1.0'})
    expect(Object.keys(document.paths)).toEqual([
      '/v2/models/mnist_sklearn',
      '/v2/models/mnist_sklearn/ready',
      '/v2/models/mnist_sklearn/infer',
      '/v2/models/mnist_sklearn/generate',
      '/v2/models/mnist_sklearn/infer_stream',
      '/v2/models/mnist_sklearn/generate_stream',
    ])
    for (const item of Object.values(document.paths)) for (const operation of Object.values(item)) expect(operation.parameters).toBeUndefined()
    expect(document.info.title).toBe('mnist_sklearn')
  })

  it('documents the versioned paths when asked for a version, and encodes odd names', () => {
    const document = buildModelOpenApi({...MNIST, name: 'a b/c'}, {version: 'v1.0.0', serverVersion: '0.1.0'})
    expect(Object.keys(document.paths)[0]).toBe('/v2/models/a%20b%2Fc/versions/v1.0.0')
    expect(document.info.title).toBe('a b/c v1.0.0')
  })

  it('offers an infer example that its own request schema accepts, and narrows the schema to the model', () => {
    const document = buildModelOpenApi(MNIST, {serverVersion: '0.1.0'})
    const body = document.paths['/v2/models/mnist_sklearn/infer'].post!.requestBody!.content['application/json']
    expect(body.example).toEqual({inputs: [{name: 'input', shape: [1, 64], datatype: 'FP32', data: new Array(64).fill(0)}]})
    const validate = schemaCompiler(document)(pointer('paths', '/v2/models/mnist_sklearn/infer', 'post', 'requestBody', 'content', 'application/json', 'schema'))
    expect(validate(body.example)).toBe(true)
    expect(validate({inputs: [{name: 'input', shape: [1, 63], datatype: 'FP32', data: []}]})).toBe(false)
    expect(validate({inputs: [{name: 'input', shape: [1, 64], datatype: 'FP64', data: []}]})).toBe(false)
    expect(validate({...(body.example as object), outputs: [{name: 'nope'}]})).toBe(false)
  })

  it('stays valid for a model with several inputs, a scalar, and no declared outputs', async () => {
    const metadata: ModelMetadata = {
      ...MNIST,
      inputs: [
        {name: 'a', datatype: 'BYTES', shape: [-1]},
        {name: 'b', datatype: 'FP64', shape: []},
      ],
      outputs: [],
    }
    const document = buildModelOpenApi(metadata, {serverVersion: '0.1.0'})
    expect(await openApiErrors(document)).toEqual([])
    const body = document.paths['/v2/models/mnist_sklearn/infer'].post!.requestBody!.content['application/json']
    const validate = schemaCompiler(document)(pointer('paths', '/v2/models/mnist_sklearn/infer', 'post', 'requestBody', 'content', 'application/json', 'schema'))
    expect(validate(body.example), JSON.stringify(validate.errors)).toBe(true)
  })

  it('describes the model\'s inputs and outputs in words', () => {
    const {info} = buildModelOpenApi(MNIST, {serverVersion: '0.1.0'})
    expect(info.description).toContain('`input` FP32 [-1, 64]')
    expect(info.description).toContain('`predict` INT64 [-1, 1]')
  })
})
