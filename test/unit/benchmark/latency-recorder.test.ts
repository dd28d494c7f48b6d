import {describe, expect, it} from 'vitest'
import {LatencyRecorder} from '../../../src/benchmark/latency-recorder.js'

describe('LatencyRecorder', () => {
  it('gives nearest-rank p50 / p90 / p99, mean and max of values recorded in any order', () => {
    const recorder = new LatencyRecorder()
    const values = Array.from({length: 100}, (_, i) => i + 1)
    for (const v of values.reverse()) recorder.record(v)
    expect(recorder.summary()).toEqual({p50: 50, p90: 90, p99: 99, mean: 50.5, max: 100})
  })

  it('keeps every value past its initial capacity, and sorts numerically (not as strings)', () => {
    const recorder = new LatencyRecorder()
    for (let i = 0; i < 5000; i++) recorder.record(i % 5 < 3 ? 2 : 10) // as strings "10" < "2"
    recorder.record(1000)
    expect(recorder.count).toBe(5001)
    expect(recorder.summary()).toMatchObject({p50: 2, p90: 10, p99: 10, max: 1000})
  })

  it('one value is every percentile; none is null', () => {
    const one = new LatencyRecorder()
    one.record(0.1234567)
    expect(one.summary()).toEqual({p50: 0.123, p90: 0.123, p99: 0.123, mean: 0.123, max: 0.123})
    expect(new LatencyRecorder().summary()).toBeNull()
  })

  it('p99 of 1000 values is the 990th smallest', () => {
    const recorder = new LatencyRecorder()
    for (let i = 1000; i >= 1; i--) recorder.record(i / 10)
    const summary = recorder.summary()!
    expect(summary.p99).toBe(99)
    expect(summary.p90).toBe(90)
    expect(summary.p50).toBe(50)
  })
})
