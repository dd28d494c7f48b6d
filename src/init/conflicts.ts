/** `init` never overwrites a file unless `--force`: this finds the files a plan would overwrite, before anything is written. */
import {realpathSync, statSync} from 'node:fs'
import {usageError} from '../cli/cli-error.js'
import {displayPath} from './display-path.js'
import type {FileRole, Plan, PlannedFile} from './plan.js'

const ADVICE: Readonly<Record<FileRole, string>> = {
  settings: 'use --force to overwrite, or --skip-settings to add a model to this repository',
  model: 'use --force to overwrite, or choose another --name',
  example: 'use --force to overwrite',
}

function kindOf(file: string): 'file' | 'directory' | 'other' | undefined {
  try {
    const stat = statSync(file)
    return stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : 'other'
  } catch {
    return undefined
  }
}

/** A copy onto itself (the model file is already where init would put it) is a no-op, not a conflict. */
function copiesOntoItself(file: PlannedFile): boolean {
  if (!('copyFrom' in file)) return false
  try {
    return realpathSync(file.copyFrom) === realpathSync(file.target)
  } catch {
    return false
  }
}

/**
 * The plan without no-op copies. Throws a usage error listing every file that exists (when `force` is false) and
 * every target that is a folder or special file (always): one line each, settings.json first.
 */
export function checkConflicts(plan: Plan, force: boolean): Plan {
  const files = plan.files.filter((file) => !copiesOntoItself(file))
  const problems: string[] = []
  for (const file of files) {
    const kind = kindOf(file.target)
    if (kind === undefined) continue
    if (kind !== 'file') problems.push(`${displayPath(file.target)} exists and is not a file; remove it or choose another folder`)
    else if (!force) problems.push(`${displayPath(file.target)} exists; ${ADVICE[file.role]}`)
  }
  if (problems.length > 0) throw usageError(problems.join('\n'))
  return {...plan, files}
}
