/** The statistics counters: phases from timestamps, batching executions, and the sums of several processes. */
import {describe, expect, it} from 'vitest'
import {emptyStats, InferenceStatistics, mergeStats} from '../../../src/dataplane/statistics.js'

describe('InferenceStatistics', () => {
  it('splits a request into its phases and counts failures apart', () => {
    const stats = new InferenceStatistics()
    stats.of('m', 'v1').succeeded(10, 11, 12, 15, 15.5, 1, true)
    stats.of('m', 'v1').failed(20, 22)
    const [s] = stats.snapshot()
    expect(s).toMatchObject({name: 'm', version: 'v1', inference_count: 1, execution_count: 1, batch_stats: []})
    expect(s.inference_stats).toMatchObject({
      success: {count: 1, ns: 5_500_000},
      fail: {count: 1, ns: 2_000_000},
      queue: {count: 1, ns: 1_000_000},
      compute_input: {count: 1, ns: 1_000_000},
      compute_infer: {count: 1, ns: 3_000_000},
      compute_output: {count: 1, ns: 500_000},
    })
    expect(s.last_inference).toBe(Math.round(performance.timeOrigin + 22))
  })

  it('counts batching executions by batch size, and rows as inferences', () => {
    const stats = new InferenceStatistics()
    stats.of('m', undefined).succeeded(0, 0, 0, 1, 1, 3, false)
    stats.executed('m', undefined, 3, 0.1, 1, 0.2)
    stats.executed('m', undefined, 1, 0, 1, 0)
    const [s] = stats.snapshot()
    expect(s.version).toBeUndefined()
    expect(s).toMatchObject({inference_count: 3, execution_count: 2})
    expect(s.batch_stats.map((b) => [b.batch_size, b.compute_infer.count])).toEqual([
      [1, 1],
      [3, 1],
    ])
  })

  it('sums processes per version, last_inference the latest, batch sizes merged', () => {
    const a = new InferenceStatistics()
    const b = new InferenceStatistics()
    a.of('m', 'v1').succeeded(0, 0, 0, 1, 1, 1, true)
    b.of('m', 'v1').succeeded(0, 0, 0, 2, 2, 1, true)
    b.of('m', 'v1').failed(0, 5)
    a.executed('m', 'v2', 4, 0, 1, 0)
    b.executed('m', 'v2', 4, 0, 3, 0)
    const merged = mergeStats([a.snapshot(), b.snapshot()])
    const v1 = merged.find((s) => s.version === 'v1')!
    expect(v1).toMatchObject({inference_count: 2, execution_count: 2, last_inference: Math.round(performance.timeOrigin + 5)})
    expect(v1.inference_stats.success).toEqual({count: 2, ns: 3_000_000})
    expect(v1.inference_stats.fail).toEqual({count: 1, ns: 5_000_000})
    expect(merged.find((s) => s.version === 'v2')!.batch_stats).toEqual([
      {batch_size: 4, compute_input: {count: 2, ns: 0}, compute_infer: {count: 2, ns: 4_000_000}, compute_output: {count: 2, ns: 0}},
    ])
    expect(mergeStats([[emptyStats('x', undefined)]])).toEqual([emptyStats('x', undefined)])
  })
})
