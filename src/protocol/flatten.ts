/** V2 `data` (flat or nested, row-major) as one flat list of elements; a scalar becomes a list of one. */
export function flattenData(data: unknown): unknown[] {
  return Array.isArray(data) ? data.flat(Infinity) : [data]
}
