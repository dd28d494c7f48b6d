/**
 * Failed inferences told to the observer by error code. A request naming a model (or version) the repository does not
 * have is counted without the name, so that what a client sends never becomes a label value; a failure of a version
 * the repository has is counted under that version and its code (both sets are bounded).
 */
import {toMlsError, type ErrorCode} from '../errors.js'

/** The codes of a request whose model or version the repository does not have. */
const UNKNOWN: ReadonlySet<ErrorCode> = new Set(['MODEL_NOT_FOUND', 'MODEL_VERSION_NOT_FOUND'])

/** What a data plane tells of failures beyond the success / failure count of InferenceObserver.inference. */
export interface FailureObserver {
  /** A failed inference of a version the repository has, also one refused before it ran (not ready, unavailable). */
  inferenceFailed?(model: string, version: string | undefined, code: ErrorCode): void
  /** An inference naming a model or version the repository does not have. */
  unknownModel?(code: ErrorCode): void
}

/** The stable code of whatever was thrown (anything not an MlsError is INTERNAL, as the transports say). */
export const codeOf = (error: unknown): ErrorCode => toMlsError(error).code

/** Tells `observer` of a request that failed before its model version was resolved; other codes are not counted here. */
export function reportUnresolved(observer: FailureObserver | undefined, error: unknown): void {
  if (observer?.unknownModel === undefined) return
  const code = codeOf(error)
  if (UNKNOWN.has(code)) observer.unknownModel(code)
}

/** Tells `observer` of a failed inference of the version `entry`. */
export function reportFailed(observer: FailureObserver | undefined, entry: {readonly name: string; readonly version?: string}, error: unknown): void {
  observer?.inferenceFailed?.(entry.name, entry.version, codeOf(error))
}
