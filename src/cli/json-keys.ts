/**
 * One key case across every --json document: snake_case, the server's wire format (model_version, memory_bytes) and
 * what `mls monitor --json` prints. The commands' own results are TypeScript objects with camelCase fields; they are
 * renamed here, at the edge, rather than typed twice.
 */

/** "latencyMs" -> "latency_ms", "p99" and "rows" unchanged. */
export function snakeCase(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()
}

/** A copy of `value` with every object key in snake_case (arrays and plain values kept; undefined fields dropped as JSON drops them). */
export function snakeCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeCaseKeys)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [snakeCase(key), snakeCaseKeys(inner)]))
}
