/** The one table from error kinds to gRPC status codes; the stable code travels in trailing metadata. */
import * as grpc from '@grpc/grpc-js'
import {ERROR_CODES, MlsError, toMlsError, type ErrorKind} from '../../errors.js'

export const GRPC_STATUS: Readonly<Record<ErrorKind, grpc.status>> = {
  not_found: grpc.status.NOT_FOUND,
  invalid: grpc.status.INVALID_ARGUMENT,
  unavailable: grpc.status.UNAVAILABLE,
  too_large: grpc.status.RESOURCE_EXHAUSTED,
  unsupported_media_type: grpc.status.INVALID_ARGUMENT,
  unauthenticated: grpc.status.UNAUTHENTICATED,
  internal: grpc.status.INTERNAL,
}

export const ERROR_CODE_METADATA_KEY = 'mls-error-code'

export function toServiceError(thrown: unknown): Partial<grpc.StatusObject> & {error: MlsError} {
  const error = thrown instanceof MlsError ? thrown : toMlsError(thrown)
  const metadata = new grpc.Metadata()
  metadata.set(ERROR_CODE_METADATA_KEY, error.code)
  return {code: GRPC_STATUS[ERROR_CODES[error.code].kind], details: error.message, metadata, error}
}
