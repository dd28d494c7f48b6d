/** Splits a test set's one big request into requests of `batchSize` rows (dimension 0 of every input). */
import type {InferenceRequestBody} from '../protocol/types.js'
import type {TestSet} from './test-set.js'
import {flattenData} from '../protocol/flatten.js'

export interface Batch {
  /** First row of the batch. */
  readonly start: number
  readonly rows: number
  readonly request: InferenceRequestBody
}

export function rowCount(set: TestSet): number {
  return set.request.inputs[0].shape[0] ?? 1
}

export function* batches(set: TestSet, batchSize: number, limit: number): Generator<Batch> {
  const total = Math.min(rowCount(set), limit)
  const inputs = set.request.inputs.map((input) => {
    const data = flattenData(input.data)
    const rows = input.shape[0] ?? 1
    return {input, data, width: rows > 0 ? data.length / rows : 0}
  })
  const outputs = Object.keys(set.expected).map((name) => ({name}))
  for (let start = 0; start < total; start += batchSize) {
    const rows = Math.min(batchSize, total - start)
    yield {
      start,
      rows,
      request: {
        inputs: inputs.map(({input, data, width}) => ({
          name: input.name,
          datatype: input.datatype,
          shape: [rows, ...input.shape.slice(1)],
          ...(input.parameters ? {parameters: input.parameters} : {}),
          data: data.slice(start * width, (start + rows) * width),
        })),
        outputs,
      },
    }
  }
}
