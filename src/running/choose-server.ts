/**
 * Which running server a client command means when nothing names one (no --url, env or settings.json): the only one;
 * of several, the one whose repository root holds the folder the command works in (the deepest such root when they
 * nest); else none can be chosen and the command must be told. Pure: the servers and the folder are given.
 */
import path from 'node:path'
import type {RunningServer} from './runtime-file.js'

export type ServerChoice =
  | {readonly kind: 'none'}
  | {readonly kind: 'one'; readonly server: RunningServer}
  | {readonly kind: 'ambiguous'; readonly servers: readonly RunningServer[]}

/** True when `folder` is `root` or below it (both absolute). */
export function holds(root: string, folder: string): boolean {
  const relative = path.relative(root, folder)
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
}

/**
 * The server for `folder` among `servers`. `onlyHolding` (an explicit --repo): only servers whose root holds the
 * folder are candidates at all, so that a named repository never silently gets another repository's server.
 */
export function chooseServer(servers: readonly RunningServer[], folder: string, options: {readonly onlyHolding?: boolean} = {}): ServerChoice {
  const holding = servers.filter((s) => holds(s.repository_root, folder))
  const candidates = options.onlyHolding ? holding : servers
  if (candidates.length === 0) return {kind: 'none'}
  if (candidates.length === 1) return {kind: 'one', server: candidates[0]}
  const deepest = Math.max(...holding.map((s) => s.repository_root.length))
  const best = holding.filter((s) => s.repository_root.length === deepest)
  return best.length === 1 ? {kind: 'one', server: best[0]} : {kind: 'ambiguous', servers: candidates}
}
