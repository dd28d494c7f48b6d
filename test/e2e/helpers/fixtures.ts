/** The example's test sets and temporary model repositories built from the example's artifacts. */
import {cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {REPO_ROOT} from './mls-process.js'

export const EXAMPLE = path.join(REPO_ROOT, 'examples/multi-model')
export const MNIST_DIR = path.join(EXAMPLE, 'models/mnist_sklearn')
export const MUSHROOM_DIR = path.join(EXAMPLE, 'models/mushroom_xgboost')

export interface TestSet {
  request: {inputs: Array<{name: string; shape: number[]; datatype: string; data: Array<number | null>}>}
  expected: Record<string, number[]>
  labels?: number[]
  tolerance?: number
}

export function readTestSet(file: string): TestSet {
  return JSON.parse(readFileSync(file, 'utf8')) as TestSet
}

/** One row of a test set as its own V2 request. */
export function rowRequest(set: TestSet, row: number, name = 'predict') {
  const input = set.request.inputs[0]
  const width = input.shape[1]
  return {inputs: [{name, shape: [1, width], datatype: input.datatype, data: input.data.slice(row * width, (row + 1) * width)}]}
}

export type RepoFiles = Record<string, string | {copy: string}>

/** A temporary repository: keys are relative paths, values file contents or `{copy: absolutePath}` (a file or a folder). */
export function makeRepo(files: RepoFiles): {dir: string; cleanup(): void} {
  const dir = mkdtempSync(path.join(tmpdir(), 'mls-test-'))
  for (const [relative, content] of Object.entries(files)) {
    const target = path.join(dir, relative)
    mkdirSync(path.dirname(target), {recursive: true})
    if (typeof content === 'string') writeFileSync(target, content)
    else cpSync(content.copy, target, {recursive: true})
  }
  return {dir, cleanup: () => rmSync(dir, {recursive: true, force: true})}
}
