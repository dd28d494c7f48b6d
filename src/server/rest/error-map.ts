/** The one table from error kinds to HTTP statuses, and the one place any thrown error becomes an HTTP answer. */
import {ERROR_CODES, MlsError, RETRY_AFTER_SECONDS, toMlsError, type ErrorCode, type ErrorKind} from '../../errors.js'
import {MAX_NAME_LENGTH} from '../../protocol/names.js'
import {boundMessage} from '../../util/bounded-message.js'
import {SUPPORTED_ENCODINGS} from './content-encoding.js'

/** The longest path segment (model name, version) the router takes: the names' cap on every transport. */
export const MAX_PARAM_LENGTH = MAX_NAME_LENGTH

export const HTTP_STATUS: Readonly<Record<ErrorKind, number>> = {
  not_found: 404,
  invalid: 400,
  unavailable: 503,
  too_large: 413,
  unsupported_media_type: 415,
  unauthenticated: 401,
  overloaded: 503,
  timeout: 504,
  request_timeout: 408,
  headers_too_large: 431,
  // nginx's "client closed request": only logs and metrics see it, the client is gone.
  cancelled: 499,
  internal: 500,
}

/** Extra headers per kind: an overloaded model says when to come back. */
const HTTP_HEADERS: Partial<Record<ErrorKind, Readonly<Record<string, string>>>> = {
  overloaded: {'retry-after': String(RETRY_AFTER_SECONDS)},
}

/** Extra headers per code: a 415 for the body's coding says which codings are decoded (RFC 9110 §15.5.16). */
const CODE_HEADERS: Partial<Record<ErrorCode, Readonly<Record<string, string>>>> = {
  UNSUPPORTED_CONTENT_ENCODING: {'accept-encoding': SUPPORTED_ENCODINGS},
}

/** fastify's own errors, translated into the catalogue. */
const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'EMPTY_BODY',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_BAD_URL: 'INVALID_REQUEST',
  FST_ERR_MAX_PARAM_LENGTH: 'INVALID_REQUEST',
}

/** Clearer words than fastify's for the errors it raises before routing (its messages repeat the whole path). */
const FASTIFY_MESSAGES: Readonly<Record<string, string>> = {
  FST_ERR_BAD_URL: 'the URL is not valid: a path segment has malformed percent-encoding',
  FST_ERR_MAX_PARAM_LENGTH: `the URL is not valid: a path segment (a model name or version) is longer than ${MAX_PARAM_LENGTH} characters`,
}

export interface HttpError {
  readonly status: number
  readonly body: {readonly error: string; readonly code: ErrorCode}
  readonly headers?: Readonly<Record<string, string>>
  readonly error: MlsError
}

export function toHttpError(thrown: unknown): HttpError {
  let error: MlsError
  const fastifyCode = (thrown as {code?: string} | null)?.code
  if (thrown instanceof MlsError) {
    error = thrown
  } else if (fastifyCode !== undefined && fastifyCode in FASTIFY_CODES) {
    error = new MlsError(FASTIFY_CODES[fastifyCode], FASTIFY_MESSAGES[fastifyCode] ?? (thrown as Error).message, {cause: thrown})
  } else if (typeof (thrown as {statusCode?: number})?.statusCode === 'number' && (thrown as {statusCode: number}).statusCode < 500) {
    error = new MlsError('INVALID_REQUEST', (thrown as Error).message, {cause: thrown})
  } else {
    error = toMlsError(thrown)
  }
  const {kind} = ERROR_CODES[error.code]
  // The message may quote what the client sent (megabytes, say): the body carries it bounded (bounded-message.ts).
  return {status: HTTP_STATUS[kind], body: {error: boundMessage(error.message), code: error.code}, headers: CODE_HEADERS[error.code] ?? HTTP_HEADERS[kind], error}
}
