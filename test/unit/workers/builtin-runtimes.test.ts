/** The real worker entry (built-in runtimes, from source) gives exactly the in-process answers for the example models. */
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, describe, expect, it} from 'vitest'
import {silentLogger} from '../../../src/logger.js'
import type {InferRequest, Tensor} from '../../../src/protocol/types.js'
import {createRuntime} from '../../../src/runtimes/registry.js'
import {loadModelSettings} from '../../../src/settings/load-model-settings.js'
import {WorkerPool} from '../../../src/workers/worker-pool.js'

const REAL_WORKER = new URL('./fixtures/real-worker.mjs', import.meta.url)
const MODELS = fileURLToPath(new URL('../../../examples/multi-model/models', import.meta.url))

const pools: WorkerPool[] = []
afterAll(async () => {
  await Promise.all(pools.map((p) => p.unload()))
})

const rows = (width: number, n: number): InferRequest => ({
  id: 'x',
  inputs: [{name: 'input', datatype: 'FP32', shape: [n, width], data: Float32Array.from({length: n * width}, (_, i) => (i * 7) % 17)}],
})

const plain = (outputs: readonly Tensor[]) => outputs.map((t) => ({...t, data: Array.from(t.data as ArrayLike<unknown>)}))

describe.each([
  ['mnist_sklearn', 64, ['predict', 'scores']],
  ['mushroom_xgboost', 126, ['predict', 'predict_proba']],
])('%s on worker threads', (model, width, outputs) => {
  it('loads with the in-process metadata and answers exactly as in-process', async () => {
    const {settings} = loadModelSettings(path.join(MODELS, model, 'model-settings.json'))
    expect(structuredClone(settings)).toEqual(settings) // what workerData carries
    const local = createRuntime(settings)
    await local.load()
    const pool = new WorkerPool(settings, {size: 2, logger: silentLogger, entry: REAL_WORKER})
    pools.push(pool)
    await pool.load()
    expect(pool.metadata()).toEqual(local.metadata())
    const expected = await local.predict({...rows(width, 50), outputs})
    const got = await pool.predict({...rows(width, 50), outputs})
    expect(plain(got.outputs)).toEqual(plain(expected.outputs))
    await local.unload()
  })
})
