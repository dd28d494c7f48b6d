/** The runtimes `init` can scaffold, and how a model file decides (or contradicts) the runtime. */
import path from 'node:path'
import {usageError} from '../cli/cli-error.js'

/** The runtimes a scaffolded model can use: the built-ins, and `custom` (a runtime.ts skeleton of your own). */
export const RUNTIMES = ['onnx', 'sklearn', 'xgboost', 'custom'] as const
export type RuntimeName = (typeof RUNTIMES)[number]

/** What `--runtime` accepts. */
export const RUNTIME_FLAG_OPTIONS = RUNTIMES

/** The files a custom model gets besides model-settings.json, copied from templates/custom/ as they are. */
export const CUSTOM_FILES = ['runtime.ts', 'test-set.json'] as const

/** The runtime used when none is given, none can be detected and there is no terminal to ask. */
export const DEFAULT_RUNTIME: RuntimeName = 'onnx'

/** One line per runtime, for the prompt and the help. */
export const RUNTIME_DESCRIPTIONS: Readonly<Record<RuntimeName, string>> = {
  onnx: 'an ONNX graph (model.onnx) on onnxruntime',
  sklearn: 'a scikit-learn model exported to ONNX (model.onnx), answering as MLServer\'s sklearn runtime',
  xgboost: 'an XGBoost model saved as JSON (model.json) or UBJSON (model.ubj)',
  custom: 'a runtime of your own in TypeScript (runtime.ts: a working skeleton that sums rows, and its test set)',
}

const PICKLE_EXTENSIONS = ['.joblib', '.pkl', '.pickle']
const ONNX_EXTENSIONS = ['.onnx']
const XGBOOST_EXTENSIONS = ['.json', '.ubj']

/** The refusal for a pickled model, with the skl2onnx recipe (docs/runtimes.md, "For MLServer users"). */
export function pickleRefusal(file: string): string {
  return [
    `--model-file ${file}: mls never loads pickles (.joblib, .pkl, .pickle): unpickling runs arbitrary code.`,
    'Export the model to ONNX once, on your machine, with skl2onnx:',
    '  import joblib, numpy as np',
    '  from skl2onnx import to_onnx',
    `  model = joblib.load("${path.basename(file)}")`,
    '  onx = to_onnx(model, np.zeros((1, n_features), dtype=np.float32), options={id(model): {"zipmap": False}})',
    '  open("model.onnx", "wb").write(onx.SerializeToString())',
    'then: mls init --model-file model.onnx --runtime sklearn',
    '(docs/runtimes.md: "For MLServer users: from model.joblib to model.onnx"; for XGBoost: booster.save_model("model.json"))',
  ].join('\n')
}

/**
 * The runtime for a model: `explicit` (the `--runtime` flag) when given and compatible with the model file, else the one
 * the file's extension implies (`.onnx` -> onnx, `.json` / `.ubj` -> xgboost). Returns undefined when there is neither
 * flag nor file. `custom` takes any model file (copied beside runtime.ts under its own name) but a pickle. Throws a
 * usage error for a pickle, an unknown extension, or a runtime the file cannot feed.
 */
export function resolveRuntime(explicit: string | undefined, modelFile: string | undefined): RuntimeName | undefined {
  if (explicit !== undefined && !(RUNTIMES as readonly string[]).includes(explicit)) {
    throw usageError(`--runtime: unknown runtime "${explicit}"; expected one of ${RUNTIMES.join(', ')}`)
  }
  const given = explicit as RuntimeName | undefined
  if (modelFile === undefined) return given
  const ext = path.extname(modelFile).toLowerCase()
  if (PICKLE_EXTENSIONS.includes(ext)) throw usageError(pickleRefusal(modelFile))
  if (given === 'custom') {
    const name = path.basename(modelFile)
    if (name === 'model-settings.json' || (CUSTOM_FILES as readonly string[]).includes(name)) {
      throw usageError(`--model-file ${modelFile}: a custom model's folder has its own ${name}; rename the file`)
    }
    return given
  }
  if (ONNX_EXTENSIONS.includes(ext)) {
    if (given === 'xgboost') throw usageError(`--runtime xgboost cannot serve ${modelFile}: an .onnx file needs --runtime onnx or sklearn`)
    return given ?? 'onnx'
  }
  if (XGBOOST_EXTENSIONS.includes(ext)) {
    if (given !== undefined && given !== 'xgboost') {
      throw usageError(`--runtime ${given} cannot serve ${modelFile}: a ${ext} model file is XGBoost's format (--runtime xgboost)`)
    }
    return 'xgboost'
  }
  throw usageError(
    `--model-file ${modelFile}: cannot tell the model format from "${ext || 'no extension'}"; expected .onnx (onnx, sklearn), .json or .ubj (xgboost)`,
  )
}

/**
 * The name the model file gets inside `models/<name>/`: `model.onnx`, `model.json` or `model.ubj`; for custom, the
 * file's own name (and `runtime.ts`, the file to edit, when there is none).
 */
export function modelFileName(runtime: RuntimeName, modelFile?: string): string {
  if (runtime === 'custom') return modelFile === undefined ? 'runtime.ts' : path.basename(modelFile)
  if (runtime !== 'xgboost') return 'model.onnx'
  return modelFile !== undefined && path.extname(modelFile).toLowerCase() === '.ubj' ? 'model.ubj' : 'model.json'
}
