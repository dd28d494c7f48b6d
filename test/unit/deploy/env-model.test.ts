import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {discoverModels} from '../../../src/repository/discover.js'
import {ENV_MODEL_VARIABLES, hasEnvModel, readEnvModel} from '../../../src/repository/env-model.js'

describe('readEnvModel', () => {
  it('is undefined without any variable', () => {
    expect(readEnvModel('/r', {MLS_MODEL_REPOSITORY_ROOT: '/x'})).toBeUndefined()
    expect(hasEnvModel({})).toBe(false)
  })

  it('builds a spec like a model-settings.json, URI relative to the root, MLS_ over MLSERVER_', () => {
    const spec = readEnvModel('/r', {MLS_MODEL_URI: 'a/m.onnx', MLSERVER_MODEL_NAME: 'x', MLS_MODEL_NAME: 'n', MLSERVER_MODEL_VERSION: 'v1', MLSERVER_MODEL_IMPLEMENTATION: 'mlserver_onnx.OnnxModel'})
    expect(spec?.ok).toBe(true)
    if (!spec?.ok) return
    expect(spec).toMatchObject({name: 'n', version: 'v1'})
    expect(spec.settings).toMatchObject({name: 'n', version: 'v1', uri: path.resolve('/r/a/m.onnx'), implementation: 'mlserver_onnx.OnnxModel', folder: '/r', maxBatchSize: 0})
  })

  it('defaults the name to the URI base name, else "model"; keeps an absolute URI', () => {
    const a = readEnvModel('/r', {MLS_MODEL_URI: '/abs/tree.json'})
    expect(a?.ok && a.settings.uri).toBe(path.resolve('/abs/tree.json'))
    expect(a?.name).toBe('tree')
    expect(readEnvModel('/r', {MLS_MODEL_IMPLEMENTATION: 'onnx'})?.name).toBe('model')
  })

  it('lists every variable it reads', () => {
    expect(ENV_MODEL_VARIABLES).toEqual(expect.arrayContaining(['MLS_MODEL_NAME', 'MLS_MODEL_IMPLEMENTATION', 'MLS_MODEL_URI', 'MLS_MODEL_VERSION', 'MLSERVER_MODEL_URI']))
  })

  it('is used by discoverModels only when the repository has no model-settings.json', async () => {
    const example = path.resolve('examples/multi-model')
    expect((await discoverModels(example, {MLS_MODEL_NAME: 'z'})).map((s) => s.name).sort()).toEqual(['mnist_sklearn', 'mushroom_xgboost'])
    expect((await discoverModels(path.resolve('proto'), {MLS_MODEL_NAME: 'z'})).map((s) => s.name)).toEqual(['z'])
  })
})
