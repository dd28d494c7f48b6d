/** runInit as a library call: what it writes, what it refuses, and when it asks. */
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it, vi} from 'vitest'
import {CliError} from '../../../src/cli/cli-error.js'
import type {Prompter} from '../../../src/init/prompter.js'
import {runInit} from '../../../src/init/run-init.js'
import {summarize} from '../../../src/init/summary.js'
import {tempFolders} from '../../temp-folders.js'

const tempFolder = tempFolders()

const EXAMPLE = fileURLToPath(new URL('../../../examples/multi-model/', import.meta.url))
const TEMPLATES = fileURLToPath(new URL('../../../templates/', import.meta.url))
const ONNX = path.join(EXAMPLE, 'models/mnist_sklearn/model.onnx')
const XGB = path.join(EXAMPLE, 'models/mushroom_xgboost/model.json')

function tempDir(): string {
  return path.join(tempFolder('mls-init-'), 'repo')
}

function readJson(file: string): any {
  return JSON.parse(readFileSync(file, 'utf8'))
}

async function refusal(promise: Promise<unknown>): Promise<CliError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(CliError)
  return error as CliError
}

function fakePrompter(name: string, runtime: string): Prompter & {text: ReturnType<typeof vi.fn>; select: ReturnType<typeof vi.fn>} {
  return {text: vi.fn(async () => name), select: vi.fn(async () => runtime)} as never
}

describe('runInit: one model', () => {
  it('creates DIR, settings.json with the defaults and the model folder, copying the model file', async () => {
    const dir = tempDir()
    const result = await runInit({dir, model: {modelFile: ONNX, runtime: 'sklearn', name: 'digits', version: 'v1'}})
    expect(result.files).toEqual([
      path.join(dir, 'settings.json'),
      path.join(dir, 'models/digits/model-settings.json'),
      path.join(dir, 'models/digits/model.onnx'),
    ])
    expect(readJson(path.join(dir, 'settings.json'))).toEqual({debug: false, host: '0.0.0.0', http_port: 8080, grpc_port: 8081, metrics_port: 8082})
    expect(readJson(path.join(dir, 'models/digits/model-settings.json'))).toEqual({name: 'digits', implementation: 'sklearn', parameters: {version: 'v1'}})
    expect(readFileSync(path.join(dir, 'models/digits/model.onnx'))).toEqual(readFileSync(ONNX))
    expect(result.model).toEqual({name: 'digits', runtime: 'sklearn', version: 'v1', file: path.join(dir, 'models/digits/model.onnx'), source: ONNX})
  })

  it('takes the flags for host and ports', async () => {
    const dir = tempDir()
    await runInit({dir, model: {name: 'm'}, settings: {host: '127.0.0.1', http_port: 9000, grpc_port: 0, metrics_port: 9002}})
    expect(readJson(path.join(dir, 'settings.json'))).toMatchObject({host: '127.0.0.1', http_port: 9000, grpc_port: 0, metrics_port: 9002})
  })

  it('detects xgboost from .json, names the model after the folder of model.json, and writes the uri', async () => {
    const dir = tempDir()
    const result = await runInit({dir, model: {modelFile: XGB}})
    expect(result.model).toMatchObject({name: 'mushroom_xgboost', runtime: 'xgboost'})
    expect(readJson(path.join(dir, 'models/mushroom_xgboost/model-settings.json'))).toEqual({
      name: 'mushroom_xgboost',
      implementation: 'xgboost',
      parameters: {uri: './model.json'},
    })
  })

  it('without a model file or a prompter: my-model, onnx, and the summary says where the file goes', async () => {
    const dir = tempDir()
    const result = await runInit({dir})
    expect(result.files).toEqual([path.join(dir, 'settings.json'), path.join(dir, 'models/my-model/model-settings.json')])
    expect(result.model).toMatchObject({name: 'my-model', runtime: 'onnx', source: undefined})
    const text = summarize(result)
    expect(text).toContain(`Put the model file at ${path.join(dir, 'models/my-model/model.onnx')}: an ONNX graph.`)
    expect(text).toContain(`mls start ${dir}`)
  })

  it('asks for the name and runtime it is missing, and only those', async () => {
    const prompter = fakePrompter('asked', 'xgboost')
    const result = await runInit({dir: tempDir(), prompter})
    expect(result.model).toMatchObject({name: 'asked', runtime: 'xgboost'})
    expect(prompter.text).toHaveBeenCalledTimes(1)
    expect(prompter.select).toHaveBeenCalledTimes(1)

    const none = fakePrompter('x', 'onnx')
    await runInit({dir: tempDir(), model: {modelFile: ONNX}, prompter: none})
    expect(none.text).not.toHaveBeenCalled()
    expect(none.select).not.toHaveBeenCalled()
  })

  it('refuses pickles before asking or writing anything', async () => {
    const dir = tempDir()
    const prompter = fakePrompter('x', 'onnx')
    expect((await refusal(runInit({dir, model: {runtime: 'custom', modelFile: 'model.joblib'}, prompter}))).exitCode).toBe(2)
    expect((await refusal(runInit({dir, model: {modelFile: 'model.joblib'}, prompter}))).message).toMatch(/never loads pickles/)
    expect(prompter.text).not.toHaveBeenCalled()
    expect(existsSync(dir)).toBe(false)
  })

  it('refuses a missing model file and a DIR that is a file', async () => {
    expect((await refusal(runInit({dir: tempDir(), model: {modelFile: '/nonexistent/m.onnx'}}))).message).toBe('--model-file /nonexistent/m.onnx: no such file')
    const file = path.join(path.dirname(tempDir()), 'a-file')
    writeFileSync(file, '')
    expect((await refusal(runInit({dir: file}))).message).toMatch(/exists and is not a folder$/)
  })
})

describe('runInit: a custom runtime', () => {
  it('writes model-settings.json, the runtime skeleton and its test set from templates/custom/', async () => {
    const dir = tempDir()
    const result = await runInit({dir, model: {runtime: 'custom', name: 'adder', version: 'v1'}})
    const folder = path.join(dir, 'models/adder')
    expect(result.files).toEqual([
      path.join(dir, 'settings.json'),
      path.join(folder, 'model-settings.json'),
      path.join(folder, 'runtime.ts'),
      path.join(folder, 'test-set.json'),
    ])
    expect(readJson(path.join(folder, 'model-settings.json'))).toEqual({
      name: 'adder',
      implementation: './runtime.ts',
      inputs: [{name: 'input', datatype: 'FP64', shape: [-1, -1]}],
      outputs: [{name: 'sum', datatype: 'FP64', shape: [-1, 1]}],
      parameters: {version: 'v1'},
    })
    expect(readFileSync(path.join(folder, 'runtime.ts'), 'utf8')).toBe(readFileSync(path.join(TEMPLATES, 'custom/runtime.ts'), 'utf8'))
    expect(result.model).toEqual({name: 'adder', runtime: 'custom', version: 'v1', file: path.join(folder, 'runtime.ts'), source: undefined})
    const text = summarize(result)
    expect(text).toContain(`${path.join(folder, 'runtime.ts')} serves it as written: it sums each row of the input "input".`)
    expect(text).toContain(`mls test --model adder --repo ${dir} sends those rows and compares.`)
    expect(text).toContain('curl -s localhost:8080/v2/models/adder/versions/v1')
  })

  it('copies a model file beside runtime.ts under its own name', async () => {
    const dir = tempDir()
    const result = await runInit({dir, model: {runtime: 'custom', modelFile: XGB, name: 'c'}})
    const copy = path.join(dir, 'models/c/model.json')
    expect(result.files).toContain(copy)
    expect(result.model).toMatchObject({file: path.join(dir, 'models/c/runtime.ts'), source: XGB, copiedTo: copy})
    expect(summarize(result)).toContain(`models/c/model.json (copied from ${path.relative(process.cwd(), XGB)})`)
  })

  it('offers custom when it asks for the runtime', async () => {
    const prompter = fakePrompter('asked', 'custom')
    const result = await runInit({dir: tempDir(), prompter})
    expect(result.model).toMatchObject({runtime: 'custom'})
    expect(prompter.select.mock.calls[0][0].choices.map((c: {value: string}) => c.value)).toEqual(['onnx', 'sklearn', 'xgboost', 'custom'])
  })
})

describe('runInit: an existing repository', () => {
  it('refuses to overwrite settings.json (exit 2), before asking', async () => {
    const dir = tempDir()
    await runInit({dir, model: {name: 'a'}})
    const prompter = fakePrompter('b', 'onnx')
    const error = await refusal(runInit({dir, prompter}))
    expect(error.exitCode).toBe(2)
    expect(error.message).toBe(`${path.join(dir, 'settings.json')} exists; use --force to overwrite, or --skip-settings to add a model to this repository`)
    expect(prompter.text).not.toHaveBeenCalled()
  })

  it('adds a model with skipSettings, leaving settings.json as it is', async () => {
    const dir = tempDir()
    await runInit({dir, model: {name: 'a'}, settings: {http_port: 9100}})
    const result = await runInit({dir, skipSettings: true, model: {modelFile: XGB, name: 'b'}})
    expect(result.files).toEqual([path.join(dir, 'models/b/model-settings.json'), path.join(dir, 'models/b/model.json')])
    expect(readJson(path.join(dir, 'settings.json')).http_port).toBe(9100)
    expect(summarize(result)).toContain('Added a model to the repository in')
  })

  it('refuses to overwrite a model of the same name, even with skipSettings; force overwrites', async () => {
    const dir = tempDir()
    await runInit({dir, model: {name: 'a', version: 'v1'}})
    const error = await refusal(runInit({dir, skipSettings: true, model: {name: 'a'}}))
    expect(error.message).toBe(`${path.join(dir, 'models/a/model-settings.json')} exists; use --force to overwrite, or choose another --name`)
    await runInit({dir, force: true, model: {name: 'a', version: 'v2'}})
    expect(readJson(path.join(dir, 'models/a/model-settings.json')).parameters.version).toBe('v2')
  })

  it('does not copy a model file onto itself', async () => {
    const dir = tempDir()
    const folder = path.join(dir, 'models/m')
    mkdirSync(folder, {recursive: true})
    writeFileSync(path.join(folder, 'model.onnx'), 'graph')
    const result = await runInit({dir, model: {modelFile: path.join(folder, 'model.onnx')}})
    expect(result.files).toEqual([path.join(dir, 'settings.json'), path.join(folder, 'model-settings.json')])
    expect(readFileSync(path.join(folder, 'model.onnx'), 'utf8')).toBe('graph')
  })
})

describe('runInit: the example', () => {
  it('copies models and test sets, not data/ or train/, and lists the models', async () => {
    const dir = tempDir()
    const result = await runInit({dir, example: 'multi-model'})
    const relative = result.files.map((f) => path.relative(dir, f))
    expect(relative[0]).toBe('settings.json')
    expect(relative).toContain(path.join('models/mnist_sklearn/model.onnx'))
    expect(relative).toContain(path.join('models/mushroom_xgboost/test-set.json'))
    expect(relative.some((f) => f.startsWith('data') || f.startsWith('train'))).toBe(false)
    expect(result.example?.models).toEqual([
      {name: 'mnist_sklearn', version: 'v1.0.0'},
      {name: 'mushroom_xgboost', version: 'v2.0.0'},
    ])
    expect(result.httpPort).toBe(9080)
    expect(readFileSync(path.join(dir, 'settings.json'), 'utf8')).toBe(readFileSync(path.join(EXAMPLE, 'settings.json'), 'utf8'))
  })

  it('copies the custom-runtime example: its runtime, word list and test set', async () => {
    const dir = tempDir()
    const result = await runInit({dir, example: 'custom-runtime'})
    const relative = result.files.map((f) => path.relative(dir, f)).sort()
    expect(relative).toEqual(['README.md', 'models/sentiment/lexicon.json', 'models/sentiment/model-settings.json', 'models/sentiment/runtime.ts', 'models/sentiment/test-set.json', 'settings.json'])
    expect(result.example?.models).toEqual([{name: 'sentiment', version: 'v1'}])
  })

  it('applies port and host flags to the example settings.json, keeping its other fields', async () => {
    const dir = tempDir()
    const result = await runInit({dir, example: 'multi-model', settings: {http_port: 7000}})
    expect(readJson(path.join(dir, 'settings.json'))).toEqual({...readJson(path.join(EXAMPLE, 'settings.json')), http_port: 7000})
    expect(result.httpPort).toBe(7000)
  })

  it('refuses every file that exists, settings.json first', async () => {
    const dir = tempDir()
    await runInit({dir, example: 'multi-model'})
    const lines = (await refusal(runInit({dir, example: 'multi-model'}))).message.split('\n')
    expect(lines[0]).toMatch(/settings\.json exists; use --force to overwrite, or --skip-settings/)
    expect(lines).toHaveLength(8)
    await runInit({dir, example: 'multi-model', force: true})
  })
})
