/**
 * Lenient scalars, as MLServer's pydantic settings are: `"true"`/`"false"` for booleans (MLServer's own example has
 * `"debug": "true"`) and numeric strings for numbers. Env vars arrive as strings and go through the same schemas.
 */
import {z} from 'zod'

const TRUE = new Set(['true', '1', 'yes', 'on'])
const FALSE = new Set(['false', '0', 'no', 'off'])

export function lenientBoolean() {
  return z.preprocess((value) => {
    if (typeof value !== 'string') return value
    const lower = value.trim().toLowerCase()
    if (TRUE.has(lower)) return true
    if (FALSE.has(lower)) return false
    return value
  }, z.boolean())
}

const NUMERIC = /^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/

function toNumber(value: unknown): unknown {
  return typeof value === 'string' && NUMERIC.test(value) ? Number(value) : value
}

export function lenientInt(min: number, max = Number.MAX_SAFE_INTEGER) {
  return z.preprocess(toNumber, z.int().min(min).max(max))
}

export function lenientNumber(min: number) {
  return z.preprocess(toNumber, z.number().min(min))
}

/** `null` (or the strings "null" / "none" from an env var) means "off" for nullable settings. */
export function nullable<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => {
    if (typeof value === 'string' && ['null', 'none'].includes(value.trim().toLowerCase())) return null
    return value
  }, schema.nullable())
}
