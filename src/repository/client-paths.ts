/**
 * What a client may read of the server's files: paths relative to the repository root, never the root's absolute
 * path (a client must not learn where the server keeps its files). Messages that reach clients (load failures, a
 * version's reason in the index and in errors) pass here; the server log keeps the absolute paths.
 */
import path from 'node:path'
import {realPath} from '../util/inside-root.js'

/** Rewrites the paths below `root` in `text` as relative to it (the root itself as "."). */
export class ClientPaths {
  /** The root as given (resolved) and as its real path when that differs (a symbolic link on the way). */
  private readonly roots: string[]

  constructor(root: string) {
    const given = path.resolve(root)
    const real = realPath(given)
    // Longest first: a root inside another one's text is replaced whole.
    this.roots = [...new Set([given, real])].sort((a, b) => b.length - a.length)
  }

  /** `text` with every `root/...` written as `...`, and a bare root as "."; nothing else changes. */
  relative(text: string): string {
    let out = text
    for (const root of this.roots) {
      if (root === path.sep || !out.includes(root)) continue
      out = out.split(root + path.sep).join('').split(root).join('.')
    }
    return out
  }
}

/** `file` relative to `root` (for a path outside the root: `../…`), as a client may read it. */
export function relativePath(root: string, file: string): string {
  return path.relative(realPath(root), realPath(file)) || '.'
}
