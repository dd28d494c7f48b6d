/**
 * The error catalogue. Every failure mls reports carries one of these stable codes; each transport maps the
 * code's `kind` to its own status once (REST: src/server/rest/error-map.ts).
 */

/** What sort of failure a code is: the transports map this, never the code itself. */
export type ErrorKind =
  | 'not_found'
  | 'invalid'
  | 'unavailable'
  | 'too_large'
  | 'unsupported_media_type'
  | 'unauthenticated'
  | 'overloaded'
  | 'timeout'
  | 'request_timeout'
  | 'headers_too_large'
  | 'cancelled'
  | 'internal'

/** Every stable error code, with its kind and a one-line description (the table in docs/api.md is checked against it). */
export const ERROR_CODES = {
  ROUTE_NOT_FOUND: {kind: 'not_found', description: 'No such endpoint.'},
  MODEL_NOT_FOUND: {kind: 'not_found', description: 'No model of that name is in the repository.'},
  MODEL_VERSION_NOT_FOUND: {kind: 'not_found', description: 'The model exists but not in that version.'},
  MODEL_UNAVAILABLE: {kind: 'not_found', description: 'The model is not loaded: it was unloaded, never loaded, or failed to load (the reason says which).'},
  MODEL_NOT_READY: {kind: 'unavailable', description: 'The model is loading or unloading (retry shortly), or it was unloaded while this request ran.'},
  MODEL_LOAD_FAILED: {kind: 'invalid', description: 'A load request failed; the reason names the file and the fault.'},
  INVALID_JSON: {kind: 'invalid', description: 'The body is not valid JSON.'},
  JSON_TOO_DEEP: {kind: 'invalid', description: 'The JSON body nests arrays or objects deeper than max_json_depth; refused as soon as it is seen.'},
  EMPTY_BODY: {kind: 'invalid', description: 'The endpoint needs a JSON body and none was sent.'},
  INVALID_REQUEST: {kind: 'invalid', description: 'The request does not follow the V2 schema (a field is missing or of the wrong type).'},
  INVALID_DATATYPE: {kind: 'invalid', description: 'Unknown datatype, or one the model input cannot take.'},
  INVALID_SHAPE: {kind: 'invalid', description: 'The shape is malformed or does not match the model input.'},
  INVALID_DATA: {kind: 'invalid', description: 'The data does not match the shape or the datatype.'},
  INPUT_MISMATCH: {kind: 'invalid', description: 'The inputs do not match the ones the model declares (missing, unknown or duplicate names).'},
  OUTPUT_NOT_FOUND: {kind: 'invalid', description: 'A requested output does not exist on the model.'},
  INFERENCE_FAILED: {kind: 'invalid', description: 'The runtime rejected the request (its message says why).'},
  UNSUPPORTED_PARAMETER: {
    kind: 'invalid',
    description: 'A parameter that would change the answer cannot be applied (classification of an output that is not a score vector, a repository load with Triton\'s config or files); the message says which and why.',
  },
  UNSUPPORTED_MEDIA_TYPE: {kind: 'unsupported_media_type', description: 'The content type is not application/json.'},
  UNSUPPORTED_CONTENT_ENCODING: {kind: 'unsupported_media_type', description: 'The Content-Encoding of a REST body is not one mls decodes (gzip, deflate, identity).'},
  PAYLOAD_TOO_LARGE: {kind: 'too_large', description: 'The body exceeds max_request_size (or max_buffered_request_bytes, when that is smaller), on the wire or once inflated (Content-Encoding).'},
  RESPONSE_TOO_LARGE: {kind: 'invalid', description: 'The answer would hold more output tensor bytes than max_response_size; refused before it is built.'},
  HEADERS_TOO_LARGE: {kind: 'headers_too_large', description: 'The request headers exceed the HTTP server\'s header size limit.'},
  REQUEST_TIMEOUT: {kind: 'request_timeout', description: 'The request was not received in time (request_headers_timeout, request_body_timeout, request_timeout).'},
  SERVER_BUSY: {kind: 'overloaded', description: 'Unfinished request bodies already hold max_buffered_request_bytes; retry after the Retry-After delay.'},
  UNAUTHENTICATED: {kind: 'unauthenticated', description: 'A repository request without the right bearer token (repository_auth_token is set).'},
  MEMORY_EXHAUSTED: {
    kind: 'overloaded',
    description: 'The model version does not fit in memory_budget even with every unpinned version evicted, or no room came within memory_wait_timeout; the message gives the sizes; retry after the Retry-After delay.',
  },
  QUEUE_FULL: {kind: 'overloaded', description: 'The model already holds max_queue_size requests; retry after the Retry-After delay.'},
  INFER_TIMEOUT: {kind: 'timeout', description: 'The request was not answered within infer_timeout (or the gRPC deadline).'},
  REQUEST_CANCELLED: {kind: 'cancelled', description: 'The client went away (closed the connection, cancelled the call) before the answer; only the log sees it.'},
  SERVER_STOPPING: {kind: 'unavailable', description: 'The server is shutting down: no new requests, or the grace period ran out before this one finished.'},
  INTERNAL: {kind: 'internal', description: 'An unexpected fault inside mls; the server log has the stack.'},
} as const satisfies Record<string, {kind: ErrorKind; description: string}>

export type ErrorCode = keyof typeof ERROR_CODES

/** Seconds a client is told to wait before retrying a QUEUE_FULL request (REST Retry-After, gRPC retry pushback). */
export const RETRY_AFTER_SECONDS = 1

/** The one error type mls throws on purpose. Anything else reaching a transport is an INTERNAL fault. */
export class MlsError extends Error {
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string, options?: {cause?: unknown}) {
    super(message, options)
    this.name = 'MlsError'
    this.code = code
  }

  get kind(): ErrorKind {
    return ERROR_CODES[this.code].kind
  }
}

/** Settings problems are found before the server runs: they are reported, never mapped to a transport. */
export class SettingsError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SettingsError'
  }
}

/** Turns anything thrown into an MlsError, keeping the original as the cause. */
export function toMlsError(error: unknown): MlsError {
  if (error instanceof MlsError) return error
  const message = error instanceof Error ? error.message : String(error)
  return new MlsError('INTERNAL', `internal error: ${message}`, {cause: error})
}
