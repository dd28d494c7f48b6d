/**
 * A model's class labels (model-settings `parameters.labels`), used by the classification extension's
 * "score:index:label": an array of strings, or the name of a file in the model's folder with one label per line (as
 * Triton's label_filename). Read and checked once, when the settings are loaded.
 */
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {SettingsError} from '../errors.js'
import {isInsideReal} from '../util/inside-root.js'

/** The labels `value` gives (already checked by the schema: string[] or a non-empty string); SettingsError naming `source`. */
export function resolveLabels(value: readonly string[] | string | undefined, source: string, folder: string): readonly string[] | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string') return Object.freeze([...value])
  const where = `${source}: parameters.labels`
  // A labels file is the model's own: never a path that reads files elsewhere on the machine and sends them as labels.
  const file = path.resolve(folder, value)
  if (path.isAbsolute(value) || !isInsideReal(file, folder)) {
    throw new SettingsError(`${where}: expected a file name inside the model's folder, found "${value}"`)
  }
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (code ?? (error as Error).message)
    throw new SettingsError(`${where}: expected a readable file of labels (one per line) in the model's folder, found "${value}" (${why})`)
  }
  // One label per line; a final newline ends the last line rather than adding an empty label.
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line))
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  return Object.freeze(lines)
}
