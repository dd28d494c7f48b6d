/**
 * Imports a custom runtime's module: TypeScript through tsx (no build step for the user; Node 20 cannot strip types
 * itself), JavaScript as it is. The loader hooks are registered once, on the first custom runtime. A file imported
 * again (a reload) is imported afresh, so edits to it take effect; the modules it imports stay cached.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {register} from 'node:module'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {PACKAGE_SCHEME} from './loader-hooks.js'

let hooks: Promise<void> | undefined
const imports = new Map<string, number>()

/** Whether the temporary folder takes files (a container may mount / read-only and no /tmp). */
function tmpdirWritable(): boolean {
  try {
    rmSync(mkdtempSync(path.join(tmpdir(), 'mls-')), {recursive: true})
    return true
  } catch {
    return false
  }
}

async function registerHooks(): Promise<void> {
  // tsx caches compiled files in the temporary folder and fails to load anything when it cannot create it. Its hooks
  // thread starts with the first register() below and reads the environment then.
  if (!tmpdirWritable()) process.env.TSX_DISABLE_CACHE ??= '1'
  const tsx = await import('tsx/esm/api')
  // tsx compiles TypeScript; the tsconfig of the server's working folder is none of the runtime's business.
  tsx.register({tsconfig: false})
  // Registered after tsx, so these run first and hand tsx a format it keeps (see loader-hooks.ts). The file beside this
  // one: loader-hooks.js in dist/, loader-hooks.ts when this module runs from source (the in-process tests). Node 20
  // let tsx map './loader-hooks.js' to the .ts file; Node 22 resolves it without tsx and finds nothing.
  const hooks = new URL(new URL(import.meta.url).pathname.endsWith('.ts') ? './loader-hooks.ts' : './loader-hooks.js', import.meta.url)
  // "mls" was the package's name until it became mls-server (see loader-hooks.ts).
  register(hooks, {data: {selfName: 'mls-server', aliases: ['mls'], selfParent: import.meta.url}})
}

/** Registers the hooks once (concurrent callers share the registration). */
export function ensureLoaderHooks(): Promise<void> {
  hooks ??= registerHooks()
  return hooks
}

/** The module at absolute path `file`; a fresh instance when the file was imported before. */
export async function importFile(file: string): Promise<Record<string, unknown>> {
  await ensureLoaderHooks()
  const count = imports.get(file) ?? 0
  imports.set(file, count + 1)
  const url = pathToFileURL(file).href + (count === 0 ? '' : `?mls-load=${count}`)
  return (await import(url)) as Record<string, unknown>
}

/** Package `specifier` as resolved from `folder` (a model's folder), not from mls's own. */
export async function importPackage(specifier: string, folder: string): Promise<Record<string, unknown>> {
  await ensureLoaderHooks()
  // Resolution reads only the parent's folder: any file name in it will do.
  const from = pathToFileURL(path.join(folder, 'runtime.js')).href
  return (await import(`${PACKAGE_SCHEME}package?${new URLSearchParams({name: specifier, from})}`)) as Record<string, unknown>
}
