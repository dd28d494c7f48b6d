/**
 * From a runtime module to a runtime object: the export (`#Name`, else the default export), then a class (constructed
 * with the RuntimeContext), a factory function (called with it, may be async) or an object (used as it is).
 */
import type {RuntimeContext} from '../runtime.js'
import type {UserRuntime} from './user-runtime.js'

function isObject(value: unknown): value is Record<string, unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null
}

function isClass(value: Function): boolean {
  return /^class[\s{]/.test(Function.prototype.toString.call(value)) || typeof value.prototype?.predict === 'function'
}

function looksLikeRuntime(value: unknown): boolean {
  return typeof value === 'function' || (isObject(value) && typeof value.predict === 'function')
}

/** The export that is the runtime; `label` names the module in messages. */
export function pickExport(module: Record<string, unknown>, exportName: string | undefined, label: string): unknown {
  const names = Object.keys(module).filter((key) => key !== 'default' && looksLikeRuntime(module[key]))
  if (exportName !== undefined) {
    if (!(exportName in module)) throw new Error(`${label} has no export "${exportName}"${names.length ? ` (it exports ${names.join(', ')})` : ''}`)
    return module[exportName]
  }
  let exported = module.default
  // A CommonJS module compiled from ES syntax: its exports object is the default, holding the real default.
  if (isObject(exported) && exported.__esModule === true && 'default' in exported) exported = exported.default
  if (exported === undefined) {
    throw new Error(`${label} has no default export: export the runtime as default, or name it in implementation with #Name${names.length ? ` (it exports ${names.join(', ')})` : ''}`)
  }
  return exported
}

/** The runtime object `exported` stands for; throws when it is not a runtime (no predict method). */
export async function instantiate(exported: unknown, context: RuntimeContext, label: string): Promise<UserRuntime> {
  let runtime: unknown = exported
  if (typeof exported === 'function') {
    runtime = isClass(exported) ? new (exported as new (context: RuntimeContext) => unknown)(context) : await (exported as (context: RuntimeContext) => unknown)(context)
  }
  if (!isObject(runtime) || typeof runtime.predict !== 'function') {
    throw new Error(`${label}: the runtime must be a class, a factory function or an object with a predict(request) method; found ${typeof runtime === 'object' ? 'an object without predict()' : typeof runtime}`)
  }
  return runtime as unknown as UserRuntime
}
