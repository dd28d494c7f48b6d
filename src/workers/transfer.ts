/**
 * Tensors made ready to cross a thread boundary by transfer rather than copy. A typed array that spans its whole
 * ArrayBuffer is moved (its buffer goes in the transfer list and is detached on the sending side); a view into a
 * larger buffer (a slice of a request body, a Buffer from Node's pool) is first copied to a buffer of its own, since
 * structured clone would copy the whole underlying buffer and a transfer would detach memory others still use.
 * BYTES elements are copied the same way.
 */
import type {NumericArray} from '../protocol/datatypes.js'
import type {Tensor, TensorData} from '../protocol/types.js'

type View = NumericArray | Uint8Array

/** The view itself when it owns its whole (non-shared) buffer, else a copy that does. */
function owned<T extends View>(view: T): T {
  if (view.buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === view.buffer.byteLength) return view
  if (!(view.buffer instanceof ArrayBuffer)) return view // SharedArrayBuffer: shared, not copied by structured clone
  return view.slice() as T
}

function prepare(data: TensorData, transfer: Set<ArrayBuffer>): TensorData {
  if (Array.isArray(data)) {
    return (data as readonly Uint8Array[]).map((element) => {
      const copy = owned(element)
      if (copy.buffer instanceof ArrayBuffer && copy.byteLength > 0) transfer.add(copy.buffer)
      return copy
    })
  }
  const array = owned(data as NumericArray)
  if (array.buffer instanceof ArrayBuffer && array.byteLength > 0) transfer.add(array.buffer)
  return array
}

/**
 * The tensors with their data owned, and the buffers to transfer. After the message is posted with this list, the
 * caller's arrays that were moved are detached (length 0): the caller must not read them again.
 */
export function forTransfer(tensors: readonly Tensor[]): {tensors: Tensor[]; transfer: ArrayBuffer[]} {
  const transfer = new Set<ArrayBuffer>()
  const out = tensors.map((tensor) => ({...tensor, data: prepare(tensor.data, transfer)}))
  return {tensors: out, transfer: [...transfer]}
}
