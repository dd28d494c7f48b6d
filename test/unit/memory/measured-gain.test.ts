import {describe, expect, it} from 'vitest'
import {chooseSize, measuredGain} from '../../../src/memory/measured-gain.js'

const sample = (rss: number, heapUsed: number, external: number) => ({rss, heapUsed, external})

describe('measuredGain', () => {
  it('takes the larger of the RSS delta and the V8 (heap + external) delta', () => {
    // Native memory (onnxruntime): only RSS sees it.
    expect(measuredGain(sample(100, 10, 5), sample(600, 12, 5))).toBe(500)
    // RSS reused freed arena pages and did not grow; V8 saw a forest and its buffers.
    expect(measuredGain(sample(1000, 100, 50), sample(1000, 300, 150))).toBe(300)
  })

  it('is never negative (a GC during the load)', () => {
    expect(measuredGain(sample(1000, 500, 100), sample(900, 200, 100))).toBe(0)
  })

  it('reads process.memoryUsage() samples as they are', () => {
    const before = process.memoryUsage()
    const held = Buffer.alloc(8 * 1024 * 1024, 1)
    const after = process.memoryUsage()
    expect(measuredGain(before, after)).toBeGreaterThanOrEqual(held.length)
  })
})

describe('chooseSize', () => {
  it('a stated size wins over a measurement, a measurement over the estimate', () => {
    expect(chooseSize({stated: 10, measured: 20, estimated: 30})).toEqual({bytes: 10, source: 'stated'})
    expect(chooseSize({measured: 20, estimated: 30})).toEqual({bytes: 20, source: 'measured'})
    expect(chooseSize({estimated: 30})).toEqual({bytes: 30, source: 'estimated'})
  })
})
