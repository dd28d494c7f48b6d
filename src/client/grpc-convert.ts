/** V2 JSON requests and responses <-> the gRPC messages, on the client side. */
import {decodeUtf8, encodeUtf8} from '../protocol/bytes.js'
import {CONTENTS_FIELD, type TensorContents} from '../protocol/contents-fields.js'
import {DATATYPES, isDatatype, type Datatype} from '../protocol/datatypes.js'
import {encodeOutputData} from '../protocol/json.js'
import type {InferInputTensorMessage, ModelInferRequestMessage, ModelInferResponseMessage} from '../protocol/grpc-messages.js'
import {fromInferParameters, toInferParameters} from '../protocol/grpc-parameters.js'
import {decodeRaw, encodeRaw} from '../protocol/raw.js'
import type {InferenceRequestBody, InferenceResponse, ResponseOutput, TensorData} from '../protocol/types.js'
import {flattenData} from '../protocol/flatten.js'
import {elementCount} from '../protocol/shape.js'

/** JSON values of one input as the datatype's typed array (for raw contents). */
function toTensorData(datatype: Datatype, values: unknown[]): TensorData {
  if (datatype === 'BYTES') return values.map((v) => encodeUtf8(String(v)))
  const info = DATATYPES[datatype]
  const array = new info.array!(values.length)
  values.forEach((v, i) => {
    array[i] = (info.big ? BigInt(v as number) : datatype === 'BOOL' ? (v ? 1 : 0) : v === null ? NaN : v) as never
  })
  return array
}

/** `raw`: every input as raw_input_contents; otherwise typed contents, unless an input is FP16 (no typed field). */
export function toModelInferRequest(name: string, version: string | undefined, body: InferenceRequestBody, options: {raw?: boolean} = {}): ModelInferRequestMessage {
  // FP16 has no typed field: a request with an FP16 input goes raw, every input alike.
  const raw = options.raw === true || body.inputs.some((input) => input.datatype === 'FP16')
  const inputs = body.inputs.map((input): InferInputTensorMessage => {
    const values = flattenData(input.data)
    const base = {name: input.name, datatype: input.datatype, shape: input.shape, parameters: toInferParameters(input.parameters)}
    if (raw || !isDatatype(input.datatype)) return base
    const field = CONTENTS_FIELD[input.datatype]!
    const contents: TensorContents = {[field]: input.datatype === 'BYTES' ? values.map((v) => Buffer.from(String(v))) : values}
    return {...base, contents}
  })
  return {
    model_name: name,
    model_version: version ?? '',
    id: body.id ?? '',
    parameters: toInferParameters(body.parameters),
    inputs,
    outputs: (body.outputs ?? []).map((o) => ({name: o.name, parameters: toInferParameters(o.parameters)})),
    raw_input_contents: raw
      ? body.inputs.map((input) => Buffer.from(encodeRaw(input.datatype as Datatype, toTensorData(input.datatype as Datatype, flattenData(input.data)))))
      : [],
  }
}

export function fromModelInferResponse(message: ModelInferResponseMessage): InferenceResponse {
  const outputs = message.outputs.map((o, i): ResponseOutput => {
    const datatype = o.datatype as Datatype
    const shape = o.shape.map(Number)
    let data: ResponseOutput['data']
    if (message.raw_output_contents.length > 0) {
      const tensor = decodeRaw(message.raw_output_contents[i], datatype, elementCount(shape), `output "${o.name}"`)
      data = encodeOutputData({name: o.name, datatype, shape, data: tensor})
    } else {
      const values = (o.contents?.[CONTENTS_FIELD[datatype]!] ?? []) as unknown[]
      data = datatype === 'BYTES' ? values.map((v) => decodeUtf8(v as Uint8Array)) : (values as ResponseOutput['data']).map((v) => (typeof v === 'string' ? Number(v) : v))
    }
    const parameters = fromInferParameters(o.parameters)
    return {name: o.name, shape, datatype, ...(parameters ? {parameters} : {}), data}
  })
  const parameters = fromInferParameters(message.parameters)
  return {
    model_name: message.model_name,
    ...(message.model_version ? {model_version: message.model_version} : {}),
    id: message.id,
    ...(parameters ? {parameters} : {}),
    outputs,
  }
}
