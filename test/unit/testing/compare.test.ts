import {describe, expect, it} from 'vitest'
import {batches} from '../../../src/testing/batches.js'
import {checkBatch, predictedClass, valuesAgree} from '../../../src/testing/compare.js'
import {percentile, summarizeLatencies} from '../../../src/testing/stats.js'

describe('test-set batches', () => {
  const set = {request: {inputs: [{name: 'x', shape: [5, 2], datatype: 'FP32' as const, data: [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]}]}, expected: {predict: [0, 1, 2, 3, 4]}}
  it('slices rows of dimension 0 and asks for the expected outputs', () => {
    const all = [...batches(set, 2, Infinity)]
    expect(all.map((b) => [b.start, b.rows, b.request.inputs[0].shape, b.request.inputs[0].data])).toEqual([
      [0, 2, [2, 2], [0, 0, 1, 1]],
      [2, 2, [2, 2], [2, 2, 3, 3]],
      [4, 1, [1, 2], [4, 4]],
    ])
    expect(all[0].request.outputs).toEqual([{name: 'predict'}])
    expect([...batches(set, 10, 3)].map((b) => b.rows)).toEqual([3])
  })
})

describe('comparison', () => {
  it('compares numbers within the tolerance, others exactly, NaN with NaN', () => {
    expect(valuesAgree(0.1000001, 0.1, 1e-6)).toBe(true)
    expect(valuesAgree(0.100002, 0.1, 1e-6)).toBe(false)
    expect(valuesAgree(NaN, NaN, 0)).toBe(true)
    expect(valuesAgree('a', 'a', 0)).toBe(true)
  })
  it('reads a class from a label, a probability or scores', () => {
    expect(predictedClass([7])).toBe(7)
    expect(predictedClass([0.7])).toBe(1)
    expect(predictedClass([0.2])).toBe(0)
    expect(predictedClass([0.1, 0.7, 0.2])).toBe(1)
  })
  it('checks a batch row by row and says where the first mismatch is', () => {
    const response = {model_name: 'm', id: '1', outputs: [{name: 'predict', shape: [2, 1], datatype: 'INT64' as const, data: [3, 5]}]}
    const check = checkBatch(response, {predict: [9, 3, 4, 9]}, 4, 1, 2, 0)
    expect(check.agree).toEqual([true, false])
    expect(check.mismatch).toBe('row 2: predict is [5], expected [4]')
    expect(checkBatch({...response, outputs: []}, {predict: [1, 2, 3, 4]}, 4, 0, 2, 0).mismatch).toBe('the response has no output "predict"')
  })
})

describe('latency summary', () => {
  it('uses nearest-rank percentiles', () => {
    const values = Array.from({length: 100}, (_, i) => i + 1)
    expect(percentile(values, 50)).toBe(50)
    expect(percentile(values, 99)).toBe(99)
    expect(summarizeLatencies([3, 1, 2])).toMatchObject({p50: 2, p99: 3, mean: 2, max: 3})
  })
})
