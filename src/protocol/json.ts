/** Typed output tensors -> V2 JSON outputs (the REST encoding of an inference result). */
import {decodeUtf8} from './bytes.js'
import type {ResponseOutput, Tensor} from './types.js'

export function encodeOutputData(tensor: Tensor): Array<number | boolean | string> {
  const data = tensor.data
  if (tensor.datatype === 'BYTES') return (data as readonly Uint8Array[]).map(decodeUtf8)
  if (tensor.datatype === 'BOOL') return Array.from(data as Uint8Array, (v) => v !== 0)
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Array.from(data, Number)
  return Array.from(data as Float32Array)
}

export function encodeOutput(tensor: Tensor): ResponseOutput {
  const out: ResponseOutput = {name: tensor.name, shape: [...tensor.shape], datatype: tensor.datatype, data: encodeOutputData(tensor)}
  if (tensor.parameters !== undefined) out.parameters = tensor.parameters
  return out
}

