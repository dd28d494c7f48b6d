import {mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {XGBoostRuntime} from '../../../src/runtimes/xgboost/xgboost-runtime.js'
import {estimateBytes, estimateModelMemory, filesBytes, floorBytes, RUNTIME_MEMORY_FACTORS, RUNTIME_MEMORY_FLOORS, runtimeKind} from '../../../src/memory/size-estimate.js'

const REPO = path.resolve(import.meta.dirname, '../../..')
const EXAMPLE_XGB = path.join(REPO, 'examples/multi-model/models/mushroom_xgboost')
const FIXTURE_UBJ = path.join(REPO, 'test/fixtures/models-xgboost/mushroom_ubj')

let root: string

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'size-estimate-'))
  mkdirSync(path.join(root, 'model', 'sub'), {recursive: true})
  writeFileSync(path.join(root, 'model', 'model.onnx'), Buffer.alloc(1000))
  writeFileSync(path.join(root, 'model', 'model-settings.json'), '{}') // 2 bytes
  writeFileSync(path.join(root, 'model', 'sub', 'weights.bin'), Buffer.alloc(300))
  mkdirSync(path.join(root, 'model', '.git'))
  writeFileSync(path.join(root, 'model', '.git', 'pack'), Buffer.alloc(5000))
  mkdirSync(path.join(root, 'model', 'node_modules'))
  writeFileSync(path.join(root, 'model', 'node_modules', 'x.js'), Buffer.alloc(5000))
  // A link back up must not loop.
  symlinkSync(path.join(root, 'model'), path.join(root, 'model', 'sub', 'loop'))
})

afterAll(() => rmSync(root, {recursive: true, force: true}))

describe('size estimate', () => {
  it('sums the files of a folder (links followed once, dot folders and node_modules skipped), or one file', async () => {
    expect(await filesBytes(path.join(root, 'model'))).toBe(1302)
    expect(await filesBytes(path.join(root, 'model', 'model.onnx'))).toBe(1000)
    expect(await filesBytes(path.join(root, 'missing'))).toBe(0)
  })

  it('multiplies by the runtime kind\'s factor and adds its base', async () => {
    const {factor, baseBytes} = RUNTIME_MEMORY_FACTORS.xgboost
    expect(estimateBytes(1000, 'xgboost')).toBe(1000 * factor + baseBytes)
    expect(estimateBytes(3, 'onnx', {...RUNTIME_MEMORY_FACTORS, onnx: {factor: 1.5, baseBytes: 10}})).toBe(15)
    expect(await estimateModelMemory(path.join(root, 'model', 'model.onnx'), 'onnx')).toBe(estimateBytes(1000, 'onnx'))
  })

  it('floors below the estimate for every kind (a floor above it would make a measurement never lower the estimate)', () => {
    for (const kind of ['onnx', 'sklearn', 'xgboost', 'custom'] as const) {
      for (const bytes of [0, 1000, 64 * 1024 * 1024]) expect(floorBytes(bytes, kind)).toBeLessThan(estimateBytes(bytes, kind))
    }
    expect(floorBytes(1000, 'onnx', {...RUNTIME_MEMORY_FLOORS, onnx: 0.5})).toBe(500)
    expect(floorBytes(-5, 'onnx')).toBe(0)
  })

  it('covers the measured first-load gains of models of 100 KB or more (measure-model-memory.js, KiB)', () => {
    const KiB = 1024
    const measured: [Parameters<typeof estimateBytes>[1], number, number][] = [
      ['onnx', 981, 2048], ['onnx', 62532, 109196], ['onnx', 1176, 2196],
      ['sklearn', 97, 1408], ['sklearn', 961, 17920], ['sklearn', 65745, 857872], ['sklearn', 186, 768],
    ]
    for (const [kind, file, gain] of measured) expect(estimateBytes(file * KiB, kind)).toBeGreaterThanOrEqual(gain * KiB)
  })

  it("covers what mls's XGBoost runtime says it keeps (its forest's arrays), for JSON and UBJ", async () => {
    for (const file of [path.join(EXAMPLE_XGB, 'model.json'), path.join(FIXTURE_UBJ, 'model.ubj')]) {
      const folder = path.dirname(file)
      const runtime = new XGBoostRuntime({name: 'm', folder, source: path.join(folder, 'model-settings.json'), implementation: 'xgboost', platform: '', versions: [], inputs: [], outputs: [], maxBatchSize: 0, maxBatchTime: 0, extra: {}, uri: file})
      await runtime.load()
      const kept = runtime.memoryBytes()
      expect(kept).toBeGreaterThan(0)
      expect(estimateBytes(statSync(file).size, 'xgboost')).toBeGreaterThanOrEqual(kept)
    }
  })

  it('knows the built-in runtimes; anything else is custom', () => {
    expect(['onnx', 'sklearn', 'xgboost', './runtime.ts', undefined].map(runtimeKind)).toEqual(['onnx', 'sklearn', 'xgboost', 'custom', 'custom'])
  })
})
