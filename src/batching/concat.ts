/** Joining tensors along dimension 0 and splitting them back: the arithmetic of adaptive batching. */
import type {Tensor, TensorData} from '../protocol/types.js'

type Sliceable = TensorData & {slice(start: number, end: number): TensorData; length: number}

/** Rows of dimension 0 (a scalar tensor counts as one row). */
export const rowsOf = (tensor: Tensor) => tensor.shape[0] ?? 1

/** One tensor from several with the same name, datatype and trailing dimensions, rows in order. */
export function concatRows(parts: readonly Tensor[]): Tensor {
  const [first] = parts
  const rows = parts.reduce((n, t) => n + rowsOf(t), 0)
  let data: TensorData
  if (first.datatype === 'BYTES') {
    data = parts.flatMap((t) => t.data as readonly Uint8Array[])
  } else {
    const total = parts.reduce((n, t) => n + (t.data as Sliceable).length, 0)
    const out = new (first.data.constructor as new (n: number) => Sliceable & {set(a: ArrayLike<unknown>, o: number): void})(total)
    let offset = 0
    for (const t of parts) {
      out.set(t.data as never, offset)
      offset += (t.data as Sliceable).length
    }
    data = out
  }
  return {...first, shape: [rows, ...first.shape.slice(1)], data}
}

/** Rows [start, start + rows) of a batch-major tensor. */
export function sliceRows(tensor: Tensor, start: number, rows: number): Tensor {
  const total = rowsOf(tensor)
  const width = total === 0 ? 0 : (tensor.data as Sliceable).length / total
  return {...tensor, shape: [rows, ...tensor.shape.slice(1)], data: (tensor.data as Sliceable).slice(start * width, (start + rows) * width)}
}
