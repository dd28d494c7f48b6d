/**
 * The worker pool against real worker threads running a fake runtime (fixtures/fake-runtime.ts, from source through
 * tsx): dispatch, transfer, failures, a worker that dies mid-request and its replacement, replacements that keep
 * failing, and unload.
 */
import {existsSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {MlsError} from '../../../src/errors.js'
import type {Logger} from '../../../src/logger.js'
import type {InferRequest} from '../../../src/protocol/types.js'
import type {ModelSettings} from '../../../src/settings/model-settings.js'
import {WorkerPool, type WorkerPoolOptions} from '../../../src/workers/worker-pool.js'
import {tempFolders} from '../../temp-folders.js'

const tempFolder = tempFolders()

const FAKE_WORKER = new URL('./fixtures/fake-worker.mjs', import.meta.url)

function settings(extra: Record<string, unknown> = {}): ModelSettings {
  return Object.freeze({name: 'fake', version: 'v1', platform: '', versions: [], inputs: [], outputs: [], maxBatchSize: 0, maxBatchTime: 0, extra, source: '/x/model-settings.json', folder: '/x'})
}

function recordingLogger() {
  const lines: string[] = []
  const logger: Logger = {debugEnabled: false, debug() {}, info: (m) => lines.push(`INFO ${m}`), warn: (m) => lines.push(`WARN ${m}`), error: (m) => lines.push(`ERROR ${m}`), child: () => logger}
  return {logger, lines}
}

const request = (values: number[], parameters?: Record<string, unknown>): InferRequest => ({
  id: 'r',
  inputs: [{name: 'x', datatype: 'FP32', shape: [values.length], data: Float32Array.from(values)}],
  ...(parameters ? {parameters} : {}),
})

const threadOf = (result: Awaited<ReturnType<WorkerPool['predict']>>) => (result.outputs[1].data as Int32Array)[0]

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

const pools: WorkerPool[] = []
function pool(options: Partial<WorkerPoolOptions> & {settings?: ModelSettings} = {}) {
  const {logger, lines} = recordingLogger()
  const queue: number[] = []
  const created = new WorkerPool(options.settings ?? settings(), {size: 2, logger, entry: FAKE_WORKER, onQueue: (n) => queue.push(n), ...options})
  pools.push(created)
  return {pool: created, lines, queue}
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.unload()))
})

describe('WorkerPool', () => {
  it('loads the model in every thread, takes the metadata from them and answers on them', async () => {
    const {pool: p, lines, queue} = pool()
    await p.load()
    expect(p.metadata().platform).toBe('fake')
    expect(lines).toContainEqual('INFO model "fake" version "v1" serves on 2 worker thread(s)')
    const result = await p.predict(request([1, 2, 3]))
    expect(Array.from(result.outputs[0].data as Float32Array)).toEqual([2, 4, 6])
    expect(result.parameters).toEqual({id: 'r'})
    expect(queue.at(-1)).toBe(0)
    expect(Math.max(...queue)).toBe(1)
  })

  it('spreads concurrent requests over the threads (least busy first)', async () => {
    const {pool: p, queue} = pool({size: 3})
    await p.load()
    const results = await Promise.all(Array.from({length: 6}, (_, i) => p.predict(request([i], {delay_ms: 50}))))
    results.forEach((r, i) => expect((r.outputs[0].data as Float32Array)[0]).toBe(2 * i))
    expect(new Set(results.map(threadOf)).size).toBe(3)
    expect(Math.max(...queue)).toBe(6)
  })

  it('moves input buffers to the thread instead of copying them, and copies views into larger buffers', async () => {
    const {pool: p} = pool({size: 1})
    await p.load()
    const moved = request([1, 2])
    await p.predict(moved)
    expect((moved.inputs[0].data as Float32Array).length).toBe(0) // detached: transferred
    const big = new Float32Array([9, 1, 2, 9])
    const view = big.subarray(1, 3)
    const result = await p.predict({id: 'v', inputs: [{name: 'x', datatype: 'FP32', shape: [2], data: view}]})
    expect(Array.from(result.outputs[0].data as Float32Array)).toEqual([2, 4])
    expect(Array.from(big)).toEqual([9, 1, 2, 9]) // the larger buffer is untouched
    const bytes = await p.predict({id: 'b', inputs: [{name: 'x', datatype: 'BYTES', shape: [2], data: [Uint8Array.of(1), Uint8Array.of(2, 3)]}]})
    expect((bytes.outputs[0].data as Uint8Array[]).map((b) => Array.from(b))).toEqual([[1, 1], [2, 3, 2, 3]])
  })

  it('rejects a failing request with the runtime\'s message (MlsError codes kept) and keeps serving', async () => {
    const {pool: p} = pool({size: 1})
    await p.load()
    await expect(p.predict(request([1], {fail: 'no good'}))).rejects.toThrow('no good')
    const coded = await p.predict(request([1], {mls_error: 'bad data'})).catch((e: unknown) => e)
    expect(coded).toBeInstanceOf(MlsError)
    expect((coded as MlsError).code).toBe('INVALID_DATA')
    expect((await p.predict(request([4]))).outputs[0].data).toEqual(Float32Array.of(8))
  })

  it('fails the requests in flight on a worker that dies (no hang), replaces it, and keeps serving meanwhile', async () => {
    const {pool: p, lines, queue} = pool()
    await p.load()
    // Two slow requests occupy both threads; the third goes to the least busy one... all tied: find the dying one by its thread.
    const slow = [p.predict(request([1], {delay_ms: 400})), p.predict(request([2], {delay_ms: 400}))]
    const dying = p.predict(request([3], {exit: 3})) // exits its thread, taking one slow request with it
    const outcomes = await Promise.allSettled([...slow, dying])
    const failed = outcomes.filter((o) => o.status === 'rejected') as PromiseRejectedResult[]
    expect(failed).toHaveLength(2)
    for (const {reason} of failed) {
      expect(reason).toBeInstanceOf(MlsError)
      expect((reason as MlsError).code).toBe('INTERNAL')
      expect((reason as Error).message).toMatch(/^worker [12] of model "fake" version "v1" died while running this request \(it exited with code 3\); it is being replaced$/)
    }
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1)
    expect(lines.find((l) => l.startsWith('ERROR'))).toMatch(/^ERROR worker [12] of model "fake" version "v1" died: it exited with code 3; 2 request\(s\) in flight on it failed; starting a replacement$/)
    expect(queue.at(-1)).toBe(0)

    // Meanwhile the other thread serves; then the replacement joins.
    expect((await p.predict(request([5]))).outputs[0].data).toEqual(Float32Array.of(10))
    await until(() => lines.some((l) => /^INFO worker [12] of model "fake" version "v1" replaced$/.test(l)), 'the replacement')
    const threads = new Set((await Promise.all(Array.from({length: 4}, () => p.predict(request([1], {delay_ms: 30}))))).map(threadOf))
    expect(threads.size).toBe(2)
  })

  it('treats an uncaught exception in a worker as its death, naming the error', async () => {
    const {pool: p, lines} = pool({size: 1})
    await p.load()
    await expect(p.predict(request([1], {throw_uncaught: 'kaboom'}))).rejects.toThrow(/died while running this request \(it threw Error: kaboom\)/)
    await until(() => lines.some((l) => l.includes('replaced')), 'the replacement')
    expect((await p.predict(request([2]))).outputs[0].data).toEqual(Float32Array.of(4))
  })

  it('refuses with the reason while no worker is live, retries a failing replacement with growing delays, and recovers', async () => {
    const dir = tempFolder('mls-pool-')
    const marker = path.join(dir, 'broken')
    const {pool: p, lines} = pool({size: 1, settings: settings({fail_load_when: marker}), restart: {firstDelayMs: 40, maxDelayMs: 1000, stableAfterMs: 60_000}})
    await p.load()
    writeFileSync(marker, '') // from now on the model cannot load
    await expect(p.predict(request([1], {exit: 1}))).rejects.toThrow(/died/)
    await until(() => lines.filter((l) => l.includes('failed to load')).length >= 3, 'three failed replacements')
    const refusal = await p.predict(request([1])).catch((e: unknown) => e)
    expect(refusal).toBeInstanceOf(MlsError)
    expect((refusal as MlsError).code).toBe('MODEL_NOT_READY')
    expect((refusal as Error).message).toMatch(/^model "fake" version "v1" has no live worker \(worker 1: .*replacement\(s\) failed to load, the last with: refusing to load: .*broken exists; next attempt in [\d.]+ s\); retry shortly$/)
    const failures = lines.filter((l) => l.includes('failed to load'))
    expect(failures[0]).toMatch(/replacement attempt 1 failed to load: refusing to load: .* exists; next attempt in 0.04 s$/)
    expect(failures[1]).toMatch(/replacement attempt 2 failed to load: .*; next attempt in 0.08 s$/)
    expect(failures[2]).toMatch(/replacement attempt 3 failed to load: .*; next attempt in 0.16 s$/)
    rmSync(marker)
    await until(() => lines.some((l) => l.endsWith('replaced')), 'the recovery')
    expect((await p.predict(request([3]))).outputs[0].data).toEqual(Float32Array.of(6))
  })

  it('fails to load with the runtime\'s own message', async () => {
    const dir = tempFolder('mls-pool-')
    const marker = path.join(dir, 'broken')
    writeFileSync(marker, '')
    const {pool: p} = pool({settings: settings({fail_load_when: marker})})
    await expect(p.load()).rejects.toThrow(`refusing to load: ${marker} exists`)
  })

  it('names a worker entry that cannot start', async () => {
    const {pool: p} = pool({size: 1, entry: new URL('./fixtures/no-such-worker.mjs', import.meta.url)})
    await expect(p.load()).rejects.toThrow(/^worker 1 of model "fake" version "v1" ended while loading the model: it threw Error: Cannot find module/)
  })

  it('unloads after the requests in flight finish, unloading the runtime in every thread, then refuses', async () => {
    const dir = tempFolder('mls-pool-')
    const {pool: p} = pool({settings: settings({unload_marker: dir})})
    await p.load()
    const inFlight = p.predict(request([7], {delay_ms: 100}))
    await p.unload()
    expect((await inFlight).outputs[0].data).toEqual(Float32Array.of(14))
    expect(readdirSync(dir).filter((f) => f.startsWith('unloaded-'))).toHaveLength(2)
    await expect(p.predict(request([1]))).rejects.toThrow('model "fake" version "v1" is unloading')
    expect(existsSync(dir)).toBe(true)
  })
})
