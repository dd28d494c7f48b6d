/**
 * Requests from a test set (the format of `mls test`): its one big request cut into requests of exactly `batchSize`
 * rows, taking rows in order and wrapping around at the end, so every request has the same size; at most
 * `maxRequests` distinct requests (they are sent in turn, over and over).
 */
import {usageError} from '../cli/cli-error.js'
import {flattenData} from '../protocol/flatten.js'
import type {InferenceRequestBody} from '../protocol/types.js'
import {rowCount} from '../testing/batches.js'
import type {TestSet} from '../testing/test-set.js'

export function testSetRequests(set: TestSet, batchSize: number, maxRequests = 1000): InferenceRequestBody[] {
  const rows = rowCount(set)
  if (rows === 0) throw usageError('the test set has no rows')
  const inputs = set.request.inputs.map((input) => {
    const data = flattenData(input.data)
    return {input, data, width: data.length / rows}
  })
  const count = Math.min(maxRequests, Math.ceil(rows / batchSize))
  return Array.from({length: count}, (_, r) => ({
    inputs: inputs.map(({input, data, width}) => {
      const values: unknown[] = []
      for (let i = 0; i < batchSize; i++) {
        const row = (r * batchSize + i) % rows
        for (let j = 0; j < width; j++) values.push(data[row * width + j])
      }
      return {name: input.name, datatype: input.datatype, shape: [batchSize, ...input.shape.slice(1)], ...(input.parameters ? {parameters: input.parameters} : {}), data: values}
    }),
  }))
}
