import {describe, expect, it} from 'vitest'
import {AdaptiveBatcher} from '../../../src/batching/adaptive-batcher.js'
import {MlsError} from '../../../src/errors.js'
import type {InferRequest, InferResult} from '../../../src/protocol/types.js'
import type {Runtime} from '../../../src/runtimes/runtime.js'

/** A runtime that doubles its input and records the rows of every call. */
function doubling(options: {fail?: boolean; rowsOut?: (n: number) => number} = {}) {
  const calls: number[] = []
  const runtime: Runtime = {
    async load() {},
    metadata: () => ({platform: 't', inputs: [], outputs: []}),
    async unload() {},
    async predict(request: InferRequest): Promise<InferResult> {
      const x = request.inputs[0]
      calls.push(x.shape[0])
      if (options.fail) throw new Error('runtime exploded')
      const rows = options.rowsOut ? options.rowsOut(x.shape[0]) : x.shape[0]
      const data = Float32Array.from((x.data as Float32Array).slice(0, rows * 2), (v) => v * 2)
      return {outputs: [{name: 'y', datatype: 'FP32', shape: [rows, 2], data}, {name: 'label', datatype: 'INT64', shape: [rows], data: BigInt64Array.from({length: rows}, (_, i) => BigInt(i))}]}
    },
  }
  return {runtime, calls}
}

const request = (i: number, rows = 1, extra: Partial<InferRequest> = {}): InferRequest => ({
  id: `r${i}`,
  inputs: [{name: 'x', datatype: 'FP32', shape: [rows, 2], data: Float32Array.from({length: rows * 2}, (_, k) => i * 100 + k)}],
  ...extra,
})

describe('AdaptiveBatcher', () => {
  it('joins concurrent requests up to max_batch_size and gives each its own rows', async () => {
    const {runtime, calls} = doubling()
    const batcher = new AdaptiveBatcher(runtime, {maxBatchSize: 4, maxBatchTimeMs: 50})
    const results = await Promise.all(Array.from({length: 10}, (_, i) => batcher.predict(request(i))))
    expect(calls).toEqual([4, 4, 2])
    results.forEach((r, i) => {
      expect(r.outputs[0].shape).toEqual([1, 2])
      expect(Array.from(r.outputs[0].data as Float32Array)).toEqual([i * 200, i * 200 + 2])
      expect(r.outputs[1].shape).toEqual([1])
    })
  })

  it('closes a batch after max_batch_time even when not full', async () => {
    const {runtime, calls} = doubling()
    const batcher = new AdaptiveBatcher(runtime, {maxBatchSize: 100, maxBatchTimeMs: 20})
    const started = performance.now()
    await Promise.all([batcher.predict(request(1)), batcher.predict(request(2, 3))])
    expect(calls).toEqual([4])
    expect(performance.now() - started).toBeGreaterThanOrEqual(15)
  })

  it('runs a request as large as a batch alone, and never joins different forms', async () => {
    const {runtime, calls} = doubling()
    const batcher = new AdaptiveBatcher(runtime, {maxBatchSize: 4, maxBatchTimeMs: 10})
    await Promise.all([
      batcher.predict(request(1, 5)),
      batcher.predict(request(2)),
      batcher.predict(request(3, 1, {outputs: ['y']})),
      batcher.predict(request(4, 1, {parameters: {p: 1}})),
    ])
    expect(calls.sort()).toEqual([1, 1, 1, 5])
  })

  it('fails only the requests of a failed batch, with a clear message', async () => {
    const {runtime} = doubling({fail: true})
    const batcher = new AdaptiveBatcher(runtime, {maxBatchSize: 2, maxBatchTimeMs: 10})
    const results = await Promise.allSettled([batcher.predict(request(1)), batcher.predict(request(2))])
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected'])
    expect((results[0] as PromiseRejectedResult).reason.message).toBe('a batch of 2 requests failed: runtime exploded')
  })

  it('keeps the code of a typed failure', async () => {
    const runtime: Runtime = {
      ...doubling().runtime,
      async predict() {
        throw new MlsError('INTERNAL', 'worker 1 died')
      },
    }
    const batcher = new AdaptiveBatcher(runtime, {maxBatchSize: 2, maxBatchTimeMs: 10})
    const [a] = await Promise.allSettled([batcher.predict(request(1)), batcher.predict(request(2))])
    expect((a as PromiseRejectedResult).reason).toMatchObject({code: 'INTERNAL', message: 'a batch of 2 requests failed: worker 1 died'})
  })

  it('refuses to split an output that is not batch-major', async () => {
    const {runtime} = doubling({rowsOut: () => 1})
    const batcher = new AdaptiveBatcher(runtime, {maxBatchSize: 2, maxBatchTimeMs: 10})
    const results = await Promise.allSettled([batcher.predict(request(1)), batcher.predict(request(2))])
    expect((results[0] as PromiseRejectedResult).reason.message).toMatch(/output "y" has 1 rows for a batch of 2: it cannot be split back/)
  })

  it('reports the queue', async () => {
    const {runtime} = doubling()
    const seen: number[] = []
    const batcher = new AdaptiveBatcher(runtime, {maxBatchSize: 3, maxBatchTimeMs: 10, onQueue: (n) => seen.push(n)})
    await Promise.all([batcher.predict(request(1)), batcher.predict(request(2)), batcher.predict(request(3))])
    expect(seen).toEqual([1, 2, 3, 0])
  })

  it('drops a request whose signal fires while it waits: it leaves the batch, which runs without it', async () => {
    const {runtime, calls} = doubling()
    const seen: number[] = []
    const batcher = new AdaptiveBatcher(runtime, {maxBatchSize: 3, maxBatchTimeMs: 60_000, onQueue: (n) => seen.push(n)})
    const controller = new AbortController()
    const reason = new MlsError('REQUEST_CANCELLED', 'gone')
    const given = batcher.predict(request(0, 1, {signal: controller.signal}))
    const kept = batcher.predict(request(1))
    controller.abort(reason)
    await expect(given).rejects.toBe(reason)
    expect(seen).toEqual([1, 2, 1])
    // Two more fill the batch of three: the abandoned request's rows are not in it.
    const results = await Promise.all([kept, batcher.predict(request(2)), batcher.predict(request(3))])
    expect(calls).toEqual([3])
    expect(results.map((r) => (r.outputs[0].data as Float32Array)[0])).toEqual([200, 400, 600])
  })

  it('refuses a request whose signal has already fired', async () => {
    const {runtime, calls} = doubling()
    const batcher = new AdaptiveBatcher(runtime, {maxBatchSize: 3, maxBatchTimeMs: 10})
    const controller = new AbortController()
    controller.abort(new MlsError('INFER_TIMEOUT', 'late'))
    await expect(batcher.predict(request(0, 1, {signal: controller.signal}))).rejects.toMatchObject({code: 'INFER_TIMEOUT'})
    expect(calls).toEqual([])
  })
})
