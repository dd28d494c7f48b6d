/**
 * How long a model name or version may be, on every transport. REST's router refuses a longer path segment before
 * routing; the data plane refuses a longer one from anywhere else (gRPC fields, which protobuf lets be megabytes),
 * before any message quotes it: a 70 KB name quoted in a gRPC status made the trailer too large to send, and the call
 * never ended.
 */
import {MlsError} from '../errors.js'

export const MAX_NAME_LENGTH = 500

/** Throws INVALID_REQUEST when `name` or `version` is longer than MAX_NAME_LENGTH (the message does not quote them). */
export function checkModelName(name: string, version?: string): void {
  if (name.length > MAX_NAME_LENGTH) throw tooLong('model name', name)
  if (version !== undefined && version.length > MAX_NAME_LENGTH) throw tooLong('model version', version)
}

function tooLong(what: string, value: string): MlsError {
  return new MlsError('INVALID_REQUEST', `the ${what} is ${value.length} characters long; model names and versions are at most ${MAX_NAME_LENGTH} characters`)
}
