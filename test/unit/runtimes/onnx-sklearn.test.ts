/** The onnx and sklearn runtimes on the example's real SVC graph, through onnxruntime-node. */
import {copyFileSync, writeFileSync} from 'node:fs'
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {OnnxRuntime} from '../../../src/runtimes/onnx/onnx-runtime.js'
import {SklearnRuntime} from '../../../src/runtimes/sklearn/sklearn-runtime.js'
import {loadModelSettings} from '../../../src/settings/load-model-settings.js'
import {tempFolders} from '../../temp-folders.js'

const tempFolder = tempFolders()

const DIR = path.resolve('examples/multi-model/models/mnist_sklearn')
const set = JSON.parse(readFileSync(path.join(DIR, 'test-set.json'), 'utf8'))
const rows = (n: number) => ({name: 'input', datatype: 'FP32' as const, shape: [n, 64], data: Float32Array.from(set.request.inputs[0].data.slice(0, n * 64))})

function folder(files: Record<string, string | {copy: string}>, settings: unknown = {}): string {
  const dir = tempFolder('mls-rt-')
  writeFileSync(path.join(dir, 'model-settings.json'), JSON.stringify(settings))
  for (const [name, content] of Object.entries(files)) {
    if (typeof content === 'string') writeFileSync(path.join(dir, name), content)
    else copyFileSync(content.copy, path.join(dir, name))
  }
  return path.join(dir, 'model-settings.json')
}
const settingsOf = (file: string) => loadModelSettings(file).settings

describe('onnx runtime', () => {
  const runtime = new OnnxRuntime(settingsOf(path.join(DIR, 'model-settings.json')))
  beforeAll(() => runtime.load())
  afterAll(() => runtime.unload())

  it('reads metadata from the graph, symbolic dimensions as -1', () => {
    expect(runtime.metadata()).toEqual({
      platform: 'onnxruntime_onnx',
      inputs: [{name: 'input', datatype: 'FP32', shape: [-1, 64]}],
      outputs: [
        {name: 'label', datatype: 'INT64', shape: [-1]},
        {name: 'scores', datatype: 'FP32', shape: [-1, 45]},
      ],
    })
  })

  it('returns every output by default, int64 as BigInt64Array', async () => {
    const {outputs} = await runtime.predict({id: '1', inputs: [rows(3)]})
    expect(outputs.map((o) => [o.name, o.datatype, o.shape])).toEqual([
      ['label', 'INT64', [3]],
      ['scores', 'FP32', [3, 45]],
    ])
    expect(outputs[0].data).toBeInstanceOf(BigInt64Array)
    expect(Array.from(outputs[0].data as BigInt64Array, Number)).toEqual(set.expected.predict.slice(0, 3))
  })

  it('refuses a bad intra_op_num_threads in parameters.extra', async () => {
    const bad = new OnnxRuntime(settingsOf(folder({'model.onnx': {copy: path.join(DIR, 'model.onnx')}}, {parameters: {extra: {intra_op_num_threads: 'lots'}}})))
    await expect(bad.load()).rejects.toThrow('parameters.extra.intra_op_num_threads: expected a non-negative integer, found "lots"')
  })
})

describe('sklearn runtime', () => {
  const runtime = new SklearnRuntime(settingsOf(path.join(DIR, 'model-settings.json')))
  beforeAll(() => runtime.load())
  afterAll(() => runtime.unload())

  it('answers predict as [N,1] INT64 labels, equal to sklearn on all 899 test rows', async () => {
    const {outputs} = await runtime.predict({id: '1', inputs: [rows(899)]})
    expect(outputs).toHaveLength(1)
    expect(outputs[0]).toMatchObject({name: 'predict', datatype: 'INT64', shape: [899, 1]})
    expect(Array.from(outputs[0].data as BigInt64Array, Number)).toEqual(set.expected.predict)
  })

  it('lists predict and the graph outputs; no predict_proba for an SVC without probabilities', () => {
    expect(runtime.metadata().outputs.map((o) => o.name)).toEqual(['predict', 'label', 'scores'])
  })

  it('refuses a lone pickle, saying why and how to export', async () => {
    const pickle = new SklearnRuntime(settingsOf(folder({'model.joblib': 'x'})))
    await expect(pickle.load()).rejects.toThrow(/model\.joblib: mls never loads pickles .* arbitrary code\. Export the model to ONNX .* skl2onnx/)
  })
})
