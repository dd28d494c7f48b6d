/**
 * Which models a changed path concerns. A model is known by its model-settings.json; a file belongs to the model whose
 * folder is the nearest at or above it (a folder of versions nested in another model's folder belongs to the
 * versions), and to every model whose `parameters.uri` is that file or a folder holding it. A folder that appeared,
 * vanished or moved concerns every model inside it.
 */
import path from 'node:path'
import {MODEL_SETTINGS_FILE} from '../repository/discover.js'
import {isAtOrBelow} from './ignore.js'

/** A model version as the watcher knows it. */
export interface WatchedModel {
  /** Its model-settings.json (absolute). */
  readonly file: string
  /** Its model file or folder, when model-settings.json names one (absolute). */
  readonly uri?: string
}

/** What the changed path is now: a file, a folder, or nothing (deleted or moved away). */
export type PathKind = 'file' | 'directory' | 'gone'

/** The model-settings.json files (the known ones, or `changed` itself when it is one) that `changed` concerns. */
export function modelsAffected(changed: string, kind: PathKind, models: readonly WatchedModel[]): string[] {
  if (kind !== 'directory' && path.basename(changed) === MODEL_SETTINGS_FILE) return [changed]
  const found = new Set<string>()
  if (kind !== 'file') {
    // A whole folder: the models inside it, and those whose model file is inside it.
    for (const model of models) {
      if (isAtOrBelow(path.dirname(model.file), changed) || (model.uri !== undefined && isAtOrBelow(model.uri, changed))) found.add(model.file)
    }
  }
  // Something gone that held models was a folder of them, not a file of the model above.
  if (kind === 'file' || (kind === 'gone' && found.size === 0)) {
    // A file (or something gone that may have been one): the nearest model folder above it, and the models using it.
    let nearest: WatchedModel | undefined
    for (const model of models) {
      const folder = path.dirname(model.file)
      if (folder !== changed && isAtOrBelow(changed, folder) && (nearest === undefined || folder.length > path.dirname(nearest.file).length)) nearest = model
    }
    if (nearest !== undefined) found.add(nearest.file)
    for (const model of models) if (model.uri !== undefined && isAtOrBelow(changed, model.uri)) found.add(model.file)
  }
  return [...found]
}
