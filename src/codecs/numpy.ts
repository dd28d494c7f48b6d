/** `np`: a tensor as an NdArray (typed array + shape + datatype), for every datatype. As MLServer's NumpyCodec. */
import type {Tensor} from '../protocol/types.js'
import type {EncodeHint, InputCodec} from './codec.js'
import {decodeError, encodeError} from './codec-error.js'
import {isArrayLikeTensor, ndarrayParts, withBatchDimension, type NdArray} from './ndarray.js'
import {singleInputRequestCodec} from './single-input.js'
import {toTensorData} from './tensor-data.js'

const CONTENT_TYPE = 'np'

/** Tensor data as a typed array; data given as plain values (a tensor built by hand) is converted and checked. */
function typedData(tensor: Tensor): Tensor['data'] {
  const {data} = tensor
  if (tensor.datatype === 'BYTES' ? Array.isArray(data) && data.every((v) => v instanceof Uint8Array) : ArrayBuffer.isView(data)) return data
  return toTensorData(tensor.datatype, tensor.data as ArrayLike<unknown>, (message) => {
    throw decodeError('INVALID_DATA', CONTENT_TYPE, tensor, message)
  })
}

export const NumpyCodec: InputCodec<NdArray> = {
  contentType: CONTENT_TYPE,
  canEncode: isArrayLikeTensor,
  decode(tensor: Tensor): NdArray {
    return {datatype: tensor.datatype, shape: [...tensor.shape], data: typedData(tensor)}
  },
  encode(name: string, value: NdArray, hint?: EncodeHint): Tensor {
    const fail = (message: string): never => {
      throw encodeError(CONTENT_TYPE, name, message)
    }
    const {datatype, shape, data} = ndarrayParts(value, fail, hint?.datatype)
    return {name, datatype, shape: withBatchDimension(shape), data, parameters: {content_type: CONTENT_TYPE}}
  },
}

/** `np` at request level: the request's only input as an NdArray; a value as the response's only output. */
export const NumpyRequestCodec = singleInputRequestCodec(NumpyCodec)
