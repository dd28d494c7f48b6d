/** Which models get a worker pool: model-settings.json's parallel_workers over the server's; and the restart delays. */
import {mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {silentLogger} from '../../../src/logger.js'
import type {Runtime} from '../../../src/runtimes/runtime.js'
import {loadModelSettings} from '../../../src/settings/load-model-settings.js'
import type {ModelSettings} from '../../../src/settings/model-settings.js'
import {effectiveWorkers, parallelInference} from '../../../src/workers/index.js'
import {DEFAULT_RESTART_POLICY, restartDelay} from '../../../src/workers/restart-policy.js'
import {WorkerPool} from '../../../src/workers/worker-pool.js'
import {tempFolders} from '../../temp-folders.js'

const tempFolder = tempFolders()

function modelSettings(content: Record<string, unknown>) {
  const dir = path.join(tempFolder('mls-model-'), 'm')
  mkdirSync(dir)
  const file = path.join(dir, 'model-settings.json')
  writeFileSync(file, JSON.stringify({implementation: 'xgboost', ...content}))
  return loadModelSettings(file)
}

describe('parallel_workers in model-settings.json', () => {
  it('is read (no longer ignored) and overrides the server value; null or absent means the server\'s', () => {
    const own = modelSettings({parallel_workers: 3})
    expect(own.warnings).toEqual([])
    expect(own.settings.parallelWorkers).toBe(3)
    expect(effectiveWorkers(own.settings, 0)).toBe(3)
    expect(effectiveWorkers(modelSettings({parallel_workers: 0}).settings, 2)).toBe(0)
    expect(effectiveWorkers(modelSettings({parallel_workers: null}).settings, 2)).toBe(2)
    expect(effectiveWorkers(modelSettings({}).settings, 2)).toBe(2)
    expect(modelSettings({parallel_workers: '2'}).settings.parallelWorkers).toBe(2)
  })

  it('names the file and field when it is not a whole number from 0 to 256', () => {
    expect(() => modelSettings({parallel_workers: -1})).toThrow(/model-settings\.json: parallel_workers: /)
    expect(() => modelSettings({parallel_workers: 'many'})).toThrow(/parallel_workers: expected number, found "many"/)
  })
})

describe('parallelInference', () => {
  const inProcess: Runtime = {async load() {}, metadata: () => ({platform: 'p', inputs: [], outputs: []}), predict: async () => ({outputs: []}), async unload() {}}
  const factory = () => inProcess
  const base = (extra: Partial<ModelSettings> = {}): ModelSettings => ({...modelSettings({}).settings, ...extra})

  it('keeps models with 0 workers in-process and gives the others a pool', () => {
    const hook = parallelInference(factory, {workers: 0, logger: silentLogger})
    expect(hook(base())).toBe(inProcess)
    expect(hook(base({parallelWorkers: 2}))).toBeInstanceOf(WorkerPool)
    const server = parallelInference(factory, {workers: 2, logger: silentLogger})
    expect(server(base())).toBeInstanceOf(WorkerPool)
    expect(server(base({parallelWorkers: 0}))).toBe(inProcess)
  })

  it('refuses an unknown implementation before starting any thread, with the in-process message', () => {
    const hook = parallelInference(factory, {workers: 2, logger: silentLogger})
    expect(() => hook(base({implementation: 'tensorflow'}))).toThrow(/implementation: unknown runtime "tensorflow"/)
  })
})

describe('restartDelay', () => {
  it('replaces at once the first time, then doubles up to the maximum', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => restartDelay(DEFAULT_RESTART_POLICY, n))
    expect(delays).toEqual([0, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000])
    expect(restartDelay(DEFAULT_RESTART_POLICY, 0)).toBe(0)
  })
})
