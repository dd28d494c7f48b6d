/** Conversions between V2 tensors and onnxruntime tensors. */
import * as ort from 'onnxruntime-node'
import {DATATYPES, type Datatype} from '../../protocol/datatypes.js'
import type {Tensor, TensorMetadata} from '../../protocol/types.js'
import {decodeUtf8, encodeUtf8} from '../../protocol/bytes.js'
import {float16BitsToNumbers, numbersToFloat16Bits} from '../../protocol/float16.js'

const ORT_TO_V2: Readonly<Record<string, Datatype>> = {
  bool: 'BOOL',
  uint8: 'UINT8',
  uint16: 'UINT16',
  uint32: 'UINT32',
  uint64: 'UINT64',
  int8: 'INT8',
  int16: 'INT16',
  int32: 'INT32',
  int64: 'INT64',
  float16: 'FP16',
  float32: 'FP32',
  float64: 'FP64',
  string: 'BYTES',
}

const V2_TO_ORT = Object.fromEntries(Object.entries(ORT_TO_V2).map(([o, v]) => [v, o])) as Record<Datatype, ort.Tensor.Type>

export function datatypeFromOrt(type: string): Datatype | undefined {
  return ORT_TO_V2[type]
}

/** Graph metadata as V2 tensor metadata; symbolic or unknown dimensions become -1. Non-tensor values are left out. */
export function metadataFromOrt(values: readonly ort.InferenceSession.ValueMetadata[]): TensorMetadata[] {
  const out: TensorMetadata[] = []
  for (const value of values) {
    if (!value.isTensor) continue
    const datatype = datatypeFromOrt(value.type)
    if (datatype === undefined) continue
    out.push({name: value.name, datatype, shape: value.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1))})
  }
  return out
}

export function toOrtTensor(tensor: Tensor): ort.Tensor {
  const type = V2_TO_ORT[tensor.datatype]
  const dims = [...tensor.shape]
  if (tensor.datatype === 'BYTES') {
    return new ort.Tensor('string', (tensor.data as readonly Uint8Array[]).map(decodeUtf8), dims)
  }
  if (tensor.datatype === 'FP16') {
    return new ort.Tensor('float16', numbersToFloat16Bits(tensor.data as Float32Array), dims)
  }
  if (tensor.datatype === 'BOOL') {
    return new ort.Tensor('bool', tensor.data as Uint8Array, dims)
  }
  return new ort.Tensor(type as 'float32', tensor.data as Float32Array, dims)
}

export function fromOrtTensor(name: string, value: ort.OnnxValue): Tensor {
  const datatype = datatypeFromOrt(value.type)
  if (datatype === undefined || value.location !== 'cpu') {
    throw new Error(`output "${name}" has type ${value.type}, which mls cannot return`)
  }
  const shape = value.dims.map(Number)
  if (datatype === 'BYTES') return {name, datatype, shape, data: (value.data as string[]).map(encodeUtf8)}
  if (datatype === 'FP16') return {name, datatype, shape, data: float16BitsToNumbers(value.data as Uint16Array)}
  const array = DATATYPES[datatype].array as unknown as {new (source: unknown): Tensor['data']} & Function
  const data = value.data
  return {name, datatype, shape, data: data instanceof array ? (data as Tensor['data']) : new array(data)}
}
