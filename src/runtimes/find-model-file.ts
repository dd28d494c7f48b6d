/** Locates a model's artifact: `parameters.uri` when given (a file, or a folder to search), else the model's folder. */
import {readdirSync, statSync} from 'node:fs'
import path from 'node:path'
import type {ModelSettings} from '../settings/model-settings.js'

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile()
  } catch {
    return false
  }
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory()
  } catch {
    return false
  }
}

/** Files in `folder` whose names end with one of `extensions`, preferred names first, then alphabetical. */
export function filesWithExtensions(folder: string, extensions: readonly string[], preferred: readonly string[] = []): string[] {
  let names: string[]
  try {
    names = readdirSync(folder)
  } catch {
    return []
  }
  const matching = names.filter((name) => extensions.some((ext) => name.toLowerCase().endsWith(ext)) && isFile(path.join(folder, name)))
  matching.sort((a, b) => {
    const rank = (name: string) => (preferred.includes(name) ? preferred.indexOf(name) : preferred.length)
    return rank(a) - rank(b) || a.localeCompare(b)
  })
  return matching.map((name) => path.join(folder, name))
}

export interface ModelFileQuery {
  readonly extensions: readonly string[]
  readonly preferred: readonly string[]
  /** File names that have a matching extension but are never the model (model-settings.json, test sets). */
  readonly exclude?: RegExp
  /** Words for the error message, e.g. "an ONNX model (.onnx)". */
  readonly what: string
}

/** The artifact path; throws an Error that names where it looked and what it looked for. */
export function findModelFile(settings: ModelSettings, query: ModelFileQuery): string {
  if (settings.uri !== undefined) {
    if (isFile(settings.uri)) return settings.uri
    if (!isDirectory(settings.uri)) {
      throw new Error(`${settings.source}: parameters.uri: no file or folder at ${settings.uri}`)
    }
  }
  const folder = settings.uri ?? settings.folder
  const found = filesWithExtensions(folder, query.extensions, query.preferred).filter((file) => !query.exclude?.test(path.basename(file)))
  if (found.length === 0) {
    throw new Error(`no model file found: expected ${query.what} in ${folder}`)
  }
  return found[0]
}
