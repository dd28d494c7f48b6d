/**
 * Whether a path lies inside a folder once symbolic links are followed: the one check behind "a model-settings.json
 * cannot reach outside the repository root" (model uris, runtime modules).
 */
import {realpathSync} from 'node:fs'
import path from 'node:path'

/**
 * The real path of `file`: symbolic links followed. For a path that does not exist (yet), the real path of its
 * deepest existing folder with the rest appended, so a link on the way is still followed.
 */
export function realPath(file: string): string {
  let existing = path.resolve(file)
  const rest: string[] = []
  for (;;) {
    try {
      return path.join(realpathSync(existing), ...rest)
    } catch {
      const parent = path.dirname(existing)
      if (parent === existing) return path.resolve(file)
      rest.unshift(path.basename(existing))
      existing = parent
    }
  }
}

/** True when `file` is `folder` or below it, both compared as real paths. */
export function isInsideReal(file: string, folder: string): boolean {
  const relative = path.relative(realPath(folder), realPath(file))
  return relative === '' || (!relative.startsWith('..' + path.sep) && relative !== '..' && !path.isAbsolute(relative))
}
