/** Carries out a plan: creates the folders, writes and copies the files. */
import {copyFileSync, mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {failure} from '../cli/cli-error.js'
import {displayPath} from './display-path.js'
import type {Plan} from './plan.js'

/** Writes every file of `plan` in order and returns their absolute paths; an I/O error is a failure (exit 1) naming the file. */
export function writePlan(plan: Plan): string[] {
  const written: string[] = []
  for (const file of plan.files) {
    try {
      mkdirSync(path.dirname(file.target), {recursive: true})
      if ('copyFrom' in file) copyFileSync(file.copyFrom, file.target)
      else writeFileSync(file.target, file.content)
    } catch (error) {
      const done = written.length > 0 ? ` (already written: ${written.map((f) => displayPath(f)).join(', ')})` : ''
      throw failure(`cannot write ${displayPath(file.target)}: ${(error as Error).message}${done}`)
    }
    written.push(file.target)
  }
  return written
}
