import {describe, expect, it} from 'vitest'
import {parseConcurrencyLevels} from '../../../src/benchmark/levels.js'
import {testSetRequests} from '../../../src/benchmark/test-set-requests.js'
import type {TestSet} from '../../../src/testing/test-set.js'

describe('testSetRequests', () => {
  const set: TestSet = {
    request: {inputs: [{name: 'x', shape: [5, 2], datatype: 'FP32', parameters: {content_type: 'np'}, data: [[0, 0], [1, 1], [2, 2], [3, 3], [4, 4]]}]},
    expected: {predict: [0, 1, 2, 3, 4]},
  }

  it('cuts the rows into requests of exactly the batch size, wrapping around at the end', () => {
    const requests = testSetRequests(set, 2)
    expect(requests.map((r) => r.inputs[0].data)).toEqual([[0, 0, 1, 1], [2, 2, 3, 3], [4, 4, 0, 0]])
    expect(requests.every((r) => JSON.stringify(r.inputs[0].shape) === '[2,2]')).toBe(true)
    expect(requests[0].inputs[0]).toMatchObject({name: 'x', datatype: 'FP32', parameters: {content_type: 'np'}})
  })

  it('a batch larger than the set repeats its rows; the number of distinct requests is capped', () => {
    expect(testSetRequests(set, 7).map((r) => r.inputs[0].data)).toEqual([[0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 0, 0, 1, 1]])
    expect(testSetRequests(set, 1, 3).map((r) => r.inputs[0].data)).toEqual([[0, 0], [1, 1], [2, 2]])
  })
})

describe('parseConcurrencyLevels', () => {
  it('takes one level or a list, in the order given', () => {
    expect(parseConcurrencyLevels('4')).toEqual([4])
    expect(parseConcurrencyLevels('1, 4,16')).toEqual([1, 4, 16])
  })

  it.each(['0', '1,,2', '2.5', 'x', '1025', ''])('refuses "%s" with the range', (text) => {
    expect(() => parseConcurrencyLevels(text)).toThrow(/--concurrency takes a comma-separated list of integers from 1 to 1024/)
  })
})
