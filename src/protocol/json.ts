/** Typed output tensors -> V2 JSON outputs (the REST encoding of an inference result). */
import {decodeUtf8} from './bytes.js'
import type {ResponseOutput, Tensor} from './types.js'

export function encodeOutputData(tensor: Tensor): Array<number | boolean | string> {
  const data = tensor.data
  if (tensor.datatype === 'BYTES') return (data as readonly Uint8Array[]).map(decodeUtf8)
  const n = data.length
  const out: Array<number | boolean> = new Array(n)
  // Plain loops: Array.from with a map function costs several times more on the small outputs most answers carry.
  if (tensor.datatype === 'BOOL') {
    for (let i = 0; i < n; i++) out[i] = (data as Uint8Array)[i] !== 0
  } else if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    for (let i = 0; i < n; i++) out[i] = Number(data[i])
  } else {
    for (let i = 0; i < n; i++) out[i] = (data as Float32Array)[i]
  }
  return out
}

export function encodeOutput(tensor: Tensor): ResponseOutput {
  const out: ResponseOutput = {name: tensor.name, shape: [...tensor.shape], datatype: tensor.datatype, data: encodeOutputData(tensor)}
  if (tensor.parameters !== undefined) out.parameters = tensor.parameters
  return out
}

