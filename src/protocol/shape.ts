/** Tensor shapes: how many elements one holds, and how messages write it. */

/** The number of elements a shape holds (1 for a scalar shape []). */
export function elementCount(shape: readonly number[]): number {
  let count = 1
  for (let i = 0; i < shape.length; i++) count *= shape[i]
  return count
}

/** A shape as every message writes it: `[2,3]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`
}
