/**
 * A request built from a model's metadata, for a model with no test set (or `mls bench --random`): each declared
 * input filled with seeded random values of its datatype; every -1 dimension becomes the batch size unless --shape
 * gives the input's shape.
 */
import {CliError, usageError} from '../cli/cli-error.js'
import {DATATYPES, isDatatype, type Datatype} from '../protocol/datatypes.js'
import {formatShape} from '../protocol/shape.js'
import type {InferenceRequestBody, ModelMetadata, TensorMetadata} from '../protocol/types.js'
import {mulberry32} from './prng.js'

/** Largest element count of one random input: a guard against a shape typo that would fill the memory. */
export const MAX_RANDOM_ELEMENTS = 16 * 1024 * 1024
/** Length of each random BYTES element. */
export const RANDOM_STRING_LENGTH = 16
const LETTERS = 'abcdefghijklmnopqrstuvwxyz'

/** `--shape NAME:D1,D2,...` (repeatable) into a map of input name to shape. */
export function parseShapes(values: readonly string[]): Map<string, number[]> {
  const shapes = new Map<string, number[]>()
  for (const value of values) {
    const match = /^(.+):(\d+(?:,\d+)*)$/.exec(value.trim())
    if (match === null) throw usageError(`--shape takes NAME:D1,D2,... (e.g. input:1,64), found "${value}"`)
    shapes.set(match[1], match[2].split(',').map(Number))
  }
  return shapes
}

/** The values of one element, as the JSON data of a V2 request takes them. */
function randomValue(datatype: Datatype, next: () => number): number | boolean | string {
  const info = DATATYPES[datatype]
  switch (info.kind) {
    case 'bool':
      return next() < 0.5
    case 'float':
      return next()
    case 'int':
    case 'uint':
      // Small non-negative integers fit every integer type (INT8 included) and any index-like input of size >= 100.
      return Math.floor(next() * 100)
    case 'bytes':
      return Array.from({length: RANDOM_STRING_LENGTH}, () => LETTERS[Math.floor(next() * LETTERS.length)]).join('')
  }
}

function inputShape(input: TensorMetadata, batchSize: number, given: number[] | undefined): number[] {
  if (given !== undefined) {
    const fits = given.length === input.shape.length && input.shape.every((d, i) => d < 0 || d === given[i])
    if (!fits) throw usageError(`--shape ${input.name}:${given.join(',')} does not fit the model input "${input.name}" ${formatShape(input.shape)}`)
    return given
  }
  return input.shape.map((d) => (d < 0 ? batchSize : d))
}

export interface RandomRequestOptions {
  readonly batchSize: number
  /** Shapes by input name (--shape). */
  readonly shapes?: ReadonlyMap<string, number[]>
  readonly seed?: number
}

/** One request with every declared input filled with random values; CliError (exit 2) when the metadata cannot say how. */
export function randomRequest(metadata: ModelMetadata, options: RandomRequestOptions): InferenceRequestBody {
  if (metadata.inputs.length === 0) {
    throw usageError(`model "${metadata.name}" declares no inputs, so no random request can be built: give --dataset FILE (a test set)`)
  }
  const unknown = [...(options.shapes?.keys() ?? [])].filter((name) => !metadata.inputs.some((i) => i.name === name))
  if (unknown.length > 0) {
    throw usageError(`--shape names ${unknown.map((n) => `"${n}"`).join(', ')}, not an input of model "${metadata.name}" (inputs: ${metadata.inputs.map((i) => i.name).join(', ')})`)
  }
  const next = mulberry32(options.seed ?? 1)
  return {
    inputs: metadata.inputs.map((input) => {
      if (!isDatatype(input.datatype)) throw usageError(`model input "${input.name}" has datatype "${input.datatype}", which mls bench cannot fill`)
      const shape = inputShape(input, options.batchSize, options.shapes?.get(input.name))
      const count = shape.reduce((a, b) => a * b, 1)
      if (count > MAX_RANDOM_ELEMENTS) {
        throw usageError(`input "${input.name}" of shape ${formatShape(shape)} would hold ${count} values, more than ${MAX_RANDOM_ELEMENTS}: lower --batch-size or give --shape`)
      }
      const data = Array.from({length: count}, () => randomValue(input.datatype, next))
      return {name: input.name, datatype: input.datatype, shape, data}
    }),
  }
}
