/**
 * What a well-formed answer is. REST: status < 500 and either a valid V2 inference response (JSON, or the binary
 * extension) or exactly {"error": string, "code": a catalogue code whose HTTP status is this one}. gRPC: never
 * INTERNAL or UNKNOWN; a failure carries a catalogue code in `mls-error-code` that maps to its status; a success is a
 * ModelInferResponse whose tensors hold as many elements as their shapes say. Each judge returns undefined for a
 * well-formed answer, else why it is not.
 */
import * as grpc from '@grpc/grpc-js'
import {ERROR_CODES, type ErrorCode} from '../../src/errors.js'
import {GRPC_STATUS} from '../../src/server/grpc/error-map.js'
import {HTTP_STATUS} from '../../src/server/rest/error-map.js'

const DATATYPE_SIZES: Record<string, number> = {
  BOOL: 1, UINT8: 1, UINT16: 2, UINT32: 4, UINT64: 8, INT8: 1, INT16: 2, INT32: 4, INT64: 8, FP16: 2, FP32: 4, FP64: 8, BYTES: 0,
}

export interface RestAnswer {
  readonly status: number
  readonly contentType: string
  readonly headerLength?: string
  readonly body: Buffer
}

const isCode = (code: unknown): code is ErrorCode => typeof code === 'string' && Object.hasOwn(ERROR_CODES, code)
const count = (shape: unknown) => (Array.isArray(shape) && shape.every((d) => Number.isInteger(d) && d >= 0) ? shape.reduce((a: number, b: number) => a * b, 1) : -1)

function judgeOutputs(outputs: unknown, binary: Buffer | undefined): string | undefined {
  if (!Array.isArray(outputs)) return 'outputs is not an array'
  let offset = 0
  for (const output of outputs as Array<Record<string, any>>) {
    if (typeof output?.name !== 'string') return 'an output without a name'
    if (!(output.datatype in DATATYPE_SIZES)) return `output "${output.name}": datatype ${JSON.stringify(output.datatype)}`
    const n = count(output.shape)
    if (n < 0) return `output "${output.name}": shape ${JSON.stringify(output.shape)}`
    const size = output.parameters?.binary_data_size
    if (size !== undefined) {
      if (binary === undefined || !Number.isInteger(size) || offset + size > binary.length) return `output "${output.name}": binary_data_size ${size} does not fit the body`
      if (output.datatype !== 'BYTES' && size !== n * DATATYPE_SIZES[output.datatype]) return `output "${output.name}": ${size} bytes for ${n} ${output.datatype}`
      offset += size
    } else if (!Array.isArray(output.data) || output.data.length !== n) {
      return `output "${output.name}": ${Array.isArray(output.data) ? output.data.length : 'no'} values for shape ${JSON.stringify(output.shape)}`
    }
  }
  if (binary !== undefined && offset !== binary.length) return `${binary.length - offset} binary bytes unaccounted for`
  return undefined
}

export function judgeRest(answer: RestAnswer): string | undefined {
  if (answer.status >= 500) return `status ${answer.status}: ${answer.body.toString('utf8').slice(0, 300)}`
  if (answer.status === 200 && answer.contentType.startsWith('application/octet-stream')) {
    const n = Number(answer.headerLength)
    if (!Number.isInteger(n) || n > answer.body.length) return `binary answer with Inference-Header-Content-Length ${answer.headerLength}`
    let header: any
    try {
      header = JSON.parse(answer.body.subarray(0, n).toString('utf8'))
    } catch {
      return 'binary answer whose JSON header does not parse'
    }
    if (typeof header?.model_name !== 'string' || typeof header?.id !== 'string') return 'binary answer without model_name or id'
    return judgeOutputs(header.outputs, answer.body.subarray(n))
  }
  if (!answer.contentType.startsWith('application/json')) return `status ${answer.status} with content type "${answer.contentType}"`
  let body: any
  try {
    body = JSON.parse(answer.body.toString('utf8'))
  } catch {
    return `status ${answer.status} with a body that is not JSON`
  }
  if (answer.status === 200) {
    if (typeof body?.model_name !== 'string' || typeof body?.id !== 'string') return 'a 200 without model_name or id'
    return judgeOutputs(body.outputs, undefined)
  }
  const keys = body !== null && typeof body === 'object' ? Object.keys(body).sort().join(',') : ''
  if (keys !== 'code,error') return `status ${answer.status} with body keys [${keys}]`
  if (typeof body.error !== 'string' || body.error === '') return `status ${answer.status} without an error message`
  const code: unknown = body.code
  if (!isCode(code)) return `unknown code ${JSON.stringify(code)}`
  const expected = HTTP_STATUS[ERROR_CODES[code].kind]
  if (expected !== answer.status) return `code ${code} with status ${answer.status} (the table says ${expected})`
  return undefined
}

export interface GrpcAnswer {
  readonly code: grpc.status
  readonly details?: string
  readonly errorCode?: unknown
  /** The decoded ModelInferResponse, for a success of ModelInfer. */
  readonly response?: any
  /** ModelStreamInfer: the responses received and the number of requests sent. */
  readonly responses?: readonly any[]
  readonly sent?: number
}

const CONTENT_COUNT = (contents: Record<string, unknown[]> | undefined) =>
  Object.values(contents ?? {}).reduce((n, values) => n + (Array.isArray(values) ? values.length : 0), 0)

export function judgeGrpc(answer: GrpcAnswer): string | undefined {
  if (answer.responses !== undefined) {
    // A stream answers each request in order and ends OK, or ends at the first failure with its status.
    if (answer.code === grpc.status.OK && answer.responses.length !== answer.sent) return `a stream of ${answer.sent} requests ended OK after ${answer.responses.length} responses`
    if (answer.responses.length > (answer.sent ?? 0)) return `${answer.responses.length} responses to ${answer.sent} requests`
    for (const response of answer.responses) {
      const reason = judgeGrpc({code: grpc.status.OK, response})
      if (reason !== undefined) return `stream response: ${reason}`
    }
    return judgeGrpc({...answer, responses: undefined})
  }
  if (answer.code === grpc.status.INTERNAL || answer.code === grpc.status.UNKNOWN) return `${grpc.status[answer.code]}: ${answer.details}`
  if (answer.code !== grpc.status.OK) {
    if (!isCode(answer.errorCode)) return `${grpc.status[answer.code]} without an mls-error-code (${answer.details})`
    const expected = GRPC_STATUS[ERROR_CODES[answer.errorCode].kind]
    if (expected !== answer.code) return `code ${answer.errorCode} with status ${grpc.status[answer.code]}`
    if (!answer.details) return `${grpc.status[answer.code]} without details`
    return undefined
  }
  const response = answer.response
  if (response === undefined || !Array.isArray(response.outputs)) return undefined
  const raw: Buffer[] = response.raw_output_contents ?? []
  if (raw.length > 0 && raw.length !== response.outputs.length) return `${raw.length} raw outputs for ${response.outputs.length} outputs`
  for (const [i, output] of (response.outputs as any[]).entries()) {
    const n = count((output.shape ?? []).map(Number))
    if (n < 0 || !(output.datatype in DATATYPE_SIZES)) return `output "${output.name}": shape ${output.shape} datatype ${output.datatype}`
    if (raw.length > 0) {
      if (output.datatype !== 'BYTES' && raw[i].length !== n * DATATYPE_SIZES[output.datatype]) return `output "${output.name}": ${raw[i].length} raw bytes for ${n} ${output.datatype}`
    } else if (CONTENT_COUNT(output.contents) !== n) {
      return `output "${output.name}": ${CONTENT_COUNT(output.contents)} values for shape [${output.shape}]`
    }
  }
  return undefined
}
