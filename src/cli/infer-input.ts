/**
 * What `mls infer` sends: a V2 request as given, or plain values (a JSON array, or CSV rows) wrapped into the model's
 * one input using its metadata, with the data length checked against the input's shape before anything is sent.
 */
import {readFile} from 'node:fs/promises'
import {formatShape} from '../protocol/shape.js'
import type {InferenceRequestBody, ModelMetadata} from '../protocol/types.js'
import {usageError} from './cli-error.js'

/** The text of the request: --data, --input FILE, or stdin. */
export async function readInputText(options: {data?: string; input?: string; stdin?: NodeJS.ReadStream}): Promise<{text: string; source: string}> {
  if (options.data !== undefined) return {text: options.data, source: '--data'}
  if (options.input !== undefined) {
    try {
      return {text: await readFile(options.input, 'utf8'), source: options.input}
    } catch (error) {
      throw usageError(`cannot read ${options.input}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
    }
  }
  const stdin = options.stdin ?? process.stdin
  if (stdin.isTTY) throw usageError('no request: give --input FILE, --data \'<json>\', or pipe JSON into stdin')
  let text = ''
  for await (const chunk of stdin) text += chunk
  return {text, source: 'stdin'}
}

/** JSON, or CSV rows of numbers (one row a line) when the text is not JSON-looking. */
export function parseInputText(text: string, source: string): unknown {
  const trimmed = text.trim()
  if (trimmed === '') throw usageError(`${source} is empty`)
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed)
    } catch (error) {
      throw usageError(`${source} is not valid JSON: ${(error as Error).message}`)
    }
  }
  const rows = trimmed.split(/\r?\n/).filter((line) => line.trim() !== '')
  return rows.map((line, r) =>
    line.split(',').map((cell, c) => {
      const value = Number(cell.trim())
      if (cell.trim() === '' || Number.isNaN(value)) {
        throw usageError(`${source}: row ${r + 1}, column ${c + 1} is ${JSON.stringify(cell.trim())}, not a number (expected JSON or CSV rows of numbers)`)
      }
      return value
    }),
  )
}

const isRequest = (value: unknown): value is InferenceRequestBody =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && 'inputs' in value


/** The shape plain values take in the declared input: nested arrays give their own, flat ones fill the -1 dimension. */
function shapeFor(values: unknown[], declared: readonly number[], inputName: string): number[] {
  if (Array.isArray(values[0])) {
    const shape: number[] = []
    for (let level: unknown = values; Array.isArray(level); level = level[0]) shape.push(level.length)
    return shape
  }
  const fixed = declared.filter((d) => d >= 0).reduce((a, b) => a * b, 1)
  const variable = declared.filter((d) => d < 0).length
  if (declared.length === 0) return [values.length]
  if (variable === 0 ? values.length !== fixed : fixed === 0 || values.length % fixed !== 0 || variable > 1) {
    throw usageError(`${values.length} values do not fit the model input "${inputName}" ${formatShape(declared)}${fixed > 1 ? ` (a multiple of ${fixed} is needed)` : ''}`)
  }
  return declared.map((d) => (d >= 0 ? d : values.length / fixed))
}

/** The V2 request to send; `metadata` is needed only to wrap plain values. */
export function buildRequest(value: unknown, metadata: () => Promise<ModelMetadata>, outputs: readonly string[]): Promise<InferenceRequestBody> {
  const withOutputs = (request: InferenceRequestBody): InferenceRequestBody =>
    outputs.length > 0 ? {...request, outputs: outputs.map((name) => ({name}))} : request
  if (isRequest(value)) return Promise.resolve(withOutputs(value))
  if (!Array.isArray(value)) {
    return Promise.reject(usageError('the request must be a V2 inference request ({"inputs": [...]}), a JSON array of values, or CSV rows'))
  }
  return metadata().then((meta) => {
    if (meta.inputs.length !== 1) {
      throw usageError(
        meta.inputs.length === 0
          ? `model "${meta.name}" does not declare its inputs: send a V2 request ({"inputs": [...]}) instead of plain values`
          : `model "${meta.name}" takes ${meta.inputs.length} inputs (${meta.inputs.map((i) => i.name).join(', ')}): send a V2 request instead of plain values`,
      )
    }
    const [input] = meta.inputs
    const shape = shapeFor(value, input.shape, input.name)
    if (Array.isArray(value[0]) && (shape.length !== input.shape.length || input.shape.some((d, i) => d >= 0 && d !== shape[i]))) {
      throw usageError(`values of shape ${formatShape(shape)} do not fit the model input "${input.name}" ${formatShape(input.shape)}`)
    }
    return withOutputs({inputs: [{name: input.name, datatype: input.datatype, shape, data: value}]})
  })
}
