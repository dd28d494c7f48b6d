/** Which runtime serves a model: its `implementation`, MLServer's aliases, or the artifact found in its folder. */
import {existsSync} from 'node:fs'
import path from 'node:path'
import type {ModelSettings} from '../settings/model-settings.js'
import {filesWithExtensions} from './find-model-file.js'
import {ONNX_FILES, OnnxRuntime} from './onnx/onnx-runtime.js'
import type {Runtime, RuntimeFactory} from './runtime.js'
import {SklearnRuntime} from './sklearn/sklearn-runtime.js'
import {XGBOOST_FILES, XGBoostRuntime} from './xgboost/xgboost-runtime.js'

export const BUILTIN_RUNTIMES: Readonly<Record<string, RuntimeFactory>> = {
  onnx: (settings) => new OnnxRuntime(settings),
  sklearn: (settings) => new SklearnRuntime(settings),
  xgboost: (settings) => new XGBoostRuntime(settings),
}

/** MLServer implementation names that mls serves with its own runtimes. */
export const IMPLEMENTATION_ALIASES: Readonly<Record<string, string>> = {
  'mlserver_sklearn.SKLearnModel': 'sklearn',
  'mlserver_xgboost.XGBoostModel': 'xgboost',
  'mlserver_onnx.OnnxModel': 'onnx',
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
    `${settings.source}: no "implementation" and no model file to infer it from: set "implementation" to one of ${Object.keys(BUILTIN_RUNTIMES).join(', ')}`,
  )
}

export function resolveRuntimeName(settings: ModelSettings): string {
  if (settings.implementation === undefined) return detectRuntime(settings)
  const name = IMPLEMENTATION_ALIASES[settings.implementation] ?? settings.implementation
  if (!(name in BUILTIN_RUNTIMES)) {
    const known = [...Object.keys(BUILTIN_RUNTIMES), ...Object.keys(IMPLEMENTATION_ALIASES)].join(', ')
    throw new Error(`${settings.source}: implementation: unknown runtime "${settings.implementation}"; expected one of ${known}`)
  }
  return name
}

export function createRuntime(settings: ModelSettings): Runtime {
  return BUILTIN_RUNTIMES[resolveRuntimeName(settings)](settings)
}
