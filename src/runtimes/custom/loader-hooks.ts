/**
 * Node module customization hooks for custom runtimes (registered by import-module.ts; they run on Node's hooks
 * thread, after tsx's, which compiles TypeScript). They do three things:
 * - A runtime file in a folder whose package.json says no "type" (or that has none, like a model repository) loads as
 *   an ES module: any .ts / .tsx file, and a .js / .jsx file that has import or export statements. Left alone, tsx
 *   would load it as CommonJS, and on Node 20 its imports of other .ts files (or of ES modules) fail.
 * - `mls-server` (and `mls-server/...`) always resolves to this installation, so a runtime in any folder can
 *   `import {BaseRuntime} from 'mls-server'` and gets the very modules the server runs (one codec registry, one
 *   MlsError), even where a copy of mls-server is installed beside it for the editor's types. `mls`, the package's
 *   name before it was renamed, resolves the same way, for runtimes written before the rename: an unrelated package
 *   of that name is on the npm registry, and one installed by mistake must not be loaded in mls's place.
 * - `mls-runtime-package:?name=N&from=URL` resolves package N as a module in folder URL would (for an implementation
 *   that names an installed package: it resolves from the model's folder, not from mls's own).
 */
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

/** The specifier scheme import-module.ts uses for packages. */
export const PACKAGE_SCHEME = 'mls-runtime-package:'

interface HookData {
  /** This package's name ("mls-server"), resolved from inside the package (a package may import itself by name). */
  readonly selfName: string
  /** Other names that mean this package ("mls", its name before the rename): resolved as `selfName`. */
  readonly aliases: readonly string[]
  /** A file URL inside this package, to resolve `selfName` from. */
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

/** `specifier` in terms of this package's own name when it names this package (or an alias of it), else undefined. */
function selfSpecifier(specifier: string): string | undefined {
  if (data === undefined) return undefined
  for (const name of [data.selfName, ...data.aliases]) {
    if (specifier === name || specifier.startsWith(`${name}/`)) return data.selfName + specifier.slice(name.length)
  }
  return undefined
}

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<ResolveResult> {
  if (specifier.startsWith(PACKAGE_SCHEME)) {
    const query = new URL(specifier).searchParams
    return resolve(query.get('name') ?? '', {...context, parentURL: query.get('from') ?? undefined}, next)
  }
  const self = selfSpecifier(specifier)
  if (self !== undefined) return next(self, {...context, parentURL: data!.selfParent})
  return asModule(await next(specifier, context))
}
