import {describe, expect, it} from 'vitest'
import {chooseSize, measuredGain, versionSize} from '../../../src/memory/measured-gain.js'
import {estimateBytes, floorBytes} from '../../../src/memory/size-estimate.js'

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

describe('versionSize', () => {
  const MiB = 1024 * 1024
  // An onnx model of 64 MB: estimate 2.25x + 128 KiB, floor 1.5x (src/memory/size-estimate.ts).
  const fileBytes = 64 * MiB
  const estimated = estimateBytes(fileBytes, 'onnx')
  const floor = floorBytes(fileBytes, 'onnx')

  it('a stated size wins over everything, even a larger measurement', () => {
    expect(versionSize({stated: MiB, measuredNow: 200 * MiB, measuredBefore: 300 * MiB, estimated, floor})).toEqual({bytes: MiB, source: 'stated'})
  })

  it('is the estimate until a load has measured it', () => {
    expect(versionSize({estimated, floor})).toEqual({bytes: estimated, source: 'estimated'})
  })

  it('takes the first load\'s measurement, below the estimate, and one above it too', () => {
    expect(versionSize({measuredNow: 107 * MiB, estimated, floor})).toEqual({bytes: 107 * MiB, source: 'measured'})
    expect(versionSize({measuredNow: 200 * MiB, estimated, floor})).toEqual({bytes: 200 * MiB, source: 'measured'})
  })

  it('never shrinks on a reload that reused freed pages: the earlier measurement stays', () => {
    expect(versionSize({measuredNow: 2.4 * MiB, measuredBefore: 107 * MiB, estimated, floor})).toEqual({bytes: 107 * MiB, source: 'measured'})
    // A reload that measures more raises it.
    expect(versionSize({measuredNow: 120 * MiB, measuredBefore: 107 * MiB, estimated, floor})).toEqual({bytes: 120 * MiB, source: 'measured'})
    // A load not measured alone keeps what was known.
    expect(versionSize({measuredBefore: 107 * MiB, estimated, floor})).toEqual({bytes: 107 * MiB, source: 'measured'})
  })

  it('never goes below the floor from the files, even on a first load into reused pages', () => {
    expect(versionSize({measuredNow: 2.4 * MiB, estimated, floor})).toEqual({bytes: floor, source: 'measured'})
    expect(floor).toBe(96 * MiB)
    expect(floor).toBeLessThan(estimated)
  })

  it('has no floor for a custom runtime: its measurement stands', () => {
    expect(versionSize({measuredNow: 0, estimated: estimateBytes(fileBytes, 'custom'), floor: floorBytes(fileBytes, 'custom')})).toEqual({bytes: 0, source: 'measured'})
  })
})
