/**
 * ModelInferRequest -> a V2 request for the data plane, and an inference result -> ModelInferResponse. Typed
 * `contents` travel as value arrays and raw_input_contents as RawBytes; the data plane validates both alike.
 */
import {MlsError} from '../../errors.js'
import {CONTENTS_FIELD as FIELD, type ContentsField, type TensorContents} from '../../protocol/contents-fields.js'
import {isDatatype} from '../../protocol/datatypes.js'
import {RawBytes, encodeRaw} from '../../protocol/raw.js'
import type {InferenceResult, Tensor} from '../../protocol/types.js'
import {encodeOutputData} from '../../protocol/json.js'
import type {InferInputTensorMessage, ModelInferRequestMessage, ModelInferResponseMessage} from '../../protocol/grpc-messages.js'
import {fromInferParameters, toInferParameters} from '../../protocol/grpc-parameters.js'

/** The contents fields that hold values (the loader gives every field, empty ones as []); allocates only for those. */
function filled(contents: TensorContents | null | undefined): string[] {
  const fields: string[] = []
  if (contents === undefined || contents === null) return fields
  for (const field in contents) {
    const values = contents[field as ContentsField]
    if (Array.isArray(values) && values.length > 0) fields.push(field)
  }
  return fields
}

function typedData(input: InferInputTensorMessage): unknown[] {
  const present = filled(input.contents)
  if (!isDatatype(input.datatype)) return (present.length === 1 ? input.contents![present[0] as ContentsField] : []) ?? []
  const field = FIELD[input.datatype]
  if (field === undefined) {
    throw new MlsError('INVALID_DATA', `input "${input.name}": ${input.datatype} data must be sent in raw_input_contents`)
  }
  const wrong = present.filter((f) => f !== field)
  if (wrong.length > 0) {
    throw new MlsError('INVALID_DATA', `input "${input.name}": datatype ${input.datatype} takes its data in ${field}, found ${wrong.join(', ')}`)
  }
  return input.contents?.[field] ?? []
}

/**
 * Shape dimensions as small integers where they fit. protobufjs computes int64 values as doubles (64 arrives as a heap
 * number, not a small integer), while JSON gives small integers: without this, the data plane's shape code sees both
 * kinds and runs slower for REST and gRPC alike.
 */
function smallIntegers(values: number[]): number[] {
  const out = new Array<number>(values.length)
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    out[i] = v >= -0x80000000 && v <= 0x7fffffff ? v | 0 : v
  }
  return out
}

/** The V2 request the data plane validates; `raw` tells whether the answer must use raw_output_contents. */
export function fromModelInferRequest(message: ModelInferRequestMessage): {body: unknown; raw: boolean} {
  const raw = message.raw_input_contents.length > 0
  if (raw && message.raw_input_contents.length !== message.inputs.length) {
    throw new MlsError(
      'INVALID_REQUEST',
      `raw_input_contents has ${message.raw_input_contents.length} entries for ${message.inputs.length} inputs; send one per input, in order`,
    )
  }
  const inputs = message.inputs.map((input, i) => {
    if (raw && filled(input.contents).length > 0) {
      throw new MlsError('INVALID_REQUEST', `input "${input.name}": contents and raw_input_contents cannot both be used`)
    }
    return {
      name: input.name,
      datatype: input.datatype,
      shape: smallIntegers(input.shape),
      parameters: fromInferParameters(input.parameters),
      data: raw ? new RawBytes(message.raw_input_contents[i]) : typedData(input),
    }
  })
  const body = {
    id: message.id || undefined,
    parameters: fromInferParameters(message.parameters),
    inputs,
    outputs: message.outputs.length > 0 ? message.outputs.map((o) => ({name: o.name, parameters: fromInferParameters(o.parameters)})) : undefined,
  }
  return {body, raw}
}

function toContents(tensor: Tensor): TensorContents {
  const field = FIELD[tensor.datatype]!
  // BYTES go as bytes; numbers and BOOL as plain arrays (protobufjs takes plain arrays only for repeated fields).
  const values = tensor.datatype === 'BYTES' ? (tensor.data as readonly Uint8Array[] as Uint8Array[]) : encodeOutputData(tensor)
  return {[field]: values} as TensorContents
}

export function toModelInferResponse(result: InferenceResult, raw: boolean): ModelInferResponseMessage {
  // FP16 has no typed contents field: a response holding one is sent raw.
  const useRaw = raw || result.outputs.some((t) => t.datatype === 'FP16')
  const outputs: ModelInferResponseMessage['outputs'] = new Array(result.outputs.length)
  for (let i = 0; i < outputs.length; i++) {
    const t = result.outputs[i]
    outputs[i] = {name: t.name, datatype: t.datatype, shape: [...t.shape], parameters: toInferParameters(t.parameters), contents: useRaw ? undefined : toContents(t)}
  }
  return {
    model_name: result.model_name,
    model_version: result.model_version ?? '',
    id: result.id,
    parameters: toInferParameters(result.parameters),
    outputs,
    raw_output_contents: useRaw ? result.outputs.map((t) => encodeRaw(t.datatype, t.data)) : [],
  }
}
