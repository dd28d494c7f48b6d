/** Model names and versions: both appear in URLs (`/v2/models/NAME/versions/VERSION`), and the name is a folder name. */
import path from 'node:path'
import {usageError} from '../cli/cli-error.js'

const NAME = /^[A-Za-z0-9_-]+$/
const VERSION = /^[A-Za-z0-9_.-]+$/

/** The name used when there is no `--name`, no model file to take one from, and no terminal to ask. */
export const DEFAULT_MODEL_NAME = 'my-model'

/**
 * Makes `text` a valid model name: every run of characters outside [A-Za-z0-9_-] becomes one "-", and leading or
 * trailing "-" are dropped. Returns undefined when nothing is left.
 */
export function sanitizeName(text: string): string | undefined {
  const name = text.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '')
  return name === '' ? undefined : name
}

/**
 * The model name a model file suggests: its base name without the extension, sanitised (`My Model.onnx` -> `My-Model`).
 * A file named plainly `model` (MLServer's layout: `mnist/model.onnx`) gives its folder's name instead.
 */
export function nameFromModelFile(file: string): string | undefined {
  const base = path.basename(file)
  const dot = base.lastIndexOf('.')
  const stem = dot > 0 ? base.slice(0, dot) : base
  if (stem.toLowerCase() === 'model') return sanitizeName(path.basename(path.dirname(path.resolve(file)))) ?? 'model'
  return sanitizeName(stem)
}

/** Why `name` is not a valid model name, or undefined when it is. */
export function nameProblem(name: string): string | undefined {
  if (NAME.test(name)) return undefined
  return `"${name}" is not a valid model name: use letters, digits, "_" and "-" (it becomes a folder name and part of the URL)`
}

/** Why `version` is not a valid version, or undefined when it is. */
export function versionProblem(version: string): string | undefined {
  if (VERSION.test(version)) return undefined
  return `"${version}" is not a valid version: use letters, digits, ".", "_" and "-" (it becomes part of the URL)`
}

/** Checks a `--name` / `--version` given on the command line; throws a usage error naming the flag. */
export function checkNameAndVersion(name: string | undefined, version: string | undefined): void {
  const nameError = name === undefined ? undefined : nameProblem(name)
  if (nameError !== undefined) throw usageError(`--name: ${nameError}`)
  const versionError = version === undefined ? undefined : versionProblem(version)
  if (versionError !== undefined) throw usageError(`--version: ${versionError}`)
}
