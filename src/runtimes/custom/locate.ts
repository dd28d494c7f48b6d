/**
 * Where a custom runtime's module file is, and the rule that it lives inside the repository root: a model-settings.json
 * must not make the server import code from anywhere on the machine. Symbolic links are followed before the check.
 */
import {statSync} from 'node:fs'
import path from 'node:path'
import {isInsideReal, realPath} from '../../util/inside-root.js'

/**
 * The absolute path of `specifier` resolved from the model `folder`; throws an Error (the model's reason) when there
 * is no file there or when it lies outside `root`.
 */
export function locateRuntimeFile(specifier: string, folder: string, root: string): string {
  const file = path.resolve(folder, specifier)
  let isFile = false
  try {
    isFile = statSync(file).isFile()
  } catch {
    // reported below
  }
  if (!isFile) throw new Error(`implementation: no runtime module at ${file} (${specifier} from the model folder)`)
  const real = realPath(file)
  if (!isInsideReal(real, root)) {
    throw new Error(`implementation: ${specifier} is ${path.relative(realPath(root), real)}, outside the repository root; a runtime module must live inside the repository`)
  }
  return real
}
