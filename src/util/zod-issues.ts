/** Turns zod issues into one-line messages that name the field, what was expected and what was found. */
import type {z} from 'zod'

/** `inputs[0].shape[1]` style path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`
    else out += out === '' ? String(key) : `.${String(key)}`
  }
  return out
}

/** A short rendering of a found value for an error message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  if (Array.isArray(value)) return `an array of ${value.length}`
  return 'an object'
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined
    current = (current as Record<PropertyKey, unknown>)[key]
  }
  return current
}

/** One message per issue: `field: <zod's message>` plus `(found X)` where zod's message does not already say it. */
export function formatIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const where = formatPath(issue.path)
  const found = valueAt(input, issue.path)
  let message: string
  if (issue.code === 'invalid_type') {
    message = `expected ${issue.expected}, found ${found === undefined ? 'nothing (the field is missing)' : describeValue(found)}`
  } else if (issue.code === 'unrecognized_keys') {
    message = issue.message
  } else {
    message = `${issue.message} (found ${describeValue(found)})`
  }
  return where === '' ? message : `${where}: ${message}`
}

export function formatIssues(error: z.ZodError, input: unknown): string {
  return error.issues.map((issue) => formatIssue(issue, input)).join('; ')
}
