/** Paths as the user reads them in messages: relative to the current folder when below it, else absolute. */
import path from 'node:path'

/** `file` relative to `cwd` when it is inside it (`models/x/model.onnx`), else absolute; the folder itself is ".". */
export function displayPath(file: string, cwd = process.cwd()): string {
  const relative = path.relative(cwd, file)
  if (relative === '') return '.'
  if (relative.startsWith('..') || path.isAbsolute(relative)) return file
  return relative
}
