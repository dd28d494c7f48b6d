/** Request bodies through their zod schema; the error names each wrong field, what was expected and what was found. */
import type {z} from 'zod'
import {MlsError, type ErrorCode} from '../errors.js'
import {describeValue, formatIssue} from '../util/zod-issues.js'

/** The most specific code for an issue, by the field it is about. */
function codeFor(issue: z.core.$ZodIssue): ErrorCode {
  const field = issue.path.at(-1) ?? issue.path.at(-2)
  const key = typeof field === 'number' ? issue.path.at(-2) : field
  if (key === 'datatype') return 'INVALID_DATATYPE'
  if (key === 'shape') return 'INVALID_SHAPE'
  if (key === 'data') return 'INVALID_DATA'
  return 'INVALID_REQUEST'
}

export function parseBody<T extends z.ZodType>(schema: T, body: unknown, options: {required: true}): z.output<T>
export function parseBody<T extends z.ZodType>(schema: T, body: unknown, options: {required: false}): z.output<T> | undefined
export function parseBody<T extends z.ZodType>(schema: T, body: unknown, options: {required: boolean}): z.output<T> | undefined {
  if (body === undefined) {
    if (options.required) throw new MlsError('EMPTY_BODY', 'the request body is empty; expected a JSON object')
    return undefined
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new MlsError('INVALID_REQUEST', `the request body must be a JSON object, found ${describeValue(body)}`)
  }
  const result = schema.safeParse(body)
  if (result.success) return result.data
  const issues = result.error.issues
  throw new MlsError(codeFor(issues[0]), `invalid request: ${issues.map((issue) => formatIssue(issue, body)).join('; ')}`)
}
