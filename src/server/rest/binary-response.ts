/**
 * The binary tensor data extension, response side: outputs asked for as binary (`binary_data_output: true` on the
 * request, or `binary_data: true` on a requested output) leave the JSON with `parameters.binary_data_size` and follow
 * it as raw bytes; the JSON's length goes in the Inference-Header-Content-Length header.
 */
import {constants} from 'node:buffer'
import {MlsError} from '../../errors.js'
import {encodeOutput} from '../../protocol/json.js'
import {encodeRaw} from '../../protocol/raw.js'
import {jsonTextBound} from '../../protocol/tensor-size.js'
import type {InferenceResult, ResponseOutput, Tensor} from '../../protocol/types.js'

/**
 * The longest JSON text an answer may take: V8's longest string, less room for the envelope. The data plane bounds raw
 * output bytes (max_response_size); JSON text takes up to about 6 characters per raw byte (12 for FP16), so with a raw
 * limit above about 80 MiB a JSON answer could outgrow what JSON.stringify can build ("Invalid string length", a
 * 500). Counted from the tensors before any text exists; past it is 400 RESPONSE_TOO_LARGE (binary data or gRPC carry it).
 */
export const MAX_JSON_ANSWER = constants.MAX_STRING_LENGTH - 1024 * 1024

/** Refuses an answer whose outputs sent as JSON could exceed MAX_JSON_ANSWER characters. */
function checkJsonText(result: InferenceResult, asJson: (tensor: Tensor) => boolean): void {
  let bound = 0
  for (const tensor of result.outputs) if (asJson(tensor)) bound += jsonTextBound(tensor)
  if (bound <= MAX_JSON_ANSWER) return
  throw new MlsError(
    'RESPONSE_TOO_LARGE',
    `the answer of model "${result.model_name}" as JSON could take ${bound} characters, more than a JSON answer may (${MAX_JSON_ANSWER}); ` +
      'ask for the outputs as binary data (parameters.binary_data_output: true), use gRPC, or send a smaller input',
  )
}

const ALL = () => true

interface RequestFlags {
  parameters?: {binary_data_output?: unknown}
  outputs?: Array<{name?: unknown; parameters?: {binary_data?: unknown}}>
}

export type RestBody = {kind: 'json'; body: unknown} | {kind: 'binary'; body: Buffer; headerLength: number}

/** Whether the request asks for any output as binary data (the extension's flags). */
function wantsBinary(flags: RequestFlags): boolean {
  if (flags.parameters?.binary_data_output === true) return true
  if (!Array.isArray(flags.outputs)) return false
  return flags.outputs.some((o) => o?.parameters?.binary_data === true)
}

export function encodeRestResponse(result: InferenceResult, request: unknown): RestBody {
  const flags = (request ?? {}) as RequestFlags
  if (!wantsBinary(flags)) {
    checkJsonText(result, ALL)
    return {kind: 'json', body: jsonResponse(result, result.outputs.map(encodeOutput))}
  }
  const all = flags.parameters?.binary_data_output === true
  const named = new Set((Array.isArray(flags.outputs) ? flags.outputs : []).filter((o) => o?.parameters?.binary_data === true).map((o) => o.name))
  const binary = (name: string) => all || named.has(name)
  checkJsonText(result, (tensor) => !binary(tensor.name))
  const chunks: Uint8Array[] = []
  const outputs = result.outputs.map((tensor): ResponseOutput | Omit<ResponseOutput, 'data'> => {
    if (!binary(tensor.name)) return encodeOutput(tensor)
    const bytes = encodeRaw(tensor.datatype, tensor.data)
    chunks.push(bytes)
    return {name: tensor.name, shape: [...tensor.shape], datatype: tensor.datatype, parameters: {...tensor.parameters, binary_data_size: bytes.byteLength}}
  })
  if (chunks.length === 0) return {kind: 'json', body: jsonResponse(result, outputs)}
  const header = Buffer.from(JSON.stringify(jsonResponse(result, outputs)))
  return {kind: 'binary', body: Buffer.concat([header, ...chunks]), headerLength: header.length}
}

/** The answer's JSON object, fields in the protocol's order; absent ones stay undefined (JSON leaves them out). */
function jsonResponse(result: InferenceResult, outputs: unknown[]): object {
  return {model_name: result.model_name, model_version: result.model_version, id: result.id, parameters: result.parameters, outputs}
}
