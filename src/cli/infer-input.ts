/**
 * What `mls infer` sends: a V2 request as given, or plain values (a JSON array, or CSV rows, with or without a header
 * row) wrapped into the model's inputs using its metadata, with the data length checked against each input's shape
 * before anything is sent.
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

/** CSV with a header row (pandas' `to_csv(index=False)`): the column names, then rows of numbers. */
export interface CsvTable {
  readonly columns: readonly string[]
  readonly rows: readonly number[][]
}

const DELIMITERS = [',', ';', '\t', '|'] as const

/** The delimiter the first line uses most (",", ";", tab or "|"); "," for a single column. */
export function detectDelimiter(firstLine: string): string {
  const counts = DELIMITERS.map((d) => [d, splitCsvLine(firstLine, d).length - 1] as const)
  const [best, count] = counts.reduce((a, b) => (b[1] > a[1] ? b : a))
  return count > 0 ? best : ','
}

/** One CSV line's cells: double-quoted cells may hold the delimiter and "" for a quote; cells are trimmed. */
function splitCsvLine(line: string, delimiter: string): string[] {
  const cells: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (cell += '"'), i++
      else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === delimiter) cells.push(cell.trim()), (cell = '')
    else cell += c
  }
  cells.push(cell.trim())
  return cells
}

const isNumber = (cell: string) => cell !== '' && !Number.isNaN(Number(cell))

/**
 * CSV rows of numbers, or a CsvTable when the first row holds a cell that is not a number (a header, as pandas
 * writes). `delimiter`: ",", ";", a tab, ... (default: detected from the first line). A first column with an empty
 * name is pandas' index (`to_csv()` with its default index=True) and is left out.
 */
export function parseCsv(text: string, source: string, delimiter?: string): number[][] | CsvTable {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '')
  const sep = delimiter ?? detectDelimiter(lines[0])
  let table = lines.map((line) => splitCsvLine(line, sep))
  const header = table[0].some((cell) => !isNumber(cell)) ? table[0] : undefined
  const dropIndex = header !== undefined && header[0] === '' && header.length > 1
  if (dropIndex) table = table.map((cells) => cells.slice(1))
  const body = header === undefined ? table : table.slice(1)
  const first = header === undefined ? 1 : 2
  const rows = body.map((cells, r) =>
    cells.map((cell, c) => {
      if (!isNumber(cell)) {
        const where = `row ${r + first}, column ${c + 1 + (dropIndex ? 1 : 0)}`
        throw usageError(`${source}: ${where} is ${JSON.stringify(cell)}, not a number (expected JSON, or CSV rows of numbers with an optional header row)`)
      }
      return Number(cell)
    }),
  )
  return header === undefined ? rows : {columns: dropIndex ? header.slice(1) : header, rows}
}

/** JSON, or CSV (parseCsv) when the text is not JSON-looking. */
export function parseInputText(text: string, source: string, options: {delimiter?: string} = {}): unknown {
  const trimmed = text.trim()
  if (trimmed === '') throw usageError(`${source} is empty`)
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed)
    } catch (error) {
      throw usageError(`${source} is not valid JSON: ${(error as Error).message}`)
    }
  }
  return parseCsv(trimmed, source, options.delimiter)
}

const isCsvTable = (value: unknown): value is CsvTable => value !== null && typeof value === 'object' && 'columns' in value && 'rows' in value

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

/**
 * The inputs of a CSV table with a header: when every column names an input of the model, one input per column
 * (as MLServer's pd content type reads a DataFrame); otherwise, for a model of one input, the rows of that input.
 */
function tableInputs(table: CsvTable, meta: ModelMetadata): InferenceRequestBody['inputs'] | undefined {
  const byName = new Map(meta.inputs.map((input) => [input.name, input]))
  if (!table.columns.every((name) => byName.has(name))) {
    if (meta.inputs.length === 1) return undefined
    const unknown = table.columns.filter((name) => !byName.has(name))
    throw usageError(`CSV columns ${unknown.map((n) => `"${n}"`).join(', ')} name no input of model "${meta.name}" (inputs: ${meta.inputs.map((i) => i.name).join(', ')})`)
  }
  const missing = meta.inputs.filter((input) => !table.columns.includes(input.name))
  if (missing.length > 0) throw usageError(`model "${meta.name}" also takes ${missing.map((i) => i.name).join(', ')}: add a CSV column for each, or send a V2 request`)
  return table.columns.map((name, c) => {
    const input = byName.get(name)!
    const column = table.rows.map((row) => row[c])
    return {name, datatype: input.datatype, shape: shapeFor(column, input.shape, name), data: column}
  })
}

/** The V2 request to send; `metadata` is needed only to wrap plain values. */
export function buildRequest(value: unknown, metadata: () => Promise<ModelMetadata>, outputs: readonly string[]): Promise<InferenceRequestBody> {
  const withOutputs = (request: InferenceRequestBody): InferenceRequestBody =>
    outputs.length > 0 ? {...request, outputs: outputs.map((name) => ({name}))} : request
  if (isRequest(value)) return Promise.resolve(withOutputs(value))
  if (!Array.isArray(value) && !isCsvTable(value)) {
    return Promise.reject(usageError('the request must be a V2 inference request ({"inputs": [...]}), a JSON array of values, or CSV rows'))
  }
  return metadata().then((meta) => {
    if (isCsvTable(value) && meta.inputs.length > 0) {
      const inputs = tableInputs(value, meta)
      if (inputs !== undefined) return withOutputs({inputs})
    }
    const values: unknown[] = isCsvTable(value) ? [...value.rows] : value
    if (meta.inputs.length !== 1) {
      throw usageError(
        meta.inputs.length === 0
          ? `model "${meta.name}" does not declare its inputs: send a V2 request ({"inputs": [...]}) instead of plain values`
          : `model "${meta.name}" takes ${meta.inputs.length} inputs (${meta.inputs.map((i) => i.name).join(', ')}): send a V2 request, or CSV with a header row naming them, instead of plain values`,
      )
    }
    const [input] = meta.inputs
    const shape = shapeFor(values, input.shape, input.name)
    if (Array.isArray(values[0]) && (shape.length !== input.shape.length || input.shape.some((d, i) => d >= 0 && d !== shape[i]))) {
      throw usageError(`values of shape ${formatShape(shape)} do not fit the model input "${input.name}" ${formatShape(input.shape)}`)
    }
    return withOutputs({inputs: [{name: input.name, datatype: input.datatype, shape, data: values}]})
  })
}
