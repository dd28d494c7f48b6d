/**
 * The REST binary tensor data extension on the client side: a V2 request becomes a JSON header followed by each
 * input's raw bytes (and asks for every output as binary); a binary answer is read back into the V2 JSON shape, so a
 * caller sees the same response either way.
 */
import {usageError} from '../cli/cli-error.js'
import {toTensorData} from '../codecs/tensor-data.js'
import {isDatatype, type Datatype} from '../protocol/datatypes.js'
import {flattenData} from '../protocol/flatten.js'
import {encodeOutputData} from '../protocol/json.js'
import {decodeRaw, encodeRaw} from '../protocol/raw.js'
import type {InferenceRequestBody, InferenceResponse, ResponseOutput} from '../protocol/types.js'


export interface BinaryBody {
  readonly body: Buffer
  /** Bytes of the JSON header at the start of `body`. */
  readonly headerLength: number
}

/** Every input's data as raw bytes after the JSON header; `binary_data_output` asks for binary outputs too. */
export function encodeBinaryRequest(request: InferenceRequestBody): BinaryBody {
  const chunks: Uint8Array[] = []
  const inputs = request.inputs.map(({data, ...input}) => {
    if (!isDatatype(input.datatype)) throw usageError(`input "${input.name}": unknown datatype "${input.datatype}"`)
    const values = toTensorData(input.datatype, flattenData(data), (message) => {
      throw usageError(`input "${input.name}": ${message}`)
    })
    const bytes = encodeRaw(input.datatype, values)
    chunks.push(bytes)
    return {...input, parameters: {...input.parameters, binary_data_size: bytes.byteLength}}
  })
  const header = Buffer.from(JSON.stringify({...request, inputs, parameters: {...request.parameters, binary_data_output: true}}))
  return {body: Buffer.concat([header, ...chunks]), headerLength: header.length}
}

/** A binary answer (JSON header of `headerLength` bytes, then the outputs' bytes) as a V2 JSON response. */
export function decodeBinaryResponse(body: Buffer, headerLength: number): InferenceResponse {
  const response = JSON.parse(body.subarray(0, headerLength).toString('utf8')) as InferenceResponse
  let offset = headerLength
  const outputs = response.outputs.map((output): ResponseOutput => {
    const {binary_data_size: size, ...parameters} = (output.parameters ?? {}) as {binary_data_size?: number}
    if (size === undefined) return output
    const datatype = output.datatype as Datatype
    const count = output.shape.reduce((a, b) => a * b, 1)
    const data = decodeRaw(body.subarray(offset, offset + size), datatype, count, `output "${output.name}"`)
    offset += size
    const rest = Object.keys(parameters).length > 0 ? {parameters} : {}
    return {name: output.name, shape: output.shape, datatype, ...rest, data: encodeOutputData({name: output.name, datatype, shape: output.shape, data})}
  })
  return {...response, outputs}
}
