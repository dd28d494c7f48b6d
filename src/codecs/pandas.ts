/**
 * `pd`: a request as a Table, one input per column (MLServer's PandasCodec), request level only. A column input has
 * shape [N] or [N, 1]; every column has the same N. An input with its own content type (say `datetime`) becomes the
 * column its codec decodes; otherwise BYTES columns are strings, BOOL columns booleans, numeric columns typed arrays.
 * Encoding sends each column as an [N, 1] output: numbers without a content type, strings as `str`, Dates as
 * `datetime`, byte strings as `base64`, and the response carries `content_type: pd`, as MLServer does.
 */
import {MlsError} from '../errors.js'
import {formatShape} from '../protocol/shape.js'
import type {InferRequest, InferResult, Tensor} from '../protocol/types.js'
import type {RequestCodec, ResponseEncoding} from './codec.js'
import {decodeError, describe, encodeError} from './codec-error.js'
import {Base64Codec} from './base64.js'
import {DatetimeCodec} from './datetime.js'
import {isNdArray} from './ndarray.js'
import {NumpyCodec} from './numpy.js'
import {StringCodec} from './string.js'
import {elementsAsText} from './strings.js'
import {Table, type ColumnValues} from './table.js'
import {inferDatatype, toTensorData, typedArrayDatatype} from './tensor-data.js'

const CONTENT_TYPE = 'pd'

/** A Table, also one made by another copy of mls (a runtime that imports its own). */
export function isTable(value: unknown): value is Table {
  if (value instanceof Table) return true
  const v = value as Partial<Table> | null
  return typeof v === 'object' && v !== null && Array.isArray(v.columns) && typeof v.column === 'function' && typeof v.length === 'number'
}

function rowsOf(input: Tensor): number {
  const {shape} = input
  if (shape.length === 0 || shape.slice(1).some((d) => d !== 1)) {
    throw decodeError('INVALID_SHAPE', CONTENT_TYPE, input, `shape ${formatShape(shape)} is not a column: expected [N] or [N, 1]`)
  }
  return shape[0]
}

function defaultColumn(input: Tensor): ColumnValues {
  if (input.datatype === 'BYTES') return elementsAsText(CONTENT_TYPE, input)
  const {data} = NumpyCodec.decode(input)
  return input.datatype === 'BOOL' ? Array.from(data as Uint8Array, (v) => v !== 0) : data
}

function decodedColumn(input: Tensor, value: unknown): ColumnValues {
  if (isNdArray(value)) return value.datatype === 'BOOL' ? Array.from(value.data as Uint8Array, (v) => v !== 0) : (value.data as ColumnValues)
  if (Array.isArray(value) || ArrayBuffer.isView(value)) return value as ColumnValues
  throw decodeError('INVALID_DATA', CONTENT_TYPE, input, `its content type decodes to ${describe(value)}, which is not a column`)
}

function encodeColumn(name: string, values: ColumnValues, encoding: ResponseEncoding): Tensor {
  const fail = (message: string): never => {
    throw encodeError(CONTENT_TYPE, name, message)
  }
  const declared = encoding.outputs?.find((o) => o.name === name)?.datatype
  const shape = [values.length, 1]
  const own = typedArrayDatatype(values)
  if (own !== undefined) return {name, datatype: declared ?? own, shape, data: toTensorData(declared ?? own, values, fail)}
  const list = values as readonly unknown[]
  if (list.length > 0 && list.every((v) => typeof v === 'string')) return StringCodec.encode(name, list as string[])
  if (list.length > 0 && list.every((v) => v instanceof Date)) return DatetimeCodec.encode(name, list as Date[])
  if (list.length > 0 && list.every((v) => v instanceof Uint8Array)) return Base64Codec.encode(name, list as Uint8Array[])
  const datatype = declared ?? inferDatatype(list)
  if (datatype === undefined) return fail(`a column holds one kind of value; found ${describe(list.find((v) => typeof v !== typeof list[0]))} among ${describe(list[0])}`)
  return {name, datatype, shape, data: toTensorData(datatype, list, fail)}
}

export const PandasCodec: RequestCodec<Table> = {
  contentType: CONTENT_TYPE,
  canEncode: isTable,
  decodeRequest(request: InferRequest, decoded: ReadonlyMap<string, unknown>): Table {
    const columns = request.inputs.map((input) => {
      const rows = rowsOf(input)
      const values = decoded.has(input.name) ? decodedColumn(input, decoded.get(input.name)) : defaultColumn(input)
      if (values.length !== rows) throw decodeError('INVALID_SHAPE', CONTENT_TYPE, input, `decodes to ${values.length} values for ${rows} rows`)
      return [input.name, values] as const
    })
    const rows = new Set(columns.map(([, values]) => values.length))
    if (rows.size > 1) {
      throw new MlsError('INVALID_SHAPE', `content type pd: the columns differ in length (${columns.map(([n, v]) => `"${n}": ${v.length}`).join(', ')})`)
    }
    return new Table(columns)
  },
  encodeResponse(table: Table, encoding: ResponseEncoding): InferResult {
    const outputs = table.columns.map((name) => encodeColumn(name, table.column(name), encoding))
    return {outputs, parameters: {content_type: CONTENT_TYPE}}
  },
}
