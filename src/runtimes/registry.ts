/**
 * Which runtime serves a model: its `implementation` (a built-in name, one of MLServer's aliases, a path to a runtime
 * module or an installed package), or the artifact found in its folder. Every runtime, built-in or custom, is made
 * from the same RuntimeContext and implements the same Runtime contract.
 */
import {existsSync} from 'node:fs'
import path from 'node:path'
import type {ModelSettings} from '../settings/model-settings.js'
import {runtimeContext} from './custom/context.js'
import {CustomRuntime} from './custom/custom-runtime.js'
import {isPackageInstalled, parseImplementation} from './custom/implementation.js'
import {filesWithExtensions} from './find-model-file.js'
import {ONNX_FILES, OnnxRuntime} from './onnx/onnx-runtime.js'
import type {Runtime, RuntimeContext, RuntimeFactory, RuntimeLogger, RuntimeMetricsProvider} from './runtime.js'
import {SklearnRuntime} from './sklearn/sklearn-runtime.js'
import {XGBOOST_FILES, XGBoostRuntime} from './xgboost/xgboost-runtime.js'

export const BUILTIN_RUNTIMES: Readonly<Record<string, (context: RuntimeContext) => Runtime>> = {
  onnx: ({settings}) => new OnnxRuntime(settings),
  sklearn: ({settings}) => new SklearnRuntime(settings),
  xgboost: ({settings}) => new XGBoostRuntime(settings),
}

/** What resolveRuntimeName answers for a runtime module or package. */
export const CUSTOM_RUNTIME = 'custom'

/** MLServer implementation names that mls serves with its own runtimes. */
export const IMPLEMENTATION_ALIASES: Readonly<Record<string, string>> = {
  'mlserver_sklearn.SKLearnModel': 'sklearn',
  'mlserver_xgboost.XGBoostModel': 'xgboost',
  'mlserver_onnx.OnnxModel': 'onnx',
}

/** What the server hands every runtime it makes. */
export interface RuntimeOptions {
  /** The repository root (model_repository_root): a runtime module must live below it. Default: the model's own folder. */
  readonly root?: string
  /** Where custom metrics go (the server's Metrics); default: nowhere. */
  readonly metrics?: RuntimeMetricsProvider
  readonly logger?: RuntimeLogger
}

/** The runtime name for a model with no `implementation`, from the artifact in its folder. */
function detectRuntime(settings: ModelSettings): string {
  const target = settings.uri ?? settings.folder
  const lower = target.toLowerCase()
  if (lower.endsWith('.onnx')) return 'onnx'
  if (lower.endsWith('.json') || lower.endsWith('.ubj')) return 'xgboost'
  if (filesWithExtensions(target, ONNX_FILES.extensions).length > 0) return 'onnx'
  // Only XGBoost's usual file names: a folder holds other JSON files (model-settings.json, test sets).
  if (XGBOOST_FILES.preferred.some((name) => existsSync(path.join(target, name)))) return 'xgboost'
  throw new Error(
    `${settings.source}: no "implementation" and no model file to infer it from: set "implementation" to one of ${Object.keys(BUILTIN_RUNTIMES).join(', ')}, or to a runtime module such as ./runtime.ts`,
  )
}

/** Why an implementation is unknown, with a hint where one helps. */
function unknownImplementation(settings: ModelSettings, implementation: string): Error {
  const known = [...Object.keys(BUILTIN_RUNTIMES), ...Object.keys(IMPLEMENTATION_ALIASES)].join(', ')
  let hint = ''
  if (/^[A-Za-z_][\w]*(\.[A-Za-z_]\w*)+$/.test(implementation) && /[A-Z]/.test(implementation)) {
    hint = '; it looks like an MLServer Python class: write the runtime in TypeScript or JavaScript (docs/runtimes.md: "Writing a runtime")'
  } else if (existsSync(path.join(settings.folder, implementation.split('#')[0]))) {
    hint = `; a runtime module is a path: "./${implementation}"`
  }
  return new Error(
    `${settings.source}: implementation: unknown runtime "${implementation}"; expected one of ${known}, a runtime module (./runtime.ts, ./runtime.js, #ExportName optional) or an installed package${hint}`,
  )
}

/** onnx, sklearn, xgboost or custom; throws an Error naming the file when the implementation is unknown. */
export function resolveRuntimeName(settings: ModelSettings): string {
  const implementation = settings.implementation
  if (implementation === undefined) return detectRuntime(settings)
  const name = IMPLEMENTATION_ALIASES[implementation] ?? implementation
  if (Object.hasOwn(BUILTIN_RUNTIMES, name)) return name
  const source = parseImplementation(implementation)
  if (source?.kind === 'file') return CUSTOM_RUNTIME
  if (source?.kind === 'package' && isPackageInstalled(source.specifier, settings.folder)) return CUSTOM_RUNTIME
  throw unknownImplementation(settings, implementation)
}

/** True when a built-in runtime serves the model (an `implementation` that is absent, built-in or an alias). */
export function isBuiltinRuntime(settings: Pick<ModelSettings, 'implementation'>): boolean {
  const implementation = settings.implementation
  return implementation === undefined || Object.hasOwn(BUILTIN_RUNTIMES, IMPLEMENTATION_ALIASES[implementation] ?? implementation)
}

/** The runtime for a model, not loaded yet. */
export function createRuntime(settings: ModelSettings, options: RuntimeOptions = {}): Runtime {
  const name = resolveRuntimeName(settings)
  const context = runtimeContext(settings, options)
  if (name === CUSTOM_RUNTIME) return new CustomRuntime(context, {root: options.root})
  return BUILTIN_RUNTIMES[name](context)
}

/** A RuntimeFactory that hands every runtime the server's root, metrics and logger. */
export function runtimeFactory(options: RuntimeOptions): RuntimeFactory {
  return (settings) => createRuntime(settings, options)
}
