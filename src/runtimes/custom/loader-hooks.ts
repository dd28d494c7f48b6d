/**
 * Node module customization hooks for custom runtimes (registered by import-module.ts; they run on Node's hooks
 * thread, after tsx's, which compiles TypeScript). They do three things:
 * - A runtime file in a folder whose package.json says no "type" (or that has none, like a model repository) loads as
 *   an ES module: any .ts / .tsx file, and a .js / .jsx file that has import or export statements. Left alone, tsx
 *   would load it as CommonJS, and on Node 20 its imports of other .ts files (or of ES modules) fail.
 * - `mls` (and `mls/...`) resolves to this installation when nothing else provides it, so a runtime in any folder can
 *   `import {BaseRuntime} from 'mls'` and gets the very modules the server runs (one codec registry, one MlsError).
 * - `mls-runtime-package:?name=N&from=URL` resolves package N as a module in folder URL would (for an implementation
 *   that names an installed package: it resolves from the model's folder, not from mls's own).
 */
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

/** The specifier scheme import-module.ts uses for packages. */
export const PACKAGE_SCHEME = 'mls-runtime-package:'

interface HookData {
  /** This package's name ("mls"). */
  readonly selfName: string
  /** A file URL inside this package, to resolve `mls` from (a package may import itself by name). */
  readonly selfParent: string
}

interface ResolveContext {
  readonly parentURL?: string
  readonly conditions?: readonly string[]
  readonly importAttributes?: Record<string, string>
}

interface ResolveResult {
  readonly url: string
  readonly format?: string | null
  readonly shortCircuit?: boolean
}

type NextResolve = (specifier: string, context?: ResolveContext) => Promise<ResolveResult>

let data: HookData | undefined
const packageTypes = new Map<string, string | null>()
const TYPESCRIPT = /\.tsx?$/
const JAVASCRIPT = /\.jsx?$/
/** An import or export statement at the start of a line: ES module syntax (CommonJS has neither). */
const ESM_SYNTAX = /^\s*(?:import\s*[\w{*'"]|export\s)/m

export async function initialize(init: HookData): Promise<void> {
  data = init
}

/** The "type" of the package.json nearest to `folder` (null when it has none, or there is none). */
function packageType(folder: string): string | null {
  const known = packageTypes.get(folder)
  if (known !== undefined) return known
  let type: string | null = null
  try {
    const json = JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8')) as {type?: unknown}
    type = typeof json.type === 'string' ? json.type : null
  } catch (error) {
    const parent = path.dirname(folder)
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && parent !== folder) type = packageType(parent)
  }
  packageTypes.set(folder, type)
  return type
}

function hasEsmSyntax(file: string): boolean {
  try {
    return ESM_SYNTAX.test(readFileSync(file, 'utf8'))
  } catch {
    return false
  }
}

function asModule(result: ResolveResult): ResolveResult {
  if (!result.url.startsWith('file:') || result.url.includes('/node_modules/')) return result
  const file = fileURLToPath(result.url)
  if (!TYPESCRIPT.test(file) && !JAVASCRIPT.test(file)) return result
  if (packageType(path.dirname(file)) !== null) return result
  if (JAVASCRIPT.test(file) && !hasEsmSyntax(file)) return result
  return {...result, format: 'module'}
}

function isSelf(specifier: string): boolean {
  return data !== undefined && (specifier === data.selfName || specifier.startsWith(`${data.selfName}/`))
}

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<ResolveResult> {
  if (specifier.startsWith(PACKAGE_SCHEME)) {
    const query = new URL(specifier).searchParams
    return resolve(query.get('name') ?? '', {...context, parentURL: query.get('from') ?? undefined}, next)
  }
  let result: ResolveResult
  try {
    result = await next(specifier, context)
  } catch (error) {
    if (!isSelf(specifier)) throw error
    result = await next(specifier, {...context, parentURL: data!.selfParent})
  }
  return asModule(result)
}
