/**
 * What a custom `implementation` in model-settings.json names: a module file relative to the model folder
 * (`./runtime.ts`, `../shared/runtime.js`, with `#ExportName` optional) or an installed package (`my-runtime`,
 * `@scope/runtime/sub#Name`). Paths start with `./`, `../` or `/`, as import specifiers do; bare names are packages.
 */
import {existsSync} from 'node:fs'
import path from 'node:path'

export type RuntimeSource =
  | {readonly kind: 'file'; readonly specifier: string; readonly exportName?: string}
  | {readonly kind: 'package'; readonly specifier: string; readonly exportName?: string}

const PACKAGE = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*(?:\/[\w.~@-]+)*$/
const EXPORT_NAME = /^[A-Za-z_$][\w$]*$/

/** True for `./x`, `../x` and absolute paths. */
export function isPathSpecifier(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../') || path.isAbsolute(specifier)
}

/** Splits `implementation` into a module specifier and an optional export name; undefined when it names neither a path nor a package. */
export function parseImplementation(implementation: string): RuntimeSource | undefined {
  const hash = implementation.lastIndexOf('#')
  const specifier = hash < 0 ? implementation : implementation.slice(0, hash)
  const exportName = hash < 0 ? undefined : implementation.slice(hash + 1)
  if (exportName !== undefined && !EXPORT_NAME.test(exportName)) return undefined
  if (isPathSpecifier(specifier)) return {kind: 'file', specifier, exportName}
  // A package path never climbs out of its package (`pkg/../../elsewhere` would reach any file on the machine).
  if (PACKAGE.test(specifier) && !specifier.split('/').some((segment) => segment === '.' || segment === '..')) return {kind: 'package', specifier, exportName}
  return undefined
}

/** The package's own name in a specifier: `@scope/name` or `name`, without a subpath. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
}

/** Whether `node_modules/<package>` exists in `folder` or a folder above it (as Node looks for it). */
export function isPackageInstalled(specifier: string, folder: string): boolean {
  const name = packageName(specifier)
  for (let dir = path.resolve(folder); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'node_modules', name, 'package.json'))) return true
    if (path.dirname(dir) === dir) return false
  }
}
