/**
 * The response cache's key of a request: a SHA-256 over a canonical form of what the runtime gets, after decoding, so
 * a JSON body, a binary-extension body and a gRPC message carrying the same tensors have the same key.
 *
 * What it covers: the model version (name and resolved version), every input in request order (name, the datatype
 * the runtime gets, shape, parameters, the decoded tensor bytes), the request's parameters, and the requested outputs
 * in order with their parameters. What it leaves out: the request id (an answer from cache carries the new request's
 * id), and the transport's framing flags, which change how an answer is written but never what it holds:
 * `binary_data_size` on inputs, `binary_data_output` on the request, `binary_data` on outputs. The cached answer is
 * the data plane's (typed tensors); each transport encodes it as the new request asks.
 */
import {createHash, type Hash} from 'node:crypto'
import type {NumericArray} from '../protocol/datatypes.js'
import {encodeRaw} from '../protocol/raw.js'
import type {Parameters, Tensor} from '../protocol/types.js'

/** What the key reads of a decoded request (DecodedRequest has these). */
export interface KeyedRequest {
  readonly parameters?: Parameters
  readonly inputs: readonly Tensor[]
}

/** The requested outputs as the body has them (validated by the time the key is made): names and parameters. */
export type RequestedOutputs = ReadonlyArray<{readonly name: string; readonly parameters?: Readonly<Record<string, unknown>>}> | undefined

/** The hex SHA-256 key of `request` on name/version; `outputs` is the body's `outputs` field. */
export function cacheKey(name: string, version: string | undefined, request: KeyedRequest, outputs: RequestedOutputs): string {
  const hash = createHash('sha256')
  // Every variable-length part is length-prefixed, so no two different requests serialise alike.
  field(hash, 'm', name)
  field(hash, 'v', version ?? '')
  field(hash, 'p', canonical(request.parameters, 'binary_data_output'))
  for (const input of request.inputs) {
    field(hash, 'i', input.name)
    field(hash, 't', input.datatype)
    field(hash, 's', input.shape.join(','))
    field(hash, 'q', canonical(input.parameters, 'binary_data_size'))
    const bytes = tensorBytes(input)
    hash.update(`d${bytes.byteLength}:`)
    hash.update(bytes)
  }
  if (outputs !== undefined) {
    for (const output of outputs) {
      field(hash, 'o', output.name)
      field(hash, 'r', canonical(output.parameters, 'binary_data'))
    }
  }
  return hash.digest('hex')
}

function field(hash: Hash, tag: string, value: string): void {
  hash.update(`${tag}${value.length}:${value}`)
}

/** The tensor's elements as bytes: a view of a numeric array's memory, or BYTES elements length-prefixed. */
function tensorBytes(tensor: Tensor): Uint8Array {
  if (tensor.datatype === 'BYTES') return encodeRaw('BYTES', tensor.data)
  const array = tensor.data as NumericArray
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength)
}

/**
 * Parameters as JSON with keys sorted at every level, `drop` left out; '' for none (absent, empty, or only `drop`),
 * so a JSON body without parameters and a gRPC message with an empty map are alike.
 */
export function canonical(parameters: Readonly<Record<string, unknown>> | undefined, drop: string): string {
  if (parameters === undefined || parameters === null) return ''
  const keys = Object.keys(parameters)
    .filter((key) => key !== drop && parameters[key] !== undefined)
    .sort()
  if (keys.length === 0) return ''
  return JSON.stringify(sorted(Object.fromEntries(keys.map((key) => [key, parameters[key]]))), (_key, value: unknown) =>
    typeof value === 'bigint' ? `${value}n` : value,
  )
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted)
  if (value === null || typeof value !== 'object') return value
  const object = value as Record<string, unknown>
  return Object.fromEntries(
    Object.keys(object)
      .sort()
      .map((key) => [key, sorted(object[key])]),
  )
}
