/**
 * `mls start` with no DIR serves the current folder, which is right inside a model repository and wrong in, say, a
 * clone of mls itself, whose only models are test fixtures and examples. The rule, applied only when nothing named
 * the repository (no DIR, no settings.json here, no model_repository_root from env or flags, no MLS_MODEL_* model):
 * the current folder is served if a model-settings.json is in it or at most MAX_DEPTH folders below it, not counting
 * folders that hold a project's code rather than its models (node_modules, dot-folders, test(s), bench, examples,
 * templates, fixtures, docs, dist, build, coverage). Otherwise the command stops with a usage error (exit 2) that says
 * so and what to type instead.
 */
import {readdirSync} from 'node:fs'
import path from 'node:path'
import {MODEL_SETTINGS_FILE} from '../repository/discover.js'
import {hasEnvModel} from '../repository/env-model.js'
import {usageError} from './cli-error.js'

/** models/<name>/<version>/model-settings.json is three folders down: MLServer's deepest usual layout. */
export const MAX_DEPTH = 3

/** Folders that hold a project's code, tests and samples, not the models it serves. */
export const NOT_MODEL_FOLDERS = new Set(['node_modules', 'test', 'tests', '__tests__', 'bench', 'benchmarks', 'examples', 'templates', 'fixtures', 'docs', 'dist', 'build', 'coverage'])

const skipped = (name: string) => name.startsWith('.') || NOT_MODEL_FOLDERS.has(name)

/** Subfolders of `folder` (none when it cannot be read), sorted. */
function subfolders(folder: string): string[] {
  try {
    return readdirSync(folder, {withFileTypes: true})
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort()
  } catch {
    return []
  }
}

function has(folder: string, file: string): boolean {
  try {
    return readdirSync(folder).includes(file)
  } catch {
    return false
  }
}

/** Whether a model-settings.json is in `folder` or at most `depth` folders below it, outside the skipped folders. */
export function hasModelsNear(folder: string, depth = MAX_DEPTH): boolean {
  if (has(folder, MODEL_SETTINGS_FILE)) return true
  if (depth === 0) return false
  return subfolders(folder).some((name) => !skipped(name) && hasModelsNear(path.join(folder, name), depth - 1))
}

/**
 * Repositories below `folder` a user may have meant (folders with a settings.json, at most MAX_DEPTH down, test and
 * template folders left out, examples kept), relative to `folder`, at most `limit`.
 */
export function repositoriesBelow(folder: string, limit = 4): string[] {
  const found: string[] = []
  const walk = (at: string, depth: number): void => {
    for (const name of subfolders(at)) {
      if (found.length >= limit) return
      if (name !== 'examples' && skipped(name)) continue
      const child = path.join(at, name)
      if (has(child, 'settings.json')) found.push(path.relative(folder, child))
      if (depth > 1) walk(child, depth - 1)
    }
  }
  walk(folder, MAX_DEPTH)
  return found
}

/** What `mls start` resolved that says whether a repository was named. */
export interface ImplicitRootCheck {
  /** DIR, when given. */
  readonly root?: string
  /** The settings.json that was read. */
  readonly settingsFile?: string
  /** The repository root the settings resolved to. */
  readonly repositoryRoot: string
  readonly cwd?: string
  readonly env?: NodeJS.ProcessEnv
}

/** Throws a usage error when nothing named the repository and the current folder does not look like one. */
export function checkImplicitRoot(check: ImplicitRootCheck): void {
  const cwd = check.cwd ?? process.cwd()
  const env = check.env ?? process.env
  if (check.root !== undefined || check.settingsFile !== undefined || hasEnvModel(env)) return
  // model_repository_root from MLS_MODEL_REPOSITORY_ROOT, MLSERVER_... or a flag: the repository was named.
  if (path.resolve(check.repositoryRoot) !== path.resolve(cwd)) return
  if (hasModelsNear(cwd)) return
  const below = repositoriesBelow(cwd)
  const serve = below.length > 0 ? below.map((dir) => `  mls start ${dir}`) : ['  mls start <dir>          (the folder that holds your models)']
  throw usageError(
    [
      `${cwd} does not look like a model repository: it has no settings.json, and no ${MODEL_SETTINGS_FILE} in it or up to ${MAX_DEPTH} folders below (not counting node_modules, dot-folders, ${[...NOT_MODEL_FOLDERS].filter((f) => f !== 'node_modules').join(', ')}). Nothing was started.`,
      'Serve a repository by naming it:',
      ...serve,
      'Make one here:',
      '  mls init',
      'Or serve this folder anyway:',
      '  mls start .',
    ].join('\n'),
  )
}
