/**
 * What the repository watcher never reacts to: dot files and folders, node_modules, editors' swap, backup and
 * temporary files (an editor that saves by writing a temporary file and renaming it over the original is still seen,
 * through the rename), and the files that travel with a model but are not served: test sets and docs.
 */
import path from 'node:path'

const IGNORED_FOLDERS = new Set(['node_modules'])

/** vim's swap files and the file it writes to test a folder, emacs's auto-saves, JetBrains' safe-write files, backups. */
const EDITOR_FILES = [/\.sw[a-px]$/i, /~$/, /^4913$/, /^#.*#$/, /___jb_(tmp|old)___$/, /\.(tmp|temp|bak|orig|crswap)$/i]

/** Files beside a model that `mls test` and people read, the server does not. */
const NOT_SERVED = [/^test-set.*\.json$/i, /\.md$/i]

/** True for a file or folder name the watcher skips (and, for a folder, everything below it). */
export function isIgnoredName(name: string): boolean {
  if (name.startsWith('.') || IGNORED_FOLDERS.has(name)) return true
  return EDITOR_FILES.some((pattern) => pattern.test(name)) || NOT_SERVED.some((pattern) => pattern.test(name))
}

/** True when any part of `relative` (a path inside the repository root) is skipped. */
export function isIgnoredPath(relative: string): boolean {
  return relative.split(/[\\/]/).some((part) => part !== '' && isIgnoredName(part))
}

/** `child` is `parent` or lies below it. */
export function isAtOrBelow(child: string, parent: string): boolean {
  const relative = path.relative(parent, child)
  return relative === '' || (relative !== '..' && !relative.startsWith('..' + path.sep) && !path.isAbsolute(relative))
}
