import {mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {loadModelSettings} from '../../../src/settings/load-model-settings.js'
import {tempFolders} from '../../temp-folders.js'

const tempFolder = tempFolders()

function modelFile(content: unknown, folder = 'my-model'): string {
  const dir = path.join(tempFolder('mls-model-'), folder)
  mkdirSync(dir)
  const file = path.join(dir, 'model-settings.json')
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content))
  return file
}

describe('loadModelSettings', () => {
  it('reads MLServer\'s example file: no uri, name and version given', () => {
    const file = modelFile({name: 'mnist-svm', implementation: 'mlserver_sklearn.SKLearnModel', parameters: {version: 'v0.1.0'}})
    const {settings, warnings} = loadModelSettings(file)
    expect(settings).toMatchObject({name: 'mnist-svm', implementation: 'mlserver_sklearn.SKLearnModel', version: 'v0.1.0', uri: undefined})
    expect(settings.folder).toBe(path.dirname(file))
    expect(warnings).toEqual([])
  })

  it('defaults the name to the folder and resolves uri against the file\'s folder', () => {
    const file = modelFile({parameters: {uri: './weights/model.json'}}, 'mushrooms')
    const {settings} = loadModelSettings(file)
    expect(settings.name).toBe('mushrooms')
    expect(settings.uri).toBe(path.join(path.dirname(file), 'weights/model.json'))
    expect(settings.maxBatchSize).toBe(0)
  })

  it('accepts inputs/outputs metadata with -1 dimensions', () => {
    const {settings} = loadModelSettings(modelFile({inputs: [{name: 'x', datatype: 'FP32', shape: [-1, 3]}]}))
    expect(settings.inputs).toEqual([{name: 'x', datatype: 'FP32', shape: [-1, 3]}])
  })

  it('names the file and field of a wrong type, with what was expected and found', () => {
    const file = modelFile({name: 'm', max_batch_size: 'many', inputs: [{name: 'x', datatype: 'FP99', shape: [1]}]})
    expect(() => loadModelSettings(file)).toThrow(`${file}: `)
    expect(() => loadModelSettings(file)).toThrow(/max_batch_size: expected number, found "many"/)
    expect(() => loadModelSettings(file)).toThrow(/inputs\[0\]\.datatype: Invalid option: expected one of .* \(found "FP99"\)/)
  })

  it('warns about unknown keys, including inside parameters, with a did-you-mean', () => {
    const {warnings} = loadModelSettings(modelFile({implementaton: 'onnx', warm_workers: true, parameters: {urii: 'x'}}))
    expect(warnings).toEqual([
      expect.stringMatching(/unknown key "implementaton" \(did you mean "implementation"\?\)/),
      expect.stringMatching(/parameters: unknown key "urii" \(did you mean "uri"\?\)/),
    ])
  })

  it('reads a model\'s own max_queue_size and infer_timeout; absent or null means the server\'s', () => {
    expect(loadModelSettings(modelFile({max_queue_size: 4, infer_timeout: '0.25'})).settings).toMatchObject({maxQueueSize: 4, inferTimeout: 0.25})
    const inherited = loadModelSettings(modelFile({max_queue_size: null})).settings
    expect(inherited.maxQueueSize).toBeUndefined()
    expect(inherited.inferTimeout).toBeUndefined()
    expect(() => loadModelSettings(modelFile({infer_timeout: -1}))).toThrow(/infer_timeout/)
  })
})
