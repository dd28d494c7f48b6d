/** Turns the model flags into a complete model: refuses what cannot work, detects what it can, asks (when it may) for the rest. */
import {statSync} from 'node:fs'
import path from 'node:path'
import {usageError} from '../cli/cli-error.js'
import {checkNameAndVersion, DEFAULT_MODEL_NAME, nameFromModelFile, nameProblem} from './names.js'
import type {Prompter} from './prompter.js'
import {DEFAULT_RUNTIME, resolveRuntime, RUNTIME_DESCRIPTIONS, RUNTIMES, type RuntimeName} from './runtimes.js'

/** The model flags as given; every field may be missing. */
export interface ModelRequest {
  readonly name?: string
  /** `--runtime` as typed: onnx, sklearn, xgboost or custom. */
  readonly runtime?: string
  /** `--model-file`, relative to the current folder or absolute. */
  readonly modelFile?: string
  readonly version?: string
}

/** A model ready to be scaffolded. */
export interface ResolvedModel {
  readonly name: string
  readonly runtime: RuntimeName
  readonly version?: string
  /** Absolute path of the model file to copy in, when one was given. */
  readonly modelFile?: string
}

function checkModelFile(file: string): string {
  const absolute = path.resolve(file)
  let isFile = false
  try {
    isFile = statSync(absolute).isFile()
  } catch {
    throw usageError(`--model-file ${file}: no such file`)
  }
  if (!isFile) throw usageError(`--model-file ${file}: not a file`)
  return absolute
}

/** A model request that passed every check; `runtime` and `name` may still be missing. */
export interface CheckedModelRequest {
  readonly name?: string
  readonly runtime?: RuntimeName
  readonly version?: string
  readonly modelFile?: string
}

/**
 * Refuses a bad request before anything is asked or written: a pickle, an unknown extension, a runtime the file cannot
 * feed, a missing model file, a bad name or version. Fills in what the model file tells:
 * the runtime (from its extension) and the name (from its base name).
 */
export function checkModelRequest(request: ModelRequest): CheckedModelRequest {
  const runtime = resolveRuntime(request.runtime, request.modelFile)
  const modelFile = request.modelFile === undefined ? undefined : checkModelFile(request.modelFile)
  checkNameAndVersion(request.name, request.version)
  const name = request.name ?? (modelFile === undefined ? undefined : nameFromModelFile(modelFile))
  return {name, runtime, version: request.version, modelFile}
}

/** Completes a checked request: asks for the missing name and runtime through `prompter`, or uses "my-model" / onnx. */
export async function completeModel(checked: CheckedModelRequest, prompter?: Prompter): Promise<ResolvedModel> {
  const name =
    checked.name ??
    (prompter === undefined ? DEFAULT_MODEL_NAME : await prompter.text({label: 'Model name', defaultValue: DEFAULT_MODEL_NAME, validate: nameProblem}))
  const runtime =
    checked.runtime ??
    (prompter === undefined
      ? DEFAULT_RUNTIME
      : await prompter.select({
          label: 'Runtime',
          choices: RUNTIMES.map((value) => ({value, description: RUNTIME_DESCRIPTIONS[value]})),
          defaultValue: DEFAULT_RUNTIME,
        }))
  return {...checked, name, runtime}
}
