/**
 * A repository load's parameters (Triton's): `config` (a model configuration to load with) and `file:<path>` entries
 * (model files sent in the request) would change what gets loaded. mls loads a model from its files in the repository
 * only, so a load carrying either is refused rather than done from the files on disk as if they had not been sent.
 * Other parameters are ignored, as Triton ignores those it does not know.
 */
import {MlsError} from '../errors.js'

/** Throws UNSUPPORTED_PARAMETER when `parameters` (of a load of `name`) holds a parameter that would change the load. */
export function checkLoadParameters(name: string, parameters: unknown): void {
  if (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters)) return
  for (const key of Object.keys(parameters)) {
    if (key === 'config') {
      throw new MlsError(
        'UNSUPPORTED_PARAMETER',
        `load of model "${name}": parameter "config" is not supported: mls loads a model as its model-settings.json in the repository describes it; change that file and load again`,
      )
    }
    if (key.startsWith('file:') || key === 'files') {
      throw new MlsError(
        'UNSUPPORTED_PARAMETER',
        `load of model "${name}": parameter "${key.length > 100 ? `${key.slice(0, 100)}...` : key}" is not supported: mls loads model files from the repository only; copy them into the model's folder and load again`,
      )
    }
  }
}
