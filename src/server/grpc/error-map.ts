/** The one table from error kinds to gRPC status codes; the stable code travels in trailing metadata. */
import * as grpc from '@grpc/grpc-js'
import {ERROR_CODES, MlsError, RETRY_AFTER_SECONDS, toMlsError, type ErrorKind} from '../../errors.js'
import {boundGrpcMessage} from '../../util/bounded-message.js'

export const GRPC_STATUS: Readonly<Record<ErrorKind, grpc.status>> = {
  not_found: grpc.status.NOT_FOUND,
  invalid: grpc.status.INVALID_ARGUMENT,
  unavailable: grpc.status.UNAVAILABLE,
  too_large: grpc.status.RESOURCE_EXHAUSTED,
  unsupported_media_type: grpc.status.INVALID_ARGUMENT,
  unauthenticated: grpc.status.UNAUTHENTICATED,
  overloaded: grpc.status.RESOURCE_EXHAUSTED,
  timeout: grpc.status.DEADLINE_EXCEEDED,
  request_timeout: grpc.status.DEADLINE_EXCEEDED,
  headers_too_large: grpc.status.RESOURCE_EXHAUSTED,
  cancelled: grpc.status.CANCELLED,
  internal: grpc.status.INTERNAL,
}

/** gRPC's retry pushback (gRFC A6): how long a client's retry policy waits before retrying. */
export const RETRY_PUSHBACK_METADATA_KEY = 'grpc-retry-pushback-ms'

export const ERROR_CODE_METADATA_KEY = 'mls-error-code'

export function toServiceError(thrown: unknown): Partial<grpc.StatusObject> & {error: MlsError} {
  const error = thrown instanceof MlsError ? thrown : toMlsError(thrown)
  const metadata = new grpc.Metadata()
  metadata.set(ERROR_CODE_METADATA_KEY, error.code)
  const {kind} = ERROR_CODES[error.code]
  if (kind === 'overloaded') metadata.set(RETRY_PUSHBACK_METADATA_KEY, String(RETRY_AFTER_SECONDS * 1000))
  // The message travels in a trailer: too large a one is never sent and the call never ends (bounded-message.ts).
  return {code: GRPC_STATUS[kind], details: boundGrpcMessage(error.message), metadata, error}
}
