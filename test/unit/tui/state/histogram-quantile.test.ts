/** histogram_quantile as Prometheus computes it, bucket deltas and merges. */
import {describe, expect, it} from 'vitest'
import {bucketDelta, histogramQuantile, mergeBuckets} from '../../../../src/tui/state/histogram-quantile.js'

const INF = Number.POSITIVE_INFINITY
const b = (...pairs: Array<[number, number]>) => pairs.map(([le, count]) => ({le, count}))

describe('histogramQuantile', () => {
  it('interpolates linearly inside the bucket that holds the rank', () => {
    const buckets = b([0.001, 50], [0.005, 100], [0.01, 110], [INF, 110])
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.0014, 10)
    expect(histogramQuantile(0.99, buckets)).toBeCloseTo(0.00945, 10)
  })

  it('starts the first bucket at 0', () => {
    expect(histogramQuantile(0.5, b([0.002, 10], [INF, 10]))).toBeCloseTo(0.001, 10)
  })

  it('answers the highest finite bound for a rank in the +Inf bucket', () => {
    expect(histogramQuantile(0.99, b([0.1, 1], [1, 2], [INF, 10]))).toBe(1)
  })

  it('is undefined without observations or without a +Inf bucket', () => {
    expect(histogramQuantile(0.5, b([0.1, 0], [INF, 0]))).toBeUndefined()
    expect(histogramQuantile(0.5, b([0.1, 3]))).toBeUndefined()
    expect(histogramQuantile(0.5, [])).toBeUndefined()
  })
})

describe('bucketDelta and mergeBuckets', () => {
  it('subtracts by bound, a missing older series counting as 0', () => {
    expect(bucketDelta(b([0.1, 2], [INF, 3]), b([0.1, 5], [INF, 9]))).toEqual(b([0.1, 3], [INF, 6]))
    expect(bucketDelta(undefined, b([0.1, 5], [INF, 9]))).toEqual(b([0.1, 5], [INF, 9]))
  })

  it('starts over from the newer counts after a reset', () => {
    expect(bucketDelta(b([0.1, 7], [INF, 9]), b([0.1, 1], [INF, 2]))).toEqual(b([0.1, 1], [INF, 2]))
  })

  it('sums lists by bound', () => {
    expect(mergeBuckets([b([0.1, 1], [INF, 2]), b([0.1, 3], [INF, 3])])).toEqual(b([0.1, 4], [INF, 5]))
  })
})
