import {MlsError} from '../errors.js'
import type {ModelEntry} from '../repository/model-entry.js'

/** What a runtime threw, as the client gets it: an MlsError as it is, anything else as INFERENCE_FAILED. */
export function inferenceError(entry: ModelEntry, what: 'request' | 'stream', error: unknown): MlsError {
  if (error instanceof MlsError) return error
  return new MlsError('INFERENCE_FAILED', `model "${entry.name}" could not run this ${what}: ${(error as Error).message}`, {cause: error})
}
